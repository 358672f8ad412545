import { createHmac, timingSafeEqual } from 'node:crypto';
import { ConnectorError, defineTrigger, validateInput, type JsonSchema, type WebhookRequest } from '@braid/connector-sdk';

export interface WebhookSignatureConfig {
  type: 'none' | 'hmac-sha256';
  /** Header carrying the signature. */
  header: string;
  encoding: 'hex' | 'base64';
  /** Text before the signature in the header, e.g. `sha256=`. */
  prefix: string;
  /** When set, the signed content is `<timestamp>.<raw body>` and old timestamps are refused (replay). */
  timestampHeader?: string;
  toleranceSeconds: number;
}

export interface WebhookTriggerConfig {
  allowedMethods: string[];
  signature: WebhookSignatureConfig;
  /** Header with the sender's event id, used to drop duplicate deliveries. */
  eventIdHeader?: string;
}

export interface WebhookEventPayload {
  method: string;
  headers: Record<string, string>;
  query: Record<string, string | string[]>;
  body: unknown;
  receivedAt: string;
}

const ALWAYS_HIDDEN_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key'];

function invalidSignature(message: string): ConnectorError {
  return new ConnectorError('SIGNATURE_INVALID', message, { retryable: false });
}

function header(request: WebhookRequest, name: string): string | undefined {
  return request.headers[name.toLowerCase()];
}

/** Checks an HMAC-SHA256 signature over the raw body (constant-time compare). Throws SIGNATURE_INVALID. */
export function verifyHmacSignature(
  signature: WebhookSignatureConfig,
  secret: string | undefined,
  request: WebhookRequest,
  now: Date,
): void {
  if (signature.type === 'none') return;
  if (!secret) throw invalidSignature('This webhook expects signed requests but has no secret; regenerate the secret.');
  const provided = header(request, signature.header);
  if (!provided) throw invalidSignature(`The request has no ${signature.header} signature header.`);
  let signed: Buffer = request.rawBody;
  if (signature.timestampHeader) {
    const timestamp = header(request, signature.timestampHeader);
    if (!timestamp || !/^\d+$/.test(timestamp)) {
      throw invalidSignature(`The request has no valid ${signature.timestampHeader} timestamp header.`);
    }
    const seconds = timestamp.length > 11 ? Number(timestamp) / 1000 : Number(timestamp);
    if (Math.abs(now.getTime() / 1000 - seconds) > signature.toleranceSeconds) {
      throw invalidSignature(`The request timestamp is more than ${signature.toleranceSeconds} s old (possible replay).`);
    }
    signed = Buffer.concat([Buffer.from(`${timestamp}.`), request.rawBody]);
  }
  const value = provided.trim().startsWith(signature.prefix) ? provided.trim().slice(signature.prefix.length) : '';
  const expected = createHmac('sha256', secret).update(signed).digest();
  const given = Buffer.from(value, signature.encoding);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw invalidSignature('The request signature does not match: the body was changed or the secret differs.');
  }
}

/** Body by content type: JSON, form (repeated keys → arrays), text; anything else as base64. */
export function parseWebhookBody(request: WebhookRequest): unknown {
  const type = request.contentType.split(';')[0]!.trim().toLowerCase();
  const text = request.rawBody.toString('utf8');
  if (request.rawBody.length === 0) return null;
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      return JSON.parse(text);
    } catch {
      throw new ConnectorError('BAD_REQUEST', 'The webhook body is not valid JSON.', { retryable: false });
    }
  }
  if (type === 'application/x-www-form-urlencoded') {
    const out: Record<string, string | string[]> = {};
    for (const [key, value] of new URLSearchParams(text)) {
      const existing = out[key];
      if (existing === undefined) out[key] = value;
      else out[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
    }
    return out;
  }
  if (type.startsWith('text/') || type === '') return text;
  return { base64: request.rawBody.toString('base64'), contentType: type };
}

const webhookConfigSchema: JsonSchema = {
  type: 'object',
  properties: {
    allowedMethods: {
      type: 'array',
      title: 'Accepted methods',
      items: { type: 'string', enum: ['POST', 'PUT', 'PATCH', 'GET'] },
      minItems: 1,
      uniqueItems: true,
      default: ['POST'],
    },
    signature: {
      type: 'object',
      title: 'Signature check',
      properties: {
        type: { type: 'string', enum: ['none', 'hmac-sha256'], default: 'none', title: 'Type' },
        header: { type: 'string', default: 'x-signature', title: 'Signature header', pattern: '^[A-Za-z0-9-]+$' },
        encoding: { type: 'string', enum: ['hex', 'base64'], default: 'hex', title: 'Encoding' },
        prefix: { type: 'string', default: '', title: 'Prefix', description: 'e.g. "sha256="', maxLength: 50 },
        timestampHeader: { type: 'string', title: 'Timestamp header', pattern: '^[A-Za-z0-9-]+$' },
        toleranceSeconds: { type: 'integer', minimum: 1, maximum: 86_400, default: 300, title: 'Max age (s)' },
      },
      default: {},
      additionalProperties: false,
    },
    eventIdHeader: {
      type: 'string',
      title: 'Event id header',
      description: 'Header with the sender\'s delivery id (duplicates are dropped), e.g. "x-event-id".',
      pattern: '^[A-Za-z0-9-]+$',
    },
  },
  additionalProperties: false,
};

/** Configs already given their defaults, by config object: a trigger's config is read on every delivery. */
const completedConfigs = new WeakMap<object, Readonly<WebhookTriggerConfig>>();

/**
 * The config with schema defaults applied (the runtime may hand over a stored config as is). Remembered per config
 * object (a published version's config never changes) and frozen, so no caller can change what the next one reads.
 */
function withDefaults(config: WebhookTriggerConfig): Readonly<WebhookTriggerConfig> {
  const remembered = config && completedConfigs.get(config);
  if (remembered) return remembered;
  const completed = validateInput<WebhookTriggerConfig>(webhookConfigSchema, config ?? {}, 'webhook configuration');
  Object.freeze(completed.allowedMethods);
  Object.freeze(completed.signature);
  Object.freeze(completed);
  if (config) completedConfigs.set(config, completed);
  return completed;
}

export const webhookTrigger = defineTrigger<WebhookTriggerConfig>({
  key: 'webhook',
  kind: 'webhook',
  title: 'Incoming webhook',
  description: 'Run the flow when any app POSTs JSON or a form to this flow\'s URL (optionally HMAC-signed).',
  configSchema: webhookConfigSchema,
  outputSchema: {
    type: 'object',
    properties: {
      method: { type: 'string' },
      headers: { type: 'object', additionalProperties: { type: 'string' } },
      query: { type: 'object' },
      body: {},
      receivedAt: { type: 'string', format: 'date-time' },
    },
    required: ['method', 'headers', 'query', 'body', 'receivedAt'],
  },
  sampleOutput: {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    query: {},
    body: { event: 'invoice.paid', invoiceId: 'INV-1' },
    receivedAt: '2026-01-01T00:00:00.000Z',
  },
  requiresConnection: false,
  verifyRequest: ({ config, secret, request, now }) =>
    verifyHmacSignature(withDefaults(config).signature, secret, request, now()),
  parseRequest: async (ctx, request) => {
    const config = withDefaults(ctx.config);
    const method = request.method.toUpperCase();
    if (!config.allowedMethods.includes(method)) {
      throw new ConnectorError('BAD_REQUEST', `This webhook accepts ${config.allowedMethods.join(', ')}, not ${method}.`, {
        retryable: false,
        status: 405,
      });
    }
    const hidden = new Set([...ALWAYS_HIDDEN_HEADERS, config.signature.header.toLowerCase()]);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (!hidden.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
    }
    const payload: WebhookEventPayload = {
      method,
      headers,
      query: request.query,
      body: parseWebhookBody(request),
      receivedAt: ctx.now().toISOString(),
    };
    const id = config.eventIdHeader ? header(request, config.eventIdHeader) : undefined;
    return { events: [{ ...(id ? { id } : {}), payload }] };
  },
  setupInstructions: (rawConfig, webhookUrl) => {
    const config = withDefaults(rawConfig);
    const notes = [`Send ${config.allowedMethods.join(' or ')} requests with a JSON or form body to this URL.`];
    if (config.signature.type === 'hmac-sha256') {
      const content = config.signature.timestampHeader
        ? `"<${config.signature.timestampHeader} value>.<raw body>"`
        : 'the raw body';
      notes.push(
        `Sign ${content} with HMAC-SHA256 using this trigger's secret and send it ${config.signature.encoding}-encoded in ` +
          `the ${config.signature.header} header${config.signature.prefix ? ` after "${config.signature.prefix}"` : ''}.`,
      );
    }
    if (config.eventIdHeader) notes.push(`Put a unique delivery id in ${config.eventIdHeader}; repeats are ignored.`);
    return {
      method: config.allowedMethods[0] ?? 'POST',
      url: webhookUrl,
      headers: { 'content-type': 'application/json' },
      notes,
    };
  },
});
