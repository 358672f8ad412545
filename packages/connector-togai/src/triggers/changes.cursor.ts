// "Changed since the cursor" for Togai lists, which cannot be filtered or sorted by update time: the trigger scans
// the list, keeps rows updated after the cursor, and emits them oldest first. Rows sharing the boundary
// timestamp are told apart by id, so nothing is lost or repeated when a batch ends inside a group of equal times.

export interface ChangeCursor {
  /** Time (ISO) of the last row emitted: its updatedAt (createdAt for payments). */
  updatedAt: string;
  /** Ids already emitted whose updatedAt equals `updatedAt`. */
  idsAtBoundary: string[];
}

export interface Changed<T> {
  changed: T[];
  nextCursor: ChangeCursor | null;
  hasMore: boolean;
}

export interface Timestamped {
  id: string;
  updatedAt?: unknown;
}

/** Which field orders the rows: `updatedAt` for records that change, `createdAt` for immutable ones (payments). */
export type StampOf = (row: Timestamped & Record<string, unknown>) => unknown;
const byUpdatedAt: StampOf = (row) => row.updatedAt;

export function isChangeCursor(value: unknown): value is ChangeCursor {
  const c = value as Partial<ChangeCursor> | null;
  return !!c && typeof c.updatedAt === 'string' && Array.isArray(c.idsAtBoundary) && c.idsAtBoundary.every((id) => typeof id === 'string');
}

/**
 * Streams `rows` once. Without a cursor nothing is emitted: the cursor starts at the newest row (the trigger reports
 * changes from now on; `listExisting` is the backfill). With a cursor, at most `batchSize` changed rows, oldest first.
 */
export async function selectChanges<T extends Timestamped>(
  rows: AsyncIterable<T>,
  cursor: ChangeCursor | null,
  batchSize: number,
  stampOf: StampOf = byUpdatedAt,
): Promise<Changed<T>> {
  const stamp = (row: T): unknown => stampOf(row as T & Record<string, unknown>);
  const timeOf = (row: T): number => {
    const value = stamp(row);
    const at = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    return Number.isNaN(at) ? 0 : at;
  };
  if (!cursor) {
    let newest = -1;
    let newestIso = '';
    let ids: string[] = [];
    for await (const row of rows) {
      const at = timeOf(row);
      if (at > newest) {
        newest = at;
        newestIso = String(stamp(row) ?? new Date(at).toISOString());
        ids = [row.id];
      } else if (at === newest) {
        ids.push(row.id);
      }
    }
    const start: ChangeCursor = newest < 0 ? { updatedAt: new Date(0).toISOString(), idsAtBoundary: [] } : { updatedAt: newestIso, idsAtBoundary: ids };
    return { changed: [], nextCursor: start, hasMore: false };
  }

  const since = Date.parse(cursor.updatedAt);
  const boundary = new Set(cursor.idsAtBoundary);
  const candidates: T[] = [];
  for await (const row of rows) {
    const at = timeOf(row);
    if (at > since || (at === since && !boundary.has(row.id))) candidates.push(row);
  }
  candidates.sort((a, b) => timeOf(a) - timeOf(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const changed = candidates.slice(0, batchSize);
  const last = changed[changed.length - 1];
  if (!last) return { changed, nextCursor: cursor, hasMore: false };
  const lastAt = timeOf(last);
  const ids = changed.filter((row) => timeOf(row) === lastAt).map((row) => row.id);
  const carried = lastAt === since ? cursor.idsAtBoundary : [];
  return {
    changed,
    nextCursor: { updatedAt: String(stamp(last)), idsAtBoundary: [...new Set([...carried, ...ids])] },
    hasMore: candidates.length > changed.length,
  };
}
