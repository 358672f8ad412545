// JSON Schemas shared by the Books actions and triggers: input fragments (rendered as forms) and the records
// Books returns (outputs). Records keep `additionalProperties` open: Books adds regional and plan fields.
import type { JsonSchema } from '@braid/connector-sdk';

const str = (title: string, description?: string, extra: JsonSchema = {}): JsonSchema => ({
  type: 'string',
  title,
  ...(description ? { description } : {}),
  ...extra,
});
const num = (title: string, description?: string, extra: JsonSchema = {}): JsonSchema => ({
  type: 'number',
  title,
  ...(description ? { description } : {}),
  ...extra,
});
const date = (title: string, description?: string): JsonSchema => str(title, description, { pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

export const S = { str, num, date };

/**
 * flow-model's MANDATORY_TARGETS_KEYWORD: on an action's input schema, the fields a field mapper feeding that
 * action (upsert with link → create) must map; publishing a flow whose mapper lacks one fails naming it.
 */
export const MANDATORY_TARGETS = 'x-braid-mandatory-targets';

export const idSchema = (title: string): JsonSchema => str(title, 'Zoho Books id (digits).', { minLength: 1, pattern: '^[0-9]+$' });

/** What an action on one Books record by id is made from (see defineGetAction, defineDeleteAction). */
export interface ByIdActionSpec {
  key: string;
  title: string;
  description: string;
  /** what the id names, e.g. "Bill" (the input's title) */
  entity: string;
  /** input property holding the id, e.g. "bill_id" */
  idKey: string;
  /** collection path, e.g. "/bills" */
  path: string;
}

export const limitSchema: JsonSchema = {
  type: 'integer',
  title: 'Limit',
  description: 'Read at most this many records (pages of 200 are fetched only as needed).',
  minimum: 1,
  maximum: 50_000,
  default: 1000,
};

export const customFieldsInput: JsonSchema = {
  type: 'array',
  title: 'Custom fields',
  description: 'Values of the organisation\'s custom fields, by API name (e.g. cf_external_id).',
  items: {
    type: 'object',
    properties: { api_name: str('API name'), value: { title: 'Value', type: ['string', 'number', 'boolean'] } },
    required: ['api_name', 'value'],
    additionalProperties: false,
  },
};

export const addressInput = (title: string): JsonSchema => ({
  type: 'object',
  title,
  properties: {
    attention: str('Attention', undefined, { maxLength: 100 }),
    address: str('Street', undefined, { maxLength: 500 }),
    street2: str('Street 2', undefined, { maxLength: 255 }),
    city: str('City'),
    state: str('State'),
    state_code: str('State code'),
    zip: str('ZIP / postcode', undefined, { maxLength: 50 }),
    country: str('Country', 'Free text, e.g. "Germany" or "U.S.A".', { maxLength: 100 }),
    phone: str('Phone'),
    fax: str('Fax'),
  },
  additionalProperties: false,
});

export const extraFieldsInput: JsonSchema = {
  type: 'object',
  title: 'More Books fields',
  description: 'Any other field of the Books API body, sent as given (e.g. regional tax fields).',
  additionalProperties: true,
};

export const lineItemInput = (options: { requireAccount?: boolean } = {}): JsonSchema => ({
  type: 'object',
  properties: {
    item_id: idSchema('Item'),
    name: str('Name', 'Line name (used when no item is chosen).', { maxLength: 100 }),
    description: str('Description'),
    rate: num('Rate', 'Unit price; negative for discounts and credits.'),
    quantity: num('Quantity', undefined, { default: 1 }),
    tax_id: idSchema('Tax'),
    tax_percentage: num('Tax rate (%)', 'Instead of a tax: the Books tax with this rate is used; no such tax fails the step naming the rate.', {
      minimum: 0,
      maximum: 100,
    }),
    discount: { title: 'Line discount', description: 'Amount (10) or percentage ("10%").', type: ['number', 'string'] },
    account_id: idSchema(options.requireAccount ? 'Expense account' : 'Account'),
    unit: str('Unit'),
    line_item_id: idSchema('Existing line (update only)'),
  },
  ...(options.requireAccount ? { required: ['account_id'] } : {}),
  additionalProperties: true,
});

const open = (properties: Record<string, JsonSchema>, required: string[]): JsonSchema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: true,
});

const nullableStr = { type: ['string', 'null'] };

export const contactPersonSchema = open(
  {
    contact_person_id: { type: 'string' },
    contact_id: { type: 'string' },
    first_name: { type: 'string' },
    last_name: { type: 'string' },
    email: { type: 'string' },
    phone: { type: 'string' },
    mobile: { type: 'string' },
    is_primary_contact: { type: 'boolean' },
  },
  ['contact_person_id'],
);

export const contactSchema = open(
  {
    contact_id: { type: 'string' },
    contact_name: { type: 'string' },
    company_name: { type: 'string' },
    contact_type: { type: 'string' },
    status: { type: 'string' },
    email: { type: 'string' },
    currency_id: { type: 'string' },
    currency_code: { type: 'string' },
    outstanding_receivable_amount: { type: 'number' },
    contact_persons: { type: 'array', items: contactPersonSchema },
    custom_fields: { type: 'array' },
    created_time: { type: 'string' },
    last_modified_time: { type: 'string' },
  },
  ['contact_id', 'contact_name'],
);

export const lineItemSchema = open(
  {
    line_item_id: { type: 'string' },
    item_id: { type: 'string' },
    name: { type: 'string' },
    rate: { type: 'number' },
    quantity: { type: 'number' },
    tax_id: { type: 'string' },
    item_total: { type: 'number' },
  },
  [],
);

export const invoiceSchema = open(
  {
    invoice_id: { type: 'string' },
    invoice_number: { type: 'string' },
    reference_number: { type: 'string' },
    customer_id: { type: 'string' },
    customer_name: { type: 'string' },
    status: { type: 'string' },
    date: { type: 'string' },
    due_date: { type: 'string' },
    currency_code: { type: 'string' },
    total: { type: 'number' },
    balance: { type: 'number' },
    line_items: { type: 'array', items: lineItemSchema },
    last_modified_time: { type: 'string' },
  },
  ['invoice_id'],
);

export const billSchema = open(
  {
    bill_id: { type: 'string' },
    bill_number: { type: 'string' },
    vendor_id: { type: 'string' },
    vendor_name: { type: 'string' },
    status: { type: 'string' },
    total: { type: 'number' },
    balance: { type: 'number' },
    line_items: { type: 'array', items: lineItemSchema },
  },
  ['bill_id'],
);

export const paymentSchema = open(
  {
    payment_id: { type: 'string' },
    payment_number: { type: 'string' },
    customer_id: { type: 'string' },
    payment_mode: { type: 'string' },
    date: { type: 'string' },
    amount: { type: 'number' },
    unused_amount: { type: 'number' },
    account_id: { type: 'string' },
    invoices: {
      type: 'array',
      items: open({ invoice_id: { type: 'string' }, amount_applied: { type: 'number' }, balance_amount: { type: 'number' } }, ['invoice_id']),
    },
  },
  ['payment_id'],
);

export const bankTransactionSchema = open(
  {
    transaction_id: { type: 'string' },
    transaction_type: { type: 'string' },
    from_account_id: { type: 'string' },
    to_account_id: { type: 'string' },
    amount: { type: 'number' },
    date: { type: 'string' },
    reference_number: { type: 'string' },
  },
  ['transaction_id'],
);

/** An expense: money paid out of `paid_through_account_id` and booked to the expense account `account_id`. */
export const expenseSchema = open(
  {
    expense_id: { type: 'string' },
    date: { type: 'string' },
    account_id: { type: 'string' },
    account_name: { type: 'string' },
    paid_through_account_id: { type: 'string' },
    paid_through_account_name: { type: 'string' },
    amount: { type: 'number' },
    total: { type: 'number' },
    reference_number: { type: 'string' },
    description: { type: 'string' },
  },
  ['expense_id'],
);

export const currencySchema = open(
  {
    currency_id: { type: 'string' },
    currency_code: { type: 'string' },
    currency_name: { type: 'string' },
    is_base_currency: { type: 'boolean' },
    exchange_rate: { type: 'number' },
  },
  ['currency_id', 'currency_code'],
);

export const accountSchema = open(
  {
    account_id: { type: 'string' },
    account_name: { type: 'string' },
    account_code: { type: 'string' },
    account_type: { type: 'string' },
    is_active: { type: 'boolean' },
  },
  ['account_id', 'account_name', 'account_type'],
);

export const taxSchema = open(
  {
    tax_id: { type: 'string' },
    tax_name: { type: 'string' },
    tax_percentage: { type: 'number' },
    tax_type: { type: 'string' },
  },
  ['tax_id', 'tax_percentage'],
);

export const reportingTagSchema = open(
  {
    tag_id: { type: 'string' },
    tag_name: { type: 'string' },
    tag_options: {
      type: 'array',
      items: open({ tag_option_id: { type: 'string' }, tag_option_name: { type: 'string' } }, ['tag_option_id']),
    },
  },
  ['tag_id', 'tag_name'],
);

export const itemSchema = open(
  {
    item_id: { type: 'string' },
    name: { type: 'string' },
    rate: { type: 'number' },
    description: { type: 'string' },
    tax_id: { type: 'string' },
    status: { type: 'string' },
  },
  ['item_id', 'name'],
);

export const organizationSchema = open(
  {
    organization_id: { type: 'string' },
    name: { type: 'string' },
    currency_code: { type: 'string' },
    time_zone: { type: 'string' },
    is_default_org: { type: 'boolean' },
  },
  ['organization_id', 'name'],
);

/** Output of find actions: whether something matched, its id, the record, and how many matched. */
export function findOutput(idKey: string, record: JsonSchema, extra: Record<string, JsonSchema> = {}): JsonSchema {
  return {
    type: 'object',
    properties: {
      found: { type: 'boolean' },
      [idKey]: nullableStr,
      record: { oneOf: [record, { type: 'null' }] },
      match_count: { type: 'integer', minimum: 0 },
      ...extra,
    },
    required: ['found', idKey, 'record', 'match_count'],
    additionalProperties: false,
  };
}

export const deletedOutput = (idKey: string): JsonSchema => ({
  type: 'object',
  properties: {
    [idKey]: { type: 'string' },
    deleted: { const: true },
    already_deleted: { type: 'boolean', description: 'True when the record was gone already (ignore_missing).' },
    message: { type: 'string' },
  },
  required: [idKey, 'deleted'],
  additionalProperties: false,
});

export const ignoreMissingInput: JsonSchema = {
  type: 'boolean',
  title: 'Succeed when already deleted',
  description: 'Treat "does not exist" as done, so a repeated delete (retry, replay) does not fail.',
  default: false,
};

export const statusChangeOutput = (idKey: string): JsonSchema => ({
  type: 'object',
  properties: {
    [idKey]: { type: 'string' },
    status: { type: 'string' },
    changed: { type: 'boolean', description: 'False when the record already had this status.' },
    message: { type: 'string' },
  },
  required: [idKey, 'status'],
  additionalProperties: false,
});
