// Batch writes (insert / update / upsert / delete): any number of records chunked into calls of ≤ 100, every
// record answered individually in input order (CRM returns 201/200, 207 for mixed and 400 when all failed).
import { ConnectorError, type ConnectorContext, type HttpResponse } from '@braid/connector-sdk';
import {
  MAX_RECORDS_PER_WRITE,
  chunk,
  crmErrorOf,
  fieldOfDetails,
  heavyCall,
  mapCrmError,
  modulePath,
} from '../crm.http.js';

export type WriteOperation = 'insert' | 'update' | 'upsert' | 'delete';

export interface WriteResult {
  index: number;
  status: 'success' | 'error';
  id?: string;
  action?: 'insert' | 'update' | 'delete';
  duplicateField?: string | null;
  modifiedTime?: string;
  code?: string;
  message?: string;
  field?: string;
  duplicateRecordId?: string;
}

export interface WriteSummary {
  total: number;
  succeeded: number;
  failed: number;
  inserted: number;
  updated: number;
  deleted: number;
  calls: number;
}

export interface WriteOutput {
  results: WriteResult[];
  summary: WriteSummary;
}

export interface WriteRequest {
  module: string;
  operation: WriteOperation;
  /** Records for insert/update/upsert; ids for delete. */
  records?: Array<Record<string, unknown>>;
  ids?: string[];
  duplicateCheckFields?: string[];
  trigger?: string[];
  /** delete: run workflow rules on delete (CRM `wf_trigger`). */
  triggerWorkflows?: boolean;
  failOnAnyError?: boolean;
}

/** Chunks in flight at once; the heavy-call pool and the edition's concurrency cap them further. */
const PARALLEL_CHUNKS = 3;

interface RawResult {
  code?: unknown;
  status?: unknown;
  message?: unknown;
  action?: unknown;
  duplicate_field?: unknown;
  details?: unknown;
}

function toResult(raw: RawResult | undefined, index: number, operation: WriteOperation): WriteResult {
  if (!raw || typeof raw !== 'object') {
    return { index, status: 'error', code: 'NO_RESULT', message: 'Zoho CRM returned no result for this record.' };
  }
  const details = (raw.details && typeof raw.details === 'object' ? raw.details : {}) as Record<string, unknown>;
  const message = typeof raw.message === 'string' ? raw.message : undefined;
  if (raw.status === 'success') {
    const result: WriteResult = { index, status: 'success' };
    if (typeof details.id === 'string' || typeof details.id === 'number') result.id = String(details.id);
    if (operation === 'upsert') {
      result.action = raw.action === 'insert' ? 'insert' : 'update';
      result.duplicateField = typeof raw.duplicate_field === 'string' ? raw.duplicate_field : null;
    } else {
      result.action = operation === 'insert' ? 'insert' : operation === 'update' ? 'update' : 'delete';
    }
    if (typeof details.Modified_Time === 'string') result.modifiedTime = details.Modified_Time;
    if (message) result.message = message;
    return result;
  }
  const result: WriteResult = { index, status: 'error', code: typeof raw.code === 'string' ? raw.code : 'UNKNOWN' };
  const field = fieldOfDetails(details);
  result.message = `${message ?? 'rejected'}${field ? ` (${field})` : ''}`;
  if (field) result.field = field;
  if (typeof details.id === 'string' || typeof details.id === 'number') result.id = String(details.id);
  const duplicate = details.duplicate_record as { id?: unknown } | undefined;
  if (duplicate && (typeof duplicate.id === 'string' || typeof duplicate.id === 'number')) result.duplicateRecordId = String(duplicate.id);
  else if (raw.code === 'DUPLICATE_DATA' && result.id) result.duplicateRecordId = result.id;
  if (raw.code === 'DUPLICATE_DATA') delete result.id;
  return result;
}

async function sendChunk(
  ctx: ConnectorContext,
  request: WriteRequest,
  items: Array<Record<string, unknown>> | string[],
): Promise<RawResult[]> {
  const path = modulePath(request.module);
  // 400 with one result per record = "all failed" (still per-record); 412 = all ALREADY_MODIFIED.
  const expect = [200, 201, 202, 207, 400, 412];
  let response: HttpResponse<unknown>;
  if (request.operation === 'delete') {
    response = await ctx.http.delete(path, {
      ids: (items as string[]).join(','),
      ...(request.triggerWorkflows === false ? { wf_trigger: 'false' } : {}),
    }, { expect });
  } else {
    const body: Record<string, unknown> = { data: items };
    if (request.trigger) body.trigger = request.trigger;
    if (request.duplicateCheckFields && request.duplicateCheckFields.length > 0 && request.operation !== 'update') {
      body.duplicate_check_fields = request.duplicateCheckFields;
    }
    if (request.operation === 'insert') response = await ctx.http.post(path, body, { expect });
    // upsert matches by duplicate-check fields, so repeating it cannot duplicate records
    else if (request.operation === 'upsert') response = await ctx.http.post(`${path}/upsert`, body, { expect, retrySafe: true });
    else response = await ctx.http.put(path, body, { expect });
  }
  const data = (response.body as { data?: unknown } | null)?.data;
  const perRecord = Array.isArray(data) && data.length === items.length && data.every((d) => d && typeof d === 'object' && 'status' in d);
  if (perRecord) return data as RawResult[];
  if (response.status >= 200 && response.status < 300 && Array.isArray(data)) {
    throw new ConnectorError('VENDOR', `Zoho CRM answered ${data.length} results for ${items.length} records; the outcome of this batch is unknown.`, {
      retryable: false,
      status: response.status,
    });
  }
  // A request-level error (bad module, LIMIT_EXCEEDED, malformed duplicate_check_fields …).
  const mapped = mapCrmError({ status: response.status, headers: response.headers, body: response.body }, { method: request.operation === 'delete' ? 'DELETE' : request.operation === 'update' ? 'PUT' : 'POST', url: response.url });
  if (mapped) throw mapped;
  const vendor = crmErrorOf(response.body);
  throw new ConnectorError('VENDOR', `Zoho CRM answered HTTP ${response.status}${vendor.message ? `: ${vendor.message}` : ''}`, {
    retryable: false,
    status: response.status,
    ...(vendor.code ? { vendorCode: vendor.code } : {}),
  });
}

/** Runs `work` over `items` with at most `limit` in flight; results keep the input order. */
async function mapLimited<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!, i);
    }
  });
  await Promise.all(runners);
  return out;
}

export async function writeRecords(ctx: ConnectorContext, request: WriteRequest): Promise<WriteOutput> {
  const items: Array<Record<string, unknown>> | string[] =
    request.operation === 'delete' ? (request.ids ?? []) : (request.records ?? []);
  if (items.length === 0) {
    throw new ConnectorError('INVALID_INPUT', `${request.operation === 'delete' ? '/ids' : '/records'} needs at least one entry.`, {
      retryable: false,
      issues: [{ pointer: request.operation === 'delete' ? '/ids' : '/records', message: 'needs at least one entry' }],
    });
  }
  if (request.operation === 'update') {
    const missing = (items as Array<Record<string, unknown>>).findIndex((r) => typeof r.id !== 'string' && typeof r.id !== 'number');
    if (missing >= 0) {
      throw new ConnectorError('INVALID_INPUT', `/records/${missing}/id is required to update a record.`, {
        retryable: false,
        issues: [{ pointer: `/records/${missing}/id`, message: 'is required to update a record' }],
      });
    }
  }
  const chunks = chunk(items as unknown[], MAX_RECORDS_PER_WRITE);
  const heavy = items.length > 10;
  const raws = await mapLimited(chunks, PARALLEL_CHUNKS, (part) =>
    heavy ? heavyCall(ctx, () => sendChunk(ctx, request, part as never)) : sendChunk(ctx, request, part as never),
  );
  const results: WriteResult[] = [];
  raws.forEach((batch, c) => {
    chunks[c]!.forEach((_, i) => {
      const index = c * MAX_RECORDS_PER_WRITE + i;
      const result = toResult(batch[i], index, request.operation);
      if (request.operation === 'delete' && result.id === undefined) result.id = String((items as string[])[index]);
      results.push(result);
    });
  });
  const ok = results.filter((r) => r.status === 'success');
  const summary: WriteSummary = {
    total: results.length,
    succeeded: ok.length,
    failed: results.length - ok.length,
    inserted: ok.filter((r) => r.action === 'insert').length,
    updated: ok.filter((r) => r.action === 'update').length,
    deleted: ok.filter((r) => r.action === 'delete').length,
    calls: chunks.length,
  };
  if (request.failOnAnyError && summary.failed > 0) {
    const failures = results.filter((r) => r.status === 'error');
    const first = failures[0]!;
    throw new ConnectorError(
      'VALIDATION',
      `Zoho CRM rejected ${summary.failed} of ${summary.total} ${request.module} records (${summary.succeeded} were written): ` +
        failures
          .slice(0, 5)
          .map((f) => `#${f.index} ${f.code}: ${f.message}`)
          .join('; ') +
        (failures.length > 5 ? '; …' : ''),
      {
        retryable: false,
        ...(first.field ? { field: first.field } : {}),
        ...(first.code ? { vendorCode: first.code } : {}),
        details: { summary, failures: failures.slice(0, 100) },
      },
    );
  }
  return { results, summary };
}
