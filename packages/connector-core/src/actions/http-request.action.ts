import { defineAction, type HttpMethod, type HttpRequest } from '@braid/connector-sdk';

interface HttpRequestAuth {
  type: 'none' | 'basic' | 'bearer' | 'header';
  username?: string;
  password?: string;
  token?: string;
  headerName?: string;
  headerValue?: string;
}

export interface HttpRequestInput {
  method: HttpMethod;
  url: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  bodyType: 'none' | 'json' | 'form' | 'text';
  body?: unknown;
  auth: HttpRequestAuth;
  timeoutMs: number;
  followRedirects: boolean;
  failOnHttpError: boolean;
  responseType: 'auto' | 'json' | 'text';
}

export interface HttpRequestOutput {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

const stringMap = { type: 'object', additionalProperties: { type: 'string' } };

/**
 * Any URL the user types. The SDK client SSRF-checks it (private, loopback, link-local and metadata addresses
 * are refused unless the runtime allows them) and never attaches connection credentials. Secrets in `auth`
 * are marked writeOnly so the runtime can redact them from run records.
 */
export const httpRequestAction = defineAction<HttpRequestInput, HttpRequestOutput>({
  key: 'http_request',
  title: 'HTTP request',
  description: 'Call any public HTTP API and use its response in later steps.',
  input: {
    type: 'object',
    properties: {
      method: {
        type: 'string',
        title: 'Method',
        enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'],
        default: 'GET',
      },
      url: { type: 'string', title: 'URL', format: 'uri', pattern: '^https?://', maxLength: 4000 },
      query: { ...stringMap, title: 'Query parameters' },
      headers: { ...stringMap, title: 'Headers' },
      bodyType: { type: 'string', title: 'Body type', enum: ['none', 'json', 'form', 'text'], default: 'none' },
      body: { title: 'Body', description: 'JSON value (json), object of strings (form) or a string (text).' },
      auth: {
        type: 'object',
        title: 'Authentication',
        properties: {
          type: { type: 'string', enum: ['none', 'basic', 'bearer', 'header'], default: 'none' },
          username: { type: 'string', title: 'Username' },
          password: { type: 'string', title: 'Password', writeOnly: true },
          token: { type: 'string', title: 'Bearer token', writeOnly: true },
          headerName: { type: 'string', title: 'Header name', pattern: '^[A-Za-z0-9-]+$' },
          headerValue: { type: 'string', title: 'Header value', writeOnly: true },
        },
        required: ['type'],
        allOf: [
          { if: { properties: { type: { const: 'basic' } } }, then: { required: ['username', 'password'] } },
          { if: { properties: { type: { const: 'bearer' } } }, then: { required: ['token'] } },
          { if: { properties: { type: { const: 'header' } } }, then: { required: ['headerName', 'headerValue'] } },
        ],
        default: { type: 'none' },
      },
      timeoutMs: { type: 'integer', title: 'Timeout (ms)', minimum: 100, maximum: 120_000, default: 30_000 },
      followRedirects: { type: 'boolean', title: 'Follow redirects', default: true },
      failOnHttpError: {
        type: 'boolean',
        title: 'Fail on HTTP errors',
        description: 'When off, 4xx/5xx responses are returned as output instead of failing the step.',
        default: true,
      },
      responseType: { type: 'string', title: 'Response type', enum: ['auto', 'json', 'text'], default: 'auto' },
    },
    required: ['url'],
    allOf: [
      { if: { properties: { bodyType: { const: 'form' } }, required: ['bodyType'] }, then: { properties: { body: stringMap } } },
      { if: { properties: { bodyType: { const: 'text' } }, required: ['bodyType'] }, then: { properties: { body: { type: 'string' } } } },
    ],
    additionalProperties: false,
  },
  output: {
    type: 'object',
    properties: { status: { type: 'integer' }, headers: stringMap, body: {} },
    required: ['status', 'headers', 'body'],
  },
  sampleOutput: { status: 200, headers: { 'content-type': 'application/json' }, body: { ok: true } },
  classification: 'write',
  idempotent: false,
  requiresConnection: false,
  run: async (ctx, input) => {
    const headers: Record<string, string> = { ...(input.headers ?? {}) };
    const sensitiveHeaders = ['authorization', 'proxy-authorization', 'cookie'];
    const auth = input.auth;
    if (auth.type === 'basic') {
      headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    } else if (auth.type === 'bearer') {
      headers.authorization = `Bearer ${auth.token}`;
    } else if (auth.type === 'header') {
      headers[auth.headerName!] = auth.headerValue!;
      sensitiveHeaders.push(auth.headerName!);
    }
    const request: HttpRequest = {
      method: input.method,
      url: input.url,
      headers,
      auth: false,
      timeoutMs: input.timeoutMs,
      followRedirects: input.followRedirects ? 5 : 0,
      sensitiveHeaders,
      responseType: input.responseType,
      ...(input.query ? { query: input.query } : {}),
      ...(input.failOnHttpError ? {} : { expect: 'any' as const }),
    };
    if (input.bodyType === 'json' && input.body !== undefined) request.body = input.body;
    else if (input.bodyType === 'form' && input.body !== undefined) request.form = input.body as Record<string, string>;
    else if (input.bodyType === 'text' && input.body !== undefined) {
      request.rawBody = String(input.body);
      if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
        headers['content-type'] = 'text/plain; charset=utf-8';
      }
    }
    const response = await ctx.http.request(request);
    const body = Buffer.isBuffer(response.body) ? response.body.toString('base64') : response.body;
    return { status: response.status, headers: response.headers, body };
  },
});
