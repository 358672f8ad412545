import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectBooks,
  expectValidOutput,
  records,
  startBooksSandbox,
  type BooksConnection,
  type BooksSandbox,
} from '../test-support/books.fixture.js';

describe('expenses (against the sandbox over HTTP)', () => {
  let sandbox: BooksSandbox;
  let books: BooksConnection;
  let accountId: (name: string) => string;
  beforeAll(async () => {
    sandbox = await startBooksSandbox('demo');
    books = await connectBooks(sandbox);
    const accounts = (await books.run('list_accounts', {})).accounts as Array<Record<string, string>>;
    accountId = (name) => String(accounts.find((a) => a.account_name === name)!.account_id);
  });
  afterAll(async () => sandbox?.close());

  it('books processing fees to the fees account, paid through Undeposited Funds; a repeated step with the same reference records nothing twice', async () => {
    const input = {
      account_id: accountId('Payment Processing Fees'),
      paid_through_account_id: accountId('Undeposited Funds'),
      amount: 12.4,
      date: '2026-11-20',
      reference_number: 'braid-fees-2026-11-20',
      description: 'Processing fees of 2026-11-20',
    };
    const first = await books.run('create_expense', input);
    expectValidOutput('create_expense', first);
    expect(first).toMatchObject({
      created: true,
      expense: { account_name: 'Payment Processing Fees', paid_through_account_name: 'Undeposited Funds', amount: 12.4, total: 12.4 },
    });
    const again = await books.run('create_expense', input);
    expect(again).toMatchObject({ created: false, expense_id: first.expense_id });
    // The same reference booked to another expense account is another expense.
    const other = await books.run('create_expense', { ...input, account_id: accountId('Bank Fees and Charges') });
    expect(other.created).toBe(true);
    const stored = records(sandbox, 'expenses').filter((e) => e.reference_number === 'braid-fees-2026-11-20');
    expect(stored.map((e) => e.account_name).sort()).toEqual(['Bank Fees and Charges', 'Payment Processing Fees']);

    const one = await books.run('get_expense', { expense_id: first.expense_id });
    expectValidOutput('get_expense', one);
    expect(one).toMatchObject({ expense_id: first.expense_id, reference_number: 'braid-fees-2026-11-20' });
    const listed = await books.run('list_expenses', { paid_through_account_id: accountId('Undeposited Funds'), date_start: '2026-11-20', date_end: '2026-11-20' });
    expectValidOutput('list_expenses', listed);
    expect(listed).toMatchObject({ count: 2, truncated: false });
    expect((await books.run('list_expenses', { reference_number: 'nothing-like-this' })).count).toBe(0);
  });

  it('an account that is not an expense account fails the step with the field named, not retried', async () => {
    const error = await books
      .run('create_expense', {
        account_id: accountId('Business Checking'),
        paid_through_account_id: accountId('Undeposited Funds'),
        amount: 1,
        date: '2026-11-20',
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VALIDATION', retryable: false });
    expect((error as Error).message).toContain('account_id');
    expect(records(sandbox, 'expenses').filter((e) => e.amount === 1)).toHaveLength(0);
  });
});
