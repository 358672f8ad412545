// How the connector talks to Togai: which base URL a connection uses, how Togai's `{"message"}` errors become
// typed errors, and how its `nextToken` lists are streamed.
import {
  ConnectorError,
  paginate,
  type ConnectionRecord,
  type ConnectorContext,
  type HttpResponseInfo,
  type QueryValue,
} from '@braid/connector-sdk';

export const TOGAI_PRODUCTION_URL = 'https://api.togai.com';

/** Entity lists (customers, accounts) allow 100 per page; filter lists (invoices, payments, events) 50 (apis.md D7). */
export const ENTITY_PAGE_SIZE = 100;
export const FILTER_PAGE_SIZE = 50;
/** Hard stop for one scan: 1000 pages (100k customers / 50k invoices); beyond that the call fails instead of truncating. */
export const MAX_PAGES = 1000;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname) || hostname.endsWith('.localhost');
}

/**
 * The API base URL of a connection: `settings.baseUrl` (default production). https is required except for
 * loopback hosts (the local Braid sandbox at `http://127.0.0.1:4010/togai`).
 */
export function resolveTogaiBaseUrl(connection: Pick<ConnectionRecord, 'name' | 'settings'>): string {
  const raw = connection.settings.baseUrl;
  const value = typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : TOGAI_PRODUCTION_URL;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConnectorError(
      'INVALID_INPUT',
      `The Togai connection "${connection.name}" has a base URL that is not a URL; use ${TOGAI_PRODUCTION_URL} or the sandbox's <sandbox url>/togai.`,
      { retryable: false, field: 'baseUrl' },
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConnectorError(
      'INVALID_INPUT',
      `The Togai connection "${connection.name}" base URL must not carry credentials, a query or a fragment.`,
      { retryable: false, field: 'baseUrl' },
    );
  }
  const secure = url.protocol === 'https:';
  if (!secure && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new ConnectorError(
      'INVALID_INPUT',
      `The Togai connection "${connection.name}" base URL must use https (plain http is only allowed for a local sandbox on loopback).`,
      { retryable: false, field: 'baseUrl' },
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Real Togai (production or Togai's own sandbox) as opposed to Braid's local simulator. */
export function isTogaiHosted(baseUrl: string): boolean {
  const host = new URL(baseUrl).hostname.toLowerCase();
  return host === 'togai.com' || host.endsWith('.togai.com');
}

/** `account.invoiceCurrency: must be …` → `account.invoiceCurrency`; messages that do not start with a field path → undefined. */
export function fieldFromMessage(message: string | undefined): string | undefined {
  if (!message) return undefined;
  const match = /^([A-Za-z_][\w]*(?:\[\d+\])*(?:\.[A-Za-z_][\w]*(?:\[\d+\])*)*):\s/.exec(message);
  return match?.[1];
}

function vendorMessage(body: unknown): string | undefined {
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
    return (body as { message: string }).message.slice(0, 500);
  }
  if (typeof body === 'string' && body.trim() !== '') return body.slice(0, 500);
  return undefined;
}

/**
 * Togai errors are `{"message": "<reason>"}`. 400/422 → VALIDATION (with the field when the reason starts with
 * one), 404 → NOT_FOUND, 409 → CONFLICT. Everything else (401 AUTH naming the connection, 429, 5xx) keeps the SDK's
 * default mapping.
 */
export function mapTogaiError(response: HttpResponseInfo, request: { method: string; url: string }): Error | undefined {
  const message = vendorMessage(response.body);
  const path = new URL(request.url).pathname;
  const where = `Togai ${request.method} ${path}`;
  const said = message ? `: ${message}` : '';
  const base = { status: response.status, ...(message !== undefined ? { vendorMessage: message } : {}) };
  switch (response.status) {
    case 400:
    case 422: {
      const field = fieldFromMessage(message);
      const hint = response.status === 422 && /too large/i.test(message ?? '') ? ' Send fewer records per call.' : ' Fix the input and run the step again.';
      return new ConnectorError('VALIDATION', `${where} rejected the data (HTTP ${response.status})${said}.${hint}`, {
        ...base,
        retryable: false,
        ...(field ? { field } : {}),
      });
    }
    case 404:
      return new ConnectorError('NOT_FOUND', `${where} found nothing (HTTP 404)${said}.`, { ...base, retryable: false });
    case 409:
      return new ConnectorError('CONFLICT', `${where} conflicts with an existing record (HTTP 409)${said}.`, {
        ...base,
        retryable: false,
      });
    default:
      return undefined;
  }
}

export interface TogaiPage<T> {
  data?: T[];
  nextToken?: string | null;
}

/**
 * Streams every row of a Togai list. Filters and page size go on the first request only: Togai bakes them into
 * `nextToken`. Stops on a null token or an empty page (Togai's last full page may carry a token).
 */
export function togaiRows<T>(
  ctx: ConnectorContext,
  path: string,
  query: Record<string, QueryValue>,
  pageSize: number,
  options: { maxPages?: number } = {},
): AsyncGenerator<T, void, undefined> {
  return paginate<T, string>(
    async (cursor) => {
      const response = await ctx.http.get<TogaiPage<T>>(path, cursor ? { nextToken: cursor } : { ...query, pageSize });
      const body = response.body ?? {};
      return { items: Array.isArray(body.data) ? body.data : [], next: body.nextToken ?? null };
    },
    { maxPages: options.maxPages ?? MAX_PAGES },
  );
}

export function encodeId(id: string): string {
  return encodeURIComponent(id);
}
