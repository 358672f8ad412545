// Payments: record one against invoices (deduplicated by transaction number), list, get.
import { defineAction, type ConnectorContext, collectRows, listOutput } from '@braid/connector-sdk';
import { encodeId, FILTER_PAGE_SIZE, togaiRows } from '../togai.http.js';
import { limitProperty, paymentSchema, samplePayment } from '../togai.schemas.js';
import { accountIdProperty } from './accounts.action.js';
import { invalidInput } from './action.helpers.js';

export interface TogaiPayment {
  id: string;
  accountId: string;
  currency: string;
  totalAmount: number;
  createdAt?: string;
  externalPaymentReferences?: { transactionNumber?: string; [key: string]: unknown };
  [key: string]: unknown;
}

function paymentRows(ctx: ConnectorContext, filter: { accountId?: string; since?: string; until?: string }) {
  // account_id / start_time / end_time are sandbox conveniences; the caller filters again.
  return togaiRows<TogaiPayment>(
    ctx,
    '/payments',
    {
      account_id: filter.accountId,
      start_time: filter.since ? Date.parse(filter.since) : undefined,
      end_time: filter.until ? Date.parse(filter.until) : undefined,
    },
    FILTER_PAGE_SIZE,
  );
}

function inWindow(payment: TogaiPayment, filter: { accountId?: string; since?: string; until?: string }): boolean {
  const at = Date.parse(String(payment.createdAt ?? ''));
  return (
    (!filter.accountId || payment.accountId === filter.accountId) &&
    (!filter.since || at >= Date.parse(filter.since)) &&
    (!filter.until || at <= Date.parse(filter.until))
  );
}

interface RecordPaymentInput {
  accountId: string;
  currency: string;
  totalAmount?: number;
  sourceType: 'GATEWAY' | 'CASH' | 'CHEQUE' | 'BANK_TRANSFER' | 'CARD';
  sourceName: string;
  transactionNumber: string;
  paymentDescription?: string;
  referenceDescription?: string;
  notes?: string;
  invoices: Array<{ invoiceId: string; amount: number }>;
  skipIfRecorded: boolean;
}

export const recordPaymentAction = defineAction<RecordPaymentInput, { created: boolean; payment: TogaiPayment }>({
  key: 'record_payment',
  title: 'Record payment',
  description:
    'Records a payment received outside Togai and applies it to invoices (which become PARTIALLY_PAID or PAID). ' +
    'With "Skip if recorded" (default) an existing payment of the account with the same transaction number is ' +
    'returned instead of paying twice.',
  input: {
    type: 'object',
    properties: {
      accountId: accountIdProperty,
      currency: { type: 'string', title: 'Currency', pattern: '^[A-Z]{3}$', description: 'Must be the account\'s invoice currency.' },
      totalAmount: { type: 'number', title: 'Total amount', exclusiveMinimum: 0, description: 'Default: the sum of the invoice amounts.' },
      sourceType: { type: 'string', title: 'Paid by', enum: ['GATEWAY', 'CASH', 'CHEQUE', 'BANK_TRANSFER', 'CARD'], default: 'BANK_TRANSFER' },
      sourceName: { type: 'string', title: 'Source', description: 'Where the payment was recorded, e.g. "Zoho Books".', minLength: 1, maxLength: 255, default: 'Braid' },
      transactionNumber: { type: 'string', title: 'Transaction number', description: 'The payment\'s id at the source (used to avoid duplicates).', minLength: 1, maxLength: 255 },
      paymentDescription: { type: 'string', title: 'Description', maxLength: 1000 },
      referenceDescription: { type: 'string', title: 'Reference description', maxLength: 1000 },
      notes: { type: 'string', title: 'Notes', maxLength: 2000 },
      invoices: {
        type: 'array',
        title: 'Applied to invoices',
        minItems: 1,
        maxItems: 100,
        items: {
          type: 'object',
          properties: {
            invoiceId: { type: 'string', title: 'Invoice id', minLength: 1 },
            amount: { type: 'number', title: 'Amount', exclusiveMinimum: 0 },
          },
          required: ['invoiceId', 'amount'],
          additionalProperties: false,
        },
      },
      skipIfRecorded: { type: 'boolean', title: 'Skip if recorded', default: true },
    },
    required: ['accountId', 'currency', 'transactionNumber', 'invoices'],
    additionalProperties: false,
  },
  output: {
    type: 'object',
    properties: { created: { type: 'boolean', description: 'false when the transaction was already recorded.' }, payment: paymentSchema },
    required: ['created', 'payment'],
    additionalProperties: false,
  },
  sampleOutput: { created: true, payment: samplePayment },
  classification: 'write',
  idempotent: true,
  run: async (ctx, input) => {
    const sum = Math.round(input.invoices.reduce((total, i) => total + i.amount, 0) * 1000) / 1000;
    const totalAmount = input.totalAmount ?? sum;
    if (Math.abs(totalAmount - sum) > 0.005) {
      throw invalidInput('/totalAmount', `is ${totalAmount} but the invoice amounts add up to ${sum}`);
    }
    if (input.skipIfRecorded) {
      for await (const payment of paymentRows(ctx, { accountId: input.accountId })) {
        if (payment.accountId === input.accountId && payment.externalPaymentReferences?.transactionNumber === input.transactionNumber) {
          return { created: false, payment };
        }
      }
    }
    const body = {
      accountId: input.accountId,
      currency: input.currency,
      totalAmount,
      externalPaymentReference: {
        sourceName: input.sourceName,
        sourceType: input.sourceType,
        transactionNumber: input.transactionNumber,
        ...(input.referenceDescription ? { description: input.referenceDescription } : {}),
      },
      lineItemRecords: input.invoices.map((invoice, index) => ({ type: 'INVOICE', togaiId: invoice.invoiceId, amount: invoice.amount, order: index + 1 })),
      ...(input.paymentDescription ? { description: input.paymentDescription } : {}),
      ...(input.notes ? { notes: input.notes } : {}),
    };
    return { created: true, payment: (await ctx.http.post<TogaiPayment>('/payments', body)).body };
  },
});

export const listPaymentsAction = defineAction<
  { accountId?: string; since?: string; until?: string; limit: number },
  { payments: TogaiPayment[]; count: number; truncated: boolean }
>({
  key: 'list_payments',
  title: 'List payments',
  description: 'Reads payments page by page (50 per call) up to the limit, optionally of one account and recorded within a time window.',
  input: {
    type: 'object',
    properties: {
      accountId: { type: 'string', title: 'Account id' },
      since: { type: 'string', format: 'date-time', title: 'Recorded since' },
      until: { type: 'string', format: 'date-time', title: 'Recorded until' },
      limit: limitProperty(1000, 10_000),
    },
    additionalProperties: false,
  },
  output: listOutput('payments', paymentSchema),
  sampleOutput: { payments: [samplePayment], count: 1, truncated: false },
  classification: 'read',
  idempotent: true,
  run: async (ctx, input) => {
    const { items, truncated } = await collectRows(paymentRows(ctx, input), input.limit, (p) => inWindow(p, input));
    return { payments: items, count: items.length, truncated };
  },
});

export const getPaymentAction = defineAction<{ paymentId: string }, TogaiPayment>({
  key: 'get_payment',
  title: 'Get payment',
  description: 'Reads one payment by id.',
  input: {
    type: 'object',
    properties: { paymentId: { type: 'string', title: 'Payment id', minLength: 1 } },
    required: ['paymentId'],
    additionalProperties: false,
  },
  output: paymentSchema,
  sampleOutput: samplePayment,
  classification: 'read',
  idempotent: true,
  run: async (ctx, input) => (await ctx.http.get<TogaiPayment>(`/payments/${encodeId(input.paymentId)}`)).body,
});

export const paymentActions = [recordPaymentAction, listPaymentsAction, getPaymentAction];
