// Customer payments (applied to invoices) and bank transactions (deposits, transfers).
import { defineAction, collectRows, listOutput } from '@braid/connector-sdk';
import { booksCall, listAll, pick, type BooksRecord } from '../books.http.js';
import { bankTransactionSchema, customFieldsInput, idSchema, limitSchema, paymentSchema, S } from '../books.schemas.js';
import { sampleBankTransaction, samplePayment } from '../books.samples.js';
import { findByReference, skipIfReferenceExists } from './reference.lookup.js';
import { defineGetAction } from './get.action.js';

export const PAYMENT_MODES = ['banktransfer', 'bankremittance', 'cash', 'check', 'creditcard', 'autotransaction', 'others'] as const;

export const recordPayment = defineAction<
  BooksRecord & { customer_id: string; skip_if_reference_exists?: boolean },
  { payment_id: string; created: boolean; payment: BooksRecord }
>({
  key: 'record_payment',
  title: 'Record customer payment',
  description:
    'Records a payment from a customer and applies it to one or more sent invoices (each invoice\'s balance and ' +
    'status follow: partially paid or paid). An amount above what is applied stays as customer credit. Books has no ' +
    'idempotency key: give a reference number (e.g. the platform\'s payment id) and a repeated step returns the ' +
    'payment recorded the first time (created=false) instead of paying twice.',
  input: {
    type: 'object',
    properties: {
      customer_id: idSchema('Customer'),
      amount: S.num('Amount', undefined, { exclusiveMinimum: 0 }),
      date: S.date('Payment date', 'yyyy-mm-dd'),
      payment_mode: { type: 'string', title: 'Payment mode', enum: [...PAYMENT_MODES], default: 'banktransfer' },
      invoices: {
        type: 'array',
        title: 'Applied to invoices',
        items: {
          type: 'object',
          properties: { invoice_id: idSchema('Invoice'), amount_applied: S.num('Amount applied', undefined, { minimum: 0 }) },
          required: ['invoice_id', 'amount_applied'],
          additionalProperties: false,
        },
      },
      account_id: idSchema('Deposit to'),
      reference_number: S.str('Reference number', undefined, { maxLength: 100 }),
      description: S.str('Notes'),
      bank_charges: S.num('Bank charges', 'Processing fees withheld from this payment.', { minimum: 0 }),
      exchange_rate: S.num('Exchange rate'),
      custom_fields: customFieldsInput,
      skip_if_reference_exists: skipIfReferenceExists('a payment of this customer'),
    },
    required: ['customer_id', 'amount', 'date', 'invoices'],
    additionalProperties: false,
  },
  output: {
    type: 'object',
    properties: { payment_id: { type: 'string' }, created: { type: 'boolean' }, payment: paymentSchema },
    required: ['payment_id', 'created', 'payment'],
    additionalProperties: false,
  },
  sampleOutput: { payment_id: samplePayment.payment_id, created: true, payment: samplePayment },
  classification: 'write',
  idempotent: true,
  dynamicOptions: {
    '/customer_id': { optionsKey: 'customers' },
    '/account_id': { optionsKey: 'deposit_accounts' },
  },
  run: async (ctx, input) => {
    const existing = await findByReference(
      ctx,
      input,
      { path: '/customerpayments', listKey: 'customerpayments', query: { customer_id: input.customer_id } },
      (p) => String(p.customer_id) === input.customer_id,
    );
    if (existing) {
      const { body: found } = await booksCall(ctx, 'GET', `/customerpayments/${encodeURIComponent(String(existing.payment_id))}`);
      const payment = pick(found, 'payment', 'payment');
      return { payment_id: String(payment.payment_id), created: false, payment };
    }
    const { skip_if_reference_exists: _skip, ...body } = input;
    const { body: answer } = await booksCall(ctx, 'POST', '/customerpayments', { body });
    const payment = pick(answer, 'payment', 'created payment');
    return { payment_id: String(payment.payment_id), created: true, payment };
  },
});

export const getPayment = defineGetAction({
  key: 'get_payment',
  title: 'Get customer payment',
  description: 'Reads one customer payment with the invoices it is applied to.',
  entity: 'Payment',
  idKey: 'payment_id',
  path: '/customerpayments',
  envelope: 'payment',
  output: paymentSchema,
  sampleOutput: samplePayment,
});

export const listPayments = defineAction<
  { date_start?: string; date_end?: string; customer_id?: string; reference_number?: string; limit: number },
  { payments: BooksRecord[]; count: number; truncated: boolean }
>({
  key: 'list_payments',
  title: 'List customer payments',
  description: 'Lists customer payments, optionally between two dates (inclusive) or for one customer.',
  input: {
    type: 'object',
    properties: {
      date_start: S.date('From date', 'Payments dated on or after (yyyy-mm-dd).'),
      date_end: S.date('To date', 'Payments dated on or before (yyyy-mm-dd).'),
      customer_id: idSchema('Customer'),
      reference_number: S.str('Reference number'),
      limit: limitSchema,
    },
    additionalProperties: false,
  },
  output: listOutput('payments', paymentSchema),
  sampleOutput: { payments: [samplePayment], count: 1, truncated: false },
  classification: 'read',
  idempotent: true,
  dynamicOptions: { '/customer_id': { optionsKey: 'customers' } },
  run: async (ctx, input) => {
    const rows = listAll(ctx, '/customerpayments', 'customerpayments', {
      date_start: input.date_start,
      date_end: input.date_end,
      customer_id: input.customer_id,
      reference_number: input.reference_number,
      sort_column: 'date',
      sort_order: 'A',
    });
    const { items, truncated } = await collectRows(rows, input.limit);
    return { payments: items, count: items.length, truncated };
  },
});

const TRANSACTION_TYPES = [
  'deposit',
  'transfer_fund',
  'owner_contribution',
  'interest_income',
  'other_income',
  'owner_drawings',
  'expense_refund',
  'sales_without_invoices',
] as const;

export const createBankTransaction = defineAction<
  BooksRecord & { transaction_type: string; skip_if_reference_exists?: boolean },
  { transaction_id: string; created: boolean; transaction: BooksRecord }
>({
  key: 'create_bank_transaction',
  title: 'Create bank deposit or transfer',
  description:
    'Books a deposit (e.g. the day\'s payments from Undeposited Funds into the bank account) or a transfer between ' +
    'bank/cash accounts. Customer and vendor payments have their own actions.',
  input: {
    type: 'object',
    properties: {
      transaction_type: { type: 'string', title: 'Type', enum: [...TRANSACTION_TYPES], default: 'deposit' },
      from_account_id: idSchema('From account'),
      to_account_id: idSchema('To account'),
      amount: S.num('Amount', undefined, { exclusiveMinimum: 0 }),
      date: S.date('Date', 'yyyy-mm-dd; default today.'),
      reference_number: S.str('Reference number', undefined, { maxLength: 100 }),
      description: S.str('Description'),
      payment_mode: S.str('Payment mode'),
      customer_id: idSchema('Customer'),
      currency_id: idSchema('Currency'),
      skip_if_reference_exists: skipIfReferenceExists('a transaction of the same type into the same account'),
    },
    required: ['transaction_type', 'from_account_id', 'to_account_id', 'amount'],
    additionalProperties: false,
  },
  output: {
    type: 'object',
    properties: { transaction_id: { type: 'string' }, created: { type: 'boolean' }, transaction: bankTransactionSchema },
    required: ['transaction_id', 'created', 'transaction'],
    additionalProperties: false,
  },
  sampleOutput: { transaction_id: sampleBankTransaction.transaction_id, created: true, transaction: sampleBankTransaction },
  classification: 'write',
  idempotent: true,
  dynamicOptions: {
    '/from_account_id': { optionsKey: 'accounts' },
    '/to_account_id': { optionsKey: 'bank_accounts' },
    '/currency_id': { optionsKey: 'currencies' },
  },
  run: async (ctx, input) => {
    const existing = await findByReference(
      ctx,
      input,
      { path: '/banktransactions', listKey: 'banktransactions', query: { account_id: String(input.to_account_id), transaction_type: input.transaction_type } },
      (t) => t.transaction_type === input.transaction_type && String(t.to_account_id) === String(input.to_account_id),
    );
    if (existing) return { transaction_id: String(existing.transaction_id), created: false, transaction: existing };
    const { skip_if_reference_exists: _skip, ...body } = input;
    const { body: answer } = await booksCall(ctx, 'POST', '/banktransactions', { body });
    const transaction = pick(answer, 'banktransaction', 'created bank transaction');
    return { transaction_id: String(transaction.transaction_id), created: true, transaction };
  },
});

export const listBankTransactions = defineAction<
  { account_id?: string; transaction_type?: string; date_start?: string; date_end?: string; limit: number },
  { banktransactions: BooksRecord[]; count: number; truncated: boolean }
>({
  key: 'list_bank_transactions',
  title: 'List bank transactions',
  description: 'Lists bank transactions, optionally of one account, one type or between two dates.',
  input: {
    type: 'object',
    properties: {
      account_id: idSchema('Account'),
      transaction_type: { type: 'string', title: 'Type', enum: [...TRANSACTION_TYPES] },
      date_start: S.date('From date'),
      date_end: S.date('To date'),
      limit: limitSchema,
    },
    additionalProperties: false,
  },
  output: listOutput('banktransactions', bankTransactionSchema),
  sampleOutput: { banktransactions: [sampleBankTransaction], count: 1, truncated: false },
  classification: 'read',
  idempotent: true,
  dynamicOptions: { '/account_id': { optionsKey: 'bank_accounts' } },
  run: async (ctx, input) => {
    const rows = listAll(ctx, '/banktransactions', 'banktransactions', {
      account_id: input.account_id,
      transaction_type: input.transaction_type,
      date_start: input.date_start,
      date_end: input.date_end,
    });
    const { items, truncated } = await collectRows(rows, input.limit);
    return { banktransactions: items, count: items.length, truncated };
  },
});

export const paymentActions = [recordPayment, getPayment, listPayments, createBankTransaction, listBankTransactions];
