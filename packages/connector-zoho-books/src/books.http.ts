// How the connector talks to Zoho Books v3: base URL from the token's api_domain, `organization_id` on every
// call, a per-organisation quota, Books error bodies turned into typed errors, and list pages as a lazy stream.
import {
  ConnectorError,
  paginate,
  type ConnectionRecord,
  type ConnectorContext,
  type ConnectorHttpDefinition,
  type HttpRequest,
  type HttpResponseInfo,
  type QueryValue,
} from '@braid/connector-sdk';

/** Books answers at most 200 rows per page (apis.md B3). */
export const BOOKS_PAGE_SIZE = 200;

export interface BooksEnvelope {
  code: number;
  message: string;
  page_context?: { page: number; per_page: number; has_more_page: boolean };
  [key: string]: unknown;
}

export type BooksRecord = Record<string, unknown>;

const organizationIdOf = (connection: ConnectionRecord): string | undefined => {
  const raw = connection.settings.organizationId;
  return typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : typeof raw === 'number' ? String(raw) : undefined;
};

/**
 * Quota: Books allows 100 calls per minute per organisation, counted over a sliding minute. A token bucket of
 * 18 with a refill of 72/min can never put more than 18 + 72 = 90 calls into any 60 s window, which keeps a
 * burst (and requests still in flight) under the vendor's window instead of only on average.
 */
export const BOOKS_RATE_LIMIT = { requests: 18, perMs: 15_000 } as const;

/** "Invalid value passed for <field>", "<field> is required." → the field, when the message names one. */
export function fieldFromBooksMessage(message: string): string | undefined {
  const invalid = /invalid value passed for ([A-Za-z0-9_.[\]-]+)/i.exec(message);
  if (invalid) return invalid[1];
  const required = /^([A-Za-z0-9_.[\]-]+) is required/i.exec(message.trim());
  if (required) return required[1];
  return undefined;
}

/** Books `{code, message}` → typed error (apis.md B8); the HTTP status decides first, the body code refines. */
export function mapBooksError(response: HttpResponseInfo, request: { method: string; url: string }): Error | undefined {
  const body = response.body as { code?: unknown; message?: unknown } | null;
  const code = typeof body?.code === 'number' ? body.code : typeof body?.code === 'string' ? Number(body.code) : undefined;
  const message = typeof body?.message === 'string' ? body.message.slice(0, 500) : undefined;
  const url = new URL(request.url);
  const where = `${request.method} ${url.pathname.replace(/^.*\/books\/v3/, '')}`;
  const said = message ? `: ${message}` : '';
  const base = {
    status: response.status,
    ...(code !== undefined && !Number.isNaN(code) ? { vendorCode: code } : {}),
    ...(message !== undefined ? { vendorMessage: message } : {}),
  };
  if (response.status === 429) {
    // The daily quota (by plan) is used up when nothing remains: come back after its reset, not in seconds.
    const remaining = response.headers['x-rate-limit-remaining'];
    const resetSeconds = Number(response.headers['x-rate-limit-reset']);
    if (remaining === '0' && Number.isFinite(resetSeconds) && resetSeconds > 0) {
      return new ConnectorError(
        'RATE_LIMITED',
        `Zoho Books refused ${where}: the organisation's daily API quota is used up; it resets in about ` +
          `${Math.ceil(resetSeconds / 60)} minutes (ask Zoho support to raise it if this repeats)${said}`,
        { ...base, retryAfterMs: resetSeconds * 1000 },
      );
    }
    return new ConnectorError('RATE_LIMITED', `Zoho Books refused ${where}: the organisation's API limit is used up${said}`, base);
  }
  if (code === 57 || response.status === 401) {
    return new ConnectorError(
      'AUTH',
      `Zoho Books refused ${where} (code 57${said}). The connection's access was rejected even after refreshing its token: ` +
        'it lacks the Books scope for this module or the organisation is not reachable with this account. Reconnect it with ' +
        'ZohoBooks.fullaccess.all (or the module scope) and check the chosen organisation.',
      { ...base, needsReconnect: true },
    );
  }
  if (code === 1002 || response.status === 404) {
    return new ConnectorError('NOT_FOUND', `Zoho Books: ${where} found nothing${said}`, base);
  }
  if (code === 1001 || code === 3062) {
    return new ConnectorError('CONFLICT', `Zoho Books refused ${where}: a record with this value exists already${said}`, base);
  }
  if (code === 1040) {
    return new ConnectorError('CONFLICT', `Zoho Books refused ${where}: the record's current status does not allow it${said}`, base);
  }
  if (response.status === 400 || response.status === 422) {
    const field = message ? fieldFromBooksMessage(message) : undefined;
    return new ConnectorError(
      'VALIDATION',
      `Zoho Books rejected ${where}${field ? ` (field "${field}")` : ''}${said}`,
      { ...base, ...(field ? { field } : {}) },
    );
  }
  return undefined;
}

export const booksHttp: ConnectorHttpDefinition = {
  baseUrl: (connection) => {
    if (!connection.apiDomain) {
      throw new ConnectorError(
        'AUTH',
        `The connection "${connection.name}" has no Zoho API domain; reconnect it so the token response provides one.`,
        { retryable: false, needsReconnect: true },
      );
    }
    return `${connection.apiDomain.replace(/\/+$/, '')}/books/v3`;
  },
  defaultQuery: (connection): Record<string, string> => {
    const organizationId = organizationIdOf(connection);
    return organizationId ? { organization_id: organizationId } : {};
  },
  // The quota belongs to the organisation, whichever connection uses it.
  limiterKey: (connection) =>
    `zoho-books:${connection.apiDomain ?? ''}:${organizationIdOf(connection) ?? `no-org:${connection.id}`}`,
  rateLimit: BOOKS_RATE_LIMIT,
  // Zoho documents 10 simultaneous calls per organisation, 5 on the free plan.
  concurrency: (connection) => (connection.settings.plan === 'free' ? 5 : 10),
  // Books sends no Retry-After on 429: back off from 1 s up to 30 s.
  retry: { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000, maxRetryAfterMs: 60_000 },
  mapError: mapBooksError,
};

/** Wraps errors that do not name the connection (token refresh failures, code 57) so the run says which one. */
function withConnection(ctx: ConnectorContext, error: unknown): unknown {
  const name = ctx.connection?.name;
  if (error instanceof ConnectorError) {
    if (error.code !== 'AUTH' || !name || error.message.includes(`"${name}"`)) return error;
    return new ConnectorError('AUTH', `Connection "${name}": ${error.message}`, {
      retryable: false,
      needsReconnect: error.needsReconnect ?? true,
      ...(error.status !== undefined ? { status: error.status } : {}),
      ...(error.vendorCode !== undefined ? { vendorCode: error.vendorCode } : {}),
      ...(error.vendorMessage !== undefined ? { vendorMessage: error.vendorMessage } : {}),
      cause: error,
    });
  }
  // A refresh token revoked in Zoho surfaces as the OAuth helper's error while refreshing.
  if (error instanceof Error && error.name === 'OAuthError') {
    const code = (error as Error & { code?: string }).code;
    const retryable = code === 'NETWORK' || code === 'TOO_MANY_REQUESTS';
    return new ConnectorError(
      retryable ? 'RETRYABLE' : 'AUTH',
      `Connection "${name ?? 'Zoho Books'}": Zoho could not renew its access token (${error.message}).` +
        (retryable ? ' Try again later.' : ' Reconnect it under Connections.'),
      { retryable, ...(retryable ? {} : { needsReconnect: true }), cause: error },
    );
  }
  return error;
}

export function requireOrganization(ctx: ConnectorContext): string {
  const raw = ctx.connection?.settings.organizationId;
  const id = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  if (!id) {
    throw new ConnectorError(
      'VALIDATION',
      `The connection "${ctx.connection?.name ?? 'Zoho Books'}" has no organisation chosen; edit the connection and pick one.`,
      { retryable: false, field: 'organizationId' },
    );
  }
  return id;
}

export interface BooksCallOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Calls that work without an organisation (the organisations list). */
  orgless?: boolean;
  retrySafe?: boolean;
  expect?: number[];
}

/** One Books call: the envelope body on success, typed errors naming the connection otherwise. */
export async function booksCall<T extends BooksEnvelope = BooksEnvelope>(
  ctx: ConnectorContext,
  method: NonNullable<HttpRequest['method']>,
  path: string,
  options: BooksCallOptions = {},
): Promise<{ status: number; body: T }> {
  if (!options.orgless) requireOrganization(ctx);
  try {
    const response = await ctx.http.request<T>({
      method,
      path,
      ...(options.query ? { query: options.query } : {}),
      ...(options.body !== undefined ? { body: options.body } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
      ...(options.retrySafe !== undefined ? { retrySafe: options.retrySafe } : {}),
      ...(options.expect ? { expect: options.expect } : {}),
    });
    const body = response.body;
    if (!body || typeof body !== 'object' || (body as BooksEnvelope).code !== 0) {
      const vendor = body && typeof body === 'object' ? (body as BooksEnvelope) : undefined;
      throw new ConnectorError(
        'VENDOR',
        `Zoho Books answered ${method} ${path} without a success envelope${vendor?.message ? `: ${vendor.message}` : ''}.`,
        { retryable: false, status: response.status, ...(vendor?.code !== undefined ? { vendorCode: vendor.code } : {}) },
      );
    }
    return { status: response.status, body };
  } catch (error) {
    throw withConnection(ctx, error);
  }
}

/** The object under `key` of a Books answer (e.g. `contact`), or a VENDOR error naming what is missing. */
export function pick<T = BooksRecord>(body: BooksEnvelope, key: string, what: string): T {
  const value = body[key];
  if (value === undefined || value === null) {
    throw new ConnectorError('VENDOR', `Zoho Books did not return the ${what} ("${key}") in its answer.`, { retryable: false });
  }
  return value as T;
}

/**
 * Every row of a Books list, lazily: one page of `per_page=200` at a time, the next page only when the caller
 * asks for more rows. Never collects an unbounded array itself.
 */
export function listAll<T = BooksRecord>(
  ctx: ConnectorContext,
  path: string,
  listKey: string,
  query: Record<string, QueryValue> = {},
  options: { orgless?: boolean; maxPages?: number } = {},
): AsyncGenerator<T, void, undefined> {
  return paginate<T, number>(
    async (cursor) => {
      const page = cursor ?? 1;
      const { body } = await booksCall(ctx, 'GET', path, {
        query: { ...query, page, per_page: BOOKS_PAGE_SIZE },
        ...(options.orgless ? { orgless: true } : {}),
      });
      const rows = body[listKey];
      if (!Array.isArray(rows)) {
        throw new ConnectorError('VENDOR', `Zoho Books did not return a "${listKey}" list for ${path}.`, { retryable: false });
      }
      // Lists without page_context (organisations) are complete in one answer.
      const more = body.page_context?.has_more_page === true;
      return { items: rows as T[], next: more ? page + 1 : null };
    },
    options.maxPages !== undefined ? { maxPages: options.maxPages } : {},
  );
}

/**
 * DELETE a record. With `ignoreMissing`, "does not exist" counts as done: a retried or replayed delete
 * succeeds instead of failing the run.
 */
export async function deleteRecord(
  ctx: ConnectorContext,
  path: string,
  ignoreMissing: boolean | undefined,
): Promise<{ already_deleted?: boolean; message?: string }> {
  try {
    const { body } = await booksCall(ctx, 'DELETE', path);
    return { message: body.message };
  } catch (error) {
    if (ignoreMissing && error instanceof ConnectorError && error.code === 'NOT_FOUND') return { already_deleted: true };
    throw error;
  }
}
