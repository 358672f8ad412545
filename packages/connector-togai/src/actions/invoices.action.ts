// Invoices: get (with flattened lines and VAT rates), list by status/class/period/update time, PATCH metadata,
// void, and custom invoices (idempotency key).
import { defineAction, type ConnectorContext, type JsonSchema, collectRows, listOutput } from '@braid/connector-sdk';
import { encodeId, FILTER_PAGE_SIZE, togaiRows } from '../togai.http.js';
import { invoiceClasses, invoiceSchema, invoiceStatuses, invoiceSummarySchema, limitProperty, sampleInvoice, sampleInvoiceSummary } from '../togai.schemas.js';
import { accountIdProperty } from './accounts.action.js';
import { invalidInput } from './action.helpers.js';

export interface TogaiInvoiceRow {
  id: string;
  status: string;
  invoiceClass?: string;
  ownerId?: string;
  customerId?: string;
  startDate?: string;
  updatedAt?: string;
  [key: string]: unknown;
}

export interface InvoiceLine {
  id: string;
  description: string;
  type?: string;
  quantity: number | null;
  valuePerQuantity: number | null;
  value: number;
  taxRate: number | null;
  isDiscount: boolean;
  metadata: Record<string, unknown>;
}

export type TogaiInvoice = TogaiInvoiceRow & { currency: string | null; lines: InvoiceLine[] };

interface RawLine {
  id?: unknown;
  description?: unknown;
  type?: unknown;
  quantity?: unknown;
  valuePerQuantity?: unknown;
  value?: unknown;
  metadata?: unknown;
  lineItems?: unknown;
}

const AGGREGATE_OR_TAX_TYPES = new Set(['TOTAL_AMOUNT', 'NET_AMOUNT', 'GROSS_AMOUNT', 'SUB_TOTAL_AMOUNT', 'TOTAL_TAX_AMOUNT', 'TAX_AMOUNT']);

function numberOrNull(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

function toLine(raw: RawLine, index: number): InvoiceLine {
  const metadata = raw.metadata && typeof raw.metadata === 'object' ? (raw.metadata as Record<string, unknown>) : {};
  const value = numberOrNull(raw.value) ?? 0;
  return {
    id: typeof raw.id === 'string' ? raw.id : `line.${index + 1}`,
    description: typeof raw.description === 'string' ? raw.description : '',
    ...(typeof raw.type === 'string' ? { type: raw.type } : {}),
    quantity: numberOrNull(raw.quantity),
    valuePerQuantity: numberOrNull(raw.valuePerQuantity),
    value,
    taxRate: numberOrNull(metadata.taxRate),
    isDiscount: value < 0 || metadata.discount === true,
    metadata,
  };
}

/** Billable leaves of Togai's `revenueInfo` tree (aggregates and tax lines left out). */
function leavesOf(node: RawLine, out: RawLine[]): RawLine[] {
  const children = Array.isArray(node.lineItems) ? (node.lineItems as RawLine[]) : [];
  if (children.length === 0) {
    if (typeof node.type !== 'string' || !AGGREGATE_OR_TAX_TYPES.has(node.type)) out.push(node);
    return out;
  }
  if (node.type === 'TOTAL_TAX_AMOUNT' || node.type === 'TAX_AMOUNT') return out;
  for (const child of children) leavesOf(child, out);
  return out;
}

/**
 * The invoice with `currency` and flat `lines` (each with its VAT rate from `metadata.taxRate`): from the flat
 * `lineItems` when the API gives them, else from the `revenueInfo` tree.
 */
export function normalizeInvoice(invoice: TogaiInvoiceRow): TogaiInvoice {
  const raw = Array.isArray(invoice.lineItems)
    ? (invoice.lineItems as RawLine[])
    : invoice.revenueInfo && typeof invoice.revenueInfo === 'object'
      ? leavesOf(invoice.revenueInfo as RawLine, [])
      : [];
  const details = invoice.invoiceDetails as { account?: { invoiceCurrency?: unknown } } | undefined;
  const currency =
    typeof invoice.currency === 'string'
      ? invoice.currency
      : typeof details?.account?.invoiceCurrency === 'string'
        ? details.account.invoiceCurrency
        : null;
  return { ...invoice, currency, lines: raw.map(toLine) };
}

export async function fetchInvoice(ctx: ConnectorContext, id: string): Promise<TogaiInvoice> {
  return normalizeInvoice((await ctx.http.get<TogaiInvoiceRow>(`/invoices/${encodeId(id)}`)).body);
}

const invoiceIdProperty: JsonSchema = { type: 'string', title: 'Invoice id', minLength: 1, maxLength: 255 };

export const getInvoiceAction = defineAction<{ invoiceId: string }, TogaiInvoice>({
  key: 'get_invoice',
  title: 'Get invoice',
  description:
    'Reads one invoice with its lines. Braid adds `currency` and a flat `lines` list (description, quantity, rate, ' +
    'value, VAT `taxRate`, `isDiscount` for negative lines).',
  input: { type: 'object', properties: { invoiceId: invoiceIdProperty }, required: ['invoiceId'], additionalProperties: false },
  output: invoiceSchema,
  sampleOutput: sampleInvoice,
  classification: 'read',
  idempotent: true,
  run: async (ctx, input) => fetchInvoice(ctx, input.invoiceId),
});

// ------------------------------------------------------------------------------------------------------ list

export interface InvoiceFilter {
  statuses?: string[];
  invoiceClass?: string;
  accountId?: string;
  customerId?: string;
}

/** Query for GET /invoices: documented filters, plus `invoiceClass` (a sandbox extension; also checked client-side). */
export function invoiceQuery(filter: InvoiceFilter, extra: { startTime?: number; endTime?: number } = {}) {
  return {
    // Several statuses: filter here only (one documented `status` value per request).
    status: filter.statuses?.length === 1 ? filter.statuses[0] : undefined,
    invoiceClass: filter.invoiceClass,
    owner_id: filter.accountId,
    customer_id: filter.customerId,
    start_time: extra.startTime,
    end_time: extra.endTime,
  };
}

export function matchesInvoiceFilter(row: TogaiInvoiceRow, filter: InvoiceFilter): boolean {
  return (
    (!filter.statuses?.length || filter.statuses.includes(row.status)) &&
    (!filter.invoiceClass || row.invoiceClass === filter.invoiceClass) &&
    (!filter.accountId || row.ownerId === filter.accountId) &&
    (!filter.customerId || row.customerId === filter.customerId)
  );
}

export const invoiceFilterProperties: Record<string, JsonSchema> = {
  statuses: {
    type: 'array',
    title: 'Statuses',
    description: 'Only invoices in one of these statuses (empty: all). DUE is "generated".',
    items: { type: 'string', enum: [...invoiceStatuses] },
    uniqueItems: true,
  },
  invoiceClass: {
    type: 'string',
    title: 'Class',
    description: 'INVOICE, ORDER (orders) or BILLABLE.',
    enum: [...invoiceClasses],
  },
  accountId: { type: 'string', title: 'Account id', description: 'Only invoices of this account.' },
  customerId: { type: 'string', title: 'Customer id', description: 'Only invoices of this customer.' },
};

interface ListInvoicesInput extends InvoiceFilter {
  periodFrom?: string;
  periodTo?: string;
  updatedSince?: string;
  limit: number;
}

export const listInvoicesAction = defineAction<ListInvoicesInput, { invoices: TogaiInvoiceRow[]; count: number; truncated: boolean }>({
  key: 'list_invoices',
  title: 'List invoices',
  description:
    'Reads invoice summaries (no lines: use "Get invoice") page by page (50 per call) up to the limit, filtered by ' +
    'status, class, account, customer, billing period and last update.',
  input: {
    type: 'object',
    properties: {
      ...invoiceFilterProperties,
      periodFrom: { type: 'string', format: 'date-time', title: 'Billing period from', description: 'Billing period starts at or after this time.' },
      periodTo: { type: 'string', format: 'date-time', title: 'Billing period to', description: 'Billing period ends at or before this time.' },
      updatedSince: { type: 'string', format: 'date-time', title: 'Updated since', description: 'Only invoices changed at or after this time.' },
      limit: limitProperty(1000, 10_000),
    },
    additionalProperties: false,
  },
  output: listOutput('invoices', invoiceSummarySchema),
  sampleOutput: { invoices: [sampleInvoiceSummary], count: 1, truncated: false },
  classification: 'read',
  idempotent: true,
  run: async (ctx, input) => {
    const query = invoiceQuery(input, {
      ...(input.periodFrom ? { startTime: Date.parse(input.periodFrom) } : {}),
      ...(input.periodTo ? { endTime: Date.parse(input.periodTo) } : {}),
    });
    const since = input.updatedSince ? Date.parse(input.updatedSince) : undefined;
    const rows = togaiRows<TogaiInvoiceRow>(ctx, '/invoices', query, FILTER_PAGE_SIZE);
    const { items, truncated } = await collectRows(
      rows,
      input.limit,
      (row) => matchesInvoiceFilter(row, input) && (since === undefined || Date.parse(String(row.updatedAt ?? '')) >= since),
    );
    return { invoices: items, count: items.length, truncated };
  },
});

// ------------------------------------------------------------------------------------------------------ update

export const updateInvoiceMetadataAction = defineAction<{ invoiceId: string; metadata: Record<string, unknown> }, TogaiInvoice>({
  key: 'update_invoice_metadata',
  title: 'Update invoice metadata',
  description:
    'Sets keys in the invoice\'s metadata (other keys stay; a key set to null is removed), e.g. the Zoho Books invoice ' +
    'number written back to an order.',
  input: {
    type: 'object',
    properties: {
      invoiceId: invoiceIdProperty,
      metadata: {
        type: 'object',
        title: 'Metadata',
        description: 'Keys to set (text, number or true/false); null removes the key.',
        additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
        minProperties: 1,
      },
    },
    required: ['invoiceId', 'metadata'],
    additionalProperties: false,
  },
  output: invoiceSchema,
  sampleOutput: { ...sampleInvoice, metadata: { booksInvoiceNumber: 'INV-000042' } },
  classification: 'write',
  idempotent: true,
  run: async (ctx, input) =>
    normalizeInvoice(
      (await ctx.http.patch<TogaiInvoiceRow>(`/invoices/${encodeId(input.invoiceId)}`, { metadata: input.metadata }, { retrySafe: true })).body,
    ),
});

export const voidInvoiceAction = defineAction<{ invoiceId: string }, TogaiInvoice>({
  key: 'void_invoice',
  title: 'Void invoice',
  description: 'Sets a DRAFT or DUE invoice to VOID (e.g. its Books invoice was deleted). An invoice already VOID is left as is.',
  input: { type: 'object', properties: { invoiceId: invoiceIdProperty }, required: ['invoiceId'], additionalProperties: false },
  output: invoiceSchema,
  sampleOutput: { ...sampleInvoice, status: 'VOID' },
  classification: 'delete',
  idempotent: true,
  run: async (ctx, input) => {
    const current = await fetchInvoice(ctx, input.invoiceId);
    if (current.status === 'VOID') return current;
    return normalizeInvoice(
      (await ctx.http.patch<TogaiInvoiceRow>(`/invoices/${encodeId(input.invoiceId)}`, { status: 'VOID' }, { retrySafe: true })).body,
    );
  },
});

// ------------------------------------------------------------------------------------------------------ create

interface CustomLineInput {
  description?: string;
  quantity?: number;
  valuePerQuantity?: number;
  value?: number;
  units?: string;
  taxRate?: number;
  metadata?: Record<string, unknown>;
}

interface CreateCustomInvoiceInput {
  accountId: string;
  startDate: string;
  endDate: string;
  status: 'DRAFT' | 'DUE' | 'PAID';
  lineItems: CustomLineInput[];
  idempotencyKey?: string;
  invoiceClass?: 'INVOICE' | 'ORDER';
  metadata?: Record<string, unknown>;
  autoAdvance?: boolean;
}

export const createCustomInvoiceAction = defineAction<CreateCustomInvoiceInput, TogaiInvoice>({
  key: 'create_custom_invoice',
  title: 'Create custom invoice',
  description:
    'Creates a custom invoice for an account. The idempotency key makes repeats return the first invoice: use a ' +
    'stable key such as the source invoice id; without one Braid uses the run and step ids (safe for retries of this ' +
    'step, not for a replayed flow).',
  input: {
    type: 'object',
    properties: {
      accountId: accountIdProperty,
      startDate: { type: 'string', format: 'date-time', title: 'Period start' },
      endDate: { type: 'string', format: 'date-time', title: 'Period end', description: 'Must be after the start.' },
      status: { type: 'string', title: 'Status', enum: ['DRAFT', 'DUE', 'PAID'], default: 'DRAFT' },
      lineItems: {
        type: 'array',
        title: 'Lines',
        minItems: 1,
        maxItems: 50,
        items: {
          type: 'object',
          properties: {
            description: { type: 'string', title: 'Description', maxLength: 1000 },
            quantity: { type: 'number', title: 'Quantity' },
            valuePerQuantity: { type: 'number', title: 'Rate', description: 'Price per unit (with a quantity).' },
            value: { type: 'number', title: 'Amount', description: 'Line amount (instead of quantity × rate); negative for a discount.' },
            units: { type: 'string', title: 'Units', maxLength: 50 },
            taxRate: { type: 'number', title: 'VAT %', minimum: 0, maximum: 100, description: 'Stored as metadata.taxRate.' },
            metadata: { type: 'object', title: 'Metadata', additionalProperties: true },
          },
          additionalProperties: false,
        },
      },
      idempotencyKey: { type: 'string', title: 'Idempotency key', minLength: 1, maxLength: 255 },
      invoiceClass: {
        type: 'string',
        title: 'Class',
        enum: ['INVOICE', 'ORDER'],
        description: 'ORDER makes an order (honoured by Braid\'s sandbox; Togai creates orders from purchases).',
      },
      metadata: { type: 'object', title: 'Metadata', additionalProperties: true },
      autoAdvance: { type: 'boolean', title: 'Auto advance' },
    },
    required: ['accountId', 'startDate', 'endDate', 'lineItems'],
    additionalProperties: false,
  },
  output: invoiceSchema,
  sampleOutput: { ...sampleInvoice, status: 'DRAFT', invoiceType: 'CUSTOM' },
  classification: 'write',
  idempotent: true,
  run: async (ctx, input) => {
    if (Date.parse(input.endDate) <= Date.parse(input.startDate)) throw invalidInput('/endDate', 'must be after startDate');
    const lineItems = input.lineItems.map((line, index) => {
      const hasProduct = line.quantity !== undefined && line.valuePerQuantity !== undefined;
      if (line.value === undefined && !hasProduct) {
        throw invalidInput(`/lineItems/${index}`, 'needs an amount, or a quantity and a rate');
      }
      const { taxRate, metadata, ...rest } = line;
      const lineMetadata = { ...(metadata ?? {}), ...(taxRate !== undefined ? { taxRate } : {}) };
      return { ...rest, ...(Object.keys(lineMetadata).length > 0 ? { metadata: lineMetadata } : {}) };
    });
    const idempotencyKey =
      input.idempotencyKey ?? (ctx.run?.runId && ctx.run.stepId ? `braid-${ctx.run.runId}-${ctx.run.stepId}`.slice(0, 255) : undefined);
    const body = {
      accountId: input.accountId,
      startDate: new Date(input.startDate).toISOString(),
      endDate: new Date(input.endDate).toISOString(),
      status: input.status,
      lineItems,
      ownerType: 'ACCOUNT',
      ...(idempotencyKey ? { idempotencyKey } : {}),
      ...(input.invoiceClass ? { invoiceClass: input.invoiceClass } : {}),
      ...(input.metadata ? { metadata: input.metadata } : {}),
      ...(input.autoAdvance !== undefined ? { autoAdvance: input.autoAdvance } : {}),
    };
    // With a key, Togai answers a repeat with the first invoice: safe to retry after a 5xx or a timeout.
    const response = await ctx.http.post<TogaiInvoiceRow>('/invoices', body, { retrySafe: idempotencyKey !== undefined });
    return normalizeInvoice(response.body);
  },
});

export const invoiceActions = [getInvoiceAction, listInvoicesAction, updateInvoiceMetadataAction, voidInvoiceAction, createCustomInvoiceAction];
