import { validateOutput, validateTriggerConfig, type PollResult } from '@braid/connector-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { togaiConnector } from '../togai.connector.js';
import { address, startTogaiHarness, type TogaiHarness } from '../test-support/togai.harness.js';
import { accountsPollingTrigger, type AccountsPollingConfig } from './accounts.polling.js';
import { invoicesPollingTrigger, type InvoicesPollingConfig } from './invoices.polling.js';
import { paymentsPollingTrigger, type PaymentsPollingConfig } from './payments.polling.js';

type Payload = { type: string; objectId: string; data: Record<string, unknown> };
const payloads = (result: PollResult) => result.items.map((i) => i.payload as Payload);

describe('polling triggers against the sandbox', () => {
  let t: TogaiHarness;
  beforeAll(async () => {
    t = await startTogaiHarness({ name: 'demo', togai: { customers: 150, invoices: 120 } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('invoices_polling: starts at "now", then returns only invoices changed since the cursor, oldest first', async () => {
    const config = validateTriggerConfig<InvoicesPollingConfig>(togaiConnector, 'invoices_polling', { statuses: ['DUE', 'PAID', 'PARTIALLY_PAID'], invoiceClass: 'ORDER' });
    const ctx = t.context();
    const start = await invoicesPollingTrigger.poll(ctx, { cursor: null, config });
    expect(start.items).toEqual([]);
    expect(start.nextCursor).toMatchObject({ updatedAt: expect.any(String), idsAtBoundary: expect.any(Array) });
    expect((await invoicesPollingTrigger.poll(ctx, { cursor: start.nextCursor, config })).items).toEqual([]);

    await t.admin.advanceClock(60_000);
    const order = t.state().invoices.find((i) => i.invoiceClass === 'ORDER' && i.status === 'PAID')!;
    await t.run('update_invoice_metadata', { invoiceId: order.id, metadata: { booksInvoiceNumber: 'INV-1' } });
    await t.admin.advanceClock(1_000);
    const fresh = await t.run('create_custom_invoice', {
      accountId: 'globex-main', startDate: '2026-03-01T00:00:00Z', endDate: '2026-04-01T00:00:00Z', status: 'DUE', invoiceClass: 'ORDER',
      idempotencyKey: 'poll-order-1', lineItems: [{ description: 'Widget', quantity: 3, valuePerQuantity: 10, taxRate: 19 }],
    });
    // Not matching the filter: an INVOICE-class change and a DRAFT order.
    const invoiceClass = t.state().invoices.find((i) => i.invoiceClass === 'INVOICE' && i.status === 'DUE')!;
    await t.run('update_invoice_metadata', { invoiceId: invoiceClass.id, metadata: { x: '1' } });
    await t.run('create_custom_invoice', {
      accountId: 'globex-main', startDate: '2026-03-01T00:00:00Z', endDate: '2026-04-01T00:00:00Z', invoiceClass: 'ORDER',
      idempotencyKey: 'poll-order-draft', lineItems: [{ description: 'Draft', value: 1 }],
    });

    const changed = await invoicesPollingTrigger.poll(ctx, { cursor: start.nextCursor, config });
    expect(payloads(changed).map((p) => [p.objectId, p.type])).toEqual([
      [order.id, 'invoice.updated'],
      [fresh.id, 'invoice.generated'],
    ]);
    expect(changed.hasMore).toBe(false);
    const generated = payloads(changed)[1]!;
    expect(generated.data).toMatchObject({ status: 'DUE', currency: 'EUR', lines: [{ description: 'Widget', value: 30, taxRate: 19 }] });
    for (const item of changed.items) expect(validateOutput(invoicesPollingTrigger.outputSchema, item.payload).issues).toEqual([]);
    expect(changed.items[0]!.id).toBe(`${order.id}@${changed.items[0]!.modifiedAt}`);

    // The cursor continues: nothing new, then only the next change.
    expect((await invoicesPollingTrigger.poll(ctx, { cursor: changed.nextCursor, config })).items).toEqual([]);
    await t.admin.advanceClock(60_000);
    await t.run('record_payment', { accountId: 'globex-main', currency: 'EUR', transactionNumber: 'P-1', invoices: [{ invoiceId: fresh.id, amount: 10 }] });
    const paid = await invoicesPollingTrigger.poll(ctx, { cursor: changed.nextCursor, config });
    expect(payloads(paid).map((p) => [p.objectId, p.type, p.data.status])).toEqual([[fresh.id, 'invoice.updated', 'PARTIALLY_PAID']]);
  });

  it('invoices_polling: batches end at the batch size with hasMore, and the next poll carries on without repeats', async () => {
    const config = validateTriggerConfig<InvoicesPollingConfig>(togaiConnector, 'invoices_polling', { includeLines: false, batchSize: 2 });
    const ctx = t.context();
    const { nextCursor: start } = await invoicesPollingTrigger.poll(ctx, { cursor: null, config });
    await t.admin.advanceClock(60_000);
    const touched = t.state().invoices.slice(0, 5).map((i) => i.id as string);
    for (const id of touched) await t.run('update_invoice_metadata', { invoiceId: id, metadata: { touched: 'yes' } });

    const seen: string[] = [];
    let cursor = start;
    for (let round = 0; round < 5; round++) {
      const result = await invoicesPollingTrigger.poll(ctx, { cursor, config });
      seen.push(...payloads(result).map((p) => p.objectId));
      cursor = result.nextCursor;
      if (!result.hasMore) break;
    }
    expect(seen).toEqual(touched);
  });

  it('invoices_polling: listExisting pages through everything, split into recent and older phases', async () => {
    const config = validateTriggerConfig<InvoicesPollingConfig>(togaiConnector, 'invoices_polling', { includeLines: false, recentDays: 120 });
    const ctx = t.context();
    const drain = async (phase?: string) => {
      const ids: string[] = [];
      let cursor: unknown = null;
      let pages = 0;
      do {
        const page = await invoicesPollingTrigger.listExisting!(ctx, { cursor, config, ...(phase ? { phase } : {}) });
        ids.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
        pages += 1;
        if (!page.hasMore) break;
      } while (pages < 20);
      return { ids, pages };
    };
    const all = await drain();
    const stateIds = t.state().invoices.map((i) => i.id as string);
    expect(all.ids.sort()).toEqual([...stateIds].sort());
    expect(all.pages).toBeGreaterThanOrEqual(3);

    const recent = await drain('recent');
    const older = await drain('older');
    expect(recent.ids.length).toBeGreaterThan(0);
    expect(older.ids.length).toBeGreaterThan(0);
    expect([...recent.ids, ...older.ids].sort()).toEqual([...stateIds].sort());
    const boundary = Date.now() - 120 * 24 * 3600_000;
    const startOf = (id: string) => Date.parse(t.state().invoices.find((i) => i.id === id)!.startDate as string);
    expect(recent.ids.every((id) => startOf(id) >= boundary - 120_000)).toBe(true);
    const since = await drain('since:2026-03-01T00:00:00Z');
    expect(since.ids.every((id) => startOf(id) >= Date.parse('2026-03-01T00:00:00Z'))).toBe(true);
    await expect(invoicesPollingTrigger.listExisting!(ctx, { cursor: null, config, phase: 'someday' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('accounts_polling: created and updated accounts since the cursor; customers too; listExisting pages', async () => {
    const config = validateTriggerConfig<AccountsPollingConfig>(togaiConnector, 'accounts_polling', {});
    const ctx = t.context();
    const { nextCursor: start, items } = await accountsPollingTrigger.poll(ctx, { cursor: null, config });
    expect(items).toEqual([]);
    const customers = validateTriggerConfig<AccountsPollingConfig>(togaiConnector, 'accounts_polling', { record: 'customer', statuses: ['ACTIVE'] });
    const { nextCursor: customersStart } = await accountsPollingTrigger.poll(ctx, { cursor: null, config: customers });

    await t.admin.advanceClock(60_000);
    await t.run('update_account', { accountId: 'acct-0007', netTermDays: 45 });
    await t.admin.advanceClock(1_000);
    await t.run('create_customer', { id: 'newco', name: 'NewCo GmbH', primaryEmail: 'ap@newco.example', address, account: { id: 'newco-main', name: 'NewCo Main' } });

    const changed = await accountsPollingTrigger.poll(ctx, { cursor: start, config });
    expect(payloads(changed).map((p) => [p.objectId, p.type])).toEqual([
      ['acct-0007', 'account.updated'],
      ['newco-main', 'account.created'],
    ]);
    expect(payloads(changed)[0]!.data).toMatchObject({ netTermDays: 45 });
    for (const item of changed.items) expect(validateOutput(accountsPollingTrigger.outputSchema, item.payload).valid).toBe(true);
    expect((await accountsPollingTrigger.poll(ctx, { cursor: changed.nextCursor, config })).items).toEqual([]);

    const customerChanges = await accountsPollingTrigger.poll(ctx, { cursor: customersStart, config: customers });
    expect(payloads(customerChanges).map((p) => [p.objectId, p.type])).toEqual([['newco', 'customer.created']]);

    const first = await accountsPollingTrigger.listExisting!(ctx, { cursor: null, config });
    expect(first.items).toHaveLength(100);
    expect(first.hasMore).toBe(true);
    const second = await accountsPollingTrigger.listExisting!(ctx, { cursor: first.nextCursor, config });
    expect(first.items.length + second.items.length).toBe(t.state().accounts.length);
    expect(second.hasMore).toBe(false);
  });

  it('payments_polling: payments recorded since the cursor (by createdAt), and a backfill from a date', async () => {
    const config = validateTriggerConfig<PaymentsPollingConfig>(togaiConnector, 'payments_polling', {});
    const ctx = t.context();
    const { nextCursor: start } = await paymentsPollingTrigger.poll(ctx, { cursor: null, config });
    await t.admin.advanceClock(60_000);
    const invoice = await t.run('create_custom_invoice', {
      accountId: 'umbrella-main', startDate: '2026-05-01T00:00:00Z', endDate: '2026-06-01T00:00:00Z', status: 'DUE',
      idempotencyKey: 'poll-pay', lineItems: [{ description: 'Plan', value: 40 }],
    });
    const recorded = await t.run('record_payment', { accountId: 'umbrella-main', currency: 'USD', transactionNumber: 'PP-1', invoices: [{ invoiceId: invoice.id, amount: 40 }] });
    const result = await paymentsPollingTrigger.poll(ctx, { cursor: start, config });
    expect(payloads(result).map((p) => [p.objectId, p.type])).toEqual([[recorded.payment.id, 'payment.recorded']]);
    expect(validateOutput(paymentsPollingTrigger.outputSchema, result.items[0]!.payload).valid).toBe(true);
    expect((await paymentsPollingTrigger.poll(ctx, { cursor: result.nextCursor, config })).items).toEqual([]);

    const all = t.state().payments.length;
    const first = await paymentsPollingTrigger.listExisting!(ctx, { cursor: null, config });
    let count = first.items.length;
    let cursor = first.nextCursor;
    for (let page = 0; page < 10 && cursor; page++) {
      const next = await paymentsPollingTrigger.listExisting!(ctx, { cursor, config });
      count += next.items.length;
      cursor = next.nextCursor;
    }
    expect(count).toBe(all);
    const recent = await paymentsPollingTrigger.listExisting!(ctx, { cursor: null, config, phase: `since:${recorded.payment.createdAt}` });
    expect(recent.items.map((i) => i.id)).toEqual([recorded.payment.id]);
  });
});
