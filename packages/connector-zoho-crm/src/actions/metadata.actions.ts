// Metadata actions: a module's fields (what the sync toolkit builds field mappers from) and the org's modules.
import { defineAction, type JsonSchema } from '@braid/connector-sdk';
import { withCrmErrors } from '../crm.http.js';
import { listModules, moduleFields, type CrmFieldInfo, type CrmModuleInfo } from '../crm.metadata.js';
import { moduleProperty } from '../crm.schemas.js';

export const fieldInfoSchema: JsonSchema = {
  type: 'object',
  required: ['apiName', 'label', 'dataType', 'mandatory', 'readOnly', 'unique', 'custom'],
  properties: {
    apiName: { type: 'string', title: 'API name' },
    label: { type: 'string', title: 'Label' },
    dataType: { type: 'string', title: 'Data type', description: 'text, email, picklist, lookup, ownerlookup, boolean, date, datetime, currency, double, integer …' },
    mandatory: { type: 'boolean', title: 'Mandatory' },
    readOnly: { type: 'boolean', title: 'Read-only' },
    unique: { type: 'boolean', title: 'Unique' },
    custom: { type: 'boolean', title: 'Custom field' },
    length: { type: 'integer', title: 'Maximum length' },
    picklist: {
      type: 'array',
      title: 'Picklist values',
      items: {
        type: 'object',
        required: ['value', 'label'],
        properties: { value: { type: 'string' }, label: { type: 'string' } },
        additionalProperties: false,
      },
    },
    lookupModule: { type: 'string', title: 'Module a lookup points to' },
  },
  additionalProperties: false,
};

export const getFieldsAction = defineAction<{ module: string }, { module: string; fields: CrmFieldInfo[] }>({
  key: 'get_fields',
  title: 'Get fields',
  description:
    'Returns every field of a module with its data type, mandatory / read-only / unique flags, picklist values and ' +
    'lookup target — what field mappers are built from.',
  input: { type: 'object', required: ['module'], properties: { module: moduleProperty() }, additionalProperties: false },
  output: {
    type: 'object',
    required: ['module', 'fields'],
    properties: { module: { type: 'string' }, fields: { type: 'array', items: fieldInfoSchema } },
    additionalProperties: false,
  },
  sampleOutput: {
    module: 'Accounts',
    fields: [
      { apiName: 'Account_Name', label: 'Account Name', dataType: 'text', mandatory: true, readOnly: false, unique: true, custom: false, length: 200 },
      {
        apiName: 'Currency', label: 'Currency', dataType: 'picklist', mandatory: false, readOnly: false, unique: false, custom: false,
        picklist: [{ value: 'USD', label: 'USD' }, { value: 'EUR', label: 'EUR' }],
      },
      { apiName: 'Parent_Account', label: 'Parent Account', dataType: 'lookup', mandatory: false, readOnly: false, unique: false, custom: false, lookupModule: 'Accounts' },
    ],
  },
  classification: 'read',
  idempotent: true,
  dynamicOptions: { '/module': { optionsKey: 'modules' } },
  run: (ctx, input) => withCrmErrors(ctx, async () => ({ module: input.module, fields: await moduleFields(ctx, input.module, true) })),
});

export const listModulesAction = defineAction<Record<string, never>, { modules: CrmModuleInfo[] }>({
  key: 'list_modules',
  title: 'List modules',
  description: 'Lists the modules of the CRM org that the API can read and write (standard and custom).',
  input: { type: 'object', properties: {}, additionalProperties: false },
  output: {
    type: 'object',
    required: ['modules'],
    properties: {
      modules: {
        type: 'array',
        items: {
          type: 'object',
          required: ['apiName', 'label', 'singularLabel', 'custom'],
          properties: {
            apiName: { type: 'string' },
            label: { type: 'string' },
            singularLabel: { type: 'string' },
            custom: { type: 'boolean' },
          },
          additionalProperties: false,
        },
      },
    },
    additionalProperties: false,
  },
  sampleOutput: { modules: [{ apiName: 'Accounts', label: 'Accounts', singularLabel: 'Account', custom: false }] },
  classification: 'read',
  idempotent: true,
  run: (ctx) => withCrmErrors(ctx, async () => ({ modules: await listModules(ctx) })),
});
