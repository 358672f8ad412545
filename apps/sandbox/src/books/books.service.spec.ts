import { afterEach, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../core/sandbox.server.js';
import { wellKnown } from '../core/sandbox.tenants.js';
import { type BooksHarness, type Loose, startBooksHarness } from './test-support/books.harness.js';

const withoutTimes = (rows: unknown[]) =>
  rows.map((r) => Object.fromEntries(Object.entries(r as Record<string, unknown>).filter(([k]) => !k.endsWith('_time') && k !== 'contact_persons')));

describe('Books service: seeds, snapshots, console, admin limits', () => {
  let h: BooksHarness | undefined;
  let other: RunningSandbox | undefined;
  afterEach(async () => {
    await h?.close();
    await other?.close();
    h = undefined;
    other = undefined;
  });

  it('seeds the same ids and content every time, with reference data in every organisation', async () => {
    h = await startBooksHarness();
    other = await startSandbox({ port: 0, seed: 'demo' });
    const a = h.service.inspect();
    const b = other.sandbox.service('books')!.inspect();
    expect(withoutTimes(a.contacts!)).toEqual(withoutTimes(b.contacts!));
    expect(a.invoices!.map((i: Loose) => [i.invoice_id, i.invoice_number, i.total, i.status])).toEqual(
      b.invoices!.map((i: Loose) => [i.invoice_id, i.invoice_number, i.total, i.status]),
    );
    const orgIds = new Set(a.contacts!.map((c: Loose) => c.organization_id));
    expect(orgIds).toEqual(new Set(Object.values(wellKnown.booksOrgs)));
    const empty = await startSandbox({ port: 0, seed: 'empty' });
    try {
      const inspected = empty.sandbox.service('books')!.inspect();
      expect(inspected.contacts).toEqual([]);
      expect(inspected.organizations).toHaveLength(3);
    } finally {
      await empty.close();
    }
  });

  it('names bulk customers like the CRM and Togai seeds so sharedNames overlap across apps', async () => {
    other = await startSandbox({ port: 0, seed: { name: 'empty', books: { customers: 4, invoices: 3, vendors: 1, bills: 2 }, sharedNames: 2 } });
    const inspected = other.sandbox.service('books')!.inspect();
    const names = inspected.contacts!.filter((c: Loose) => c.organization_id === wellKnown.booksOrgs.acmeUs).map((c: Loose) => c.contact_name);
    expect(names).toEqual(['Customer 0001', 'Customer 0002', 'Books Customer 0003', 'Books Customer 0004', 'Vendor 0001']);
    expect(inspected.invoices).toHaveLength(3);
    expect(inspected.bills).toHaveLength(2);
  });

  it('keeps records across snapshot and restore', async () => {
    h = await startBooksHarness({ seed: 'empty' });
    const created = (await h.call('POST', '/contacts', { body: { contact_name: 'Persistent Ltd' } })).body.contact;
    const snapshot = JSON.parse(JSON.stringify(h.running.sandbox.snapshot()));
    other = await startSandbox({ port: 0, seed: 'empty' });
    other.sandbox.restore(snapshot);
    const restored = other.sandbox.service('books')!.inspect().contacts!.find((c: Loose) => c.contact_id === created.contact_id);
    expect(restored).toMatchObject({ contact_name: 'Persistent Ltd', organization_id: h.orgId });
  });

  it('runs console actions that change records like the API does', async () => {
    h = await startBooksHarness();
    const keys = h.service.consoleActions!.map((a) => a.key);
    expect(keys).toEqual(['create-customer', 'create-invoice', 'record-payment', 'void-invoice']);
    const created = await fetch(`${h.url}/_admin/console/books/create-customer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ values: { organization_id: h.orgId, contact_name: 'Console Customer', email: 'console@example.com' } }),
    });
    expect(created.status).toBe(200);
    const contactId = ((await created.json()) as Loose).result.contact_id;
    const invoiceAction = h.service.consoleActions!.find((a) => a.key === 'create-invoice')!;
    expect(invoiceAction.fields[0]!.options!.some((o) => o.value === `${h!.orgId}/${contactId}`)).toBe(true);
    const invoice = (await invoiceAction.run(h.running.sandbox.context, { customer: `${h.orgId}/${contactId}`, description: 'Work', amount: '120', send: 'true' })) as Loose;
    const payment = h.service.consoleActions!.find((a) => a.key === 'record-payment')!;
    await payment.run(h.running.sandbox.context, { invoice: `${h.orgId}/${invoice.invoice_id}`, amount: '20' });
    const viaApi = await h.call('GET', `/invoices/${invoice.invoice_id}`);
    expect(viaApi.body.invoice).toMatchObject({ customer_id: contactId, total: 120, balance: 100, status: 'partially_paid' });
  });

  it('applies limits patched through the admin API', async () => {
    h = await startBooksHarness();
    const patched = await fetch(`${h.url}/_admin/limits`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ books: { requestsPerMinutePerOrg: 2 } }),
    });
    expect(patched.status).toBe(200);
    expect((await h.call('GET', '/contacts')).status).toBe(200);
    expect((await h.call('GET', '/contacts')).status).toBe(200);
    expect((await h.call('GET', '/contacts')).status).toBe(429);
  });
});
