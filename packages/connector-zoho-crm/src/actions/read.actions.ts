// Read actions: one record, search, list (page then page_token past 2,000), deleted records, counts, COQL.
import { ConnectorError, defineAction, type JsonSchema, type QueryValue } from '@braid/connector-sdk';
import { buildCriteria, CRITERIA_OPERATORS, MAX_CRITERIA_CONDITIONS, type CriteriaCondition } from '../crm.criteria.js';
import {
  MAX_PER_PAGE,
  PAGE_REACH,
  collectRecords,
  crmGet,
  heavyCall,
  isoHeader,
  modulePath,
  withCrmErrors,
} from '../crm.http.js';
import { resolveFields } from '../crm.metadata.js';
import { fieldsProperty, moduleProperty, recordSchema, sampleAccountRecord } from '../crm.schemas.js';

type CrmRecord = Record<string, unknown> & { id: string };

const listOutput = (extra: Record<string, JsonSchema> = {}): JsonSchema => ({
  type: 'object',
  required: ['records', 'count', 'truncated'],
  properties: {
    records: { type: 'array', title: 'Records', items: recordSchema },
    count: { type: 'integer', title: 'Records returned' },
    truncated: { type: 'boolean', title: 'More records exist beyond the limit' },
    ...extra,
  },
  additionalProperties: false,
});

// ----- get_record

interface GetInput {
  module: string;
  id: string;
  fields?: string[];
  failIfMissing: boolean;
}

export const getRecordAction = defineAction<GetInput, { found: boolean; record: CrmRecord | null }>({
  key: 'get_record',
  title: 'Get record',
  description: 'Reads one record of any module by id. A missing (or deleted) record gives found = false, or fails the step if you ask for that.',
  input: {
    type: 'object',
    required: ['module', 'id'],
    properties: {
      module: moduleProperty(),
      id: { type: 'string', title: 'Record id', description: 'The CRM record id (digits).', pattern: '^[0-9]{1,25}$' },
      fields: fieldsProperty,
      failIfMissing: { type: 'boolean', title: 'Fail if missing', description: 'Fail the step (NOT_FOUND) instead of returning found = false.', default: false },
    },
    additionalProperties: false,
  },
  output: {
    type: 'object',
    required: ['found', 'record'],
    properties: {
      found: { type: 'boolean', title: 'Found' },
      record: { anyOf: [recordSchema, { type: 'null' }], title: 'Record' },
    },
    additionalProperties: false,
  },
  sampleOutput: { found: true, record: sampleAccountRecord },
  classification: 'read',
  idempotent: true,
  dynamicOptions: { '/module': { optionsKey: 'modules' }, '/fields/items': { optionsKey: 'fields', dependsOn: ['module'] } },
  run: (ctx, input) =>
    withCrmErrors(ctx, async () => {
      const query: Record<string, QueryValue> = {};
      if (input.fields?.length) query.fields = input.fields.join(',');
      const { body } = await crmGet<CrmRecord>(ctx, `${modulePath(input.module)}/${encodeURIComponent(input.id)}`, query);
      const record = Array.isArray(body.data) ? body.data[0] : undefined;
      if (!record) {
        if (input.failIfMissing) {
          throw new ConnectorError('NOT_FOUND', `Zoho CRM has no ${input.module} record with id ${input.id} (it may have been deleted).`, {
            retryable: false,
          });
        }
        return { found: false, record: null };
      }
      return { found: true, record: { ...record, id: String(record.id) } };
    }),
});

// ----- search_records

interface SearchInput {
  module: string;
  conditions?: CriteriaCondition[];
  match: 'and' | 'or';
  criteria?: string;
  email?: string;
  phone?: string;
  word?: string;
  fields?: string[];
  limit: number;
}

export const searchRecordsAction = defineAction<SearchInput, { records: CrmRecord[]; count: number; truncated: boolean; criteria: string | null }>({
  key: 'search_records',
  title: 'Search records',
  description:
    'Finds records by conditions (field, operator, value — values are escaped for you), a raw criteria string, an ' +
    'email, a phone number or a word. CRM search reaches the first 2,000 matches; no match gives an empty list.',
  input: {
    type: 'object',
    required: ['module'],
    properties: {
      module: moduleProperty(),
      conditions: {
        type: 'array',
        title: 'Conditions',
        description: `Up to ${MAX_CRITERIA_CONDITIONS} conditions, joined by "Match".`,
        maxItems: MAX_CRITERIA_CONDITIONS,
        items: {
          type: 'object',
          title: 'Condition',
          required: ['field', 'operator', 'value'],
          properties: {
            field: { type: 'string', title: 'Field', pattern: '^[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z][A-Za-z0-9_]*)?$' },
            operator: { type: 'string', title: 'Operator', enum: [...CRITERIA_OPERATORS], default: 'equals' },
            value: {
              title: 'Value',
              description: 'One value; a list for in / not_in; two values for between.',
              anyOf: [
                { type: 'string' },
                { type: 'number' },
                { type: 'boolean' },
                { type: 'array', items: { type: ['string', 'number', 'boolean'] }, minItems: 1, maxItems: 50 },
              ],
            },
          },
          additionalProperties: false,
        },
      },
      match: { type: 'string', title: 'Match', description: 'all conditions (and) or any (or).', enum: ['and', 'or'], default: 'and' },
      criteria: {
        type: 'string',
        title: 'Raw criteria',
        description: 'Instead of conditions: a CRM criteria string like ((Email:equals:a@b.com)and(Account_Name:starts_with:Zyl)). You escape values yourself.',
        maxLength: 4000,
      },
      email: { type: 'string', title: 'Email', description: 'Records whose email fields equal this.', maxLength: 200 },
      phone: { type: 'string', title: 'Phone', description: 'Records whose phone fields match this number.', maxLength: 50 },
      word: { type: 'string', title: 'Word', description: 'Records containing this text in any text field.', maxLength: 200 },
      fields: fieldsProperty,
      limit: { type: 'integer', title: 'Limit', description: `At most this many records (≤ ${PAGE_REACH}).`, minimum: 1, maximum: PAGE_REACH, default: 200 },
    },
    additionalProperties: false,
  },
  output: listOutput({ criteria: { type: ['string', 'null'], title: 'Criteria sent' } }),
  sampleOutput: { records: [sampleAccountRecord], count: 1, truncated: false, criteria: '(Account_Name:equals:Zylker Inc)' },
  classification: 'read',
  idempotent: true,
  dynamicOptions: {
    '/module': { optionsKey: 'modules' },
    '/conditions/items/field': { optionsKey: 'fields', dependsOn: ['module'] },
    '/fields/items': { optionsKey: 'fields', dependsOn: ['module'] },
  },
  run: (ctx, input) =>
    withCrmErrors(ctx, async () => {
      const query: Record<string, QueryValue> = {};
      let criteria: string | null = null;
      if (input.conditions && input.conditions.length > 0) {
        if (input.criteria) {
          throw new ConnectorError('INVALID_INPUT', 'Give either conditions or a raw criteria string, not both.', {
            retryable: false,
            issues: [{ pointer: '/criteria', message: 'cannot be combined with conditions' }],
          });
        }
        criteria = buildCriteria(input.conditions, input.match);
      } else if (input.criteria) {
        criteria = input.criteria;
      }
      if (criteria) query.criteria = criteria;
      if (input.email) query.email = input.email;
      if (input.phone) query.phone = input.phone;
      if (input.word) query.word = input.word;
      if (Object.keys(query).length === 0) {
        throw new ConnectorError('INVALID_INPUT', 'Search needs conditions, criteria, an email, a phone number or a word.', {
          retryable: false,
          issues: [{ pointer: '/conditions', message: 'give conditions, criteria, email, phone or word' }],
        });
      }
      if (input.fields?.length) query.fields = input.fields.join(',');
      const perPage = Math.min(MAX_PER_PAGE, input.limit + 1);
      const records: CrmRecord[] = [];
      let truncated = false;
      for (let page = 1; (page - 1) * perPage < PAGE_REACH; page += 1) {
        const { body } = await heavyCall(ctx, () => crmGet<CrmRecord>(ctx, `${modulePath(input.module)}/search`, { ...query, page, per_page: perPage }));
        const rows = Array.isArray(body.data) ? body.data : [];
        for (const row of rows) {
          if (records.length >= input.limit) {
            truncated = true;
            break;
          }
          records.push({ ...row, id: String(row.id) });
        }
        if (truncated || !body.info?.more_records || rows.length === 0) break;
        if (records.length >= input.limit) {
          truncated = true;
          break;
        }
      }
      return { records, count: records.length, truncated, criteria };
    }),
});

// ----- list_records

interface ListInput {
  module: string;
  fields?: string[];
  modifiedSince?: string;
  sortBy: 'id' | 'Created_Time' | 'Modified_Time';
  sortOrder: 'asc' | 'desc';
  limit: number;
}

export const listRecordsAction = defineAction<ListInput, { records: CrmRecord[]; count: number; truncated: boolean; notModified: boolean }>({
  key: 'list_records',
  title: 'List records',
  description:
    'Reads records of a module, optionally only those modified since a time, 200 per call: page numbers for the ' +
    'first 2,000 records, then CRM page tokens (up to 100,000). Stops at the limit and says whether more exist.',
  input: {
    type: 'object',
    required: ['module'],
    properties: {
      module: moduleProperty(),
      fields: fieldsProperty,
      modifiedSince: {
        type: 'string',
        title: 'Modified since',
        description: 'Only records changed after this time (ISO 8601). Nothing changed → an empty list with notModified.',
        format: 'date-time',
      },
      sortBy: { type: 'string', title: 'Sort by', enum: ['id', 'Created_Time', 'Modified_Time'], default: 'id' },
      sortOrder: { type: 'string', title: 'Sort order', enum: ['asc', 'desc'], default: 'asc' },
      limit: { type: 'integer', title: 'Limit', description: 'At most this many records (default 1,000).', minimum: 1, maximum: 100_000, default: 1000 },
    },
    additionalProperties: false,
  },
  output: listOutput({ notModified: { type: 'boolean', title: 'Nothing modified since the given time' } }),
  sampleOutput: { records: [sampleAccountRecord], count: 1, truncated: false, notModified: false },
  classification: 'read',
  idempotent: true,
  dynamicOptions: { '/module': { optionsKey: 'modules' }, '/fields/items': { optionsKey: 'fields', dependsOn: ['module'] } },
  run: (ctx, input) =>
    withCrmErrors(ctx, async () => {
      const fields = await resolveFields(ctx, input.module, input.fields, ['Modified_Time']);
      const headers: Record<string, string> = input.modifiedSince ? { 'if-modified-since': isoHeader(input.modifiedSince) } : {};
      const { records, truncated, notModified } = await collectRecords<CrmRecord>(
        ctx,
        modulePath(input.module),
        { fields: fields.join(','), sort_by: input.sortBy, sort_order: input.sortOrder },
        input.limit,
        headers,
      );
      return { records: records.map((r) => ({ ...r, id: String(r.id) })), count: records.length, truncated, notModified };
    }),
});

// ----- list_deleted_records

interface DeletedInput {
  module: string;
  type: 'all' | 'recycle' | 'permanent';
  deletedSince?: string;
  limit: number;
}

export interface DeletedRecord {
  id: string;
  displayName: string | null;
  type: string;
  deletedTime: string;
  deletedBy: string | null;
}

const deletedRecordSchema: JsonSchema = {
  type: 'object',
  required: ['id', 'displayName', 'type', 'deletedTime', 'deletedBy'],
  properties: {
    id: { type: 'string' },
    displayName: { type: ['string', 'null'] },
    type: { type: 'string', title: 'recycle or permanent' },
    deletedTime: { type: 'string' },
    deletedBy: { type: ['string', 'null'], title: 'Name of the user who deleted it' },
  },
  additionalProperties: false,
};

interface RawDeleted {
  id?: unknown;
  display_name?: unknown;
  type?: unknown;
  deleted_time?: unknown;
  deleted_by?: { name?: unknown } | null;
}

export function toDeletedRecord(raw: RawDeleted): DeletedRecord {
  return {
    id: String(raw.id),
    displayName: typeof raw.display_name === 'string' ? raw.display_name : null,
    type: typeof raw.type === 'string' ? raw.type : 'recycle',
    deletedTime: String(raw.deleted_time ?? ''),
    deletedBy: raw.deleted_by && typeof raw.deleted_by.name === 'string' ? raw.deleted_by.name : null,
  };
}

/** Deleted records (newest first as CRM sends them), optionally only those deleted after `since`. */
export async function fetchDeleted(
  ctx: Parameters<typeof crmGet>[0],
  module: string,
  type: string,
  since: string | undefined,
  limit: number,
): Promise<{ records: DeletedRecord[]; truncated: boolean }> {
  const headers: Record<string, string> = since ? { 'if-modified-since': isoHeader(since) } : {};
  const records: DeletedRecord[] = [];
  for (let page = 1; page <= 500; page += 1) {
    const { body } = await crmGet<RawDeleted>(ctx, `${modulePath(module)}/deleted`, { type, page, per_page: MAX_PER_PAGE }, { headers });
    const rows = Array.isArray(body.data) ? body.data : [];
    for (const row of rows) {
      if (records.length >= limit) return { records, truncated: true };
      records.push(toDeletedRecord(row));
    }
    if (!body.info?.more_records || rows.length === 0) return { records, truncated: false };
  }
  return { records, truncated: true };
}

export const listDeletedRecordsAction = defineAction<DeletedInput, { records: DeletedRecord[]; count: number; truncated: boolean }>({
  key: 'list_deleted_records',
  title: 'List deleted records',
  description: 'Lists records deleted from a module (recycle bin and permanently deleted), optionally only those deleted after a time.',
  input: {
    type: 'object',
    required: ['module'],
    properties: {
      module: moduleProperty(),
      type: { type: 'string', title: 'Type', description: 'all, recycle (still restorable) or permanent.', enum: ['all', 'recycle', 'permanent'], default: 'all' },
      deletedSince: { type: 'string', title: 'Deleted since', description: 'Only records deleted after this time (ISO 8601).', format: 'date-time' },
      limit: { type: 'integer', title: 'Limit', minimum: 1, maximum: 100_000, default: 1000 },
    },
    additionalProperties: false,
  },
  output: {
    type: 'object',
    required: ['records', 'count', 'truncated'],
    properties: {
      records: { type: 'array', items: deletedRecordSchema },
      count: { type: 'integer' },
      truncated: { type: 'boolean' },
    },
    additionalProperties: false,
  },
  sampleOutput: {
    records: [{ id: '5725767000000512001', displayName: 'Zylker Inc', type: 'recycle', deletedTime: '2024-05-03T11:00:00-05:00', deletedBy: 'Demo User' }],
    count: 1,
    truncated: false,
  },
  classification: 'read',
  idempotent: true,
  dynamicOptions: { '/module': { optionsKey: 'modules' } },
  run: (ctx, input) =>
    withCrmErrors(ctx, async () => {
      const { records, truncated } = await fetchDeleted(ctx, input.module, input.type, input.deletedSince, input.limit);
      return { records, count: records.length, truncated };
    }),
});

// ----- count_records

export const countRecordsAction = defineAction<{ module: string; criteria?: string }, { count: number }>({
  key: 'count_records',
  title: 'Count records',
  description: 'Counts the records of a module (all, or those matching a criteria string) — e.g. the total for an initial sync\'s progress.',
  input: {
    type: 'object',
    required: ['module'],
    properties: {
      module: moduleProperty(),
      criteria: { type: 'string', title: 'Criteria', description: 'Optional CRM criteria, e.g. (Currency:equals:EUR).', maxLength: 4000 },
    },
    additionalProperties: false,
  },
  output: { type: 'object', required: ['count'], properties: { count: { type: 'integer', minimum: 0 } }, additionalProperties: false },
  sampleOutput: { count: 2500 },
  classification: 'read',
  idempotent: true,
  dynamicOptions: { '/module': { optionsKey: 'modules' } },
  run: (ctx, input) =>
    withCrmErrors(ctx, async () => {
      const { body } = await crmGet<never>(ctx, `${modulePath(input.module)}/actions/count`, input.criteria ? { criteria: input.criteria } : {});
      const count = (body as { count?: unknown }).count;
      return { count: typeof count === 'number' ? count : 0 };
    }),
});

// ----- coql_query

export const coqlQueryAction = defineAction<{ query: string }, { records: Array<Record<string, unknown>>; count: number; moreRecords: boolean }>({
  key: 'coql_query',
  title: 'Query records (COQL)',
  description:
    'Runs a read-only CRM Object Query Language statement, e.g. select Last_Name, Email from Contacts where ' +
    "Account_Name = '123' limit 0, 200 (≤ 2,000 rows per call; page with LIMIT offset, count).",
  input: {
    type: 'object',
    required: ['query'],
    properties: {
      query: { type: 'string', title: 'Query', description: 'A COQL select statement.', minLength: 10, maxLength: 10_000, pattern: '^\\s*[sS][eE][lL][eE][cC][tT]\\s' },
    },
    additionalProperties: false,
  },
  output: {
    type: 'object',
    required: ['records', 'count', 'moreRecords'],
    properties: {
      records: { type: 'array', items: { type: 'object', additionalProperties: true } },
      count: { type: 'integer' },
      moreRecords: { type: 'boolean' },
    },
    additionalProperties: false,
  },
  sampleOutput: { records: [{ id: '5725767000000513001', Last_Name: 'Lovelace', Email: 'ada@zylker.example' }], count: 1, moreRecords: false },
  classification: 'read',
  idempotent: true,
  run: (ctx, input) =>
    withCrmErrors(ctx, async () => {
      const response = await heavyCall(ctx, () =>
        ctx.http.post<{ data?: Array<Record<string, unknown>>; info?: { more_records?: boolean } } | null>(
          '/coql',
          { select_query: input.query },
          { expect: [200, 204], retrySafe: true },
        ),
      );
      const records = response.status === 204 ? [] : (response.body?.data ?? []);
      return { records, count: records.length, moreRecords: response.body?.info?.more_records === true };
    }),
});

