import { ConnectorError } from '@braid/connector-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { address, startTogaiHarness, type TogaiHarness } from '../test-support/togai.harness.js';

describe('Togai customers and accounts against the sandbox', () => {
  let t: TogaiHarness;
  beforeAll(async () => {
    t = await startTogaiHarness({ name: 'empty', togai: { customers: 298 }, sharedNames: 3 });
  });
  afterAll(async () => {
    await t.close();
  });

  const customerIn = (state: ReturnType<TogaiHarness['state']>, id: string) => state.customers.find((c) => c.id === id);

  it('creates a customer with its first account; a repeat returns the existing one; "fail" gives CONFLICT', async () => {
    const input = {
      id: 'acme',
      name: 'Acme Corp',
      primaryEmail: 'billing@acme.example',
      address,
      account: { id: 'acme-main', name: 'Acme Main', invoiceCurrency: 'EUR', tags: ['Enterprise'], metadata: { vatId: 'DE1' } },
    };
    const first = await t.run('create_customer', input);
    expect(first).toMatchObject({ created: true, customer: { id: 'acme', name: 'Acme Corp' }, account: { id: 'acme-main', invoiceCurrency: 'EUR' } });
    const state = t.state();
    expect(customerIn(state, 'acme')).toMatchObject({ name: 'Acme Corp', primaryEmail: 'billing@acme.example', status: 'ACTIVE' });
    expect(state.accounts.find((a) => a.id === 'acme-main')).toMatchObject({ customerId: 'acme', tags: ['enterprise'], metadata: { vatId: 'DE1' } });

    const again = await t.run('create_customer', input);
    expect(again).toMatchObject({ created: false, customer: { id: 'acme', status: 'ACTIVE' }, account: { id: 'acme-main' } });
    expect(t.state().customers.filter((c) => c.id === 'acme')).toHaveLength(1);

    const failure = await t.run('create_customer', { ...input, onConflict: 'fail' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConnectorError);
    expect((failure as ConnectorError).code).toBe('CONFLICT');
    expect((failure as ConnectorError).message).toMatch(/already exists/);
  });

  it('finishes a customer whose inline account is missing when the step is repeated', async () => {
    await t.run('create_customer', { id: 'halfdone', name: 'Half Done Ltd', primaryEmail: 'a@half.example', address });
    const again = await t.run('create_customer', {
      id: 'halfdone', name: 'Half Done Ltd', primaryEmail: 'a@half.example', address, account: { id: 'halfdone-main', name: 'Half Done Main' },
    });
    expect(again).toMatchObject({ created: false, account: { id: 'halfdone-main', customerId: 'halfdone' } });
    expect(t.state().accounts.some((a) => a.id === 'halfdone-main')).toBe(true);
  });

  it('validates input before calling Togai', async () => {
    const before = (await t.admin.calls('togai')).total;
    const error = (await t.run('create_customer', { id: 'x', name: 'ab', primaryEmail: 'not-an-email' }).catch((e: unknown) => e)) as ConnectorError;
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.issues?.map((i) => i.pointer).sort()).toEqual(['/name', '/primaryEmail']);
    const noChange = (await t.run('update_customer', { customerId: 'acme' }).catch((e: unknown) => e)) as ConnectorError;
    expect(noChange.code).toBe('INVALID_INPUT');
    expect((await t.admin.calls('togai')).total).toBe(before);
  });

  it('updates, reads and archives a customer (its accounts are archived with it)', async () => {
    const updated = await t.run('update_customer', { customerId: 'acme', name: 'Acme Corporation', address: { ...address, city: 'Hamburg' } });
    expect(updated).toMatchObject({ name: 'Acme Corporation', billingAddress: expect.stringContaining('Hamburg') });
    expect(customerIn(t.state(), 'acme')).toMatchObject({ name: 'Acme Corporation', address: { city: 'Hamburg' } });
    expect(await t.run('get_customer', { customerId: 'acme' })).toMatchObject({ id: 'acme', name: 'Acme Corporation' });

    expect(await t.run('archive_customer', { customerId: 'acme' })).toEqual({ customerId: 'acme', archived: true });
    const state = t.state();
    expect(customerIn(state, 'acme')!.status).toBe('ARCHIVED');
    expect(state.accounts.find((a) => a.id === 'acme-main')!.status).toBe('ARCHIVED');
    expect(await t.run('archive_customer', { customerId: 'nobody' })).toEqual({ customerId: 'nobody', archived: false });
    const missing = (await t.run('get_customer', { customerId: 'nobody' }).catch((e: unknown) => e)) as ConnectorError;
    expect(missing.code).toBe('NOT_FOUND');
  });

  it('lists every customer across pages (100 per call, empty last page tolerated) and caps at the limit', async () => {
    await t.admin.clearCalls();
    const all = await t.run('list_customers', {});
    expect(all.count).toBe(t.state().customers.length);
    expect(all.count).toBe(300); // 298 seeded + acme + halfdone
    expect(all.truncated).toBe(false);
    expect(new Set(all.customers.map((c: { id: string }) => c.id)).size).toBe(all.count);
    // three full pages, then the token of the last full page yields Togai's empty last page
    expect(await t.callCount('GET /togai/customers')).toBe(4);

    await t.admin.clearCalls();
    const some = await t.run('list_customers', { limit: 120 });
    expect(some).toMatchObject({ count: 120, truncated: true });
    expect(await t.callCount('GET /togai/customers')).toBe(2);

    const archived = await t.run('list_customers', { status: 'ARCHIVED' });
    expect(archived.customers.map((c: { id: string }) => c.id)).toEqual(['acme']);
  });

  it('finds customers by exact email, else by exact name, scanning all pages', async () => {
    const exact = await t.run('find_customers', { email: 'BILLING@customer-0290.example.com', name: 'Customer 0001' });
    expect(exact).toMatchObject({ found: true, count: 1, matchedBy: 'email', first: { id: 'cust-0290' } });

    const byName = await t.run('find_customers', { email: 'nobody@example.com', name: '  customer   0002 ' });
    expect(byName).toMatchObject({ found: true, matchedBy: 'name', first: { id: 'cust-0002' } });
    const none = await t.run('find_customers', { name: 'Customer 000' });
    expect(none).toEqual({ customers: [], count: 0, found: false, first: null, matchedBy: null, truncated: false });
    const archivedSkipped = await t.run('find_customers', { name: 'Acme Corporation' });
    expect(archivedSkipped.found).toBe(false);
    expect((await t.run('find_customers', { name: 'Acme Corporation', includeArchived: true })).found).toBe(true);
    const neither = (await t.run('find_customers', {}).catch((e: unknown) => e)) as ConnectorError;
    expect(neither.code).toBe('INVALID_INPUT');
  });

  it('creates, updates (metadata replaced), finds, lists and archives accounts', async () => {
    await t.run('create_customer', { id: 'wayne', name: 'Wayne Enterprises', primaryEmail: 'ap@wayne.example', address });
    const created = await t.run('create_account', {
      customerId: 'wayne', id: 'wayne-eu', name: 'Wayne EU', invoiceCurrency: 'EUR', primaryEmail: 'eu@wayne.example', metadata: { a: '1', b: '2' },
    });
    expect(created).toMatchObject({ created: true, account: { id: 'wayne-eu', customerId: 'wayne' } });
    expect((await t.run('create_account', { customerId: 'wayne', id: 'wayne-eu', name: 'Wayne EU' })).created).toBe(false);
    const otherOwner = (await t.run('create_account', { customerId: 'cust-0001', id: 'wayne-eu', name: 'Wayne EU' }).catch((e: unknown) => e)) as ConnectorError;
    expect(otherOwner.code).toBe('CONFLICT');

    await t.run('update_account', { accountId: 'wayne-eu', netTermDays: 30, metadata: { c: '3' } });
    expect(t.state().accounts.find((a) => a.id === 'wayne-eu')).toMatchObject({ netTermDays: 30, metadata: { c: '3' } });
    expect(await t.run('get_account', { accountId: 'wayne-eu' })).toMatchObject({ netTermDays: 30 });

    await t.run('create_account', { customerId: 'wayne', id: 'wayne-us', name: 'Wayne US', invoiceCurrency: 'USD' });
    const ofWayne = await t.run('list_accounts', { customerId: 'wayne' });
    expect(ofWayne.accounts.map((a: { id: string }) => a.id).sort()).toEqual(['wayne-eu', 'wayne-us']);
    expect(await t.run('find_accounts', { email: 'EU@wayne.example' })).toMatchObject({ found: true, matchedBy: 'email', first: { id: 'wayne-eu' } });
    expect(await t.run('find_accounts', { name: 'wayne us', customerId: 'wayne' })).toMatchObject({ found: true, matchedBy: 'name', first: { id: 'wayne-us' } });
    expect((await t.run('find_accounts', { name: 'wayne us', customerId: 'cust-0001' })).found).toBe(false);

    const archived = await t.run('archive_account', { accountId: 'wayne-us' });
    expect(archived).toMatchObject({ archived: true, account: { status: 'ARCHIVED' } });
    expect(t.state().accounts.find((a) => a.id === 'wayne-us')!.status).toBe('ARCHIVED');
    expect(await t.run('archive_account', { accountId: 'nope' })).toEqual({ accountId: 'nope', archived: false, account: null });
  });
});
