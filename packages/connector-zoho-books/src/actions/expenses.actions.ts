// Expenses: money paid out of a cash/bank/card account and booked to an expense account — e.g. the payment
// processing fees withheld from a day's deposit, booked to the fees account the user chose.
import { defineAction, collectRows, listOutput } from '@braid/connector-sdk';
import { booksCall, listAll, pick, type BooksRecord } from '../books.http.js';
import { findByReference, skipIfReferenceExists } from './reference.lookup.js';
import { expenseSchema, idSchema, limitSchema, S } from '../books.schemas.js';
import { sampleExpense } from '../books.samples.js';
import { defineGetAction } from './get.action.js';

export const createExpense = defineAction<
  BooksRecord & { account_id: string; paid_through_account_id: string; skip_if_reference_exists?: boolean },
  { expense_id: string; created: boolean; expense: BooksRecord }
>({
  key: 'create_expense',
  title: 'Record expense',
  description:
    'Records an expense booked to an expense account (e.g. Payment Processing Fees) and paid through a cash, bank or ' +
    'card account (e.g. Undeposited Funds, where the fees were withheld). Books has no idempotency key: give a ' +
    'reference number and a repeated step returns the expense recorded the first time (created=false).',
  input: {
    type: 'object',
    properties: {
      account_id: idSchema('Expense account'),
      paid_through_account_id: idSchema('Paid through'),
      amount: S.num('Amount', undefined, { exclusiveMinimum: 0 }),
      date: S.date('Date', 'yyyy-mm-dd.'),
      reference_number: S.str('Reference number', undefined, { maxLength: 100 }),
      description: S.str('Description', undefined, { maxLength: 500 }),
      tax_id: idSchema('Tax'),
      is_inclusive_tax: { type: 'boolean', title: 'Amount includes tax' },
      vendor_id: idSchema('Vendor'),
      currency_id: idSchema('Currency'),
      skip_if_reference_exists: skipIfReferenceExists('an expense booked to the same expense account and paid through the same account'),
    },
    required: ['account_id', 'paid_through_account_id', 'amount', 'date'],
    additionalProperties: false,
  },
  output: {
    type: 'object',
    properties: { expense_id: { type: 'string' }, created: { type: 'boolean' }, expense: expenseSchema },
    required: ['expense_id', 'created', 'expense'],
    additionalProperties: false,
  },
  sampleOutput: { expense_id: sampleExpense.expense_id, created: true, expense: sampleExpense },
  classification: 'write',
  idempotent: true,
  dynamicOptions: {
    '/account_id': { optionsKey: 'expense_accounts' },
    '/paid_through_account_id': { optionsKey: 'deposit_accounts' },
    '/tax_id': { optionsKey: 'taxes' },
    '/vendor_id': { optionsKey: 'vendors' },
    '/currency_id': { optionsKey: 'currencies' },
  },
  run: async (ctx, input) => {
    const existing = await findByReference(
      ctx,
      input,
      { path: '/expenses', listKey: 'expenses', query: { paid_through_account_id: input.paid_through_account_id } },
      (e) => String(e.account_id) === input.account_id && String(e.paid_through_account_id) === input.paid_through_account_id,
    );
    if (existing) return { expense_id: String(existing.expense_id), created: false, expense: existing };
    const { skip_if_reference_exists: _skip, ...body } = input;
    const { body: answer } = await booksCall(ctx, 'POST', '/expenses', { body });
    const expense = pick(answer, 'expense', 'recorded expense');
    return { expense_id: String(expense.expense_id), created: true, expense };
  },
});

export const getExpense = defineGetAction({
  key: 'get_expense',
  title: 'Get expense',
  description: 'Reads one expense by id.',
  entity: 'Expense',
  idKey: 'expense_id',
  path: '/expenses',
  envelope: 'expense',
  output: expenseSchema,
  sampleOutput: sampleExpense,
});

export const listExpenses = defineAction<
  { paid_through_account_id?: string; reference_number?: string; date_start?: string; date_end?: string; limit: number },
  { expenses: BooksRecord[]; count: number; truncated: boolean }
>({
  key: 'list_expenses',
  title: 'List expenses',
  description: 'Lists expenses, optionally paid through one account, with one reference number or between two dates (inclusive).',
  input: {
    type: 'object',
    properties: {
      paid_through_account_id: idSchema('Paid through'),
      reference_number: S.str('Reference number'),
      date_start: S.date('From date', 'Expenses dated on or after (yyyy-mm-dd).'),
      date_end: S.date('To date', 'Expenses dated on or before (yyyy-mm-dd).'),
      limit: limitSchema,
    },
    additionalProperties: false,
  },
  output: listOutput('expenses', expenseSchema),
  sampleOutput: { expenses: [sampleExpense], count: 1, truncated: false },
  classification: 'read',
  idempotent: true,
  dynamicOptions: { '/paid_through_account_id': { optionsKey: 'deposit_accounts' } },
  run: async (ctx, input) => {
    const rows = listAll(ctx, '/expenses', 'expenses', {
      paid_through_account_id: input.paid_through_account_id,
      reference_number: input.reference_number,
      date_start: input.date_start,
      date_end: input.date_end,
      sort_column: 'date',
      sort_order: 'A',
    });
    const { items, truncated } = await collectRows(rows, input.limit);
    return { expenses: items, count: items.length, truncated };
  },
});

export const expenseActions = [createExpense, getExpense, listExpenses];
