import { afterEach, describe, expect, it } from 'vitest';
import { type BooksHarness, type Loose, startBooksHarness } from './test-support/books.harness.js';

async function reference(h: BooksHarness) {
  const taxes = (await h.call('GET', '/settings/taxes')).body.taxes as Array<{ tax_id: string; tax_percentage: number }>;
  const taxId = (pct: number) => taxes.find((t) => t.tax_percentage === pct)!.tax_id;
  const customer = (await h.call('POST', '/contacts', {
    body: { contact_name: 'Arithmetic GmbH', payment_terms: 14, contact_persons: [{ first_name: 'Ari', email: 'ari@arith.example' }] },
  })).body.contact;
  return { taxId, customer };
}

describe('Books v3 invoices and customer payments', () => {
  let h: BooksHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('computes line totals, taxes, an entity discount and negative lines', async () => {
    h = await startBooksHarness();
    const { taxId, customer } = await reference(h);
    const created = await h.call('POST', '/invoices', {
      body: {
        customer_id: customer.contact_id,
        reference_number: 'togai-inv-1',
        discount: '10%',
        is_discount_before_tax: true,
        line_items: [
          { name: 'Platform fee', rate: 200, quantity: 2, tax_id: taxId(19) },
          { name: 'Usage', rate: 0.25, quantity: 400, tax_id: taxId(7) },
          { name: 'Credit', description: 'Goodwill credit', rate: -50, quantity: 1, tax_id: taxId(19) },
        ],
      },
    });
    expect(created.status).toBe(201);
    const inv = created.body.invoice;
    expect(inv).toMatchObject({ status: 'draft', invoice_number: 'INV-000007', reference_number: 'togai-inv-1' });
    expect(inv.invoice_id).toMatch(/^\d+$/);
    expect(inv.line_items.map((l: Loose) => l.item_total)).toEqual([400, 100, -50]);
    expect(inv.line_items[0].line_item_id).toMatch(/^\d+$/);
    expect(inv.sub_total).toBe(450);
    expect(inv.discount_amount).toBe(45);
    // 19% of (400 − 50) × 0.9 = 59.85; 7% of 100 × 0.9 = 6.3
    expect(inv.taxes).toEqual([
      { tax_id: taxId(19), tax_name: 'VAT 19%', tax_amount: 59.85 },
      { tax_id: taxId(7), tax_name: 'Sales Tax 7%', tax_amount: 6.3 },
    ]);
    expect(inv.tax_total).toBe(66.15);
    expect(inv.total).toBe(471.15);
    expect(inv.balance).toBe(471.15);
    expect(inv.due_date > inv.date).toBe(true); // customer's 14-day terms

    const bad = await h.call('POST', '/invoices', {
      body: { customer_id: customer.contact_id, line_items: [{ name: 'x', rate: 10, tax_id: '460000099999999' }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('tax_id');
    const negative = await h.call('POST', '/invoices', { body: { customer_id: customer.contact_id, line_items: [{ name: 'refund', rate: -10 }] } });
    expect(negative.status).toBe(400);
    expect((await h.call('POST', '/invoices', { body: { customer_id: customer.contact_id } })).body.message).toContain('line_items');
  });

  it('moves through sent, partially paid, paid and back as payments are recorded and deleted', async () => {
    h = await startBooksHarness();
    const { customer } = await reference(h);
    const inv = (await h.call('POST', '/invoices', {
      query: { send: true },
      body: { customer_id: customer.contact_id, line_items: [{ name: 'Work', rate: 300, quantity: 1 }] },
    })).body.invoice;
    expect(inv.status).toBe('sent');

    const pay = (amount: number, applied: number) =>
      h!.call('POST', '/customerpayments', {
        body: { customer_id: customer.contact_id, payment_mode: 'banktransfer', amount, date: inv.date, invoices: [{ invoice_id: inv.invoice_id, amount_applied: applied }] },
      });
    const first = await pay(100, 100);
    expect(first.status).toBe(201);
    expect(first.body.message).toBe('The payment has been created.');
    let current = (await h.call('GET', `/invoices/${inv.invoice_id}`)).body.invoice;
    expect(current).toMatchObject({ status: 'partially_paid', payment_made: 100, balance: 200 });

    const tooMuch = await pay(500, 250);
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.message).toContain('amount_applied');
    const overApplied = await pay(100, 150);
    expect(overApplied.status).toBe(400);

    const second = await pay(250, 200); // 50 left over as customer credit
    expect(second.body.payment.unused_amount).toBe(50);
    current = (await h.call('GET', `/invoices/${inv.invoice_id}`)).body.invoice;
    expect(current).toMatchObject({ status: 'paid', payment_made: 300, balance: 0 });
    const contact = (await h.call('GET', `/contacts/${customer.contact_id}`)).body.contact;
    expect(contact.unused_credits_receivable_amount).toBe(50);
    expect(contact.outstanding_receivable_amount).toBe(0);

    expect((await h.call('POST', `/invoices/${inv.invoice_id}/status/void`)).status).toBe(400);
    expect((await h.call('DELETE', `/invoices/${inv.invoice_id}`)).status).toBe(400);

    await h.call('DELETE', `/customerpayments/${second.body.payment.payment_id}`);
    current = (await h.call('GET', `/invoices/${inv.invoice_id}`)).body.invoice;
    expect(current).toMatchObject({ status: 'partially_paid', balance: 200 });
    const edited = await h.call('PUT', `/customerpayments/${first.body.payment.payment_id}`, {
      body: { amount: 300, invoices: [{ invoice_id: inv.invoice_id, amount_applied: 300 }] },
    });
    expect(edited.status).toBe(200);
    expect((await h.call('GET', `/invoices/${inv.invoice_id}`)).body.invoice.status).toBe('paid');
    const shrink = await h.call('PUT', `/invoices/${inv.invoice_id}`, { body: { line_items: [{ name: 'Work', rate: 100 }] } });
    expect(shrink.status).toBe(400);
  });

  it('marks invoices overdue when the clock passes the due date, voids, re-drafts and deletes them', async () => {
    h = await startBooksHarness();
    const { customer } = await reference(h);
    const inv = (await h.call('POST', '/invoices', {
      body: { customer_id: customer.contact_id, payment_terms: 1, line_items: [{ name: 'Work', rate: 80 }] },
    })).body.invoice;
    expect(inv.status).toBe('draft');
    expect((await h.call('DELETE', `/invoices/${inv.invoice_id}`)).status).toBe(200);

    const emailed = (await h.call('POST', '/invoices', { body: { customer_id: customer.contact_id, line_items: [{ name: 'Mail', rate: 5 }] } })).body.invoice;
    expect((await h.call('POST', `/invoices/${emailed.invoice_id}/email`, { body: {} })).body.message).toBe('Your invoice has been sent.');
    expect((await h.call('GET', `/invoices/${emailed.invoice_id}`)).body.invoice).toMatchObject({ status: 'sent', is_emailed: true });

    const sent = (await h.call('POST', '/invoices', {
      body: { customer_id: customer.contact_id, payment_terms: 1, line_items: [{ name: 'Work', rate: 80 }] },
    })).body.invoice;
    expect((await h.call('POST', `/invoices/${sent.invoice_id}/status/sent`)).body.message).toBe('Invoice status has been changed to Sent.');
    expect((await h.call('POST', `/invoices/${sent.invoice_id}/status/sent`)).status).toBe(400);
    expect((await h.call('DELETE', `/invoices/${sent.invoice_id}`)).status).toBe(400);

    h.running.sandbox.context.clock.advance(3 * 24 * 3600_000);
    h.token = await h.tokenFor(['ZohoBooks.fullaccess.all']); // the old token expired with the clock
    expect((await h.call('GET', `/invoices/${sent.invoice_id}`)).body.invoice.status).toBe('overdue');
    const overdue = await h.call('GET', '/invoices', { query: { filter_by: 'Status.OverDue', customer_id: customer.contact_id } });
    expect(overdue.body.invoices.map((i: Loose) => i.invoice_id)).toEqual([sent.invoice_id]);

    expect((await h.call('POST', `/invoices/${sent.invoice_id}/status/void`)).body.message).toBe('Invoice status has been changed to Void.');
    const voided = (await h.call('GET', `/invoices/${sent.invoice_id}`)).body.invoice;
    expect(voided).toMatchObject({ status: 'void', balance: 0 });
    expect((await h.call('PUT', `/invoices/${sent.invoice_id}`, { body: { notes: 'x' } })).status).toBe(400);
    expect((await h.call('POST', `/invoices/${sent.invoice_id}/status/draft`)).status).toBe(200);
    expect((await h.call('GET', `/invoices/${sent.invoice_id}`)).body.invoice.status).toBe('draft');
    expect((await h.call('DELETE', `/invoices/${sent.invoice_id}`)).body.message).toBe('The invoice has been deleted.');
    expect((await h.call('GET', `/invoices/${sent.invoice_id}`)).body).toEqual({ code: 1002, message: 'Invoice does not exist.' });
  });

  it('upserts contacts and invoices by the unique custom field cf_external_id', async () => {
    h = await startBooksHarness();
    const headers = (value: string, upsert: boolean) => ({
      'X-Unique-Identifier-Key': 'cf_external_id',
      'X-Unique-Identifier-Value': value,
      ...(upsert ? { 'X-Upsert': 'true' } : {}),
    });
    const missing = await h.call('PUT', '/contacts', { headers: headers('togai-cust-1', false), body: { contact_name: 'Upsert Ltd' } });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe(1002);

    const created = await h.call('PUT', '/contacts', { headers: headers('togai-cust-1', true), body: { contact_name: 'Upsert Ltd' } });
    expect(created.status).toBe(201);
    expect(created.body.contact.custom_field_hash.cf_external_id).toBe('togai-cust-1');
    const updated = await h.call('PUT', '/contacts', { headers: headers('togai-cust-1', true), body: { contact_name: 'Upsert Limited' } });
    expect(updated.status).toBe(200);
    expect(updated.body.contact.contact_id).toBe(created.body.contact.contact_id);
    expect(updated.body.contact.contact_name).toBe('Upsert Limited');

    const duplicate = await h.call('POST', '/contacts', {
      body: { contact_name: 'Someone Else', custom_fields: [{ api_name: 'cf_external_id', value: 'togai-cust-1' }] },
    });
    expect(duplicate.status).toBe(400);
    expect((await h.call('PUT', '/contacts', { headers: { 'X-Unique-Identifier-Key': 'cf_nope', 'X-Unique-Identifier-Value': 'x' }, body: {} })).status).toBe(400);

    const invoiceBody = { customer_id: created.body.contact.contact_id, line_items: [{ name: 'Plan', rate: 10 }] };
    const inv1 = await h.call('PUT', '/invoices', { headers: headers('togai-inv-9', true), body: invoiceBody });
    const inv2 = await h.call('PUT', '/invoices', { headers: headers('togai-inv-9', true), body: { ...invoiceBody, line_items: [{ name: 'Plan', rate: 12 }] } });
    expect(inv1.status).toBe(201);
    expect(inv2.status).toBe(200);
    expect(inv2.body.invoice.invoice_id).toBe(inv1.body.invoice.invoice_id);
    expect(inv2.body.invoice.total).toBe(12);
    const byRef = await h.call('GET', '/invoices', { query: { customer_id: created.body.contact.contact_id } });
    expect(byRef.body.invoices).toHaveLength(1);
  });

  it('serves bills, reference data and deposits', async () => {
    h = await startBooksHarness();
    const vendors = (await h.call('GET', '/contacts', { query: { contact_type: 'vendor' } })).body.contacts;
    const accounts = (await h.call('GET', '/chartofaccounts')).body.chartofaccounts as Loose[];
    const expense = accounts.find((a) => a.account_name === 'Office Supplies');
    const bank = accounts.find((a) => a.account_name === 'Business Checking');
    const undeposited = accounts.find((a) => a.account_name === 'Undeposited Funds');
    const bill = await h.call('POST', '/bills', {
      body: { vendor_id: vendors[0].contact_id, bill_number: 'B-1', line_items: [{ name: 'Paper', rate: 30, quantity: 2, account_id: expense.account_id }] },
    });
    expect(bill.status).toBe(201);
    expect(bill.body.bill).toMatchObject({ status: 'open', total: 60, balance: 60 });
    expect((await h.call('POST', '/bills', { body: { vendor_id: vendors[0].contact_id, bill_number: 'B-2', line_items: [{ name: 'Paper', rate: 30 }] } })).status).toBe(400);
    expect((await h.call('POST', `/bills/${bill.body.bill.bill_id}/status/void`)).status).toBe(200);
    expect((await h.call('GET', `/bills/${bill.body.bill.bill_id}`)).body.bill.status).toBe('void');

    const expenseOnly = await h.call('GET', '/chartofaccounts', { query: { filter_by: 'AccountType.Expense' } });
    expect(expenseOnly.body.chartofaccounts.every((a: Loose) => a.account_type === 'expense' || a.account_type === 'cost_of_goods_sold')).toBe(true);
    const currencies = await h.call('GET', '/settings/currencies', { query: { filter_by: 'Currencies.ExcludeBaseCurrency' } });
    expect(currencies.body.currencies.map((c: Loose) => c.currency_code)).not.toContain('USD');
    expect((await h.call('GET', '/settings/taxes')).body.taxes.map((t: Loose) => t.tax_percentage)).toEqual([0, 5, 7, 10, 19, 20]);
    expect((await h.call('GET', '/reportingtags')).body.tags.map((t: Loose) => t.tag_name)).toEqual(['Region', 'Department']);

    const deposit = await h.call('POST', '/banktransactions', {
      body: { transaction_type: 'deposit', from_account_id: undeposited.account_id, to_account_id: bank.account_id, amount: 1234.5, date: '2026-11-20', reference_number: 'DEP-1' },
    });
    expect(deposit.status).toBe(201);
    const listed = await h.call('GET', '/banktransactions', { query: { account_id: bank.account_id } });
    expect(listed.body.banktransactions.map((t: Loose) => [t.transaction_type, t.amount])).toEqual([['deposit', 1234.5]]);
    // the daily settlement of S5: deposit net of fees, fees booked as an expense paid from the bank account
    const fees = accounts.find((a) => a.account_name === 'Payment Processing Fees');
    const feeExpense = await h.call('POST', '/expenses', {
      body: { account_id: fees.account_id, paid_through_account_id: bank.account_id, amount: 34.5, date: '2026-11-20', reference_number: 'FEES-1' },
    });
    expect(feeExpense.status).toBe(200);
    expect(feeExpense.body.expense).toMatchObject({ account_name: 'Payment Processing Fees', total: 34.5, status: 'nonbillable' });
    expect((await h.call('POST', '/expenses', { body: { account_id: bank.account_id, paid_through_account_id: bank.account_id, amount: 1, date: '2026-11-20' } })).status).toBe(400);
    const bankAccount = await h.call('GET', `/bankaccounts/${bank.account_id}`);
    expect(bankAccount.body.bankaccount.balance).toBe(1200);
    expect((await h.call('GET', '/expenses', { query: { paid_through_account_id: bank.account_id } })).body.expenses).toHaveLength(1);
    const customerPayment = await h.call('POST', '/banktransactions', {
      body: { transaction_type: 'customer_payment', from_account_id: undeposited.account_id, to_account_id: bank.account_id, amount: 1 },
    });
    expect(customerPayment.status).toBe(400);
  });
});
