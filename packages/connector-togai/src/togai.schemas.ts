// JSON Schemas (2020-12) of Togai's records as the API returns them, and sample records for the editor. Output
// schemas list the fields flows rely on and allow the rest (Togai adds fields over time).
import type { JsonSchema } from '@braid/connector-sdk';

const str = (title: string, extra: Record<string, unknown> = {}): JsonSchema => ({ type: 'string', title, ...extra });

/**
 * flow-model's MANDATORY_TARGETS_KEYWORD: on an action's input schema, the fields a field mapper feeding that action
 * (upsert with link → create) must map; publishing a flow whose mapper lacks one fails naming it.
 */
export const MANDATORY_TARGETS = 'x-braid-mandatory-targets';

export const addressSchema: JsonSchema = {
  type: 'object',
  title: 'Address',
  properties: {
    line1: str('Line 1', { maxLength: 255 }),
    line2: str('Line 2', { maxLength: 255 }),
    city: str('City', { maxLength: 255 }),
    state: str('State / region', { maxLength: 255 }),
    postalCode: str('Postal code', { maxLength: 255 }),
    country: str('Country', { description: 'ISO-3166 alpha-2 code, e.g. "DE".', pattern: '^[A-Z]{2}$' }),
    phoneNumber: str('Phone number', { maxLength: 255 }),
  },
  additionalProperties: false,
};

/** Address as Togai returns it (no constraints: output). */
const addressOutput: JsonSchema = { type: 'object', additionalProperties: true };

export const customerSchema: JsonSchema = {
  type: 'object',
  title: 'Togai customer',
  properties: {
    id: { type: 'string' },
    togaiCustomerId: { type: 'string' },
    name: { type: 'string' },
    primaryEmail: { type: 'string' },
    billingAddress: { type: 'string' },
    address: addressOutput,
    status: { type: 'string', enum: ['ACTIVE', 'ARCHIVED'] },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
  required: ['id', 'name', 'primaryEmail'],
  additionalProperties: true,
};

/** A customer's contact person as Togai answers its creation (CreateCustomerContactResponse). */
export const contactSchema: JsonSchema = {
  type: 'object',
  title: 'Togai contact',
  properties: {
    username: { type: 'string', description: 'Togai\'s id of the contact.' },
    preferredUsername: { type: 'string' },
    name: { type: 'string' },
    email: { type: 'string' },
    phone: { type: 'string' },
    loginAccess: { type: 'boolean' },
    verified: { type: 'boolean' },
    createdBy: { type: 'string' },
    createdAt: { type: 'string' },
  },
  required: ['username', 'name'],
  additionalProperties: true,
};

export const accountSchema: JsonSchema = {
  type: 'object',
  title: 'Togai account',
  properties: {
    id: { type: 'string' },
    togaiAccountId: { type: 'string' },
    togaiCustomerId: { type: 'string' },
    customerId: { type: 'string' },
    name: { type: 'string' },
    invoiceCurrency: { type: 'string' },
    aliases: { type: 'array', items: { type: 'object', properties: { alias: { type: 'string' } } } },
    netTermDays: { type: 'integer' },
    address: addressOutput,
    primaryEmail: { type: 'string' },
    status: { type: 'string', enum: ['ACTIVE', 'DRAFT', 'ARCHIVED'] },
    metadata: { type: 'object', additionalProperties: true },
    tags: { type: 'array', items: { type: 'string' } },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
  required: ['id', 'customerId', 'name'],
  additionalProperties: true,
};

export const invoiceStatuses = [
  'DRAFT',
  'DUE',
  'PAID',
  'VOID',
  'UN_COLLECTIBLE',
  'REFUND_INITIATED',
  'REFUND_COMPLETED',
  'MERGED',
  'PARTIALLY_PAID',
] as const;
export const invoiceClasses = ['INVOICE', 'ORDER', 'BILLABLE'] as const;

const invoiceCommonProperties: Record<string, JsonSchema> = {
  id: { type: 'string' },
  customerId: { type: 'string' },
  ownerId: { type: 'string', description: 'The account id.' },
  status: { type: 'string', enum: [...invoiceStatuses] },
  invoiceClass: { type: 'string' },
  invoiceType: { type: 'string' },
  startDate: { type: 'string' },
  endDate: { type: 'string' },
  invoiceDate: { type: 'string' },
  dueDate: { type: 'string' },
  generatedAt: { type: 'string' },
  updatedAt: { type: 'string' },
  sequenceId: { type: 'string' },
  totalAmount: { type: 'number' },
  paidAmount: { type: 'number' },
  netTermDays: { type: 'integer' },
  metadata: { type: 'object', additionalProperties: true },
  invoiceDetails: { type: 'object', additionalProperties: true },
};

export const invoiceSummarySchema: JsonSchema = {
  type: 'object',
  title: 'Togai invoice (summary)',
  properties: invoiceCommonProperties,
  required: ['id', 'status'],
  additionalProperties: true,
};

/** One billable line, flattened from the invoice (VAT rate from `metadata.taxRate`). */
export const invoiceLineSchema: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    description: { type: 'string' },
    type: { type: 'string' },
    quantity: { type: ['number', 'null'] },
    valuePerQuantity: { type: ['number', 'null'] },
    value: { type: 'number' },
    taxRate: { type: ['number', 'null'], description: 'VAT percentage of the line, null when it has none.' },
    isDiscount: { type: 'boolean', description: 'A negative line (discount or credit).' },
    metadata: { type: 'object', additionalProperties: true },
  },
  required: ['id', 'description', 'value', 'taxRate', 'isDiscount'],
  additionalProperties: false,
};

export const invoiceSchema: JsonSchema = {
  type: 'object',
  title: 'Togai invoice',
  properties: {
    ...invoiceCommonProperties,
    currency: { type: ['string', 'null'], description: 'The account\'s invoice currency.' },
    lines: { type: 'array', items: invoiceLineSchema, description: 'Billable lines (net), flattened by Braid.' },
    revenueInfo: { type: 'object', additionalProperties: true },
  },
  required: ['id', 'status', 'lines', 'currency'],
  additionalProperties: true,
};

export const paymentSchema: JsonSchema = {
  type: 'object',
  title: 'Togai payment',
  properties: {
    id: { type: 'string' },
    accountId: { type: 'string' },
    currency: { type: 'string' },
    totalAmount: { type: 'number' },
    description: { type: 'string' },
    notes: { type: 'string' },
    externalPaymentReferences: { type: 'object', additionalProperties: true },
    lineItemRecords: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          type: { type: 'string' },
          togaiId: { type: 'string' },
          amount: { type: 'number' },
          order: { type: 'integer' },
        },
        additionalProperties: true,
      },
    },
    version: { type: 'integer' },
    createdBy: { type: 'string' },
    createdAt: { type: 'string' },
  },
  required: ['id', 'accountId', 'currency', 'totalAmount'],
  additionalProperties: true,
};

// ---------------------------------------------------------------------------------------------------------------
// Samples (valid against the schemas above; shown in the editor before a step has run).

export const sampleCustomer = {
  id: 'globex',
  togaiCustomerId: 'customer.000001',
  name: 'Globex GmbH',
  primaryEmail: 'billing@globex.example',
  billingAddress: 'Friedrichstraße 100, Berlin, 10117, DE',
  address: { line1: 'Friedrichstraße 100', city: 'Berlin', postalCode: '10117', country: 'DE' },
  status: 'ACTIVE',
  createdAt: '2026-01-05T09:00:00.000Z',
  updatedAt: '2026-01-05T09:00:00.000Z',
};

export const sampleContact = {
  username: 'contact.000001',
  name: 'Ada Quill',
  email: 'ada@globex.example',
  phone: '+49 30 1234567',
  loginAccess: false,
  verified: false,
  createdAt: '2026-01-05T09:00:00.000Z',
};

export const sampleAccount = {
  id: 'globex-main',
  togaiAccountId: 'account.000001',
  togaiCustomerId: 'customer.000001',
  customerId: 'globex',
  name: 'Globex GmbH',
  invoiceCurrency: 'EUR',
  aliases: [{ alias: 'globex-eu' }],
  netTermDays: 14,
  primaryEmail: 'billing@globex.example',
  address: { line1: 'Friedrichstraße 100', city: 'Berlin', postalCode: '10117', country: 'DE' },
  status: 'ACTIVE',
  metadata: { vatId: 'DE123456789' },
  tags: ['enterprise'],
  createdAt: '2026-01-05T09:00:00.000Z',
  updatedAt: '2026-01-05T09:00:00.000Z',
};

export const sampleInvoiceSummary = {
  id: 'invoice.000001',
  customerId: 'globex',
  ownerId: 'globex-main',
  status: 'DUE',
  invoiceClass: 'INVOICE',
  invoiceType: 'STANDARD',
  startDate: '2026-01-01T00:00:00.000Z',
  endDate: '2026-02-01T00:00:00.000Z',
  invoiceDate: '2026-02-01T00:00:00.000Z',
  dueDate: '2026-02-15T00:00:00.000Z',
  generatedAt: '2026-02-01T00:00:00.000Z',
  updatedAt: '2026-02-01T00:00:00.000Z',
  sequenceId: 'INV-000001',
  totalAmount: 119,
  paidAmount: 0,
  netTermDays: 14,
  metadata: {},
  invoiceDetails: { account: { name: 'Globex GmbH', invoiceCurrency: 'EUR' } },
};

export const sampleInvoice = {
  ...sampleInvoiceSummary,
  currency: 'EUR',
  lines: [
    {
      id: 'line.1',
      description: 'Platform fee',
      type: 'FIXED_FEE_RATE_CARD_AMOUNT',
      quantity: 1,
      valuePerQuantity: 100,
      value: 100,
      taxRate: 19,
      isDiscount: false,
      metadata: { taxRate: 19 },
    },
  ],
};

export const samplePayment = {
  id: 'payment.000001',
  accountId: 'globex-main',
  currency: 'EUR',
  totalAmount: 119,
  externalPaymentReferences: { sourceName: 'Zoho Books', sourceType: 'BANK_TRANSFER', transactionNumber: 'PAY-00012' },
  lineItemRecords: [{ type: 'INVOICE', togaiId: 'invoice.000001', amount: 119, order: 1 }],
  version: 1,
  createdBy: 'API_TOKEN',
  createdAt: '2026-02-03T10:00:00.000Z',
};

/** `limit` input shared by list actions. */
export function limitProperty(defaultLimit: number, max: number): JsonSchema {
  return {
    type: 'integer',
    title: 'Maximum records',
    description: `Stop after this many records (default ${defaultLimit}, at most ${max}); the output says \`truncated: true\` when more exist.`,
    minimum: 1,
    maximum: max,
    default: defaultLimit,
  };
}
