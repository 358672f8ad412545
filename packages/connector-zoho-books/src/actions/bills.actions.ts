// Bills (vendor side): create, update, read, delete, list.
import { defineAction, type ConnectorContext, type JsonSchema, collectRows, listOutput } from '@braid/connector-sdk';
import { booksCall, listAll, pick, type BooksRecord } from '../books.http.js';
import { billSchema, customFieldsInput, extraFieldsInput, idSchema, limitSchema, lineItemInput, S } from '../books.schemas.js';
import { sampleBill } from '../books.samples.js';
import { defineDeleteAction } from './delete.action.js';
import { defineGetAction } from './get.action.js';
import { resolveLineTaxes } from './reference.actions.js';

const billFields: Record<string, JsonSchema> = {
  vendor_id: idSchema('Vendor'),
  bill_number: S.str('Bill number', 'The vendor\'s invoice number (unique per vendor).', { minLength: 1, maxLength: 100 }),
  reference_number: S.str('Reference number', undefined, { maxLength: 100 }),
  date: S.date('Bill date', 'yyyy-mm-dd; default today.'),
  due_date: S.date('Due date'),
  payment_terms: { type: 'integer', title: 'Payment terms (days)', minimum: 0 },
  currency_id: idSchema('Currency'),
  exchange_rate: S.num('Exchange rate'),
  line_items: {
    type: 'array',
    title: 'Line items',
    description: 'Each line needs the expense account it is booked to.',
    minItems: 1,
    items: lineItemInput({ requireAccount: true }),
  },
  notes: S.str('Notes'),
  custom_fields: customFieldsInput,
  extra: extraFieldsInput,
};

const billDynamicOptions = {
  '/vendor_id': { optionsKey: 'vendors' },
  '/currency_id': { optionsKey: 'currencies' },
  '/line_items/items/account_id': { optionsKey: 'expense_accounts' },
  '/line_items/items/tax_id': { optionsKey: 'taxes' },
};

async function billBody(ctx: ConnectorContext, input: BooksRecord & { extra?: BooksRecord }): Promise<BooksRecord> {
  const { extra, ...fields } = input;
  const body: BooksRecord = { ...(extra ?? {}) };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) body[key] = value;
  if (body.line_items !== undefined) body.line_items = await resolveLineTaxes(ctx, body.line_items);
  return body;
}

export const createBill = defineAction<BooksRecord, BooksRecord>({
  key: 'create_bill',
  title: 'Create bill',
  description:
    'Records a vendor bill. Books refuses a second bill with the same number for the same vendor, so a retried ' +
    'create fails with CONFLICT instead of duplicating.',
  input: { type: 'object', properties: billFields, required: ['vendor_id', 'bill_number', 'line_items'], additionalProperties: false },
  output: billSchema,
  sampleOutput: sampleBill,
  classification: 'write',
  idempotent: false,
  dynamicOptions: billDynamicOptions,
  run: async (ctx, input) => {
    const { body } = await booksCall(ctx, 'POST', '/bills', { body: await billBody(ctx, input) });
    return pick(body, 'bill', 'created bill');
  },
});

export const updateBill = defineAction<BooksRecord & { bill_id: string }, BooksRecord>({
  key: 'update_bill',
  title: 'Update bill',
  description: 'Changes the given fields of a bill; line items sent replace the bill\'s lines.',
  input: {
    type: 'object',
    properties: { bill_id: idSchema('Bill'), ...billFields },
    required: ['bill_id'],
    additionalProperties: false,
  },
  output: billSchema,
  sampleOutput: sampleBill,
  classification: 'write',
  idempotent: true,
  dynamicOptions: billDynamicOptions,
  run: async (ctx, input) => {
    const { bill_id: id, ...fields } = input;
    const { body } = await booksCall(ctx, 'PUT', `/bills/${encodeURIComponent(id)}`, { body: await billBody(ctx, fields) });
    return pick(body, 'bill', 'updated bill');
  },
});

export const getBill = defineGetAction({
  key: 'get_bill',
  title: 'Get bill',
  description: 'Reads one bill with its line items.',
  entity: 'Bill',
  idKey: 'bill_id',
  path: '/bills',
  envelope: 'bill',
  output: billSchema,
  sampleOutput: sampleBill,
});

export const deleteBill = defineDeleteAction({
  key: 'delete_bill',
  title: 'Delete bill',
  description: 'Deletes a bill without payments.',
  entity: 'Bill',
  idKey: 'bill_id',
  path: '/bills',
  sampleOutput: { bill_id: '460000000028001', deleted: true, message: 'The bill has been deleted.' },
});

export const listBills = defineAction<
  { status?: string; vendor_id?: string; limit: number },
  { bills: BooksRecord[]; count: number; truncated: boolean }
>({
  key: 'list_bills',
  title: 'List bills',
  description: 'Lists bills (summaries) page by page up to the limit.',
  input: {
    type: 'object',
    properties: {
      status: { type: 'string', title: 'Status', enum: ['open', 'overdue', 'paid', 'partially_paid', 'void', 'draft', 'unpaid'] },
      vendor_id: idSchema('Vendor'),
      limit: limitSchema,
    },
    additionalProperties: false,
  },
  output: listOutput('bills', billSchema),
  sampleOutput: { bills: [sampleBill], count: 1, truncated: false },
  classification: 'read',
  idempotent: true,
  dynamicOptions: { '/vendor_id': { optionsKey: 'vendors' } },
  run: async (ctx, input) => {
    const { items, truncated } = await collectRows(
      listAll(ctx, '/bills', 'bills', { status: input.status, vendor_id: input.vendor_id }),
      input.limit,
    );
    return { bills: items, count: items.length, truncated };
  },
});

export const billActions = [createBill, updateBill, getBill, deleteBill, listBills];
