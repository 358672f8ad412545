// JSON Schemas and samples shared by the CRM actions and triggers.
import type { JsonSchema } from '@braid/connector-sdk';
import { FIELD_PATTERN, MAX_FIELDS, MODULE_PATTERN } from './crm.http.js';

export const moduleProperty = (defaultModule = 'Accounts'): JsonSchema => ({
  type: 'string',
  title: 'Module',
  description: 'API name of the CRM module, e.g. Accounts, Contacts or a custom module such as Addresses.',
  pattern: MODULE_PATTERN,
  default: defaultModule,
});

export const fieldsProperty: JsonSchema = {
  type: 'array',
  title: 'Fields',
  description: `Field API names to return (at most ${MAX_FIELDS}). Empty: every field of the module (up to ${MAX_FIELDS}).`,
  items: { type: 'string', title: 'Field', pattern: FIELD_PATTERN },
  maxItems: MAX_FIELDS,
  uniqueItems: true,
};

export const recordSchema: JsonSchema = {
  type: 'object',
  title: 'Record',
  description: 'Field API name → value, as Zoho CRM returns it (lookups read back as {name, id}).',
  properties: { id: { type: 'string', title: 'Record id' } },
  required: ['id'],
  additionalProperties: true,
};

export const writeResultSchema: JsonSchema = {
  type: 'object',
  title: 'Record result',
  required: ['index', 'status'],
  properties: {
    index: { type: 'integer', title: 'Position in the input', minimum: 0 },
    status: { type: 'string', enum: ['success', 'error'] },
    id: { type: 'string', title: 'Record id' },
    action: { type: 'string', enum: ['insert', 'update', 'delete'], title: 'What happened' },
    duplicateField: { type: ['string', 'null'], title: 'Field that matched (upsert)' },
    modifiedTime: { type: 'string', title: 'Modified time' },
    code: { type: 'string', title: 'CRM code (errors)' },
    message: { type: 'string', title: 'Message' },
    field: { type: 'string', title: 'Field the error is about' },
    duplicateRecordId: { type: 'string', title: 'Existing record (DUPLICATE_DATA)' },
  },
  additionalProperties: false,
};

export const writeOutputSchema: JsonSchema = {
  type: 'object',
  required: ['results', 'summary'],
  properties: {
    results: { type: 'array', title: 'Per-record results, in input order', items: writeResultSchema },
    summary: {
      type: 'object',
      required: ['total', 'succeeded', 'failed', 'inserted', 'updated', 'deleted', 'calls'],
      properties: {
        total: { type: 'integer' },
        succeeded: { type: 'integer' },
        failed: { type: 'integer' },
        inserted: { type: 'integer' },
        updated: { type: 'integer' },
        deleted: { type: 'integer' },
        calls: { type: 'integer', title: 'API calls made' },
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
};

export const sampleAccountRecord = {
  id: '5725767000000512001',
  Account_Name: 'Zylker Inc',
  Email: 'billing@zylker.example',
  Currency: 'USD',
  Billing_City: 'Pleasanton',
  Billing_Country: 'US',
  Created_Time: '2024-05-01T10:00:00-05:00',
  Modified_Time: '2024-05-02T09:30:00-05:00',
};

export const sampleWriteOutput = {
  results: [
    { index: 0, status: 'success' as const, id: '5725767000000512001', action: 'update' as const, duplicateField: 'Account_Name', modifiedTime: '2024-05-02T09:30:00-05:00' },
    { index: 1, status: 'error' as const, code: 'MANDATORY_NOT_FOUND', message: 'required field not found', field: 'Account_Name' },
  ],
  summary: { total: 2, succeeded: 1, failed: 1, inserted: 0, updated: 1, deleted: 0, calls: 1 },
};

export const triggerProperty: JsonSchema = {
  type: 'array',
  title: 'Run CRM automation',
  description:
    'Which CRM automations the write may start (workflow rules, approvals, blueprints). Leave empty to start none; ' +
    'omit to let CRM run them all (its default).',
  items: { type: 'string', enum: ['workflow', 'approval', 'blueprint'] },
  uniqueItems: true,
};

export const failOnAnyErrorProperty: JsonSchema = {
  type: 'boolean',
  title: 'Fail the step if any record fails',
  description:
    'Off (default): every record gets its own result and the step succeeds. On: the step fails after the calls if any ' +
    'record was rejected (records that succeeded stay written).',
  default: false,
};
