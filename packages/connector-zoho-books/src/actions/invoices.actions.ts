// Invoices: create as draft (idempotent by reference number or unique custom field), update, read, find,
// status changes, delete, list.
import { ConnectorError, defineAction, type ConnectorContext, type JsonSchema, collectRows, listOutput } from '@braid/connector-sdk';
import { booksCall, listAll, pick, type BooksRecord } from '../books.http.js';
import { customFieldsInput, extraFieldsInput, findOutput, idSchema, invoiceSchema, limitSchema, lineItemInput, S, statusChangeOutput } from '../books.schemas.js';
import { sampleInvoice } from '../books.samples.js';
import { defineDeleteAction } from './delete.action.js';
import { resolveLineTaxes } from './reference.actions.js';

const invoiceFields: Record<string, JsonSchema> = {
  customer_id: idSchema('Customer'),
  reference_number: S.str('Reference number', 'Your own reference, e.g. the billing platform\'s invoice id.', { maxLength: 100 }),
  invoice_number: S.str('Invoice number', 'Leave empty to let Books number it.', { maxLength: 100 }),
  date: S.date('Invoice date', 'yyyy-mm-dd; default today.'),
  due_date: S.date('Due date', 'yyyy-mm-dd; default from the payment terms.'),
  payment_terms: { type: 'integer', title: 'Payment terms (days)', minimum: 0 },
  currency_id: idSchema('Currency'),
  exchange_rate: S.num('Exchange rate'),
  line_items: {
    type: 'array',
    title: 'Line items',
    description: 'Description, quantity, rate and tax per line; discounts and credits as negative lines.',
    minItems: 1,
    items: lineItemInput(),
  },
  discount: { title: 'Invoice discount', description: 'Amount (10) or percentage ("10%").', type: ['number', 'string'] },
  is_discount_before_tax: { type: 'boolean', title: 'Discount before tax' },
  is_inclusive_tax: { type: 'boolean', title: 'Rates include tax' },
  salesperson_name: S.str('Salesperson'),
  notes: S.str('Notes'),
  terms: S.str('Terms & conditions'),
  shipping_charge: S.num('Shipping charge'),
  adjustment: S.num('Adjustment'),
  adjustment_description: S.str('Adjustment description'),
  custom_fields: customFieldsInput,
  extra: extraFieldsInput,
};

const invoiceDynamicOptions = {
  '/customer_id': { optionsKey: 'customers' },
  '/currency_id': { optionsKey: 'currencies' },
  '/line_items/items/tax_id': { optionsKey: 'taxes' },
  '/line_items/items/item_id': { optionsKey: 'items' },
};

type InvoiceInput = BooksRecord & { extra?: BooksRecord };

async function invoiceBody(ctx: ConnectorContext, input: InvoiceInput): Promise<BooksRecord> {
  const { extra, ...fields } = input;
  const body: BooksRecord = { ...(extra ?? {}) };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) body[key] = value;
  if (body.line_items !== undefined) body.line_items = await resolveLineTaxes(ctx, body.line_items);
  return body;
}

export async function getInvoice(ctx: ConnectorContext, invoiceId: string): Promise<BooksRecord> {
  const { body } = await booksCall(ctx, 'GET', `/invoices/${encodeURIComponent(invoiceId)}`);
  return pick(body, 'invoice', 'invoice');
}

/** Invoices whose reference number is exactly this value (Books filters case-insensitively; we compare exactly). */
export async function findInvoicesByReference(ctx: ConnectorContext, reference: string, customerId?: string): Promise<BooksRecord[]> {
  const { items } = await collectRows(
    listAll(ctx, '/invoices', 'invoices', { reference_number: reference, ...(customerId ? { customer_id: customerId } : {}) }),
    50,
  );
  return items.filter((i) => i.reference_number === reference);
}

const invoiceIdInput: JsonSchema = {
  type: 'object',
  properties: { invoice_id: idSchema('Invoice') },
  required: ['invoice_id'],
  additionalProperties: false,
};

export const createInvoice = defineAction<
  InvoiceInput & { skip_if_reference_exists: boolean; unique_field?: string; unique_value?: string },
  { invoice_id: string; created: boolean; invoice: BooksRecord }
>({
  key: 'create_invoice',
  title: 'Create draft invoice',
  description:
    'Creates a draft invoice. Books has no idempotency key, so a retry must not create a duplicate: with an ' +
    'external id (unique custom field, e.g. cf_external_id) the invoice is upserted in one call; otherwise, with ' +
    '"skip if the reference exists" on, an invoice with the same reference number is looked up first and returned ' +
    'unchanged (created=false).',
  input: {
    type: 'object',
    properties: {
      ...invoiceFields,
      skip_if_reference_exists: {
        type: 'boolean',
        title: 'Return the existing invoice with this reference',
        description: 'Look up the reference number first; when an invoice has it, return that one instead of creating.',
        default: true,
      },
      unique_field: S.str('Unique custom field', 'API name of a unique invoice custom field.', { pattern: '^cf_[A-Za-z0-9_]+$' }),
      unique_value: S.str('External id', 'Value of the unique custom field; makes the create an upsert.', { maxLength: 255 }),
    },
    required: ['customer_id', 'line_items'],
    additionalProperties: false,
  },
  output: {
    type: 'object',
    properties: { invoice_id: { type: 'string' }, created: { type: 'boolean' }, invoice: invoiceSchema },
    required: ['invoice_id', 'created', 'invoice'],
    additionalProperties: false,
  },
  sampleOutput: { invoice_id: '460000000027001', created: true, invoice: sampleInvoice },
  classification: 'write',
  idempotent: true,
  dynamicOptions: invoiceDynamicOptions,
  run: async (ctx, input) => {
    const { skip_if_reference_exists: skip, unique_field: uniqueField, unique_value: uniqueValue, ...fields } = input;
    if (uniqueValue) {
      const { status, body } = await booksCall(ctx, 'PUT', '/invoices', {
        body: await invoiceBody(ctx, fields),
        headers: {
          'X-Unique-Identifier-Key': uniqueField || 'cf_external_id',
          'X-Unique-Identifier-Value': uniqueValue,
          'X-Upsert': 'true',
        },
      });
      const invoice = pick(body, 'invoice', 'upserted invoice');
      return { invoice_id: String(invoice.invoice_id), created: status === 201, invoice };
    }
    const reference = typeof fields.reference_number === 'string' ? fields.reference_number.trim() : '';
    if (skip && reference) {
      const existing = await findInvoicesByReference(ctx, reference, String(fields.customer_id));
      if (existing.length > 0) {
        const invoice = await getInvoice(ctx, String(existing[0]!.invoice_id));
        return { invoice_id: String(invoice.invoice_id), created: false, invoice };
      }
    }
    const { body } = await booksCall(ctx, 'POST', '/invoices', { body: await invoiceBody(ctx, fields) });
    const invoice = pick(body, 'invoice', 'created invoice');
    return { invoice_id: String(invoice.invoice_id), created: true, invoice };
  },
});

export const updateInvoice = defineAction<InvoiceInput & { invoice_id: string }, BooksRecord>({
  key: 'update_invoice',
  title: 'Update invoice',
  description: 'Changes the given fields; line items sent replace the invoice\'s lines (name line_item_id to keep a line).',
  input: {
    type: 'object',
    properties: { invoice_id: idSchema('Invoice'), ...invoiceFields },
    required: ['invoice_id'],
    additionalProperties: false,
  },
  output: invoiceSchema,
  sampleOutput: sampleInvoice,
  classification: 'write',
  idempotent: true,
  dynamicOptions: invoiceDynamicOptions,
  run: async (ctx, input) => {
    const { invoice_id: id, ...fields } = input;
    const { body } = await booksCall(ctx, 'PUT', `/invoices/${encodeURIComponent(id)}`, { body: await invoiceBody(ctx, fields) });
    return pick(body, 'invoice', 'updated invoice');
  },
});

export const getInvoiceAction = defineAction<{ invoice_id: string }, BooksRecord>({
  key: 'get_invoice',
  title: 'Get invoice',
  description: 'Reads one invoice with its line items, taxes, balance and status.',
  input: invoiceIdInput,
  output: invoiceSchema,
  sampleOutput: sampleInvoice,
  classification: 'read',
  idempotent: true,
  run: (ctx, input) => getInvoice(ctx, input.invoice_id),
});

export const findInvoiceByReference = defineAction<
  { reference_number: string; customer_id?: string },
  { found: boolean; invoice_id: string | null; record: BooksRecord | null; match_count: number }
>({
  key: 'find_invoice_by_reference',
  title: 'Find invoice by reference number',
  description: 'Finds the invoice whose reference number is exactly this value (found=false when none).',
  input: {
    type: 'object',
    properties: {
      reference_number: S.str('Reference number', undefined, { minLength: 1 }),
      customer_id: idSchema('Customer'),
    },
    required: ['reference_number'],
    additionalProperties: false,
  },
  output: findOutput('invoice_id', invoiceSchema),
  sampleOutput: { found: true, invoice_id: '460000000027001', record: sampleInvoice, match_count: 1 },
  classification: 'read',
  idempotent: true,
  dynamicOptions: { '/customer_id': { optionsKey: 'customers' } },
  run: async (ctx, input) => {
    const matches = await findInvoicesByReference(ctx, input.reference_number, input.customer_id);
    if (matches.length === 0) return { found: false, invoice_id: null, record: null, match_count: 0 };
    const record = await getInvoice(ctx, String(matches[0]!.invoice_id));
    return { found: true, invoice_id: String(record.invoice_id), record, match_count: matches.length };
  },
});

/** Statuses an invoice can have after it was marked sent (payments move it on). */
const SENT_OR_LATER = new Set(['sent', 'viewed', 'overdue', 'partially_paid', 'paid']);

function statusAction(key: string, title: string, description: string, path: string, status: string, reached: (s: string) => boolean) {
  return defineAction<{ invoice_id: string }, { invoice_id: string; status: string; changed: boolean; message?: string }>({
    key,
    title,
    description,
    input: invoiceIdInput,
    output: statusChangeOutput('invoice_id'),
    sampleOutput: { invoice_id: '460000000027001', status, changed: true, message: `Invoice status has been changed to ${status}.` },
    classification: 'write',
    idempotent: true,
    run: async (ctx, input) => {
      try {
        const { body } = await booksCall(ctx, 'POST', `/invoices/${encodeURIComponent(input.invoice_id)}/status/${path}`);
        return { invoice_id: input.invoice_id, status, changed: true, message: body.message };
      } catch (error) {
        // Books refuses a transition to where the invoice already is; a repeated step is not a failure.
        if (!(error instanceof ConnectorError && error.code === 'CONFLICT')) throw error;
        const current = String((await getInvoice(ctx, input.invoice_id)).status ?? '');
        if (!reached(current)) throw error;
        return { invoice_id: input.invoice_id, status: current, changed: false, message: `The invoice is already ${current}.` };
      }
    },
  });
}

export const markInvoiceSent = statusAction(
  'mark_invoice_sent',
  'Mark invoice as sent',
  'Turns a draft invoice into a sent (open) one without emailing it; payments can then be applied.',
  'sent',
  'sent',
  (current) => SENT_OR_LATER.has(current),
);

export const voidInvoice = statusAction(
  'void_invoice',
  'Void invoice',
  'Voids an invoice (balance becomes 0). Books refuses invoices with payments or credits applied.',
  'void',
  'void',
  (current) => current === 'void',
);

export const deleteInvoice = defineDeleteAction({
  key: 'delete_invoice',
  title: 'Delete invoice',
  description: 'Deletes a draft or void invoice without payments.',
  entity: 'Invoice',
  idKey: 'invoice_id',
  path: '/invoices',
  sampleOutput: { invoice_id: '460000000027001', deleted: true, message: 'The invoice has been deleted.' },
});

export const listInvoices = defineAction<
  { status?: string; customer_id?: string; date_start?: string; date_end?: string; limit: number },
  { invoices: BooksRecord[]; count: number; truncated: boolean }
>({
  key: 'list_invoices',
  title: 'List invoices',
  description: 'Lists invoices (summaries without line items) page by page up to the limit.',
  input: {
    type: 'object',
    properties: {
      status: {
        type: 'string',
        title: 'Status',
        enum: ['draft', 'sent', 'overdue', 'paid', 'void', 'unpaid', 'partially_paid', 'viewed'],
      },
      customer_id: idSchema('Customer'),
      date_start: S.date('Dated on or after'),
      date_end: S.date('Dated on or before'),
      limit: limitSchema,
    },
    additionalProperties: false,
  },
  output: listOutput('invoices', invoiceSchema),
  sampleOutput: { invoices: [sampleInvoice], count: 1, truncated: false },
  classification: 'read',
  idempotent: true,
  dynamicOptions: { '/customer_id': { optionsKey: 'customers' } },
  run: async (ctx, input) => {
    const rows = listAll(ctx, '/invoices', 'invoices', {
      status: input.status,
      customer_id: input.customer_id,
      date_start: input.date_start,
      date_end: input.date_end,
    });
    const { items, truncated } = await collectRows(rows, input.limit);
    return { invoices: items, count: items.length, truncated };
  },
});

export const invoiceActions = [
  createInvoice,
  updateInvoice,
  getInvoiceAction,
  findInvoiceByReference,
  markInvoiceSent,
  voidInvoice,
  deleteInvoice,
  listInvoices,
];
