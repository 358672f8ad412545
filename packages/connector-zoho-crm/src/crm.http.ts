// How the connector talks to Zoho CRM v8: base URL from the token's api_domain, concurrency by edition, CRM's
// `{code,status,message,details}` errors → typed errors, page/page_token streaming, and the request helpers
// every action shares (204 → empty, 304 → not modified).
import {
  ConnectorError,
  LimiterRegistry,
  OAuthError,
  isConnectorError,
  type ConnectionRecord,
  type ConnectorContext,
  type HttpRequest,
  type HttpResponse,
  type HttpResponseInfo,
  type QueryValue,
} from '@braid/connector-sdk';

export const ZOHO_CRM_SCOPES = [
  'ZohoCRM.modules.ALL',
  'ZohoCRM.settings.ALL',
  'ZohoCRM.notifications.ALL',
  'ZohoCRM.coql.READ',
  'ZohoCRM.users.READ',
  'ZohoCRM.org.READ',
];

/** Simultaneous calls per org and app by edition (apis.md C9). */
export const CONCURRENCY_BY_EDITION: Record<string, number> = {
  free: 5,
  standard: 10,
  professional: 15,
  enterprise: 20,
  ultimate: 25,
};
/** Search, COQL and many-record writes share a smaller pool (apis.md C9 "sub-concurrency"). */
export const HEAVY_SUB_CONCURRENCY = 10;
export const DEFAULT_EDITION = 'enterprise';
export const MAX_RECORDS_PER_WRITE = 100;
export const MAX_PER_PAGE = 200;
/** `page` reaches only the first 2,000 records; beyond that `page_token` (apis.md C4). */
export const PAGE_REACH = 2000;
export const MAX_FIELDS = 50;

export function editionOf(connection: Pick<ConnectionRecord, 'settings'>): string {
  const raw = connection.settings.edition;
  return typeof raw === 'string' && raw in CONCURRENCY_BY_EDITION ? raw : DEFAULT_EDITION;
}

export function crmBaseUrl(connection: ConnectionRecord): string {
  const domain = typeof connection.apiDomain === 'string' ? connection.apiDomain.trim() : '';
  if (!domain) {
    throw new ConnectorError(
      'AUTH',
      `The Zoho CRM connection "${connection.name}" has no API domain (it comes from Zoho's token response); reconnect it.`,
      { retryable: false, needsReconnect: true },
    );
  }
  return `${domain.replace(/\/+$/, '')}/crm/v8`;
}

export function crmLimiterKey(connection: ConnectionRecord): string {
  const org = connection.settings.orgId;
  return `zoho-crm:${typeof org === 'string' && org !== '' ? org : connection.id}`;
}

interface CrmErrorBody {
  code?: unknown;
  status?: unknown;
  message?: unknown;
  details?: unknown;
}

/** The CRM error envelope of a response: top level, or the single item Zoho wraps in `data` (e.g. LIMIT_EXCEEDED). */
export function crmErrorOf(body: unknown): { code?: string; message?: string; details: Record<string, unknown> } {
  let envelope: CrmErrorBody | undefined;
  if (body && typeof body === 'object') {
    const b = body as CrmErrorBody & { data?: unknown };
    if (typeof b.code === 'string') envelope = b;
    else if (Array.isArray(b.data) && b.data.length === 1 && b.data[0] && typeof (b.data[0] as CrmErrorBody).code === 'string') {
      envelope = b.data[0] as CrmErrorBody;
    }
  }
  if (!envelope) return { details: {} };
  const details = envelope.details && typeof envelope.details === 'object' ? (envelope.details as Record<string, unknown>) : {};
  return {
    code: String(envelope.code),
    ...(typeof envelope.message === 'string' ? { message: envelope.message.slice(0, 500) } : {}),
    details,
  };
}

/** The field (API name) or parameter a CRM error is about. */
export function fieldOfDetails(details: Record<string, unknown>): string | undefined {
  for (const key of ['api_name', 'param_name', 'header_name']) {
    if (typeof details[key] === 'string' && details[key] !== '') return details[key] as string;
  }
  return undefined;
}

const VALIDATION_CODES = new Set([
  'INVALID_DATA',
  'MANDATORY_NOT_FOUND',
  'DUPLICATE_DATA',
  'REQUIRED_PARAM_MISSING',
  'INVALID_MODULE',
  'INVALID_QUERY',
  'SYNTAX_ERROR',
  'LIMIT_EXCEEDED',
  'DEPENDENT_FIELD_MISSING',
  'PATTERN_NOT_MATCHED',
  'EXPECTED_FIELD_MISSING',
  'DISCRETE_PAGINATION_LIMIT_EXCEEDED',
  'PAGINATION_LIMIT_EXCEEDED',
  'TOKEN_BOUND_DATA_MISMATCH',
  'EXPIRED_VALUE',
  'AMBIGUITY_DURING_PROCESSING',
  'INVALID_REQUEST_METHOD',
  'NOT_SUPPORTED',
  'FEATURE_NOT_SUPPORTED',
  'NOT_ALLOWED',
  'CANNOT_DELETE',
  'RECORD_IN_BLUEPRINT',
  'RECORD_LOCKED',
  'NOT_APPROVED',
  'ID_ALREADY_CONVERTED',
  'DATA_MISMATCH',
  'MAPPING_MISMATCH',
]);

/**
 * CRM `{code,status,message,details}` → typed errors. 401s are left to the SDK (it refreshes once on
 * INVALID_TOKEN, then fails with AUTH naming the connection); 429/5xx keep the SDK's RATE_LIMITED/RETRYABLE.
 */
export function mapCrmError(response: HttpResponseInfo, request: { method: string; url: string }): Error | undefined {
  const { code, message, details } = crmErrorOf(response.body);
  const url = new URL(request.url);
  const where = `Zoho CRM ${request.method} ${url.pathname.replace(/^.*\/crm\/v\d+(\.\d+)?/, '')}`;
  const field = fieldOfDetails(details);
  const said = message ? `: ${message}` : '';
  const about = field ? ` (${field})` : '';
  const base = {
    status: response.status,
    ...(code !== undefined ? { vendorCode: code } : {}),
    ...(message !== undefined ? { vendorMessage: message } : {}),
    ...(field !== undefined ? { field } : {}),
    ...(Object.keys(details).length > 0 ? { details: { crm: details } } : {}),
  };
  if (response.status === 401 || response.status === 403 || response.status === 429 || response.status >= 500) {
    if (code === 'TOO_MANY_REQUESTS' || code === 'LIMIT_REACHED') {
      return new ConnectorError('RATE_LIMITED', `${where} is throttled: the org's API credits or concurrent calls are used up${said}.`, base);
    }
    if (code === 'INTERNAL_ERROR') return new ConnectorError('RETRYABLE', `${where} failed inside Zoho CRM${said}; try again.`, base);
    return undefined;
  }
  if (code === 'INVALID_MODULE') {
    return new ConnectorError('VALIDATION', `${where}: the module does not exist in this CRM org${said}. Pick a module from the list.`, {
      ...base,
      retryable: false,
    });
  }
  if (code === 'NOT_FOUND' || code === 'INVALID_URL_PATTERN' || response.status === 404) {
    return new ConnectorError('NOT_FOUND', `${where} found nothing${said}.`, { ...base, retryable: false });
  }
  if (code === 'ALREADY_MODIFIED' || response.status === 412) {
    return new ConnectorError('CONFLICT', `${where}: the record changed since the given time${said}.`, { ...base, retryable: false });
  }
  if ((code !== undefined && VALIDATION_CODES.has(code)) || response.status === 400) {
    return new ConnectorError('VALIDATION', `${where} rejected the request${about}${said}. Fix the input and run the step again.`, {
      ...base,
      retryable: false,
    });
  }
  return undefined;
}

/** 401 means "refresh the token" unless the token is fine but lacks a scope or permission. */
export function isCrmAuthExpired(response: HttpResponseInfo): boolean {
  if (response.status !== 401) return false;
  const { code } = crmErrorOf(response.body);
  return code !== 'OAUTH_SCOPE_MISMATCH' && code !== 'NO_PERMISSION';
}

/**
 * A revoked refresh token surfaces as an OAuthError from the runtime's credential provider; turn it (and any
 * other credential failure) into AUTH naming the connection so the user knows which one to reconnect.
 */
export async function withCrmErrors<T>(ctx: ConnectorContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isConnectorError(error) && error.code === 'AUTH' && error.vendorCode === 'OAUTH_SCOPE_MISMATCH') {
      // the token works but was granted too few scopes: say which connection and what to grant
      throw new ConnectorError(
        'AUTH',
        `The Zoho CRM connection "${ctx.connection?.name ?? 'Zoho CRM'}" lacks a permission (OAuth scope) for this call` +
          `${error.vendorMessage ? ` (${error.vendorMessage})` : ''}. Reconnect it and grant ${ZOHO_CRM_SCOPES.join(', ')}.`,
        { retryable: false, needsReconnect: true, vendorCode: error.vendorCode, ...(error.status ? { status: error.status } : {}) },
      );
    }
    if (isConnectorError(error)) throw error;
    // by name too: the runtime may load its own copy of the SDK
    if (error instanceof OAuthError || (error instanceof Error && error.name === 'OAuthError' && 'code' in error)) {
      const oauth = error as OAuthError;
      const name = ctx.connection?.name ?? 'Zoho CRM';
      if (oauth.retryable) {
        throw new ConnectorError('RETRYABLE', `Zoho could not renew the access token of the connection "${name}" right now: ${oauth.message}`, {
          cause: error,
          vendorCode: oauth.code,
        });
      }
      throw new ConnectorError(
        'AUTH',
        `The Zoho CRM connection "${name}" can no longer get an access token (${oauth.message}) Reconnect it under Connections.`,
        { retryable: false, needsReconnect: true, vendorCode: oauth.code, cause: error },
      );
    }
    throw error;
  }
}

// A smaller shared pool for heavy calls, keyed like the main limiter (per process).
const heavyLimiters = new LimiterRegistry();

export async function heavyCall<T>(ctx: ConnectorContext, work: () => Promise<T>): Promise<T> {
  const org = ctx.connection?.settings.orgId;
  const key = `zoho-crm-heavy:${typeof org === 'string' && org !== '' ? org : (ctx.connection?.id ?? 'none')}`;
  const release = await heavyLimiters.semaphore(key, HEAVY_SUB_CONCURRENCY).acquire(ctx.signal);
  try {
    return await work();
  } finally {
    release();
  }
}

export function modulePath(module: string): string {
  return `/${encodeURIComponent(module)}`;
}

/** A CRM module API name: letters, digits and underscores (keeps paths and criteria safe). */
export const MODULE_PATTERN = '^[A-Za-z][A-Za-z0-9_]*$';
export const FIELD_PATTERN = '^[A-Za-z][A-Za-z0-9_]*$';

export interface CrmInfo {
  per_page?: number;
  count?: number;
  page?: number;
  more_records?: boolean;
  next_page_token?: string | null;
  page_token_expiry?: string | null;
}

export interface CrmListBody<T> {
  data?: T[];
  info?: CrmInfo;
}

/** GET that treats 204 as "no data" and 304 as "not modified" (both answer an empty list). */
export async function crmGet<T>(
  ctx: ConnectorContext,
  path: string,
  query: Record<string, QueryValue>,
  options: Partial<HttpRequest> = {},
): Promise<{ status: number; body: CrmListBody<T>; notModified: boolean }> {
  const response: HttpResponse<unknown> = await ctx.http.get(path, query, { ...options, expect: [200, 204, 304] });
  if (response.status === 204 || response.status === 304) {
    return { status: response.status, body: { data: [] }, notModified: response.status === 304 };
  }
  const body = (response.body && typeof response.body === 'object' ? response.body : {}) as CrmListBody<T>;
  return { status: response.status, body, notModified: false };
}

/** CRM wants `If-Modified-Since` as ISO 8601 with an offset; normalise whatever the caller gave. */
export function isoHeader(value: string): string {
  const at = Date.parse(value);
  if (Number.isNaN(at)) {
    throw new ConnectorError('INVALID_INPUT', `"${value.slice(0, 60)}" is not a date-time; use ISO 8601 like 2024-05-01T10:00:00+00:00.`, {
      retryable: false,
    });
  }
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export interface RecordPage<T> {
  items: T[];
  /** Where the next page starts, or null when this was the last. */
  next: PageCursor | null;
  notModified: boolean;
}

export interface PageCursor {
  page?: number;
  pageToken?: string;
}

/**
 * One page of `GET /{module}`: `page` while the page stays inside the first 2,000 records, then the
 * `page_token` of the previous answer (CRM refuses `page` beyond 2,000 and `page` + `page_token` together).
 */
export async function fetchRecordPage<T>(
  ctx: ConnectorContext,
  path: string,
  query: Record<string, QueryValue>,
  cursor: PageCursor | null,
  headers: Record<string, string> = {},
): Promise<RecordPage<T>> {
  const perPage = Number(query.per_page ?? MAX_PER_PAGE);
  const page = cursor?.page ?? 1;
  const q: Record<string, QueryValue> = { ...query, per_page: perPage };
  if (cursor?.pageToken) q.page_token = cursor.pageToken;
  else q.page = page;
  const { body, notModified } = await crmGet<T>(ctx, path, q, { headers });
  const items = Array.isArray(body.data) ? body.data : [];
  const info = body.info ?? {};
  if (!info.more_records || items.length === 0) return { items, next: null, notModified };
  const currentPage = cursor?.pageToken ? undefined : page;
  const nextPageFits = currentPage !== undefined && (currentPage + 1) * perPage <= PAGE_REACH;
  if (nextPageFits) return { items, next: { page: currentPage + 1 }, notModified };
  if (typeof info.next_page_token === 'string' && info.next_page_token !== '') {
    return { items, next: { pageToken: info.next_page_token }, notModified };
  }
  throw new ConnectorError(
    'VENDOR',
    `Zoho CRM has more than ${PAGE_REACH} records for ${path} but sent no next_page_token; narrow the query (e.g. modified since).`,
    { retryable: false },
  );
}

/** Streams records page by page until `limit` (reads one page past it only to know whether more exist). */
export async function collectRecords<T>(
  ctx: ConnectorContext,
  path: string,
  query: Record<string, QueryValue>,
  limit: number,
  headers: Record<string, string> = {},
  maxPages = 1000,
): Promise<{ records: T[]; truncated: boolean; notModified: boolean; pages: number }> {
  const records: T[] = [];
  let cursor: PageCursor | null = null;
  let pages = 0;
  let notModified = false;
  // one per_page for the whole stream: page arithmetic and page tokens depend on it
  const perPage = Math.min(MAX_PER_PAGE, Math.max(1, limit + 1));
  for (;;) {
    if (pages >= maxPages) {
      throw new ConnectorError('VENDOR', `Stopped after ${maxPages} pages of ${path}; narrow the query.`, { retryable: false });
    }
    const page: RecordPage<T> = await fetchRecordPage<T>(ctx, path, { ...query, per_page: perPage }, cursor, headers);
    pages += 1;
    if (page.notModified) notModified = true;
    for (const item of page.items) {
      if (records.length >= limit) return { records, truncated: true, notModified, pages };
      records.push(item);
    }
    if (!page.next) return { records, truncated: false, notModified, pages };
    if (records.length >= limit) return { records, truncated: true, notModified, pages };
    cursor = page.next;
  }
}

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
