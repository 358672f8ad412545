import { afterEach, describe, expect, it } from 'vitest';
import { customerBody, startTogai, type TogaiHarness } from './test-support/togai-client.js';

describe('Togai customers and accounts', () => {
  let t: TogaiHarness | undefined;
  afterEach(async () => {
    await t?.running.close();
    t = undefined;
  });

  it('creates a customer with its first account inline and reads both back', async () => {
    t = await startTogai();
    const created = await t.call('POST', '/customers', customerBody('acme', {
      account: { id: 'acme-main', name: 'Acme Main', invoiceCurrency: 'EUR', tags: ['Enterprise', 'EU'], aliases: ['acme-alias'], metadata: { vatId: 'DE1' }, netTermDays: 14 },
    }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 'acme',
      togaiCustomerId: expect.stringMatching(/^customer\.\d+$/),
      name: 'Customer acme',
      primaryEmail: 'acme@example.com',
      billingAddress: '1 Main St, Berlin, 10115, DE',
      account: {
        id: 'acme-main',
        customerId: 'acme',
        togaiCustomerId: created.body.togaiCustomerId,
        togaiAccountId: expect.stringMatching(/^account\.\d+$/),
        invoiceCurrency: 'EUR',
        tags: ['enterprise', 'eu'],
        aliases: [{ alias: 'acme-alias' }],
        metadata: { vatId: 'DE1' },
        netTermDays: 14,
        status: 'ACTIVE',
      },
    });
    expect(created.body.status).toBeUndefined();
    const customer = await t.call('GET', '/customers/acme');
    expect(customer.status).toBe(200);
    expect(customer.body).toMatchObject({ id: 'acme', status: 'ACTIVE', createdAt: expect.stringMatching(/Z$/), updatedAt: expect.stringMatching(/Z$/) });
    expect(customer.body.account).toBeUndefined();
    expect((await t.call('GET', '/accounts/acme-main')).body.name).toBe('Acme Main');
  });

  it('rejects invalid customers with a message naming the field, and duplicates with 409', async () => {
    t = await startTogai();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...customerBody('c1'), name: 'ab' }, 'name'],
      [{ ...customerBody('c1'), id: 'x'.repeat(51) }, 'id'],
      [{ ...customerBody('c1'), primaryEmail: 'not-an-email' }, 'primaryEmail'],
      [{ ...customerBody('c1'), address: { country: 'DEU' } }, 'address.country'],
      [{ ...customerBody('c1'), address: undefined }, 'address'],
      [customerBody('c1', { account: { id: 'a1', name: 'Account', invoiceCurrency: 'euro' } }), 'account.invoiceCurrency'],
    ];
    for (const [body, field] of cases) {
      const response = await t.call('POST', '/customers', body);
      expect(response.status, field).toBe(400);
      expect(response.body.message).toContain(field);
    }
    expect((await t.call('POST', '/customers', customerBody('c1'))).status).toBe(201);
    const duplicate = await t.call('POST', '/customers', customerBody('c1', { account: undefined }));
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.message).toContain('c1');
    const duplicateAccount = await t.call('POST', '/customers', customerBody('c2', { account: { id: 'c1-acct', name: 'Again' } }));
    expect(duplicateAccount.status).toBe(409);
    expect((await t.call('GET', '/customers/c2')).status).toBe(404);
  });

  it('updates a customer, and DELETE archives it together with its accounts', async () => {
    t = await startTogai();
    await t.call('POST', '/customers', customerBody('c1'));
    const patched = await t.call('PATCH', '/customers/c1', { name: 'Renamed Co', address: { line1: '2 Side St', country: 'FR' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Renamed Co', billingAddress: '2 Side St, FR' });
    expect((await t.call('PATCH', '/customers/c1', {})).status).toBe(400);
    expect((await t.call('PATCH', '/customers/nope', { name: 'Whatever' })).status).toBe(404);
    const deleted = await t.call('DELETE', '/customers/c1');
    expect(deleted).toMatchObject({ status: 200, body: { success: true } });
    expect((await t.call('GET', '/customers/c1')).body.status).toBe('ARCHIVED');
    expect((await t.call('GET', '/accounts/c1-acct')).body.status).toBe('ARCHIVED');
  });

  it('creates, lists, filters and archives accounts; PATCH metadata replaces', async () => {
    t = await startTogai();
    await t.call('POST', '/customers', customerBody('c1'));
    expect((await t.call('POST', '/accounts', { customerId: 'ghost', id: 'a2', name: 'Second' })).status).toBe(404);
    const second = await t.call('POST', '/accounts', { customerId: 'c1', id: 'a2', name: 'Second', metadata: { a: '1', b: '2' }, status: 'DRAFT' });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ customerId: 'c1', invoiceCurrency: 'USD', status: 'DRAFT', netTermDays: 0 });
    expect((await t.call('POST', '/accounts', { customerId: 'c1', id: 'a3', name: 'Bad', metadata: { n: 1 } })).body.message).toContain('metadata.n');
    const patched = await t.call('PATCH', '/accounts/a2', { metadata: { c: '3' }, status: 'ARCHIVED', tags: ['VIP'] });
    expect(patched.body).toMatchObject({ metadata: { c: '3' }, status: 'ARCHIVED', tags: ['vip'] });
    expect((await t.call('PATCH', '/accounts/a2', { status: 'GONE' })).body.message).toContain('status');
    const list = await t.call('GET', '/accounts?customer_id=c1&status=ARCHIVED');
    expect(list.body.data.map((a: { id: string }) => a.id)).toEqual(['a2']);
    expect((await t.call('DELETE', '/accounts/a2')).status).toBe(404);
  });

  it('adds a contact to a customer', async () => {
    t = await startTogai();
    await t.call('POST', '/customers', customerBody('c1'));
    const contact = await t.call('POST', '/customers/c1/contacts', { name: 'Jane Doe', email: 'jane@example.com', phone: '+49 1' });
    expect(contact.status).toBe(201);
    expect(contact.body).toMatchObject({ customerId: 'c1', name: 'Jane Doe', email: 'jane@example.com', loginAccess: false, verified: false });
    expect(contact.body.username).toEqual(expect.any(String));
    expect(contact.body.createdAt).toEqual(expect.any(String));
    expect((await t.call('POST', '/customers/c1/contacts', { name: 'No Mail' })).body.message).toContain('email');
  });
});

describe('Togai pagination', () => {
  let t: TogaiHarness | undefined;
  afterEach(async () => {
    await t?.running.close();
    t = undefined;
  });

  it('pages with nextToken; an exactly full last page still has a token that yields an empty page', async () => {
    t = await startTogai();
    for (let i = 1; i <= 4; i++) await t.call('POST', '/customers', customerBody(`c${i}`, { account: undefined }));
    const first = await t.call('GET', '/customers?pageSize=2');
    expect(first.body.data.map((c: { id: string }) => c.id)).toEqual(['c1', 'c2']);
    expect(first.body.context).toEqual({ pageSize: 2, sortOrder: 'ASC' });
    expect(first.body.nextToken).toEqual(expect.any(String));
    // the page size is baked into the token: a different pageSize next to it is ignored
    const second = await t.call('GET', `/customers?pageSize=50&nextToken=${encodeURIComponent(first.body.nextToken)}`);
    expect(second.body.data.map((c: { id: string }) => c.id)).toEqual(['c3', 'c4']);
    expect(second.body.nextToken).toEqual(expect.any(String));
    const third = await t.call('GET', `/customers?nextToken=${encodeURIComponent(second.body.nextToken)}`);
    expect(third.body).toMatchObject({ data: [], nextToken: null });

    await t.call('POST', '/customers', customerBody('c5', { account: undefined }));
    const all = await t.call('GET', '/customers?pageSize=3');
    const rest = await t.call('GET', `/customers?nextToken=${encodeURIComponent(all.body.nextToken)}`);
    expect(rest.body.data.map((c: { id: string }) => c.id)).toEqual(['c4', 'c5']);
    expect(rest.body.nextToken).toBeNull();
  });

  it('defaults to 20 per page for entities and refuses oversized pages and foreign tokens', async () => {
    t = await startTogai();
    for (let i = 1; i <= 21; i++) await t.call('POST', '/customers', customerBody(`c${i}`, { account: undefined }));
    expect((await t.call('GET', '/customers')).body.data).toHaveLength(20);
    expect((await t.call('GET', '/customers?pageSize=100')).body.data).toHaveLength(21);
    const tooBig = await t.call('GET', '/customers?pageSize=101');
    expect(tooBig.status).toBe(422);
    expect(tooBig.body.message).toContain('pageSize');
    expect((await t.call('GET', '/customers?pageSize=0')).status).toBe(400);
    const foreign = await t.call('GET', '/customers?nextToken=not-a-token');
    expect(foreign.status).toBe(400);
    expect(foreign.body.message).toContain('nextToken');
  });
});
