// Pagination as an async iterator: connectors describe one page fetch, callers stream items and stop when
// they have enough. Bounded by `maxPages` so a vendor that keeps returning a cursor cannot loop forever.
import { ConnectorError } from '../connector.errors.js';
import type { PageResult } from './http.types.js';

export interface PaginateOptions {
  /** Hard stop (default 1000 pages); exceeding it throws instead of silently truncating. */
  maxPages?: number;
}

export async function* paginate<T, C>(
  fetchPage: (cursor: C | undefined, pageIndex: number) => Promise<PageResult<T, C>>,
  options: PaginateOptions = {},
): AsyncGenerator<T, void, undefined> {
  const maxPages = options.maxPages ?? 1000;
  let cursor: C | undefined;
  for (let page = 0; ; page += 1) {
    if (page >= maxPages) {
      throw new ConnectorError('VENDOR', `Pagination stopped after ${maxPages} pages; narrow the query.`, {
        retryable: false,
      });
    }
    const result = await fetchPage(cursor, page);
    for (const item of result.items) yield item;
    if (result.next === undefined || result.next === null || result.items.length === 0) return;
    cursor = result.next;
  }
}

/** Collect at most `limit` items from an async iterable (stops fetching further pages). */
export async function takeAtMost<T>(iterable: AsyncIterable<T>, limit: number): Promise<T[]> {
  const out: T[] = [];
  if (limit <= 0) return out;
  for await (const item of iterable) {
    out.push(item);
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * Up to `limit` items (those `keep` accepts) plus whether more existed — one extra item is read to know, for
 * list actions that answer `{ items, count, truncated }`.
 */
export async function collectRows<T>(
  rows: AsyncIterable<T>,
  limit: number,
  keep: (row: T) => boolean = () => true,
): Promise<{ items: T[]; truncated: boolean }> {
  const items: T[] = [];
  for await (const row of rows) {
    if (!keep(row)) continue;
    if (items.length >= limit) return { items, truncated: true };
    items.push(row);
  }
  return { items, truncated: false };
}
