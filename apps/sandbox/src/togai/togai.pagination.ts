import { badRequest, TogaiError, TogaiErrorCode } from './togai.errors.js';

/**
 * Togai list pagination: `pageSize` + opaque `nextToken`; response `{data, nextToken, context}`.
 * The token is base64 JSON of {lastItemId, offset, pageSize, sortOrder, filters}: filters and page size are
 * baked in, so a request with a token ignores the other query parameters (apis.md D7).
 * Quirk reproduced on purpose: a page that comes back exactly full always carries a nextToken, even
 * when nothing follows; that token then yields an empty page with `nextToken: null`.
 */
export type Filters = Record<string, string>;

export interface PageRequest {
  pageSize: number;
  filters: Filters;
  lastItemId?: string;
  offset: number;
}

export interface Page<T> {
  data: T[];
  nextToken: string | null;
  context: { pageSize: number; sortOrder: 'ASC' };
}

interface TokenBody {
  lastItemId: string;
  offset: number;
  pageSize: number;
  sortOrder: 'asc';
  filters: Filters;
}

export function encodeToken(body: TokenBody): string {
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64');
}

function decodeToken(token: string): TokenBody {
  try {
    const body = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as TokenBody;
    if (typeof body.lastItemId !== 'string' || typeof body.pageSize !== 'number' || typeof body.offset !== 'number') {
      throw new Error('shape');
    }
    return { ...body, filters: body.filters ?? {} };
  } catch {
    throw badRequest('nextToken: is not a token returned by this API (pass it back unchanged)');
  }
}

function queryString(value: unknown): string | undefined {
  if (Array.isArray(value)) return queryString(value[0]);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Reads pageSize/nextToken (camelCase, as the real API; snake_case accepted too) and the named filters
 * from the query string.
 */
export function readPageRequest(
  query: Record<string, unknown>,
  options: { defaultPageSize: number; maxPageSize: number; filterKeys: readonly string[] },
): PageRequest {
  const token = queryString(query.nextToken) ?? queryString(query.next_token);
  if (token) {
    const body = decodeToken(token);
    return { pageSize: body.pageSize, filters: body.filters, lastItemId: body.lastItemId, offset: body.offset };
  }
  const rawSize = queryString(query.pageSize) ?? queryString(query.page_size);
  let pageSize = options.defaultPageSize;
  if (rawSize !== undefined) {
    if (!/^\d+$/.test(rawSize) || Number(rawSize) < 1) throw badRequest('pageSize: must be a positive integer');
    pageSize = Number(rawSize);
    if (pageSize > options.maxPageSize) {
      throw new TogaiError(TogaiErrorCode.Unprocessable, `pageSize: must be at most ${options.maxPageSize} for this list`);
    }
  }
  const filters: Filters = {};
  for (const key of options.filterKeys) {
    const value = queryString(query[key]);
    if (value !== undefined) filters[key] = value;
  }
  return { pageSize, filters, offset: 0 };
}

/** Slices an already filtered, ordered list into one page. */
export function paginate<T>(items: readonly T[], idOf: (item: T) => string, request: PageRequest): Page<T> {
  let start = 0;
  if (request.lastItemId !== undefined) {
    const index = items.findIndex((item) => idOf(item) === request.lastItemId);
    start = index >= 0 ? index + 1 : Math.min(request.offset, items.length);
  }
  const data = items.slice(start, start + request.pageSize);
  const last = data[data.length - 1];
  const nextToken =
    data.length === request.pageSize && last !== undefined
      ? encodeToken({
          lastItemId: idOf(last),
          offset: start + data.length,
          pageSize: request.pageSize,
          sortOrder: 'asc',
          filters: request.filters,
        })
      : null;
  return { data, nextToken, context: { pageSize: request.pageSize, sortOrder: 'ASC' } };
}

/** Epoch-ms query filter (start_time / end_time). */
export function epochFilter(filters: Filters, key: string): number | undefined {
  const raw = filters[key];
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw badRequest(`${key}: must be epoch milliseconds, e.g. 1704067200000`);
  return Number(raw);
}
