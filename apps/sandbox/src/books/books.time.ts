/** Books date/time conventions (apis.md B1): dates `yyyy-mm-dd`, timestamps `2013-10-07T18:24:51+0530` (no colon). */

export function offsetMinutes(offset: string): number {
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(offset);
  if (!m) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

/** Formats epoch ms in the organisation's offset, e.g. `2026-11-21T10:00:00+0530`. */
export function formatBooksTime(ms: number, offset: string): string {
  const local = new Date(ms + offsetMinutes(offset) * 60_000).toISOString().slice(0, 19);
  return `${local}${offset.replace(':', '')}`;
}

/** The organisation's calendar date (yyyy-mm-dd) at epoch ms. */
export function booksDate(ms: number, offset: string): string {
  return new Date(ms + offsetMinutes(offset) * 60_000).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function isBooksDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/**
 * Parses a `last_modified_time` filter value `YYYY-MM-DDTHH:MM:SS±HHMM` (a `+` that arrived unencoded becomes a
 * space in query strings; accepted too). Also tolerates `±HH:MM` and `Z`. Returns epoch ms or undefined.
 */
export function parseBooksTime(value: string): number | undefined {
  const normalized = value.trim().replace(/ (\d{2}:?\d{2})$/, '+$1');
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.exec(normalized);
  if (!m) return undefined;
  const base = Date.parse(`${m[1]}T${m[2]}Z`);
  if (Number.isNaN(base)) return undefined;
  const zone = m[3] === 'Z' ? 0 : offsetMinutes(m[3]!);
  return base - zone * 60_000;
}
