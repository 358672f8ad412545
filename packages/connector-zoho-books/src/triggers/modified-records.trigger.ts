// Polling: records modified since the cursor, and backfill of existing records in phases (e.g. the last
// 12 months first, then the older history).
import { ConnectorError, defineTrigger, type ConnectorContext, type PolledItem } from '@braid/connector-sdk';
import { booksCall, BOOKS_PAGE_SIZE, listAll, pick, type BooksRecord } from '../books.http.js';
import { eventOutputSchema, sampleEvent, type BooksEventPayload } from './books.webhook.js';

type PolledEntity = 'invoice' | 'contact' | 'bill' | 'customerpayment';

export interface ModifiedRecordsConfig {
  entity: PolledEntity;
  contactType?: 'customer' | 'vendor';
  batchSize: number;
  includeDetails: boolean;
  recentMonths: number;
}

/** Newest modification seen (Books timestamp, second precision) and the ids already emitted at that second. */
export interface ModifiedCursor {
  watermark: string;
  ids: string[];
}

interface EntitySpec {
  path: string;
  listKey: string;
  itemKey: string;
  idField: string;
  /**
   * filter: `last_modified_time=<watermark>` (invoices, bills: their lists cannot sort by modification time);
   * sorted: `sort_column=last_modified_time` descending, stop at the watermark (contacts, payments; apis.md B3).
   */
  strategy: 'filter' | 'sorted';
  /** date field of the backfill phases (contacts have none: created_time is used) */
  dateField?: string;
}

const ENTITY_SPECS: Record<PolledEntity, EntitySpec> = {
  invoice: { path: '/invoices', listKey: 'invoices', itemKey: 'invoice', idField: 'invoice_id', strategy: 'filter', dateField: 'date' },
  bill: { path: '/bills', listKey: 'bills', itemKey: 'bill', idField: 'bill_id', strategy: 'filter', dateField: 'date' },
  contact: { path: '/contacts', listKey: 'contacts', itemKey: 'contact', idField: 'contact_id', strategy: 'sorted' },
  customerpayment: {
    path: '/customerpayments', listKey: 'customerpayments', itemKey: 'payment', idField: 'payment_id', strategy: 'sorted', dateField: 'date',
  },
};

/** Books timestamps: `2026-01-05T09:30:00-0500` (offset without colon); also accepts `Z` and `±HH:MM`. */
export function parseBooksTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (!m) return undefined;
  const base = Date.parse(`${m[1]}T${m[2]}Z`);
  if (Number.isNaN(base)) return undefined;
  const zone = m[3] && m[3] !== 'Z' ? m[3].replace(':', '') : '+0000';
  const minutes = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5));
  return base - (zone.startsWith('-') ? -minutes : minutes) * 60_000;
}

/** Epoch ms → `YYYY-MM-DDTHH:MM:SS+0000` (the filter format; seconds are truncated). */
export function formatBooksTime(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}+0000`;
}

function eventOf(entity: PolledEntity, spec: EntitySpec, record: BooksRecord): BooksEventPayload {
  const payload: BooksEventPayload = {
    entity,
    event: record.created_time !== undefined && record.created_time === record.last_modified_time ? 'created' : 'updated',
    record_id: record[spec.idField] === undefined ? null : String(record[spec.idField]),
    record,
    deleted: false,
  };
  if (entity === 'contact' && typeof record.contact_type === 'string') payload.contact_type = record.contact_type;
  return payload;
}

async function withDetails(ctx: ConnectorContext, spec: EntitySpec, rows: BooksRecord[], on: boolean): Promise<BooksRecord[]> {
  if (!on) return rows;
  const out: BooksRecord[] = [];
  for (const row of rows) {
    const { body } = await booksCall(ctx, 'GET', `${spec.path}/${encodeURIComponent(String(row[spec.idField]))}`);
    out.push(pick(body, spec.itemKey, spec.itemKey));
  }
  return out;
}

function toItem(entity: PolledEntity, spec: EntitySpec, record: BooksRecord): PolledItem {
  const modified = String(record.last_modified_time ?? '');
  const ms = parseBooksTime(modified);
  return {
    // A record modified again later is a new item.
    id: `${String(record[spec.idField])}@${modified}`,
    payload: eventOf(entity, spec, record),
    ...(ms !== undefined ? { modifiedAt: new Date(ms).toISOString() } : {}),
  };
}

/** Rows modified at or after the watermark (newest first for the sorted strategy), excluding already-seen ids. */
async function changedSince(ctx: ConnectorContext, config: ModifiedRecordsConfig, cursor: ModifiedCursor): Promise<BooksRecord[]> {
  const spec = ENTITY_SPECS[config.entity];
  const watermarkMs = parseBooksTime(cursor.watermark) ?? 0;
  const seen = new Set(cursor.ids);
  const typeFilter = config.entity === 'contact' && config.contactType ? { contact_type: config.contactType } : {};
  const isNew = (row: BooksRecord) => {
    const ms = parseBooksTime(row.last_modified_time);
    if (ms === undefined) return false;
    const second = Math.floor(ms / 1000) * 1000;
    return second > watermarkMs || (second === watermarkMs && !seen.has(String(row[spec.idField])));
  };
  const changed: BooksRecord[] = [];
  if (spec.strategy === 'filter') {
    for await (const row of listAll(ctx, spec.path, spec.listKey, { last_modified_time: cursor.watermark, ...typeFilter }, { maxPages: 100 })) {
      if (isNew(row)) changed.push(row);
    }
  } else {
    const rows = listAll(ctx, spec.path, spec.listKey, {
      sort_column: 'last_modified_time',
      sort_order: 'D',
      ...typeFilter,
    }, { maxPages: 100 });
    for await (const row of rows) {
      const ms = parseBooksTime(row.last_modified_time);
      // Newest first: the first row older than the watermark ends the scan.
      if (ms !== undefined && Math.floor(ms / 1000) * 1000 < watermarkMs) break;
      if (isNew(row)) changed.push(row);
    }
  }
  return changed.sort((a, b) => {
    const d = (parseBooksTime(a.last_modified_time) ?? 0) - (parseBooksTime(b.last_modified_time) ?? 0);
    return d !== 0 ? d : String(a[spec.idField]).localeCompare(String(b[spec.idField]));
  });
}

const secondOf = (row: BooksRecord) => Math.floor((parseBooksTime(row.last_modified_time) ?? 0) / 1000) * 1000;

/** The cursor after `rows` (sorted oldest first): the newest second and every id seen at that second. */
function cursorAfter(rows: BooksRecord[], spec: EntitySpec, previous: ModifiedCursor): ModifiedCursor {
  const last = rows[rows.length - 1]!;
  const lastSecond = secondOf(last);
  const sameSecond = rows.filter((r) => secondOf(r) === lastSecond).map((r) => String(r[spec.idField]));
  const previousSecond = Math.floor((parseBooksTime(previous.watermark) ?? 0) / 1000) * 1000;
  return {
    watermark: String(last.last_modified_time),
    ids: lastSecond === previousSecond ? [...new Set([...previous.ids, ...sameSecond])] : sameSecond,
  };
}

/** A backfill phase → date bounds: `recent` (last N months), `older`, `since:YYYY-MM-DD`, `until:…`, `range:A..B`. */
export function phaseBounds(phase: string | undefined, now: Date, recentMonths: number): { since?: string; before?: string } {
  const cutoff = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - recentMonths, now.getUTCDate()))
    .toISOString()
    .slice(0, 10);
  const date = /^\d{4}-\d{2}-\d{2}$/;
  if (!phase || phase === 'all') return {};
  if (phase.trim().startsWith('{')) {
    // JSON form `{"since": "2025-11-21", "until": "2026-01-01"}` (dates or ISO timestamps; until is exclusive).
    let parsed: { since?: unknown; until?: unknown } = {};
    try {
      parsed = JSON.parse(phase) as typeof parsed;
    } catch {
      parsed = { since: 'invalid' };
    }
    const day = (v: unknown) => (typeof v === 'string' && date.test(v.slice(0, 10)) ? v.slice(0, 10) : undefined);
    const out: { since?: string; before?: string } = {};
    if (parsed.since !== undefined) out.since = day(parsed.since) ?? 'invalid';
    if (parsed.until !== undefined) out.before = day(parsed.until) ?? 'invalid';
    if (out.since !== 'invalid' && out.before !== 'invalid') return out;
  }
  if (phase === 'recent') return { since: cutoff };
  if (phase === 'older') return { before: cutoff };
  const since = /^since:(.+)$/.exec(phase)?.[1];
  if (since && date.test(since)) return { since };
  const until = /^until:(.+)$/.exec(phase)?.[1];
  if (until && date.test(until)) return { before: until };
  const range = /^range:(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(phase);
  if (range) return { since: range[1]!, before: range[2]! };
  throw new ConnectorError(
    'INVALID_INPUT',
    `Unknown backfill phase "${phase}": use recent, older, all, since:YYYY-MM-DD, until:YYYY-MM-DD, ` +
      'range:YYYY-MM-DD..YYYY-MM-DD or {"since": "YYYY-MM-DD", "until": "YYYY-MM-DD"}.',
    { retryable: false },
  );
}

/** One page (200, oldest first) of existing records of a module within a backfill phase. */
export async function listExistingPage(
  ctx: ConnectorContext,
  options: {
    entity: PolledEntity;
    contactType?: 'customer' | 'vendor';
    page: number;
    phase: string | undefined;
    recentMonths: number;
    includeDetails: boolean;
  },
): Promise<{ items: PolledItem[]; hasMore: boolean }> {
  const spec = ENTITY_SPECS[options.entity];
  const bounds = phaseBounds(options.phase, ctx.now(), options.recentMonths);
  const query: Record<string, string | number | undefined> = {
    sort_column: 'created_time',
    sort_order: 'A',
    page: options.page,
    per_page: BOOKS_PAGE_SIZE,
  };
  if (options.entity === 'contact' && options.contactType) query.contact_type = options.contactType;
  if (spec.dateField) {
    if (bounds.since) query[`${spec.dateField}_start`] = bounds.since;
    if (bounds.before) query[`${spec.dateField}_before`] = bounds.before;
  }
  const { body } = await booksCall(ctx, 'GET', spec.path, { query });
  let rows = (body[spec.listKey] as BooksRecord[] | undefined) ?? [];
  if (!spec.dateField && (bounds.since || bounds.before)) {
    // Contacts have no date filter: their creation date decides the phase.
    rows = rows.filter((r) => {
      const created = String(r.created_time ?? '').slice(0, 10);
      return (!bounds.since || created >= bounds.since) && (!bounds.before || created < bounds.before);
    });
  }
  const records = await withDetails(ctx, spec, rows, options.includeDetails);
  return { items: records.map((r) => toItem(options.entity, spec, r)), hasMore: body.page_context?.has_more_page === true };
}

export const modifiedRecordsTrigger = defineTrigger<ModifiedRecordsConfig, ModifiedCursor>({
  key: 'modified_records',
  kind: 'polling',
  title: 'Records modified (polling)',
  description:
    'Every poll returns the invoices, contacts, bills or customer payments created or changed since the previous ' +
    'poll, oldest first, each once. The first poll only sets the starting point; use the backfill (existing ' +
    'records, e.g. the last 12 months first, then older) for history. Deletions are not visible to polling: use ' +
    'the instant trigger for them.',
  configSchema: {
    type: 'object',
    properties: {
      entity: {
        type: 'string',
        title: 'Module',
        enum: ['invoice', 'contact', 'bill', 'customerpayment'],
        default: 'invoice',
      },
      contactType: { type: 'string', title: 'Contact type', description: 'For contacts only.', enum: ['customer', 'vendor'] },
      batchSize: { type: 'integer', title: 'Records per poll', minimum: 1, maximum: 1000, default: 200 },
      includeDetails: {
        type: 'boolean',
        title: 'Read each record in full',
        description: 'Lists give summaries (no line items, addresses, persons); this costs one extra call per record.',
        default: false,
      },
      recentMonths: { type: 'integer', title: 'Backfill: months in the "recent" phase', minimum: 1, maximum: 120, default: 12 },
    },
    required: ['entity'],
    additionalProperties: false,
  },
  outputSchema: eventOutputSchema,
  sampleOutput: sampleEvent,
  defaultIntervalMs: 5 * 60_000,
  poll: async (ctx, { cursor, config }) => {
    const spec = ENTITY_SPECS[config.entity];
    if (!cursor) {
      // Start from now: only later changes are events (history comes from the backfill). Books times have
      // second precision, so records already changed in this second (or stamped ahead by a skewed clock)
      // are remembered as seen instead of being reported at the next poll.
      const now: ModifiedCursor = { watermark: formatBooksTime(ctx.now().getTime()), ids: [] };
      const existing = await changedSince(ctx, config, now);
      return { items: [], nextCursor: existing.length > 0 ? cursorAfter(existing, spec, now) : now, hasMore: false };
    }
    const changed = await changedSince(ctx, config, cursor);
    const batch = changed.slice(0, config.batchSize ?? 200);
    if (batch.length === 0) return { items: [], nextCursor: cursor, hasMore: false };
    const nextCursor = cursorAfter(batch, spec, cursor);
    const records = await withDetails(ctx, spec, batch, config.includeDetails === true);
    return {
      items: records.map((r) => toItem(config.entity, spec, r)),
      nextCursor,
      hasMore: changed.length > batch.length,
    };
  },
  listExisting: async (ctx, { cursor, config, phase }) => {
    const page = (cursor as { page?: number } | null)?.page ?? 1;
    const result = await listExistingPage(ctx, {
      entity: config.entity,
      ...(config.contactType ? { contactType: config.contactType } : {}),
      page,
      phase,
      recentMonths: config.recentMonths ?? 12,
      includeDetails: config.includeDetails === true,
    });
    return {
      items: result.items,
      nextCursor: result.hasMore ? ({ page: page + 1 } as unknown as ModifiedCursor) : null,
      hasMore: result.hasMore,
    };
  },
});
