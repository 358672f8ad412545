// Polling trigger: records modified since the cursor (`If-Modified-Since`, sorted by Modified_Time ascending) and
// records deleted since the cursor (`/deleted`). CRM times have whole seconds, so the records sharing the boundary
// second are remembered by id and not emitted twice. `listExisting` pages through everything for the initial sync.
import {
  ConnectorError,
  defineTrigger,
  validateInput,
  type ConnectorContext,
  type JsonSchema,
  type PolledItem,
  type PollResult,
} from '@braid/connector-sdk';
import { fetchDeleted, type DeletedRecord } from '../actions/read.actions.js';
import { MAX_PER_PAGE, crmGet, fetchRecordPage, isoHeader, modulePath, withCrmErrors, type PageCursor } from '../crm.http.js';
import { resolveFields } from '../crm.metadata.js';
import { fieldsProperty, moduleProperty, recordSchema, sampleAccountRecord } from '../crm.schemas.js';

export interface ModifiedRecordsConfig {
  module: string;
  fields?: string[];
  includeDeleted: boolean;
  batchSize: number;
}

export interface Watermark {
  /** CRM time (ISO with offset) of the newest change already emitted. */
  watermark: string;
  /** Ids already emitted whose time equals `watermark`. */
  idsAtWatermark: string[];
}

export interface ModifiedCursor extends Watermark {
  deleted: Watermark;
}

export interface ModifiedRecordPayload {
  module: string;
  operation: 'insert' | 'update' | 'delete';
  recordId: string;
  modifiedTime: string;
  deleted: boolean;
  record: Record<string, unknown> | null;
}

const EPOCH = '1970-01-01T00:00:00+00:00';
/** Pages read per poll before handing back (the rest comes with hasMore). */
const MAX_PAGES_PER_POLL = 50;

const configSchema: JsonSchema = {
  type: 'object',
  required: ['module'],
  properties: {
    module: moduleProperty(),
    fields: fieldsProperty,
    includeDeleted: { type: 'boolean', title: 'Report deletions', description: 'Also start the flow for records deleted since the last check.', default: true },
    batchSize: { type: 'integer', title: 'Records per check', minimum: 1, maximum: 2000, default: 500 },
  },
  additionalProperties: false,
};

const outputSchema: JsonSchema = {
  type: 'object',
  required: ['module', 'operation', 'recordId', 'modifiedTime', 'deleted', 'record'],
  properties: {
    module: { type: 'string' },
    operation: { type: 'string', enum: ['insert', 'update', 'delete'] },
    recordId: { type: 'string' },
    modifiedTime: { type: 'string', title: 'Modified (or deleted) time' },
    deleted: { type: 'boolean' },
    record: { anyOf: [recordSchema, { type: 'null' }] },
  },
  additionalProperties: false,
};

function withDefaults(config: unknown): ModifiedRecordsConfig {
  return validateInput<ModifiedRecordsConfig>(configSchema, config ?? {}, 'configuration of "Record modified (polling)"');
}

function isWatermark(value: unknown): value is Watermark {
  const w = value as Partial<Watermark> | null;
  return !!w && typeof w.watermark === 'string' && Array.isArray(w.idsAtWatermark);
}

function isCursor(value: unknown): value is ModifiedCursor {
  return isWatermark(value) && isWatermark((value as ModifiedCursor).deleted);
}

const timeOf = (iso: unknown): number => {
  const at = typeof iso === 'string' ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(at) ? 0 : at;
};

type Row = Record<string, unknown> & { id: string };

function recordPayload(module: string, row: Row): ModifiedRecordPayload {
  const modifiedTime = String(row.Modified_Time ?? '');
  const created = typeof row.Created_Time === 'string' && timeOf(row.Created_Time) === timeOf(modifiedTime);
  return {
    module,
    operation: created ? 'insert' : 'update',
    recordId: String(row.id),
    modifiedTime,
    deleted: false,
    record: { ...row, id: String(row.id) },
  };
}

function deletedPayload(module: string, row: DeletedRecord): ModifiedRecordPayload {
  return { module, operation: 'delete', recordId: row.id, modifiedTime: row.deletedTime, deleted: true, record: null };
}

/** Newest time in `rows` and the ids at that time. */
function newest<T>(rows: T[], time: (row: T) => string, id: (row: T) => string, fallback: Watermark): Watermark {
  let best: Watermark = fallback;
  let bestAt = timeOf(fallback.watermark);
  for (const row of rows) {
    const at = timeOf(time(row));
    if (at > bestAt) {
      best = { watermark: time(row), idsAtWatermark: [id(row)] };
      bestAt = at;
    } else if (at === bestAt && !best.idsAtWatermark.includes(id(row))) {
      best = { watermark: best.watermark, idsAtWatermark: [...best.idsAtWatermark, id(row)] };
    }
  }
  return best;
}

/** Keeps rows after the watermark, or at it but not yet emitted. */
function isNew(watermark: Watermark, at: string, id: string): boolean {
  const since = timeOf(watermark.watermark);
  const t = timeOf(at);
  return t > since || (t === since && !watermark.idsAtWatermark.includes(id));
}

/** Advances a watermark over emitted rows (already sorted oldest first). */
function advance(watermark: Watermark, emitted: Array<{ at: string; id: string }>): Watermark {
  const last = emitted[emitted.length - 1];
  if (!last) return watermark;
  const lastAt = timeOf(last.at);
  const ids = emitted.filter((e) => timeOf(e.at) === lastAt).map((e) => e.id);
  const carried = lastAt === timeOf(watermark.watermark) ? watermark.idsAtWatermark : [];
  return { watermark: last.at, idsAtWatermark: [...new Set([...carried, ...ids])] };
}

/** Pages read when collecting the records that share the starting second (10,000 records). */
const MAX_START_PAGES = 50;

/**
 * `If-Modified-Since` one second before the watermark: CRM compares whole seconds on some paths and milliseconds
 * on others, so the window is widened and the rows at or before the watermark are filtered here (`isNew`).
 */
function sinceHeader(watermark: string): Record<string, string> {
  return { 'if-modified-since': isoHeader(new Date(Math.max(0, timeOf(watermark) - 1000)).toISOString()) };
}

/**
 * Where a fresh trigger starts: after the newest change that exists now (nothing is emitted). Every record sharing
 * that second is remembered by id, so a bulk import finished in one second is not reported later.
 */
async function startingCursor(ctx: ConnectorContext, config: ModifiedRecordsConfig): Promise<ModifiedCursor> {
  const path = modulePath(config.module);
  const { body } = await crmGet<Row>(ctx, path, { fields: 'Modified_Time', sort_by: 'Modified_Time', sort_order: 'desc', per_page: 1, page: 1 });
  const top = Array.isArray(body.data) ? body.data[0] : undefined;
  let modified: Watermark = { watermark: EPOCH, idsAtWatermark: [] };
  if (top && typeof top.Modified_Time === 'string') {
    const at = timeOf(top.Modified_Time);
    const ids: string[] = [];
    let page: PageCursor | null = null;
    let complete = false;
    const query = { fields: 'Modified_Time', sort_by: 'Modified_Time', sort_order: 'asc', per_page: MAX_PER_PAGE };
    for (let n = 0; n < MAX_START_PAGES; n += 1) {
      const result: Awaited<ReturnType<typeof fetchRecordPage<Row>>> = await fetchRecordPage<Row>(ctx, path, query, page, sinceHeader(top.Modified_Time));
      for (const row of result.items) if (timeOf(row.Modified_Time) === at) ids.push(String(row.id));
      if (!result.next) {
        complete = true;
        break;
      }
      page = result.next;
    }
    // too many records in that one second to remember: start after it instead
    modified = complete
      ? { watermark: top.Modified_Time, idsAtWatermark: ids }
      : { watermark: new Date(at + 1000).toISOString(), idsAtWatermark: [] };
  }
  let deleted: Watermark = { watermark: EPOCH, idsAtWatermark: [] };
  if (config.includeDeleted) {
    // CRM lists deleted records newest first: the first page holds the newest deletion
    const { records } = await fetchDeleted(ctx, config.module, 'all', undefined, MAX_PER_PAGE);
    deleted = newest(records, (r) => r.deletedTime, (r) => r.id, deleted);
  }
  return { ...modified, deleted };
}

async function pollModified(
  ctx: ConnectorContext,
  config: ModifiedRecordsConfig,
  cursor: ModifiedCursor,
): Promise<{ rows: Row[]; hasMore: boolean }> {
  const fields = await resolveFields(ctx, config.module, config.fields, ['Modified_Time', 'Created_Time']);
  const query = { fields: fields.join(','), sort_by: 'Modified_Time', sort_order: 'asc', per_page: MAX_PER_PAGE };
  const headers = sinceHeader(cursor.watermark);
  const fresh: Row[] = [];
  let page: PageCursor | null = null;
  for (let n = 0; n < MAX_PAGES_PER_POLL; n += 1) {
    const result: Awaited<ReturnType<typeof fetchRecordPage<Row>>> = await fetchRecordPage<Row>(ctx, modulePath(config.module), query, page, headers);
    for (const row of result.items) {
      if (isNew(cursor, String(row.Modified_Time ?? ''), String(row.id))) fresh.push(row);
    }
    if (!result.next || fresh.length > config.batchSize) break;
    page = result.next;
    if (n === MAX_PAGES_PER_POLL - 1) return { rows: fresh, hasMore: true };
  }
  // CRM sorts by Modified_Time; sort again (stable, id as tie-break) so the watermark logic never depends on it
  fresh.sort((a, b) => timeOf(a.Modified_Time) - timeOf(b.Modified_Time) || (String(a.id) < String(b.id) ? -1 : 1));
  return { rows: fresh.slice(0, config.batchSize), hasMore: fresh.length > config.batchSize };
}

/** Deletions read per poll at most; CRM lists them newest first, so all since the watermark are read, then sorted. */
const MAX_DELETED_PER_POLL = 20_000;

async function pollDeleted(ctx: ConnectorContext, config: ModifiedRecordsConfig, cursor: Watermark): Promise<{ rows: DeletedRecord[]; hasMore: boolean }> {
  const since = cursor.watermark === EPOCH ? undefined : new Date(timeOf(cursor.watermark) - 1000).toISOString();
  const { records, truncated } = await fetchDeleted(ctx, config.module, 'all', since, MAX_DELETED_PER_POLL);
  if (truncated) {
    ctx.logger.warn({ module: config.module, read: records.length }, 'more deletions since the last poll than one poll reads; the oldest may be skipped');
  }
  const fresh = records
    .filter((r) => isNew(cursor, r.deletedTime, r.id))
    .sort((a, b) => timeOf(a.deletedTime) - timeOf(b.deletedTime) || (a.id < b.id ? -1 : 1));
  return { rows: fresh.slice(0, config.batchSize), hasMore: fresh.length > config.batchSize };
}

export async function pollModifiedRecords(ctx: ConnectorContext, rawCursor: unknown, rawConfig: unknown): Promise<PollResult<unknown>> {
  const config = withDefaults(rawConfig);
  if (!isCursor(rawCursor)) return { items: [], nextCursor: await startingCursor(ctx, config), hasMore: false };
  const cursor = rawCursor;
  const modified = await pollModified(ctx, config, cursor);
  const items: PolledItem[] = modified.rows.map((row) => {
    const payload = recordPayload(config.module, row);
    return { id: `${payload.recordId}@${payload.modifiedTime}`, payload, modifiedAt: payload.modifiedTime };
  });
  let deletedCursor = cursor.deleted;
  let hasMore = modified.hasMore;
  if (config.includeDeleted) {
    const deleted = await pollDeleted(ctx, config, cursor.deleted);
    for (const row of deleted.rows) {
      const payload = deletedPayload(config.module, row);
      items.push({ id: `${row.id}@deleted@${row.deletedTime}`, payload, modifiedAt: row.deletedTime });
    }
    deletedCursor = advance(cursor.deleted, deleted.rows.map((r) => ({ at: r.deletedTime, id: r.id })));
    hasMore = hasMore || deleted.hasMore;
  }
  const nextModified = advance(cursor, modified.rows.map((r) => ({ at: String(r.Modified_Time), id: String(r.id) })));
  return { items, nextCursor: { ...nextModified, deleted: deletedCursor }, hasMore };
}

interface ListCursor {
  page?: number;
  pageToken?: string;
}

export const modifiedRecordsTrigger = defineTrigger<ModifiedRecordsConfig, unknown>({
  key: 'modified_records',
  kind: 'polling',
  title: 'Record modified or deleted (polling)',
  description:
    'Checks a CRM module on a schedule and starts the flow for every record created, changed or deleted since the ' +
    'last check (no record twice, none lost at the boundary). Also lists all existing records for an initial sync.',
  configSchema,
  outputSchema,
  sampleOutput: {
    module: 'Accounts',
    operation: 'update',
    recordId: sampleAccountRecord.id,
    modifiedTime: sampleAccountRecord.Modified_Time,
    deleted: false,
    record: sampleAccountRecord,
  },
  defaultIntervalMs: 5 * 60_000,
  poll: (ctx, { cursor, config }) => withCrmErrors(ctx, () => pollModifiedRecords(ctx, cursor, config)),
  listExisting: (ctx, { cursor, config: raw }) =>
    withCrmErrors(ctx, async () => {
      const config = withDefaults(raw);
      const fields = await resolveFields(ctx, config.module, config.fields, ['Modified_Time', 'Created_Time']);
      const at = cursor as ListCursor | null;
      if (at !== null && at !== undefined && typeof at.page !== 'number' && typeof at.pageToken !== 'string') {
        throw new ConnectorError('INVALID_INPUT', 'The initial-sync cursor is not one this trigger produced; start the sync again.', { retryable: false });
      }
      // id order is stable while records change, and page tokens continue exactly after the last id served
      const page = await fetchRecordPage<Row>(
        ctx,
        modulePath(config.module),
        { fields: fields.join(','), sort_by: 'id', sort_order: 'asc', per_page: MAX_PER_PAGE },
        at ?? null,
      );
      const items: PolledItem[] = page.items.map((row) => {
        const payload = recordPayload(config.module, row);
        return { id: `${payload.recordId}@${payload.modifiedTime}`, payload, modifiedAt: payload.modifiedTime };
      });
      return { items, nextCursor: page.next, hasMore: page.next !== null };
    }),
});
