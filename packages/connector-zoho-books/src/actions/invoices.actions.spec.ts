import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectBooks,
  expectValidOutput,
  records,
  startBooksSandbox,
  type BooksConnection,
  type BooksSandbox,
} from '../test-support/books.fixture.js';

describe('invoices, payments, bills and bank transactions (against the sandbox over HTTP)', () => {
  let sandbox: BooksSandbox;
  let books: BooksConnection;
  let customerId: string;
  let vat19: string;
  beforeAll(async () => {
    sandbox = await startBooksSandbox('demo');
    books = await connectBooks(sandbox);
    customerId = (await books.run('find_contact', { contact_name: 'Initech' })).contact_id;
    vat19 = (await books.run('find_tax_by_rate', { percentage: 19 })).tax_id;
  });
  afterAll(async () => sandbox?.close());

  const invoiceInState = (id: string) => records(sandbox, 'invoices').find((i) => i.invoice_id === id)!;

  it('draft → mark sent → partial payment: balance and status follow; a retried create returns the same invoice', async () => {
    const input = {
      customer_id: customerId,
      reference_number: 'togai-inv-2026-0001',
      line_items: [
        { name: 'API calls', description: '10,000 calls', rate: 100, quantity: 2, tax_id: vat19 },
        { name: 'Loyalty discount', rate: -20, quantity: 1 },
      ],
    };
    const created = await books.run('create_invoice', input);
    expectValidOutput('create_invoice', created);
    expect(created.created).toBe(true);
    const id = created.invoice_id as string;
    expect(invoiceInState(id)).toMatchObject({ status: 'draft', reference_number: 'togai-inv-2026-0001', sub_total: 180 });

    // The same platform invoice delivered again: found by its reference, not duplicated.
    const again = await books.run('create_invoice', input);
    expect(again).toMatchObject({ created: false, invoice_id: id });
    expect(records(sandbox, 'invoices').filter((i) => i.reference_number === 'togai-inv-2026-0001')).toHaveLength(1);

    const updated = await books.run('update_invoice', { invoice_id: id, notes: 'Thanks for your business' });
    expectValidOutput('update_invoice', updated);
    expect(invoiceInState(id)).toMatchObject({ notes: 'Thanks for your business', status: 'draft' });

    const found = await books.run('find_invoice_by_reference', { reference_number: 'togai-inv-2026-0001' });
    expectValidOutput('find_invoice_by_reference', found);
    expect(found).toMatchObject({ found: true, invoice_id: id, match_count: 1 });
    expect(found.record.line_items).toHaveLength(2);
    expect(await books.run('find_invoice_by_reference', { reference_number: 'togai-inv-none' })).toMatchObject({ found: false, invoice_id: null });

    const sent = await books.run('mark_invoice_sent', { invoice_id: id });
    expectValidOutput('mark_invoice_sent', sent);
    expect(sent.changed).toBe(true);
    expect(invoiceInState(id).status).toBe('sent');
    // Repeating the step (engine retry) is not a failure.
    expect(await books.run('mark_invoice_sent', { invoice_id: id })).toMatchObject({ changed: false, status: 'sent' });

    const total = invoiceInState(id).total as number;
    const date = invoiceInState(id).date as string;
    const payment = await books.run('record_payment', {
      customer_id: customerId,
      amount: 100,
      date,
      payment_mode: 'banktransfer',
      reference_number: 'WIRE-1',
      invoices: [{ invoice_id: id, amount_applied: 100 }],
    });
    expectValidOutput('record_payment', payment);
    expect(payment.created).toBe(true);
    expect(invoiceInState(id)).toMatchObject({ status: 'partially_paid', balance: Math.round((total - 100) * 100) / 100, payment_made: 100 });
    expect(records(sandbox, 'customerpayments').find((p) => p.payment_id === payment.payment_id)).toMatchObject({ amount: 100 });
    // The same platform payment delivered again: found by its reference, the invoice is not paid twice.
    const replay = await books.run('record_payment', {
      customer_id: customerId, amount: 100, date, reference_number: 'WIRE-1', invoices: [{ invoice_id: id, amount_applied: 100 }],
    });
    expect(replay).toMatchObject({ created: false, payment_id: payment.payment_id });
    expect(invoiceInState(id).payment_made).toBe(100);
    expect(records(sandbox, 'customerpayments').filter((p) => p.reference_number === 'WIRE-1')).toHaveLength(1);

    const got = await books.run('get_payment', { payment_id: payment.payment_id });
    expectValidOutput('get_payment', got);
    const listed = await books.run('list_payments', { date_start: date, date_end: date });
    expectValidOutput('list_payments', listed);
    expect(listed.payments.map((p: { payment_id: string }) => p.payment_id)).toContain(payment.payment_id);
    expect((await books.run('list_payments', { date_start: '1999-01-01', date_end: '1999-12-31' })).count).toBe(0);

    // Books refuses to void an invoice with payments; the error says so.
    await expect(books.run('void_invoice', { invoice_id: id })).rejects.toMatchObject({ code: 'CONFLICT', vendorCode: 1040 });

    const fetched = await books.run('get_invoice', { invoice_id: id });
    expectValidOutput('get_invoice', fetched);
    expect(fetched.status).toBe('partially_paid');
  });

  it('matches each line\'s VAT rate to the Books tax with that percentage; an unknown rate fails naming it', async () => {
    const created = await books.run('create_invoice', {
      customer_id: customerId,
      reference_number: 'togai-inv-vat',
      line_items: [
        { name: 'Seats', rate: 10, quantity: 3, tax_percentage: 19 },
        { name: 'Books', rate: 20, quantity: 1, tax_percentage: 5 },
        { name: 'Credit', rate: -5, quantity: 1 },
      ],
    });
    const lines = invoiceInState(created.invoice_id).line_items as Array<{ tax_id: string; tax_percentage: number }>;
    expect(lines.map((l) => l.tax_percentage)).toEqual([19, 5, 0]);
    expect(lines[0]!.tax_id).toBe(vat19);
    const before = records(sandbox, 'invoices').length;
    const error = await books
      .run('create_invoice', { customer_id: customerId, line_items: [{ name: 'A', rate: 1 }, { name: 'B', rate: 1, tax_percentage: 21 }] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VALIDATION', field: 'line_items[1].tax_percentage' });
    expect((error as Error).message).toContain('21 %');
    expect(records(sandbox, 'invoices')).toHaveLength(before);
  });

  it('voids and deletes a draft; lists invoices by status', async () => {
    const created = await books.run('create_invoice', {
      customer_id: customerId,
      line_items: [{ name: 'Setup', rate: 50, quantity: 1 }],
    });
    const id = created.invoice_id as string;
    const voided = await books.run('void_invoice', { invoice_id: id });
    expectValidOutput('void_invoice', voided);
    expect(invoiceInState(id)).toMatchObject({ status: 'void', balance: 0 });
    expect(await books.run('void_invoice', { invoice_id: id })).toMatchObject({ changed: false, status: 'void' });
    const list = await books.run('list_invoices', { status: 'void' });
    expectValidOutput('list_invoices', list);
    expect(list.invoices.map((i: { invoice_id: string }) => i.invoice_id)).toContain(id);
    const deleted = await books.run('delete_invoice', { invoice_id: id });
    expectValidOutput('delete_invoice', deleted);
    expect(records(sandbox, 'invoices').some((i) => i.invoice_id === id)).toBe(false);
    await expect(books.run('delete_invoice', { invoice_id: id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const repeated = await books.run('delete_invoice', { invoice_id: id, ignore_missing: true });
    expectValidOutput('delete_invoice', repeated);
    expect(repeated).toEqual({ invoice_id: id, deleted: true, already_deleted: true });
  });

  it('creates an invoice by external id (unique custom field upsert): twice → one invoice', async () => {
    const input = {
      customer_id: customerId,
      unique_value: 'order-991',
      reference_number: 'order-991',
      line_items: [{ name: 'Order 991', rate: 42, quantity: 1, tax_id: vat19 }],
    };
    const first = await books.run('create_invoice', input);
    const second = await books.run('create_invoice', { ...input, notes: 'changed order' });
    expect(first.created).toBe(true);
    expect(second).toMatchObject({ created: false, invoice_id: first.invoice_id });
    const matching = records(sandbox, 'invoices').filter((i) => i.custom_field_hash?.cf_external_id === 'order-991');
    expect(matching).toHaveLength(1);
    expect(matching[0]!.notes).toBe('changed order');
  });

  it('creates, updates and deletes a bill booked to an expense account', async () => {
    const vendorId = (await books.run('find_contact', { contact_name: 'Office Supplies Co', contact_type: 'vendor' })).contact_id;
    const expense = (await books.run('list_accounts', { account_types: ['expense'] })).accounts.find(
      (a: { account_name: string }) => a.account_name === 'Office Supplies',
    );
    const bill = await books.run('create_bill', {
      vendor_id: vendorId,
      bill_number: 'OS-2026-77',
      line_items: [{ name: 'Paper', rate: 30, quantity: 2, account_id: expense.account_id }],
    });
    expectValidOutput('create_bill', bill);
    expect(records(sandbox, 'bills').find((b) => b.bill_id === bill.bill_id)).toMatchObject({ total: 60, status: 'open' });
    await expect(
      books.run('create_bill', { vendor_id: vendorId, bill_number: 'OS-2026-77', line_items: [{ name: 'Paper', rate: 1, account_id: expense.account_id }] }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    const updated = await books.run('update_bill', { bill_id: bill.bill_id, reference_number: 'PO-55' });
    expectValidOutput('update_bill', updated);
    expect(records(sandbox, 'bills').find((b) => b.bill_id === bill.bill_id)!.reference_number).toBe('PO-55');
    expectValidOutput('get_bill', await books.run('get_bill', { bill_id: bill.bill_id }));
    const list = await books.run('list_bills', { vendor_id: vendorId });
    expectValidOutput('list_bills', list);
    expect(list.count).toBe(1);
    const deleted = await books.run('delete_bill', { bill_id: bill.bill_id });
    expectValidOutput('delete_bill', deleted);
    expect(records(sandbox, 'bills').some((b) => b.bill_id === bill.bill_id)).toBe(false);
  });

  it('books a deposit from Undeposited Funds and a transfer between bank accounts', async () => {
    const accounts = (await books.run('list_accounts', { account_types: ['bank', 'cash'] })).accounts as Array<Record<string, string>>;
    const byName = (n: string) => accounts.find((a) => a.account_name === n)!.account_id;
    const deposit = await books.run('create_bank_transaction', {
      transaction_type: 'deposit',
      from_account_id: byName('Undeposited Funds'),
      to_account_id: byName('Business Checking'),
      amount: 950,
      reference_number: 'DEP-1',
    });
    expectValidOutput('create_bank_transaction', deposit);
    const replayed = await books.run('create_bank_transaction', {
      transaction_type: 'deposit',
      from_account_id: byName('Undeposited Funds'),
      to_account_id: byName('Business Checking'),
      amount: 950,
      reference_number: 'DEP-1',
    });
    expect(replayed).toMatchObject({ created: false, transaction_id: deposit.transaction_id });
    const transfer = await books.run('create_bank_transaction', {
      transaction_type: 'transfer_fund',
      from_account_id: byName('Business Checking'),
      to_account_id: byName('Business Savings'),
      amount: 500,
    });
    const stored = records(sandbox, 'banktransactions');
    expect(stored.find((t) => t.transaction_id === deposit.transaction_id)).toMatchObject({ transaction_type: 'deposit', amount: 950 });
    expect(stored.find((t) => t.transaction_id === transfer.transaction_id)).toMatchObject({ transaction_type: 'transfer_fund', amount: 500 });
    const list = await books.run('list_bank_transactions', { account_id: byName('Business Checking') });
    expectValidOutput('list_bank_transactions', list);
    expect(list.count).toBe(2);
  });
});
