/**
 * Record writes with Zoho's per-record results (apis.md C5): insert, update, upsert, delete of ≤100 records,
 * each record answered in request order with SUCCESS or MANDATORY_NOT_FOUND / INVALID_DATA / DUPLICATE_DATA,
 * and the HTTP status 201/200 (all succeeded), 207 (mixed) or 400 (all failed).
 */
import { crmErrorBody, CrmErrorCode } from './crm.errors.js';
import { type CrmFieldDef, type CrmModuleDef, expectedDataType } from './crm.fields.js';
import { type CrmRecord, type CrmStore, fullName } from './crm.store.js';
import type { CrmWatch } from './crm.watch.js';

export interface WriteActor {
  orgId: string;
  /** CRM user id of the token's user */
  userId: string;
  now: number;
  /** `${api_domain}/crm/v8`, for watch callbacks' resource_uri */
  apiBase: string;
  /** If-Unmodified-Since: updating a record modified after this → ALREADY_MODIFIED */
  unmodifiedSince?: number;
}

export type RecordResult = Record<string, unknown> & { status: 'success' | 'error' };

class RecordRejected extends Error {
  constructor(readonly result: RecordResult) {
    super(String(result.message));
  }
}

const reject = (code: CrmErrorCode, message: string, details: Record<string, unknown>): never => {
  throw new RecordRejected(crmErrorBody(code, message, details) as unknown as RecordResult);
};

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** HTTP status for a batch: all succeeded → `allOk`; none → 400; otherwise 207 Multi-Status. */
export function batchStatus(results: RecordResult[], allOk: number): number {
  const ok = results.filter((r) => r.status === 'success').length;
  if (ok === results.length) return allOk;
  return ok === 0 ? 400 : 207;
}

export class CrmRecords {
  constructor(
    private readonly store: CrmStore,
    private readonly watch: CrmWatch,
    private readonly nextId: () => string,
  ) {}

  private user(id: string): { name: string; id: string } {
    const u = this.store.userById(id);
    return { name: u?.name ?? '', id };
  }

  private successDetails(record: CrmRecord): Record<string, unknown> {
    return {
      Modified_Time: this.store.time(record.orgId, record.modifiedTime),
      Modified_By: this.user(record.modifiedBy),
      Created_Time: this.store.time(record.orgId, record.createdTime),
      id: record.id,
      Created_By: this.user(record.createdBy),
    };
  }

  /** Checks one field value and returns what to store. */
  private coerce(actor: WriteActor, field: CrmFieldDef, value: unknown, jsonPath: string): unknown {
    const invalid = (extra: Record<string, unknown> = {}) =>
      reject(CrmErrorCode.InvalidData, 'invalid data', {
        expected_data_type: expectedDataType(field), api_name: field.apiName, json_path: jsonPath, ...extra,
      });
    switch (field.dataType) {
      case 'text':
      case 'textarea':
      case 'phone':
      case 'website':
      case 'email':
      case 'picklist': {
        if (typeof value !== 'string') return invalid();
        if (field.length && value.length > field.length) return invalid({ maximum_length: field.length });
        if (field.dataType === 'email' && value !== '' && !emailPattern.test(value)) return invalid();
        if (field.dataType === 'picklist' && field.restricted && !field.picklist?.includes(value)) return invalid();
        return value;
      }
      case 'boolean':
        return typeof value === 'boolean' ? value : invalid();
      case 'integer': {
        const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
        return typeof n === 'number' && Number.isInteger(n) ? n : invalid();
      }
      case 'double':
      case 'currency': {
        const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
        return typeof n === 'number' && Number.isFinite(n) ? n : invalid();
      }
      case 'date':
        return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)) ? value : invalid();
      case 'datetime':
        return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(value) && !Number.isNaN(Date.parse(value))
          ? value
          : invalid();
      case 'lookup': {
        const id = typeof value === 'string' ? value : (value as { id?: unknown } | null)?.id;
        if (typeof id !== 'string' && typeof id !== 'number') return invalid();
        const target = field.lookupModule ? this.store.get(actor.orgId, field.lookupModule, String(id)) : undefined;
        if (!target) return invalid({ expected_data_type: 'lookup' });
        return target.id;
      }
      case 'ownerlookup': {
        const id = typeof value === 'string' ? value : (value as { id?: unknown } | null)?.id;
        const user = this.store.orgUsers(actor.orgId).find((u) => u.id === String(id));
        return user ? user.id : invalid();
      }
    }
  }

  /** Validated values to write from one input item: unknown field API names are refused, read-only fields ignored. */
  private valuesFrom(actor: WriteActor, module: CrmModuleDef, item: unknown, index: number, mode: 'insert' | 'update'): Record<string, unknown> {
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      reject(CrmErrorCode.InvalidData, 'invalid data', { expected_data_type: 'jsonobject', json_path: `$.data[${index}]` });
    }
    const input = item as Record<string, unknown>;
    for (const key of Object.keys(input)) {
      if (key === 'id' || key.startsWith('$') || module.fields.some((f) => f.apiName === key)) continue;
      reject(CrmErrorCode.InvalidData, 'the field api name given seems to be invalid', { api_name: key, json_path: `$.data[${index}].${key}` });
    }
    const values: Record<string, unknown> = {};
    for (const field of module.fields) {
      if (field.readOnly || !(field.apiName in input)) continue;
      const jsonPath = `$.data[${index}].${field.apiName}`;
      const value = input[field.apiName];
      if (value === null || value === '' || (field.dataType === 'picklist' && value === '-None-' && !field.restricted)) {
        if (field.mandatory) reject(CrmErrorCode.MandatoryNotFound, 'required field not found', { api_name: field.apiName, json_path: jsonPath });
        values[field.apiName] = null;
        continue;
      }
      values[field.apiName] = this.coerce(actor, field, value, jsonPath);
    }
    if (mode === 'insert') {
      for (const field of module.fields) {
        if (field.mandatory && (values[field.apiName] === undefined || values[field.apiName] === null)) {
          reject(CrmErrorCode.MandatoryNotFound, 'required field not found', {
            api_name: field.apiName, json_path: `$.data[${index}].${field.apiName}`,
          });
        }
      }
    }
    return values;
  }

  private sameValue(a: unknown, b: unknown): boolean {
    if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
    return a === b;
  }

  private matching(orgId: string, module: CrmModuleDef, apiName: string, value: unknown, exceptId?: string): CrmRecord[] {
    if (value === undefined || value === null || value === '') return [];
    return this.store
      .moduleRecords(orgId, module.apiName)
      .filter((r) => r.id !== exceptId && this.sameValue(r.values[apiName], value));
  }

  private duplicateDetails(module: CrmModuleDef, apiName: string, index: number, duplicates: CrmRecord[]): Record<string, unknown> {
    const duplicate = duplicates[0]!;
    const owner = this.store.userById(String(duplicate.values.Owner ?? duplicate.createdBy));
    return {
      api_name: apiName,
      json_path: `$.data[${index}].${apiName}`,
      id: duplicate.id,
      duplicate_record: {
        id: duplicate.id,
        module: { api_name: module.apiName, id: module.moduleId },
        Owner: { name: owner?.name ?? '', id: owner?.id ?? '', zuid: owner?.id ?? '' },
      },
      more_records: duplicates.length > 1,
    };
  }

  /** ALREADY_MODIFIED when If-Unmodified-Since is older than the record's last change. */
  private checkUnmodified(actor: WriteActor, record: CrmRecord): void {
    if (actor.unmodifiedSince === undefined || record.modifiedTime <= actor.unmodifiedSince) return;
    throw new RecordRejected({
      code: CrmErrorCode.AlreadyModified,
      details: this.successDetails(record),
      message: 'the record was modified after the time given in If-Unmodified-Since',
      status: 'error',
    });
  }

  /** DUPLICATE_DATA when a unique field (or a requested duplicate-check field) already holds the value. */
  private checkDuplicates(actor: WriteActor, module: CrmModuleDef, values: Record<string, unknown>, index: number, extraFields: string[], exceptId?: string): void {
    const fields = new Set([...module.fields.filter((f) => f.unique).map((f) => f.apiName), ...extraFields]);
    for (const apiName of fields) {
      if (!(apiName in values)) continue;
      const duplicates = this.matching(actor.orgId, module, apiName, values[apiName], exceptId);
      if (duplicates.length > 0) reject(CrmErrorCode.DuplicateData, 'duplicate data', this.duplicateDetails(module, apiName, index, duplicates));
    }
  }

  private create(actor: WriteActor, module: CrmModuleDef, values: Record<string, unknown>): CrmRecord {
    const record: CrmRecord = {
      id: this.nextId(),
      orgId: actor.orgId,
      module: module.apiName,
      values: { Owner: actor.userId, ...values },
      createdTime: actor.now,
      modifiedTime: actor.now,
      createdBy: actor.userId,
      modifiedBy: actor.userId,
    };
    if (record.values.Owner === null) record.values.Owner = actor.userId;
    this.store.records.set(record.id, record);
    return record;
  }

  /** Applies values; returns the fields whose value actually changed. */
  private apply(actor: WriteActor, record: CrmRecord, values: Record<string, unknown>): Record<string, unknown> {
    const changed: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(values)) {
      if (record.values[k] !== v) changed[k] = v;
      record.values[k] = v;
    }
    if (record.values.Owner === null) record.values.Owner = actor.userId;
    record.modifiedTime = actor.now;
    record.modifiedBy = actor.userId;
    if (record.module === 'Contacts' && ('First_Name' in changed || 'Last_Name' in changed)) changed.Full_Name = fullName(record.values);
    return changed;
  }

  private run(index: number, body: () => RecordResult): RecordResult {
    try {
      return body();
    } catch (error) {
      if (error instanceof RecordRejected) return error.result;
      throw error;
    }
  }

  insert(actor: WriteActor, module: CrmModuleDef, items: unknown[], duplicateCheckFields: string[] = []): RecordResult[] {
    const created: string[] = [];
    const results = items.map((item, index) =>
      this.run(index, () => {
        const values = this.valuesFrom(actor, module, item, index, 'insert');
        this.checkDuplicates(actor, module, values, index, duplicateCheckFields);
        const record = this.create(actor, module, values);
        created.push(record.id);
        return { code: 'SUCCESS', details: this.successDetails(record), message: 'record added', status: 'success' };
      }),
    );
    this.watch.notify(actor.orgId, module.apiName, 'create', created, actor.apiBase);
    return results;
  }

  update(actor: WriteActor, module: CrmModuleDef, items: unknown[]): RecordResult[] {
    const changes = new Map<string, Record<string, unknown>>();
    const results = items.map((item, index) =>
      this.run(index, () => {
        const rawId = (item as { id?: unknown } | null)?.id;
        if (rawId === undefined || rawId === null || rawId === '') {
          reject(CrmErrorCode.MandatoryNotFound, 'required field not found', { api_name: 'id', json_path: `$.data[${index}].id` });
        }
        const record = this.store.get(actor.orgId, module.apiName, String(rawId));
        if (!record) {
          reject(CrmErrorCode.InvalidData, 'the id given seems to be invalid', {
            api_name: 'id', json_path: `$.data[${index}].id`, expected_data_type: 'bigint',
          });
        }
        this.checkUnmodified(actor, record!);
        const values = this.valuesFrom(actor, module, item, index, 'update');
        this.checkDuplicates(actor, module, values, index, [], record!.id);
        const changed = this.apply(actor, record!, values);
        changes.set(record!.id, { ...(changes.get(record!.id) ?? {}), ...changed });
        return { code: 'SUCCESS', details: this.successDetails(record!), message: 'record updated', status: 'success' };
      }),
    );
    this.watch.notify(actor.orgId, module.apiName, 'edit', [...changes.keys()], actor.apiBase, changes);
    return results;
  }

  /**
   * Insert-or-update by duplicate_check_fields (default: the module's system field, then its unique fields).
   * The first field with a match decides; several records matching that field → DUPLICATE_DATA with
   * `more_records: true` (Zoho does not document this case; apis.md G4).
   */
  upsert(actor: WriteActor, module: CrmModuleDef, items: unknown[], duplicateCheckFields?: string[]): RecordResult[] {
    const checkFields = duplicateCheckFields ?? [
      ...module.defaultDuplicateCheck,
      ...module.fields.filter((f) => f.unique && !module.defaultDuplicateCheck.includes(f.apiName)).map((f) => f.apiName),
    ];
    const created: string[] = [];
    const changes = new Map<string, Record<string, unknown>>();
    const results = items.map((item, index) =>
      this.run(index, () => {
        const partial = this.valuesFrom(actor, module, item, index, 'update');
        let target: CrmRecord | undefined;
        let duplicateField: string | null = null;
        for (const apiName of checkFields) {
          const matches = this.matching(actor.orgId, module, apiName, partial[apiName]);
          if (matches.length > 1) {
            reject(CrmErrorCode.DuplicateData, 'duplicate data: more than one record matches the duplicate check field, so upsert cannot choose',
              this.duplicateDetails(module, apiName, index, matches));
          }
          if (matches.length === 1) {
            target = matches[0];
            duplicateField = apiName;
            break;
          }
        }
        if (target) {
          this.checkUnmodified(actor, target);
          this.checkDuplicates(actor, module, partial, index, [], target.id);
          const changed = this.apply(actor, target, partial);
          changes.set(target.id, { ...(changes.get(target.id) ?? {}), ...changed });
          return {
            code: 'SUCCESS', duplicate_field: duplicateField, action: 'update',
            details: this.successDetails(target), message: 'record updated', status: 'success',
          };
        }
        const values = this.valuesFrom(actor, module, item, index, 'insert');
        this.checkDuplicates(actor, module, values, index, []);
        const record = this.create(actor, module, values);
        created.push(record.id);
        // Zoho's own example names the checked field on inserts too; null when the record carried none of them
        const checked = checkFields.find((f) => partial[f] !== undefined && partial[f] !== null) ?? null;
        return {
          code: 'SUCCESS', duplicate_field: checked, action: 'insert',
          details: this.successDetails(record), message: 'record added', status: 'success',
        };
      }),
    );
    this.watch.notify(actor.orgId, module.apiName, 'create', created, actor.apiBase);
    this.watch.notify(actor.orgId, module.apiName, 'edit', [...changes.keys()], actor.apiBase, changes);
    return results;
  }

  delete(actor: WriteActor, module: CrmModuleDef, ids: string[]): RecordResult[] {
    const deleted: string[] = [];
    const results = ids.map((id) => {
      const record = this.store.get(actor.orgId, module.apiName, id);
      if (!record) {
        return { code: 'INVALID_DATA', details: { id }, message: 'record not deleted', status: 'error' } as RecordResult;
      }
      this.store.records.delete(id);
      this.store.deleted.push({
        id,
        orgId: actor.orgId,
        module: module.apiName,
        displayName: this.store.displayName(record),
        createdBy: record.createdBy,
        deletedBy: actor.userId,
        deletedTime: actor.now,
      });
      deleted.push(id);
      return { code: 'SUCCESS', details: { id }, message: 'record deleted', status: 'success' } as RecordResult;
    });
    this.watch.notify(actor.orgId, module.apiName, 'delete', deleted, actor.apiBase);
    return results;
  }

  /** Seeding helper: creates a record without HTTP (values must already be valid). */
  seedRecord(actor: WriteActor, module: CrmModuleDef, values: Record<string, unknown>): CrmRecord {
    return this.create(actor, module, values);
  }
}

