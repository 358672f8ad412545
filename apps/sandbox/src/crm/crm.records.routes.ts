/**
 * Record routes under `/crm/v8`: list (fields required, page ≤ 2,000 records then page_token, 204/304),
 * get one, insert/update/upsert/delete (≤100), search, count, deleted records.
 */
import { randomBytes } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import type { SandboxContext } from '../core/sandbox.service.js';
import { callerOf, type CrmCaller, requireScope } from './crm.auth.js';
import { CrmError, CrmErrorCode } from './crm.errors.js';
import { type CrmModuleDef, crmModules, findModule, relatedLists } from './crm.fields.js';
import { batchStatus, type CrmRecords, type WriteActor } from './crm.records.js';
import { CriteriaError, type Criteria, matchesCriteria, parseCriteria, validateCriteria, type SearchValue } from './crm.search.js';
import type { CrmRecord, CrmStore, PageCursor } from './crm.store.js';

const MAX_FIELDS = 50;
/** page_token reaches at most this many records (Zoho v8 getRecords) */
const MAX_TOKEN_REACH = 100_000;
const RECYCLE_BIN_DAYS = 60;

export interface RecordRouteDeps {
  ctx: SandboxContext;
  store: CrmStore;
  records: CrmRecords;
}

export function moduleOf(req: Request): CrmModuleDef {
  const module = findModule(String(req.params.module));
  if (!module) {
    throw new CrmError(400, CrmErrorCode.InvalidModule, 'the module name given seems to be invalid', {
      resource_path_index: 0, module: String(req.params.module),
    });
  }
  return module;
}

/** Scope sub-resource names a module answers to (`accounts`, or `custom` for custom modules). */
function scopeSubs(module: CrmModuleDef): string[] {
  return module.custom ? [module.apiName.toLowerCase(), 'custom'] : [module.apiName.toLowerCase()];
}

function intParam(req: Request, name: string, fallback: number, min: number, max: number): number {
  const raw = req.query[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new CrmError(400, CrmErrorCode.InvalidData, `${name} must be an integer from ${min} to ${max}`, { param_name: name });
  }
  return n;
}

function fieldsParam(req: Request, required: boolean): string[] | undefined {
  const raw = req.query.fields;
  if (raw === undefined || raw === '') {
    if (required) {
      throw new CrmError(400, CrmErrorCode.RequiredParamMissing, 'required param is missing: pass fields=Field_A,Field_B (at most 50 field API names)', {
        param_name: 'fields',
      });
    }
    return undefined;
  }
  const fields = String(raw).split(',').map((f) => f.trim()).filter(Boolean);
  if (fields.length > MAX_FIELDS) {
    throw new CrmError(400, CrmErrorCode.LimitExceeded, `limit exceeded: at most ${MAX_FIELDS} fields can be requested`, { param_name: 'fields', limit: MAX_FIELDS });
  }
  return fields;
}

function ifModifiedSince(req: Request): number | undefined {
  const raw = req.header('if-modified-since');
  if (!raw) return undefined;
  const at = Date.parse(raw);
  if (Number.isNaN(at)) {
    throw new CrmError(400, CrmErrorCode.InvalidData, 'If-Modified-Since must be an ISO 8601 date-time like 2024-05-01T10:00:00+05:30', {
      header_name: 'If-Modified-Since',
    });
  }
  return at;
}

type SortBy = PageCursor['sortBy'];
type SortOrder = PageCursor['sortOrder'];

function sortKey(record: CrmRecord, sortBy: SortBy): number | string {
  return sortBy === 'Created_Time' ? record.createdTime : sortBy === 'Modified_Time' ? record.modifiedTime : record.id;
}

function compare(a: { key: number | string; id: string }, b: { key: number | string; id: string }, order: SortOrder): number {
  // ids are equal-length digit strings, so string order is numeric order
  const primary = a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  const result = primary !== 0 ? primary : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  return order === 'asc' ? result : -result;
}

function sorted(records: CrmRecord[], sortBy: SortBy, order: SortOrder): CrmRecord[] {
  return records
    .map((r) => ({ r, k: { key: sortKey(r, sortBy), id: r.id } }))
    .sort((a, b) => compare(a.k, b.k, order))
    .map((x) => x.r);
}

function searchValue(store: CrmStore, record: CrmRecord, module: CrmModuleDef): (apiName: string) => SearchValue {
  return (apiName) => {
    if (apiName === 'id') return { value: record.id };
    const field = module.fields.find((f) => f.apiName === apiName);
    if (!field) return { value: undefined };
    const rendered = store.renderField(record, field);
    if (field.dataType === 'lookup' || field.dataType === 'ownerlookup') {
      const ref = rendered as { id?: string; name?: string } | null;
      return { value: ref, id: ref?.id, name: ref?.name };
    }
    if (field.dataType === 'datetime' && (apiName === 'Created_Time' || apiName === 'Modified_Time')) {
      return { value: apiName === 'Created_Time' ? record.createdTime : record.modifiedTime };
    }
    return { value: rendered };
  };
}

/** Records matching the search parameters (criteria / email / phone / word), id ascending. */
function searchRecords(store: CrmStore, caller: CrmCaller, module: CrmModuleDef, req: Request): CrmRecord[] {
  const criteriaRaw = req.query.criteria;
  const email = req.query.email;
  const phone = req.query.phone;
  const word = req.query.word;
  let criteria: Criteria | undefined;
  if (criteriaRaw !== undefined) {
    try {
      criteria = parseCriteria(String(criteriaRaw));
      validateCriteria(criteria, module);
    } catch (error) {
      if (error instanceof CriteriaError) {
        throw new CrmError(400, CrmErrorCode.InvalidQuery, `invalid query formed: ${error.message}`, { ...error.details });
      }
      throw error;
    }
  } else if (email === undefined && phone === undefined && word === undefined) {
    throw new CrmError(400, CrmErrorCode.RequiredParamMissing, 'required param is missing: pass criteria, email, phone or word', {
      param_name: 'criteria',
    });
  }
  const byType = (types: string[]) => module.fields.filter((f) => types.includes(f.dataType)).map((f) => f.apiName);
  const emailFields = byType(['email']);
  const phoneFields = byType(['phone']);
  const wordFields = byType(['text', 'textarea', 'email', 'phone', 'website', 'picklist']).filter((f) => f !== 'Full_Name');
  const all = store.moduleRecords(caller.orgId, module.apiName).sort((a, b) => (a.id < b.id ? -1 : 1));
  return all.filter((record) => {
    const read = searchValue(store, record, module);
    if (criteria && !matchesCriteria(criteria, module, read)) return false;
    const text = (f: string) => String(read(f).value ?? '').toLowerCase();
    if (email !== undefined && !emailFields.some((f) => text(f) === String(email).toLowerCase())) return false;
    if (phone !== undefined && !phoneFields.some((f) => text(f).replace(/\D/g, '') === String(phone).replace(/\D/g, '') && text(f) !== '')) return false;
    if (word !== undefined) {
      const w = String(word).toLowerCase();
      const names = module.apiName === 'Contacts' ? [store.displayName(record).toLowerCase()] : [];
      if (!wordFields.some((f) => text(f).includes(w)) && !names.some((n) => n.includes(w))) return false;
    }
    return true;
  });
}

export function registerRecordRoutes(router: Router, deps: RecordRouteDeps): void {
  const { ctx, store, records } = deps;

  const actorOf = (caller: CrmCaller, req?: Request): WriteActor => {
    const raw = req?.header('if-unmodified-since');
    const unmodifiedSince = raw ? Date.parse(raw) : undefined;
    if (raw && Number.isNaN(unmodifiedSince)) {
      throw new CrmError(400, CrmErrorCode.InvalidData, 'If-Unmodified-Since must be an ISO 8601 date-time', { header_name: 'If-Unmodified-Since' });
    }
    return { orgId: caller.orgId, userId: caller.crmUserId, now: ctx.clock.now(), apiBase: caller.apiBase, unmodifiedSince };
  };

  const dataArray = (req: Request): unknown[] => {
    const data = (req.body as { data?: unknown } | undefined)?.data;
    if (!Array.isArray(data) || data.length === 0) {
      throw new CrmError(400, CrmErrorCode.InvalidData, 'the body must be {"data":[ …records… ]} with at least one record', {
        expected_data_type: 'jsonarray', api_name: 'data', json_path: '$.data',
      });
    }
    const max = ctx.limits.crm.maxRecordsPerWrite;
    if (data.length > max) {
      throw new CrmError(400, CrmErrorCode.LimitExceeded, `count of records in your request exceeds the limit: at most ${max} per call, got ${data.length}`, {
        maximum_length: max, api_name: 'data',
      }, true);
    }
    const trigger = (req.body as { trigger?: unknown }).trigger;
    const triggers = ['workflow', 'approval', 'blueprint', 'pathfinder', 'orchestration'];
    if (trigger !== undefined && (!Array.isArray(trigger) || trigger.some((t) => !triggers.includes(String(t))))) {
      throw new CrmError(400, CrmErrorCode.InvalidData, `trigger must be an array of ${triggers.join(', ')}`, {
        api_name: 'trigger', json_path: '$.trigger', expected_data_type: 'jsonarray',
      });
    }
    return data;
  };

  const duplicateCheckFields = (req: Request, module: CrmModuleDef): string[] | undefined => {
    const raw = (req.body as { duplicate_check_fields?: unknown }).duplicate_check_fields;
    if (raw === undefined) return undefined;
    if (!Array.isArray(raw) || raw.length === 0 || raw.some((f) => typeof f !== 'string' || !module.fields.some((d) => d.apiName === f && !d.readOnly))) {
      throw new CrmError(400, CrmErrorCode.InvalidData, `duplicate_check_fields must be an array of ${module.apiName} field API names`, {
        api_name: 'duplicate_check_fields', json_path: '$.duplicate_check_fields', expected_data_type: 'jsonarray',
      });
    }
    return raw as string[];
  };

  const sendBatch = (res: Response, results: ReturnType<CrmRecords['insert']>, allOk: number) => {
    const allModified = results.length > 0 && results.every((r) => r.code === CrmErrorCode.AlreadyModified);
    res.status(allModified ? 412 : batchStatus(results, allOk)).json({ data: results });
  };

  // --- list
  router.get('/:module', (req, res) => {
    const caller = callerOf(res);
    const module = moduleOf(req);
    requireScope(caller, 'modules', scopeSubs(module), 'READ');
    const fields = fieldsParam(req, true);
    if (req.query.cvid !== undefined) {
      throw new CrmError(400, CrmErrorCode.InvalidData, 'the custom view id given seems to be invalid (the sandbox has no custom views)', { param_name: 'cvid' });
    }
    const limits = ctx.limits.crm;
    const perPage = intParam(req, 'per_page', limits.maxPerPage, 1, limits.maxPerPage);
    const tokenRaw = req.query.page_token;
    if (tokenRaw !== undefined && req.query.page !== undefined) {
      throw new CrmError(400, CrmErrorCode.AmbiguityDuringProcessing, 'page and page_token cannot be used together; drop page', {
        ambiguity_due_to: [{ param_name: 'page' }, { param_name: 'page_token' }],
      });
    }
    const sortBy = String(req.query.sort_by ?? 'id') as SortBy;
    const sortOrder = String(req.query.sort_order ?? 'desc') as SortOrder;
    if (!['id', 'Created_Time', 'Modified_Time'].includes(sortBy)) {
      throw new CrmError(400, CrmErrorCode.InvalidData, 'invalid data: sort_by must be id, Created_Time or Modified_Time', {
        param_name: 'sort_by', supported_values: ['id', 'Created_Time', 'Modified_Time'],
      });
    }
    if (!['asc', 'desc'].includes(sortOrder)) {
      throw new CrmError(400, CrmErrorCode.InvalidData, 'invalid data: sort_order must be asc or desc', {
        param_name: 'sort_order', supported_values: ['asc', 'desc'],
      });
    }
    // a page token is bound to the query it came from: same fields, per_page, sort and ids
    const binding = JSON.stringify([fields, perPage, sortBy, sortOrder, req.query.ids ?? null]);
    let modifiedSince = ifModifiedSince(req);
    let cursor: PageCursor | undefined;
    if (tokenRaw !== undefined) {
      cursor = store.pageTokens.get(String(tokenRaw));
      if (!cursor || cursor.orgId !== caller.orgId || cursor.userId !== caller.zohoUserId || cursor.module !== module.apiName || cursor.binding !== binding) {
        throw new CrmError(400, CrmErrorCode.TokenBoundDataMismatch, 'The page_token given seems to be invalid or input param is added or altered or deleted', {
          param_name: 'page_token',
        });
      }
      if (cursor.expiresAt <= ctx.clock.now()) {
        store.pageTokens.delete(String(tokenRaw));
        throw new CrmError(400, CrmErrorCode.ExpiredValue, 'Page token expired; start again from page 1', {
          api_name: 'page_token', json_path: '$.query.page_token',
        });
      }
      if (cursor.served >= MAX_TOKEN_REACH) {
        throw new CrmError(400, CrmErrorCode.PaginationLimitExceeded, `You can only get upto ${MAX_TOKEN_REACH} records using page_token param`, {
          param_name: 'page_token',
        });
      }
      modifiedSince = cursor.modifiedSince;
    }
    let pool = store.moduleRecords(caller.orgId, module.apiName);
    if (req.query.ids !== undefined) {
      const ids = new Set(String(req.query.ids).split(',').map((s) => s.trim()).filter(Boolean));
      if (ids.size > 100) {
        throw new CrmError(400, CrmErrorCode.LimitExceeded, 'limit exceeded: at most 100 ids can be given', { limit: 100, param_name: 'ids' });
      }
      pool = pool.filter((r) => ids.has(r.id));
    }
    if (modifiedSince !== undefined) pool = pool.filter((r) => r.modifiedTime > modifiedSince!);
    const all = sorted(pool, sortBy, sortOrder);
    let start: number;
    let end: number;
    let page: number;
    if (cursor) {
      const after = cursor.after;
      start = all.findIndex((r) => compare({ key: sortKey(r, sortBy), id: r.id }, after, sortOrder) > 0);
      if (start < 0) start = all.length;
      end = Math.min(all.length, start + perPage, start + MAX_TOKEN_REACH - cursor.served);
      page = cursor.page + 1;
    } else {
      page = intParam(req, 'page', 1, 1, Number.MAX_SAFE_INTEGER);
      start = (page - 1) * perPage;
      if (start >= limits.maxPageReach) {
        throw new CrmError(400, CrmErrorCode.DiscretePaginationLimitExceeded, `you can get only ${limits.maxPageReach} records using the page param; use page_token from info.next_page_token for the rest`, {
          limit: limits.maxPageReach, param_name: 'page',
        });
      }
      end = Math.min(all.length, start + perPage, limits.maxPageReach);
    }
    const slice = all.slice(start, end);
    if (slice.length === 0) {
      if (modifiedSince !== undefined && !cursor && page === 1) {
        res.status(304).end();
      } else {
        res.status(204).end();
      }
      return;
    }
    const moreRecords = end < all.length;
    let nextToken: string | null = null;
    let tokenExpiry: string | null = null;
    if (moreRecords) {
      const last = slice[slice.length - 1]!;
      nextToken = randomBytes(24).toString('hex');
      const expiresAt = ctx.clock.now() + limits.pageTokenTtlMs;
      store.prunePageTokens(ctx.clock.now());
      store.pageTokens.set(nextToken, {
        orgId: caller.orgId, userId: caller.zohoUserId, module: module.apiName, sortBy, sortOrder,
        after: { key: sortKey(last, sortBy), id: last.id }, page, modifiedSince, expiresAt,
        binding, served: (cursor?.served ?? start) + slice.length,
      });
      tokenExpiry = store.time(caller.orgId, expiresAt);
    }
    res.json({
      data: slice.map((r) => store.render(r, fields)),
      info: {
        per_page: perPage,
        next_page_token: nextToken,
        count: slice.length,
        sort_by: sortBy,
        page,
        previous_page_token: null,
        page_token_expiry: tokenExpiry,
        sort_order: sortOrder,
        more_records: moreRecords,
      },
    });
  });

  // --- search
  router.get('/:module/search', (req, res) => {
    const caller = callerOf(res);
    const module = moduleOf(req);
    requireScope(caller, 'modules', scopeSubs(module), 'READ');
    const fields = fieldsParam(req, false);
    const limits = ctx.limits.crm;
    const perPage = intParam(req, 'per_page', limits.maxPerPage, 1, limits.maxPerPage);
    const page = intParam(req, 'page', 1, 1, Number.MAX_SAFE_INTEGER);
    const matches = searchRecords(store, caller, module, req).slice(0, limits.maxPageReach);
    const start = (page - 1) * perPage;
    if (start >= limits.maxPageReach) {
      throw new CrmError(400, CrmErrorCode.DiscretePaginationLimitExceeded, `search returns only the first ${limits.maxPageReach} matches; narrow the criteria`, {
        limit: limits.maxPageReach, param_name: 'page',
      });
    }
    const slice = matches.slice(start, start + perPage);
    if (slice.length === 0) {
      res.status(204).end();
      return;
    }
    res.json({
      data: slice.map((r) => store.render(r, fields)),
      info: { per_page: perPage, count: slice.length, page, more_records: start + perPage < matches.length },
    });
  });

  // --- count
  router.get('/:module/actions/count', (req, res) => {
    const caller = callerOf(res);
    const module = moduleOf(req);
    requireScope(caller, 'modules', scopeSubs(module), 'READ');
    const hasSearch = ['criteria', 'email', 'phone', 'word'].some((p) => req.query[p] !== undefined);
    const count = hasSearch ? searchRecords(store, caller, module, req).length : store.moduleRecords(caller.orgId, module.apiName).length;
    res.json({ count });
  });

  // --- deleted records
  router.get('/:module/deleted', (req, res) => {
    const caller = callerOf(res);
    const module = moduleOf(req);
    requireScope(caller, 'modules', scopeSubs(module), 'READ');
    const type = String(req.query.type ?? 'all');
    if (!['all', 'recycle', 'permanent'].includes(type)) {
      throw new CrmError(400, CrmErrorCode.InvalidData, 'type must be all, recycle or permanent', { param_name: 'type' });
    }
    const limits = ctx.limits.crm;
    const perPage = intParam(req, 'per_page', limits.maxPerPage, 1, limits.maxPerPage);
    const page = intParam(req, 'page', 1, 1, Number.MAX_SAFE_INTEGER);
    const since = ifModifiedSince(req);
    const purgeBefore = ctx.clock.now() - RECYCLE_BIN_DAYS * 24 * 3600_000;
    const rows = store.deleted
      .filter((d) => d.orgId === caller.orgId && d.module === module.apiName)
      .filter((d) => since === undefined || d.deletedTime > since)
      .map((d) => ({ d, kind: d.deletedTime <= purgeBefore ? 'permanent' : 'recycle' }))
      .filter((x) => type === 'all' || x.kind === type)
      .sort((a, b) => b.d.deletedTime - a.d.deletedTime || (a.d.id < b.d.id ? 1 : -1));
    const slice = rows.slice((page - 1) * perPage, page * perPage);
    if (slice.length === 0) {
      res.status(since !== undefined && page === 1 ? 304 : 204).end();
      return;
    }
    const user = (id: string) => {
      const u = store.userById(id);
      return { name: u?.name ?? '', id };
    };
    res.json({
      data: slice.map(({ d, kind }) => ({
        deleted_by: kind === 'permanent' ? null : user(d.deletedBy),
        id: d.id,
        display_name: kind === 'permanent' ? null : d.displayName,
        type: kind,
        created_by: kind === 'permanent' ? null : user(d.createdBy),
        deleted_time: store.time(d.orgId, d.deletedTime),
      })),
      info: { per_page: perPage, count: slice.length, page, more_records: page * perPage < rows.length },
    });
  });

  // --- writes
  router.post('/:module', (req, res) => {
    const caller = callerOf(res);
    const module = moduleOf(req);
    requireScope(caller, 'modules', scopeSubs(module), 'CREATE');
    const data = dataArray(req);
    sendBatch(res, records.insert(actorOf(caller), module, data, duplicateCheckFields(req, module)), 201);
  });

  router.post('/:module/upsert', (req, res) => {
    const caller = callerOf(res);
    const module = moduleOf(req);
    requireScope(caller, 'modules', scopeSubs(module), 'CREATE');
    const data = dataArray(req);
    sendBatch(res, records.upsert(actorOf(caller, req), module, data, duplicateCheckFields(req, module)), 200);
  });

  router.put('/:module', (req, res) => {
    const caller = callerOf(res);
    const module = moduleOf(req);
    requireScope(caller, 'modules', scopeSubs(module), 'UPDATE');
    sendBatch(res, records.update(actorOf(caller, req), module, dataArray(req)), 200);
  });

  router.put('/:module/:id', (req, res) => {
    const caller = callerOf(res);
    const module = moduleOf(req);
    requireScope(caller, 'modules', scopeSubs(module), 'UPDATE');
    const data = dataArray(req);
    if (data.length !== 1) {
      throw new CrmError(400, CrmErrorCode.LimitExceeded, 'updating one record by id takes exactly one item in data', { limit: 1 });
    }
    const item = { ...(data[0] as Record<string, unknown>), id: String(req.params.id) };
    sendBatch(res, records.update(actorOf(caller, req), module, [item]), 200);
  });

  const deleteIds = (req: Request, res: Response, ids: string[]) => {
    const caller = callerOf(res);
    const module = moduleOf(req);
    requireScope(caller, 'modules', scopeSubs(module), 'DELETE');
    const max = ctx.limits.crm.maxRecordsPerWrite;
    if (ids.length > max) {
      throw new CrmError(400, CrmErrorCode.LimitExceeded, `at most ${max} ids can be deleted in one call; got ${ids.length}`, { limit: max, param_name: 'ids' });
    }
    sendBatch(res, records.delete(actorOf(caller), module, ids), 200);
  };

  router.delete('/:module', (req, res) => {
    const raw = req.query.ids;
    const ids = raw === undefined ? [] : String(raw).split(',').map((s) => s.trim()).filter(Boolean);
    if (ids.length === 0) {
      throw new CrmError(400, CrmErrorCode.RequiredParamMissing, 'required param is missing: pass ids=<id>,<id> (at most 100)', { param_name: 'ids' });
    }
    deleteIds(req, res, ids);
  });

  router.delete('/:module/:id', (req, res) => deleteIds(req, res, [String(req.params.id)]));

  // --- related records, e.g. GET /Accounts/{id}/Contacts?fields=Last_Name,Email
  router.get('/:module/:id/:related', (req, res) => {
    const caller = callerOf(res);
    const module = moduleOf(req);
    const relation = Object.entries(relatedLists[module.apiName] ?? {}).find(([name]) => name.toLowerCase() === String(req.params.related).toLowerCase())?.[1];
    if (!relation) {
      throw new CrmError(400, CrmErrorCode.NotSupported, `${module.apiName} has no related list "${String(req.params.related)}"; available: ${Object.keys(relatedLists[module.apiName] ?? {}).join(', ') || 'none'}`, {
        resource_path_index: 2,
      });
    }
    const child = crmModules[relation.module];
    requireScope(caller, 'modules', scopeSubs(module), 'READ');
    requireScope(caller, 'modules', scopeSubs(child), 'READ');
    const fields = fieldsParam(req, true);
    const parent = store.get(caller.orgId, module.apiName, String(req.params.id));
    if (!parent) throw new CrmError(404, CrmErrorCode.InvalidData, 'The record does not exist', {});
    const limits = ctx.limits.crm;
    const perPage = intParam(req, 'per_page', limits.maxPerPage, 1, limits.maxPerPage);
    const page = intParam(req, 'page', 1, 1, Number.MAX_SAFE_INTEGER);
    const start = (page - 1) * perPage;
    if (start >= limits.maxPageReach) {
      throw new CrmError(400, CrmErrorCode.DiscretePaginationLimitExceeded, `You can only get the first ${limits.maxPageReach} records without using page_token param`, { limit: limits.maxPageReach });
    }
    const related = sorted(
      store.moduleRecords(caller.orgId, child.apiName).filter((r) => r.values[relation.lookupField] === parent.id),
      'id',
      'asc',
    );
    const slice = related.slice(start, Math.min(start + perPage, limits.maxPageReach));
    if (slice.length === 0) {
      res.status(204).end();
      return;
    }
    res.json({
      data: slice.map((r) => store.render(r, fields)),
      info: { per_page: perPage, count: slice.length, page, more_records: start + perPage < related.length, next_page_token: null, previous_page_token: null, page_token_expiry: null },
    });
  });

  // --- one record
  router.get('/:module/:id', (req, res) => {
    const caller = callerOf(res);
    const module = moduleOf(req);
    requireScope(caller, 'modules', scopeSubs(module), 'READ');
    const fields = fieldsParam(req, false);
    const record = store.get(caller.orgId, module.apiName, String(req.params.id));
    if (!record) {
      res.status(204).end();
      return;
    }
    const since = ifModifiedSince(req);
    if (since !== undefined && record.modifiedTime <= since) {
      res.status(304).end();
      return;
    }
    res.json({ data: [store.render(record, fields)] });
  });
}

/** Credit cost class of a records call (for the limiter). */
export function recordCallKind(req: Request): 'read' | 'write' | 'cvid' | 'deleted' {
  if (req.method === 'GET' && /\/deleted$/.test(req.path)) return 'deleted';
  if (req.method === 'GET' && req.query.cvid !== undefined) return 'cvid';
  if (req.method === 'GET') return 'read';
  return 'write';
}
