// Write actions: upsert / insert / update / delete records of any module in batches, plus typed single-record
// upserts for the two modules every sync touches (Accounts, Contacts).
import { ConnectorError, defineAction, type ConnectorContext, type JsonSchema } from '@braid/connector-sdk';
import { FIELD_PATTERN, withCrmErrors } from '../crm.http.js';
import {
  failOnAnyErrorProperty,
  moduleProperty,
  sampleWriteOutput,
  triggerProperty,
  writeOutputSchema,
  writeResultSchema,
} from '../crm.schemas.js';
import { writeRecords, type WriteOperation, type WriteOutput, type WriteResult } from './records.write.js';

const recordsProperty = (description: string, requireId = false): JsonSchema => ({
  type: 'array',
  title: 'Records',
  description,
  minItems: 1,
  maxItems: 100_000,
  items: {
    type: 'object',
    title: 'Record',
    description: 'Field API name → value (lookups as {"id": "…"}).',
    ...(requireId ? { required: ['id'], properties: { id: { type: 'string', title: 'Record id', minLength: 1 } } } : {}),
    additionalProperties: true,
  },
});

const duplicateCheckProperty: JsonSchema = {
  type: 'array',
  title: 'Duplicate check fields',
  description:
    'Field API names that identify an existing record (e.g. Email, or a unique custom field such as Togai_Customer_Id). ' +
    'Default: the module\'s own (Accounts: Account_Name, Contacts: Email, custom modules: Name) and its unique fields.',
  items: { type: 'string', title: 'Field', pattern: FIELD_PATTERN },
  uniqueItems: true,
  maxItems: 10,
};

interface BatchInput {
  module: string;
  records: Array<Record<string, unknown>>;
  duplicateCheckFields?: string[];
  trigger?: string[];
  failOnAnyError: boolean;
}

function batchAction(operation: Exclude<WriteOperation, 'delete'>, meta: { key: string; title: string; description: string; idempotent: boolean }) {
  const properties: Record<string, JsonSchema> = {
    module: moduleProperty(),
    records: recordsProperty(
      operation === 'update'
        ? 'Records to change; each needs its `id` and the fields to set. Sent 100 per call.'
        : 'Records to write, field API name → value. Any number; sent 100 per call.',
      operation === 'update',
    ),
  };
  if (operation !== 'update') properties.duplicateCheckFields = duplicateCheckProperty;
  properties.trigger = triggerProperty;
  properties.failOnAnyError = failOnAnyErrorProperty;
  return defineAction<BatchInput, WriteOutput>({
    key: meta.key,
    title: meta.title,
    description: meta.description,
    input: { type: 'object', required: ['module', 'records'], properties, additionalProperties: false },
    output: writeOutputSchema,
    sampleOutput: sampleWriteOutput,
    classification: 'write',
    idempotent: meta.idempotent,
    dynamicOptions: {
      '/module': { optionsKey: 'modules' },
      ...(operation !== 'update' ? { '/duplicateCheckFields/items': { optionsKey: 'fields', dependsOn: ['module'] } } : {}),
    },
    run: (ctx, input) =>
      withCrmErrors(ctx, () =>
        writeRecords(ctx, {
          module: input.module,
          operation,
          records: input.records,
          ...(input.duplicateCheckFields ? { duplicateCheckFields: input.duplicateCheckFields } : {}),
          ...(input.trigger ? { trigger: input.trigger } : {}),
          failOnAnyError: input.failOnAnyError,
        }),
      ),
  });
}

export const upsertRecordsAction = batchAction('upsert', {
  key: 'upsert_records',
  title: 'Upsert records',
  description:
    'Creates or updates records of any module, matched by the duplicate check fields, 100 per call. Each record gets ' +
    'its own result (inserted, updated or the error with the field). Safe to retry: use this for writes that may repeat.',
  idempotent: true,
});

export const insertRecordsAction = batchAction('insert', {
  key: 'insert_records',
  title: 'Insert records',
  description:
    'Creates records of any module, 100 per call, each with its own result. Zoho CRM has no idempotency key, so a ' +
    'retried insert can create duplicates: prefer "Upsert records" when the step may run twice.',
  idempotent: false,
});

export const updateRecordsAction = batchAction('update', {
  key: 'update_records',
  title: 'Update records',
  description: 'Changes existing records by id (any module), 100 per call; each record gets its own result.',
  idempotent: true,
});

interface DeleteInput {
  module: string;
  ids: string[];
  triggerWorkflows: boolean;
  failOnAnyError: boolean;
}

export const deleteRecordsAction = defineAction<DeleteInput, WriteOutput>({
  key: 'delete_records',
  title: 'Delete records',
  description: 'Moves records to the CRM recycle bin by id, 100 per call; each id gets its own result.',
  input: {
    type: 'object',
    required: ['module', 'ids'],
    properties: {
      module: moduleProperty(),
      ids: {
        type: 'array',
        title: 'Record ids',
        description: 'Ids of the records to delete.',
        minItems: 1,
        items: { type: 'string', title: 'Record id', pattern: '^[0-9]{1,25}$' },
        uniqueItems: true,
      },
      triggerWorkflows: {
        type: 'boolean',
        title: 'Run workflow rules',
        description: 'Let CRM run its delete workflow rules (default on).',
        default: true,
      },
      failOnAnyError: failOnAnyErrorProperty,
    },
    additionalProperties: false,
  },
  output: writeOutputSchema,
  sampleOutput: {
    results: [{ index: 0, status: 'success', id: '5725767000000512001', action: 'delete' }],
    summary: { total: 1, succeeded: 1, failed: 0, inserted: 0, updated: 0, deleted: 1, calls: 1 },
  },
  classification: 'delete',
  idempotent: true,
  dynamicOptions: { '/module': { optionsKey: 'modules' } },
  run: (ctx, input) =>
    withCrmErrors(ctx, () =>
      writeRecords(ctx, {
        module: input.module,
        operation: 'delete',
        ids: input.ids,
        triggerWorkflows: input.triggerWorkflows,
        failOnAnyError: input.failOnAnyError,
      }),
    ),
});

// ----- typed single-record upserts

/**
 * flow-model's MANDATORY_TARGETS_KEYWORD: the fields a field mapper feeding this action (upsert with link → create)
 * must map; publishing a flow whose mapper lacks one fails naming it.
 */
export const MANDATORY_TARGETS = 'x-braid-mandatory-targets';

const str = (title: string, description?: string, maxLength = 255): JsonSchema => ({
  type: 'string',
  title,
  ...(description ? { description } : {}),
  maxLength,
});

const singleResultSchema: JsonSchema = {
  ...writeResultSchema,
  required: ['index', 'status', 'id', 'action'],
};

async function upsertOne(
  ctx: ConnectorContext,
  module: string,
  record: Record<string, unknown>,
  duplicateCheckFields: string[] | undefined,
  trigger: string[] | undefined,
): Promise<WriteResult> {
  const { results } = await writeRecords(ctx, {
    module,
    operation: 'upsert',
    records: [record],
    ...(duplicateCheckFields?.length ? { duplicateCheckFields } : {}),
    ...(trigger ? { trigger } : {}),
  });
  const result = results[0]!;
  if (result.status === 'error') {
    throw new ConnectorError(
      'VALIDATION',
      `Zoho CRM did not save the ${module === 'Accounts' ? 'account' : module === 'Contacts' ? 'contact' : 'record'}: ${result.code} ${result.message}. Fix the input and run the step again.`,
      {
        retryable: false,
        ...(result.field ? { field: result.field } : {}),
        ...(result.code ? { vendorCode: result.code } : {}),
        ...(result.duplicateRecordId ? { details: { duplicateRecordId: result.duplicateRecordId } } : {}),
      },
    );
  }
  return result;
}

function withoutUndefined(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

const customFieldsProperty: JsonSchema = {
  type: 'object',
  title: 'Other fields',
  description: 'Any other field API name → value (custom fields such as Togai_Customer_Id).',
  additionalProperties: true,
  default: {},
};

const accountFields = [
  'Account_Name', 'Account_Number', 'Email', 'Phone', 'Website', 'Currency', 'Account_Type', 'Description',
  'Billing_Street', 'Billing_City', 'Billing_State', 'Billing_Code', 'Billing_Country',
  'Shipping_Street', 'Shipping_City', 'Shipping_State', 'Shipping_Code', 'Shipping_Country',
] as const;

type AccountInput = Partial<Record<(typeof accountFields)[number], string>> & {
  Account_Name: string;
  customFields: Record<string, unknown>;
  duplicateCheckFields?: string[];
  trigger?: string[];
};

export const upsertAccountAction = defineAction<AccountInput, WriteResult>({
  key: 'upsert_account',
  title: 'Upsert account',
  description:
    'Creates or updates one CRM account, matched by Account_Name (or the duplicate check fields you choose, e.g. a ' +
    'unique customer id field). Fails with the field named when CRM rejects it. Safe to retry.',
  input: {
    type: 'object',
    required: ['Account_Name'],
    properties: {
      Account_Name: str('Account name', 'Mandatory; matched against existing accounts by default.', 200),
      Account_Number: str('Account number', undefined, 40),
      Email: { type: 'string', title: 'Email', maxLength: 100 },
      Phone: str('Phone', undefined, 30),
      Website: str('Website'),
      Currency: { type: 'string', title: 'Currency', description: 'ISO code (multi-currency orgs), e.g. USD.', pattern: '^[A-Z]{3}$' },
      Account_Type: str('Account type', 'Picklist, e.g. Customer or Prospect.'),
      Description: str('Description', undefined, 32000),
      Billing_Street: str('Billing street', undefined, 250),
      Billing_City: str('Billing city', undefined, 30),
      Billing_State: str('Billing state', undefined, 30),
      Billing_Code: str('Billing postal code', undefined, 30),
      Billing_Country: str('Billing country', undefined, 30),
      Shipping_Street: str('Shipping street', undefined, 250),
      Shipping_City: str('Shipping city', undefined, 30),
      Shipping_State: str('Shipping state', undefined, 30),
      Shipping_Code: str('Shipping postal code', undefined, 30),
      Shipping_Country: str('Shipping country', undefined, 30),
      customFields: customFieldsProperty,
      duplicateCheckFields: duplicateCheckProperty,
      trigger: triggerProperty,
    },
    additionalProperties: false,
    // CRM refuses an account without Account_Name: a field mapper feeding this write must map it.
    [MANDATORY_TARGETS]: ['Account_Name'],
  },
  output: singleResultSchema,
  sampleOutput: { index: 0, status: 'success', id: '5725767000000512001', action: 'insert', duplicateField: 'Account_Name', modifiedTime: '2024-05-02T09:30:00-05:00' },
  classification: 'write',
  idempotent: true,
  dynamicOptions: { '/duplicateCheckFields/items': { optionsKey: 'account_fields' } },
  run: (ctx, input) =>
    withCrmErrors(ctx, () => {
      const record = withoutUndefined({
        ...input.customFields,
        ...Object.fromEntries(accountFields.map((f) => [f, input[f]])),
      });
      return upsertOne(ctx, 'Accounts', record, input.duplicateCheckFields, input.trigger);
    }),
});

const contactFields = [
  'Salutation', 'First_Name', 'Last_Name', 'Email', 'Secondary_Email', 'Phone', 'Mobile', 'Title', 'Department',
  'Description', 'Mailing_Street', 'Mailing_City', 'Mailing_State', 'Mailing_Zip', 'Mailing_Country',
] as const;

type ContactInput = Partial<Record<(typeof contactFields)[number], string>> & {
  Last_Name: string;
  Account_Id?: string;
  customFields: Record<string, unknown>;
  duplicateCheckFields?: string[];
  trigger?: string[];
};

export const upsertContactAction = defineAction<ContactInput, WriteResult>({
  key: 'upsert_contact',
  title: 'Upsert contact',
  description:
    'Creates or updates one CRM contact, matched by Email (or the duplicate check fields you choose), optionally ' +
    'linked to an account by its id. Fails with the field named when CRM rejects it. Safe to retry.',
  input: {
    type: 'object',
    required: ['Last_Name'],
    properties: {
      Salutation: str('Salutation', 'Picklist, e.g. Mr. or Ms.'),
      First_Name: str('First name', undefined, 40),
      Last_Name: str('Last name', 'Mandatory.', 80),
      Email: { type: 'string', title: 'Email', description: 'Matched against existing contacts by default.', maxLength: 100 },
      Secondary_Email: { type: 'string', title: 'Secondary email', maxLength: 100 },
      Phone: str('Phone', undefined, 30),
      Mobile: str('Mobile', undefined, 30),
      Title: str('Title', undefined, 100),
      Department: str('Department', undefined, 30),
      Description: str('Description', undefined, 32000),
      Account_Id: { type: 'string', title: 'Account id', description: 'CRM id of the account (sent as the Account_Name lookup).', pattern: '^[0-9]{1,25}$' },
      Mailing_Street: str('Mailing street', undefined, 250),
      Mailing_City: str('Mailing city', undefined, 30),
      Mailing_State: str('Mailing state', undefined, 30),
      Mailing_Zip: str('Mailing postal code', undefined, 30),
      Mailing_Country: str('Mailing country', undefined, 30),
      customFields: customFieldsProperty,
      duplicateCheckFields: duplicateCheckProperty,
      trigger: triggerProperty,
    },
    additionalProperties: false,
    // CRM refuses a contact without Last_Name.
    [MANDATORY_TARGETS]: ['Last_Name'],
  },
  output: singleResultSchema,
  sampleOutput: { index: 0, status: 'success', id: '5725767000000513001', action: 'update', duplicateField: 'Email', modifiedTime: '2024-05-02T09:30:00-05:00' },
  classification: 'write',
  idempotent: true,
  dynamicOptions: { '/duplicateCheckFields/items': { optionsKey: 'contact_fields' } },
  run: (ctx, input) =>
    withCrmErrors(ctx, () => {
      const record = withoutUndefined({
        ...input.customFields,
        ...Object.fromEntries(contactFields.map((f) => [f, input[f]])),
        ...(input.Account_Id ? { Account_Name: { id: input.Account_Id } } : {}),
      });
      return upsertOne(ctx, 'Contacts', record, input.duplicateCheckFields, input.trigger);
    }),
});
