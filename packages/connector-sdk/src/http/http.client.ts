// The HTTP client connectors use: credentials only to the API host, rate limit + concurrency cap per key,
// retries with full-jitter backoff honouring Retry-After, one refresh on an expired token, typed errors.
import { ConnectorError } from '../connector.errors.js';
import type { ConnectorLogger, HttpResponseInfo, RetryPolicy } from '../connector.types.js';
import { realSleep, type Sleep } from './clock.js';
import type { CredentialProvider, HttpClient, HttpRequest, HttpResponse, QueryValue } from './http.types.js';
import { NetworkFailure, sendRaw, type RawResponse } from './http.transport.js';
import type { Semaphore, TokenBucket } from './rate-limit.js';
import { computeBackoffMs, isRetrySafeMethod, parseRetryAfter } from './retry.js';
import { assertPublicUrl, type SsrfOptions } from './ssrf.guard.js';

export interface HttpClientOptions {
  /** API base URL; its origin is the only one credentials are ever sent to. */
  baseUrl?: string;
  credentials?: CredentialProvider;
  /** How a token becomes headers (default `Authorization: Bearer <token>`). */
  authHeader?: (token: string) => Record<string, string>;
  /** Shown in errors ("Zoho Books – Acme EU"). */
  connectionName?: string;
  defaultHeaders?: Record<string, string>;
  /** Added to requests to the API origin only. */
  defaultQuery?: Record<string, string>;
  bucket?: TokenBucket;
  semaphore?: Semaphore;
  retry?: RetryPolicy;
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** SSRF policy for every destination (default: public addresses only). */
  ssrf?: SsrfOptions;
  mapError?: (response: HttpResponseInfo, request: { method: string; url: string }) => Error | undefined;
  isAuthExpired?: (response: HttpResponseInfo) => boolean;
  signal?: AbortSignal;
  logger?: ConnectorLogger;
  sleep?: Sleep;
  random?: () => number;
  now?: () => number;
  userAgent?: string;
}

const DEFAULTS = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
  timeoutMs: 30_000,
  maxResponseBytes: 10 * 1024 * 1024,
};

function appendQuery(url: URL, query: Record<string, QueryValue> | undefined): void {
  if (!query) return;
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const item of value) url.searchParams.append(name, String(item));
    else url.searchParams.set(name, String(value));
  }
}

function joinUrl(base: string, path: string): URL {
  const baseUrl = new URL(base);
  const basePath = baseUrl.pathname.replace(/\/+$/, '');
  const [pathname, search] = path.split('?', 2) as [string, string | undefined];
  baseUrl.pathname = `${basePath}/${pathname.replace(/^\/+/, '')}`;
  baseUrl.search = search ?? '';
  return baseUrl;
}

function decodeBody(raw: RawResponse, responseType: HttpRequest['responseType']): unknown {
  if (responseType === 'buffer') return raw.body;
  if (raw.body.length === 0) return null;
  const text = raw.body.toString('utf8');
  if (responseType === 'text') return text;
  const contentType = raw.headers['content-type'] ?? '';
  const looksJson = /json/i.test(contentType) || /^\s*[[{]/.test(text);
  if (responseType === 'json' || looksJson) {
    try {
      return JSON.parse(text);
    } catch (error) {
      if (responseType === 'json') {
        throw new ConnectorError('VENDOR', 'The API answered with a body that is not valid JSON.', {
          retryable: false,
          cause: error,
        });
      }
    }
  }
  return text;
}

/** Best-effort vendor message and code from a JSON error body. */
export function extractVendorError(body: unknown): { message?: string; code?: string | number } {
  if (typeof body === 'string') return { message: body.slice(0, 500) };
  if (!body || typeof body !== 'object') return {};
  const record = body as Record<string, unknown>;
  const message = [record.message, record.error_description, record.error, record.detail].find(
    (v): v is string => typeof v === 'string',
  );
  const code = typeof record.code === 'string' || typeof record.code === 'number' ? record.code : undefined;
  return { ...(message !== undefined ? { message: message.slice(0, 500) } : {}), ...(code !== undefined ? { code } : {}) };
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const DEFAULT_SENSITIVE_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const retry = {
    maxAttempts: options.retry?.maxAttempts ?? DEFAULTS.maxAttempts,
    baseDelayMs: options.retry?.baseDelayMs ?? DEFAULTS.baseDelayMs,
    maxDelayMs: options.retry?.maxDelayMs ?? DEFAULTS.maxDelayMs,
    maxRetryAfterMs: options.retry?.maxRetryAfterMs ?? DEFAULTS.maxRetryAfterMs,
    retryUnsafeMethods: options.retry?.retryUnsafeMethods ?? false,
  };
  const apiOrigin = options.baseUrl ? new URL(options.baseUrl).origin : undefined;
  const ssrf: SsrfOptions = options.ssrf ?? {};
  const authHeader = options.authHeader ?? ((token: string) => ({ authorization: `Bearer ${token}` }));
  const isAuthExpired = options.isAuthExpired ?? ((r: HttpResponseInfo) => r.status === 401);
  const who = (url: URL): string =>
    options.connectionName ? `connection "${options.connectionName}"` : `host ${url.host}`;

  /**
   * Credentials only to the API origin; every destination (the API host too: its base URL may come from a
   * user's settings) must pass the SSRF policy.
   */
  async function checkDestination(url: URL, withAuth: boolean): Promise<void> {
    if (withAuth && (apiOrigin === undefined || url.origin !== apiOrigin)) {
      throw new ConnectorError(
        'HOST_NOT_ALLOWED',
        `Refusing to send the credentials of ${who(url)} to ${url.origin}: they are only sent to ${apiOrigin ?? 'the API host'}.`,
        { retryable: false, details: { host: url.host } },
      );
    }
    await assertPublicUrl(url, ssrf);
  }

  function defaultError(response: HttpResponseInfo, method: string, url: URL): ConnectorError {
    const vendor = extractVendorError(response.body);
    const where = `${method} ${url.origin}${url.pathname}`;
    const base = {
      status: response.status,
      ...(vendor.code !== undefined ? { vendorCode: vendor.code } : {}),
      ...(vendor.message !== undefined ? { vendorMessage: vendor.message } : {}),
    };
    const said = vendor.message ? `: ${vendor.message}` : '';
    const s = response.status;
    if (s === 400 || s === 422) return new ConnectorError('VALIDATION', `${where} rejected the data (HTTP ${s})${said}`, base);
    if (s === 401)
      return new ConnectorError(
        'AUTH',
        `The ${who(url)} was rejected by ${url.host} (HTTP 401)${said}. Reconnect it under Connections.`,
        { ...base, needsReconnect: true },
      );
    if (s === 403)
      return new ConnectorError(
        'AUTH',
        `The ${who(url)} lacks permission for ${where} (HTTP 403)${said}. Check the account's role or the granted scopes.`,
        { ...base, needsReconnect: false },
      );
    if (s === 404) return new ConnectorError('NOT_FOUND', `${where} found nothing (HTTP 404)${said}`, base);
    if (s === 409 || s === 412) return new ConnectorError('CONFLICT', `${where} conflicts with the current state (HTTP ${s})${said}`, base);
    if (s === 429) return new ConnectorError('RATE_LIMITED', `${url.host} is throttling requests (HTTP 429)${said}`, base);
    if (s >= 500) return new ConnectorError('RETRYABLE', `${where} failed on the server (HTTP ${s})${said}`, base);
    return new ConnectorError('VENDOR', `${where} answered HTTP ${s}${said}`, { ...base, retryable: false });
  }

  async function request<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    let method: string = (req.method ?? 'GET').toUpperCase();
    if ((req.path === undefined) === (req.url === undefined)) {
      throw new ConnectorError('INVALID_INPUT', 'An HTTP request needs exactly one of `path` or `url`.', {
        retryable: false,
      });
    }
    let url: URL;
    if (req.path !== undefined) {
      if (!options.baseUrl) {
        throw new ConnectorError('INVALID_INPUT', 'This client has no API base URL; pass an absolute `url`.', {
          retryable: false,
        });
      }
      url = joinUrl(options.baseUrl, req.path);
    } else {
      url = new URL(req.url!);
    }
    if (apiOrigin !== undefined && url.origin === apiOrigin) appendQuery(url, options.defaultQuery);
    appendQuery(url, req.query);

    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(options.defaultHeaders ?? {})) headers[k.toLowerCase()] = v;
    for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
    if (options.userAgent && !headers['user-agent']) headers['user-agent'] = options.userAgent;
    if (!headers.accept) headers.accept = 'application/json, text/plain;q=0.9, */*;q=0.8';
    let body: Buffer | undefined;
    if (req.body !== undefined) {
      body = Buffer.from(JSON.stringify(req.body));
      headers['content-type'] ??= 'application/json';
    } else if (req.form !== undefined) {
      body = Buffer.from(new URLSearchParams(Object.entries(req.form).map(([k, v]): [string, string] => [k, String(v)])).toString());
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    } else if (req.rawBody !== undefined) {
      body = Buffer.isBuffer(req.rawBody) ? req.rawBody : Buffer.from(req.rawBody);
    }

    const wantsAuth = req.auth ?? options.credentials !== undefined;
    if (wantsAuth && !options.credentials) {
      throw new ConnectorError('AUTH', 'This request needs a connection, but none was given.', {
        retryable: false,
        needsReconnect: true,
      });
    }
    let withAuth = wantsAuth;
    await checkDestination(url, withAuth);
    const retrySafe = req.retrySafe ?? (isRetrySafeMethod(method) || retry.retryUnsafeMethods);
    const timeoutMs = req.timeoutMs ?? options.timeoutMs ?? DEFAULTS.timeoutMs;
    const maxResponseBytes = req.maxResponseBytes ?? options.maxResponseBytes ?? DEFAULTS.maxResponseBytes;
    let redirectsLeft = req.followRedirects ?? 0;
    let token: string | undefined;
    let refreshed = false;
    let attempt = 0; // failed attempts so far (429/5xx/network)

    for (;;) {
      if (withAuth && token === undefined) token = await options.credentials!.getAccessToken();
      const sendHeaders = withAuth ? { ...headers, ...lowerKeys(authHeader(token!)) } : headers;

      await options.bucket?.acquire(options.signal);
      const release = options.semaphore ? await options.semaphore.acquire(options.signal) : undefined;
      let raw: RawResponse | undefined;
      let failure: unknown;
      try {
        raw = await sendRaw({
          method,
          url,
          headers: sendHeaders,
          ...(body ? { body } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          timeoutMs,
          maxResponseBytes,
          ssrf,
        });
      } catch (error) {
        failure = error;
      } finally {
        release?.();
      }

      if (failure !== undefined) {
        const transient =
          failure instanceof NetworkFailure || (failure instanceof ConnectorError && failure.code === 'TIMEOUT');
        if (!transient) throw failure;
        attempt += 1;
        if (retrySafe && attempt < retry.maxAttempts) {
          const delay = computeBackoffMs(attempt - 1, retry, random);
          options.logger?.warn({ attempt, delayMs: delay, host: url.host }, 'network error, retrying');
          await sleep(delay, options.signal);
          continue;
        }
        if (failure instanceof ConnectorError) throw failure;
        throw new ConnectorError(
          'RETRYABLE',
          `${method} ${url.origin}${url.pathname} failed before a response arrived: ${(failure as Error).message}`,
          { cause: failure },
        );
      }

      const response = raw!;
      const info: HttpResponseInfo = {
        status: response.status,
        headers: response.headers,
        body: decodeBody(response, req.responseType),
      };
      const result = (): HttpResponse<T> => ({ ...info, body: info.body as T, url: url.toString() });
      if (req.expect === 'any') return result();

      if (REDIRECT_STATUSES.has(info.status) && redirectsLeft > 0 && info.headers.location) {
        redirectsLeft -= 1;
        if (info.status === 303 || ((info.status === 301 || info.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
          delete headers['content-type'];
        }
        // Credentials never follow a redirect to another origin: neither the connection's nor caller-set ones.
        const previousOrigin = url.origin;
        url = new URL(info.headers.location, url);
        if (url.origin !== previousOrigin) {
          for (const name of req.sensitiveHeaders ?? DEFAULT_SENSITIVE_HEADERS) delete headers[name.toLowerCase()];
        }
        withAuth = withAuth && apiOrigin !== undefined && url.origin === apiOrigin;
        await checkDestination(url, withAuth);
        continue;
      }

      if (withAuth && isAuthExpired(info)) {
        if (!refreshed && options.credentials!.refreshAccessToken) {
          refreshed = true;
          options.logger?.info({ host: url.host }, 'access token rejected, refreshing once');
          token = await options.credentials!.refreshAccessToken(token!);
          continue;
        }
        // Let the connector say what a persistent 401 means (e.g. Books code 57: missing scope, not expiry).
        const mapped = options.mapError?.(info, { method, url: url.toString() });
        if (mapped) throw mapped;
        const vendor = extractVendorError(info.body);
        throw new ConnectorError(
          'AUTH',
          `The ${who(url)} was rejected by ${url.host} (HTTP ${info.status})` +
            (refreshed ? ' even after refreshing its access token' : '') +
            '. Reconnect it under Connections.',
          {
            status: info.status,
            needsReconnect: true,
            ...(vendor.code !== undefined ? { vendorCode: vendor.code } : {}),
            ...(vendor.message !== undefined ? { vendorMessage: vendor.message } : {}),
          },
        );
      }

      const ok = req.expect ? req.expect.includes(info.status) : info.status >= 200 && info.status < 300;
      if (ok) return result();

      if (info.status === 429 || info.status >= 500) {
        attempt += 1;
        const retryAfterMs = parseRetryAfter(info.headers['retry-after'], now());
        const mayRetry = info.status === 429 || retrySafe;
        if (mayRetry && attempt < retry.maxAttempts) {
          const delay = retryAfterMs ?? computeBackoffMs(attempt - 1, retry, random);
          if (delay <= retry.maxRetryAfterMs) {
            options.logger?.warn({ attempt, delayMs: delay, status: info.status, host: url.host }, 'retrying');
            await sleep(delay, options.signal);
            continue;
          }
        }
        const mapped = options.mapError?.(info, { method, url: url.toString() }) ?? defaultError(info, method, url);
        if (mapped instanceof ConnectorError && mapped.code === 'RATE_LIMITED' && mapped.retryAfterMs === undefined) {
          // Tell the engine when to come back: the vendor's Retry-After, else the next backoff ceiling.
          throw new ConnectorError('RATE_LIMITED', mapped.message, {
            status: info.status,
            retryAfterMs: retryAfterMs ?? Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt),
            ...(mapped.vendorCode !== undefined ? { vendorCode: mapped.vendorCode } : {}),
            ...(mapped.vendorMessage !== undefined ? { vendorMessage: mapped.vendorMessage } : {}),
            ...(mapped.details !== undefined ? { details: mapped.details } : {}),
          });
        }
        throw mapped;
      }

      throw options.mapError?.(info, { method, url: url.toString() }) ?? defaultError(info, method, url);
    }
  }

  return {
    request,
    get: (path, query, extra) => request({ ...extra, method: 'GET', ...target(path), ...(query ? { query } : {}) }),
    post: (path, body, extra) => request({ ...extra, method: 'POST', ...target(path), ...(body !== undefined ? { body } : {}) }),
    put: (path, body, extra) => request({ ...extra, method: 'PUT', ...target(path), ...(body !== undefined ? { body } : {}) }),
    patch: (path, body, extra) => request({ ...extra, method: 'PATCH', ...target(path), ...(body !== undefined ? { body } : {}) }),
    delete: (path, query, extra) => request({ ...extra, method: 'DELETE', ...target(path), ...(query ? { query } : {}) }),
  };
}

function target(pathOrUrl: string): { path: string } | { url: string } {
  return /^https?:\/\//i.test(pathOrUrl) ? { url: pathOrUrl } : { path: pathOrUrl };
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}
