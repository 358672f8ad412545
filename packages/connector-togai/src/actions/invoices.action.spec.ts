import type { ConnectorError } from '@braid/connector-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTogaiHarness, type TogaiHarness } from '../test-support/togai.harness.js';
import { normalizeInvoice } from './invoices.action.js';

describe('Togai invoices and payments against the sandbox (demo seed)', () => {
  let t: TogaiHarness;
  beforeAll(async () => {
    t = await startTogaiHarness('demo');
  });
  afterAll(async () => {
    await t.close();
  });

  const invoiceIn = (id: string) => t.state().invoices.find((i) => i.id === id)!;
  const period = { startDate: '2026-03-01T00:00:00Z', endDate: '2026-04-01T00:00:00Z' };

  it('reads an invoice with flat lines, VAT rates, discounts and currency', async () => {
    const due = t.state().invoices.find((i) => i.ownerId === 'globex-main' && i.status === 'DUE' && i.invoiceClass === 'INVOICE')!;
    const invoice = await t.run('get_invoice', { invoiceId: due.id });
    expect(invoice).toMatchObject({ id: due.id, status: 'DUE', currency: 'EUR', totalAmount: due.totalAmount });
    const rates = new Set(invoice.lines.map((l: { taxRate: number | null }) => l.taxRate));
    expect(rates).toEqual(new Set([19, 7]));
    expect(invoice.lines.some((l: { isDiscount: boolean; value: number }) => l.isDiscount && l.value < 0)).toBe(true);
    expect(invoice.lines).toHaveLength((due.lineItems as unknown[]).length);
  });

  it('flattens Togai\'s revenueInfo tree when the flat lineItems are absent', async () => {
    const due = t.state().invoices.find((i) => i.ownerId === 'globex-main' && i.status === 'DUE')!;
    const { lineItems, ...treeOnly } = due;
    const fromTree = normalizeInvoice(treeOnly as never);
    const fromFlat = normalizeInvoice(due as never);
    expect(lineItems).toBeDefined();
    expect(fromTree.lines.map((l) => [l.id, l.value, l.taxRate])).toEqual(fromFlat.lines.map((l) => [l.id, l.value, l.taxRate]));
  });

  it('creates a custom invoice once per idempotency key (explicit, or the run and step ids)', async () => {
    const before = t.state().invoices.length;
    const input = {
      accountId: 'globex-main',
      ...period,
      status: 'DUE',
      idempotencyKey: 'books-invoice-4600000123',
      lineItems: [
        { description: 'Consulting', quantity: 2, valuePerQuantity: 50, taxRate: 19 },
        { description: 'Discount', value: -10, taxRate: 19, metadata: { discount: true } },
      ],
    };
    const first = await t.run('create_custom_invoice', input);
    const second = await t.run('create_custom_invoice', input);
    expect(second.id).toBe(first.id);
    expect(t.state().invoices.length).toBe(before + 1);
    expect(first).toMatchObject({ status: 'DUE', invoiceType: 'CUSTOM', currency: 'EUR', totalAmount: 107.1 });
    expect(first.lines.map((l: { value: number; taxRate: number }) => [l.value, l.taxRate])).toEqual([[100, 19], [-10, 19]]);

    const run = { runId: 'run-1', stepId: 'make_invoice' };
    const { idempotencyKey: _key, ...withoutKey } = input;
    const a = await t.run('create_custom_invoice', { ...withoutKey, status: 'DRAFT' }, { run });
    const b = await t.run('create_custom_invoice', { ...withoutKey, status: 'DRAFT' }, { run });
    expect(b.id).toBe(a.id);
    expect(t.state().invoices.length).toBe(before + 2);

    const order = await t.run('create_custom_invoice', { ...input, idempotencyKey: 'order-1', invoiceClass: 'ORDER', status: 'PAID' });
    expect(invoiceIn(order.id)).toMatchObject({ invoiceClass: 'ORDER', status: 'PAID' });

    const bad = (await t.run('create_custom_invoice', { ...input, lineItems: [{ description: 'no amount' }] }).catch((e: unknown) => e)) as ConnectorError;
    expect(bad.code).toBe('INVALID_INPUT');
    expect(bad.issues?.[0]?.pointer).toBe('/lineItems/0');
  });

  it('merges invoice metadata (null removes a key)', async () => {
    const order = t.state().invoices.find((i) => i.invoiceClass === 'ORDER' && i.status === 'PAID')!;
    await t.run('update_invoice_metadata', { invoiceId: order.id, metadata: { booksInvoiceNumber: 'INV-000042', temp: 'x' } });
    await t.run('update_invoice_metadata', { invoiceId: order.id, metadata: { booksInvoiceId: '4600000999', temp: null } });
    const stored = invoiceIn(order.id).metadata as Record<string, unknown>;
    expect(stored).toMatchObject({ booksInvoiceNumber: 'INV-000042', booksInvoiceId: '4600000999' });
    expect(stored).not.toHaveProperty('temp');
  });

  it('lists invoices by status, class, account and billing period, paging 50 at a time', async () => {
    const state = t.state().invoices;
    const due = await t.run('list_invoices', { statuses: ['DUE'] });
    expect(due.invoices.map((i: { id: string }) => i.id).sort()).toEqual(state.filter((i) => i.status === 'DUE').map((i) => i.id).sort());
    const orders = await t.run('list_invoices', { invoiceClass: 'ORDER', statuses: ['DUE', 'PAID'] });
    expect(orders.count).toBe(state.filter((i) => i.invoiceClass === 'ORDER' && ['DUE', 'PAID'].includes(i.status as string)).length);
    expect(orders.invoices.every((i: { invoiceClass: string }) => i.invoiceClass === 'ORDER')).toBe(true);
    const march = await t.run('list_invoices', { accountId: 'globex-main', periodFrom: period.startDate, periodTo: period.endDate });
    expect(march.count).toBe(state.filter((i) => i.ownerId === 'globex-main' && i.startDate === '2026-03-01T00:00:00.000Z').length);
    expect(march.count).toBeGreaterThanOrEqual(2);
    const capped = await t.run('list_invoices', { limit: 1 });
    expect(capped).toMatchObject({ count: 1, truncated: true });
  });

  it('records payments: partial → PARTIALLY_PAID, repeat of a transaction is skipped, the rest → PAID', async () => {
    const invoice = await t.run('create_custom_invoice', {
      accountId: 'umbrella-main', ...period, status: 'DUE', idempotencyKey: 'pay-test', lineItems: [{ description: 'Plan', value: 200 }],
    });
    const paymentsBefore = t.state().payments.length;
    const partial = { accountId: 'umbrella-main', currency: 'USD', transactionNumber: 'BOOKS-PAY-1', invoices: [{ invoiceId: invoice.id, amount: 50 }] };
    const first = await t.run('record_payment', partial);
    expect(first).toMatchObject({ created: true, payment: { totalAmount: 50, accountId: 'umbrella-main' } });
    expect(invoiceIn(invoice.id)).toMatchObject({ status: 'PARTIALLY_PAID', paidAmount: 50 });

    const repeat = await t.run('record_payment', partial);
    expect(repeat).toMatchObject({ created: false, payment: { id: first.payment.id } });
    expect(t.state().payments.length).toBe(paymentsBefore + 1);

    await t.run('record_payment', { ...partial, transactionNumber: 'BOOKS-PAY-2', sourceType: 'CARD', invoices: [{ invoiceId: invoice.id, amount: 150 }] });
    expect(invoiceIn(invoice.id)).toMatchObject({ status: 'PAID', paidAmount: 200 });

    const listed = await t.run('list_payments', { accountId: 'umbrella-main' });
    expect(listed.payments.map((p: { externalPaymentReferences: { transactionNumber: string } }) => p.externalPaymentReferences.transactionNumber)).toEqual(
      expect.arrayContaining(['BOOKS-PAY-1', 'BOOKS-PAY-2']),
    );
    expect(listed.payments.every((p: { accountId: string }) => p.accountId === 'umbrella-main')).toBe(true);
    expect(await t.run('get_payment', { paymentId: first.payment.id })).toMatchObject({ id: first.payment.id, totalAmount: 50 });
  });

  it('maps Togai validation errors with the field named in the message', async () => {
    const due = t.state().invoices.find((i) => i.ownerId === 'globex-main' && i.status === 'DUE')!;
    const error = (await t
      .run('record_payment', { accountId: 'globex-main', currency: 'USD', transactionNumber: 'X-1', invoices: [{ invoiceId: due.id, amount: 1 }] })
      .catch((e: unknown) => e)) as ConnectorError;
    expect(error.code).toBe('VALIDATION');
    expect(error.field).toBe('currency');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/invoiced in EUR/);
    const mismatch = (await t
      .run('record_payment', { accountId: 'globex-main', currency: 'EUR', totalAmount: 5, transactionNumber: 'X-2', invoices: [{ invoiceId: due.id, amount: 1 }] })
      .catch((e: unknown) => e)) as ConnectorError;
    expect(mismatch.code).toBe('INVALID_INPUT');
  });

  it('voids an invoice (and leaves a void one alone)', async () => {
    const draft = await t.run('create_custom_invoice', {
      accountId: 'initech-main', ...period, idempotencyKey: 'void-me', lineItems: [{ description: 'Setup', value: 10 }],
    });
    expect(draft.status).toBe('DRAFT');
    expect(await t.run('void_invoice', { invoiceId: draft.id })).toMatchObject({ status: 'VOID' });
    expect(invoiceIn(draft.id).status).toBe('VOID');
    expect(await t.run('void_invoice', { invoiceId: draft.id })).toMatchObject({ status: 'VOID' });
  });
});
