import { afterEach, describe, expect, it } from 'vitest';
import { type BooksHarness, type Loose, startBooksHarness } from './test-support/books.harness.js';

describe('Books v3 lists', () => {
  let h: BooksHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('pages 450 customers as 200 + 200 + 50 with has_more_page, clamping per_page to 200', async () => {
    h = await startBooksHarness({ seed: { name: 'empty', books: { customers: 450 } } });
    const seen: string[] = [];
    const contexts: Loose[] = [];
    for (let page = 1; page <= 3; page++) {
      const res = await h.call('GET', '/contacts', { query: { page } });
      expect(res.status).toBe(200);
      seen.push(...res.body.contacts.map((c: Loose) => c.contact_name));
      contexts.push(res.body.page_context);
    }
    expect(contexts.map((c) => [c.page, c.per_page, c.has_more_page])).toEqual([[1, 200, true], [2, 200, true], [3, 200, false]]);
    expect(contexts[0]).toMatchObject({ report_name: 'Contacts', applied_filter: 'Status.All', sort_column: 'contact_name', sort_order: 'A' });
    expect(seen).toHaveLength(450);
    expect(new Set(seen).size).toBe(450);
    expect(seen[0]).toBe('Customer 0001');
    expect(seen[449]).toBe('Customer 0450');

    const clamped = await h.call('GET', '/contacts', { query: { per_page: 500 } });
    expect(clamped.body.contacts).toHaveLength(200);
    expect(clamped.body.page_context.per_page).toBe(200);
    const small = await h.call('GET', '/contacts', { query: { per_page: 25, page: 17 } });
    expect(small.body.contacts).toHaveLength(25);
    expect(small.body.page_context.has_more_page).toBe(true);
    const last = await h.call('GET', '/contacts', { query: { per_page: 25, page: 18 } });
    expect(last.body.page_context.has_more_page).toBe(false);
    expect(last.body.contacts.at(-1).contact_name).toBe('Customer 0450');
    expect((await h.call('GET', '/contacts', { query: { page: 0 } })).body.code).toBe(4);
  });

  it('lists summaries and reads full records', async () => {
    h = await startBooksHarness();
    const list = await h.call('GET', '/contacts', { query: { contact_type: 'customer' } });
    const row = list.body.contacts.find((c: Loose) => c.contact_name === 'Globex Corporation');
    expect(row).toMatchObject({ email: 'hank@globex.example', first_name: 'Hank', contact_type: 'customer', status: 'active' });
    expect(row).not.toHaveProperty('contact_persons');
    expect(row).not.toHaveProperty('billing_address');
    const detail = await h.call('GET', `/contacts/${row.contact_id}`);
    expect(detail.body.contact.contact_persons).toHaveLength(2);
    expect(detail.body.contact.billing_address).toMatchObject({ address: 'Cypress Creek 1', city: 'Springfield' });

    const invoices = await h.call('GET', '/invoices');
    expect(invoices.body.invoices.length).toBeGreaterThan(3);
    expect(invoices.body.invoices[0]).not.toHaveProperty('line_items');
    const invoice = await h.call('GET', `/invoices/${invoices.body.invoices[0].invoice_id}`);
    expect(invoice.body.invoice.line_items.length).toBeGreaterThan(0);
    expect(new Set(invoices.body.invoices.map((i: Loose) => i.status))).toEqual(new Set(['draft', 'sent', 'partially_paid', 'paid', 'overdue', 'void']));
  });

  it('filters contacts by email, name variants, type, status, search text and CRM link', async () => {
    h = await startBooksHarness();
    const names = async (query: Record<string, string>) =>
      (await h!.call('GET', '/contacts', { query })).body.contacts.map((c: Loose) => c.contact_name);
    expect(await names({ email: 'PEPPER@stark.example' })).toEqual(['Stark Industries']);
    expect(await names({ email: 'ap@stark.example' })).toEqual([]); // only the primary person's email matches
    expect(await names({ contact_name_startswith: 'w' })).toEqual(['Wayne Enterprises']);
    expect(await names({ contact_name_contains: 'corp' })).toEqual(['Globex Corporation', 'Umbrella Corporation']);
    expect(await names({ contact_type: 'vendor' })).toEqual(['Cloud Hosting Ltd', 'Office Supplies Co']);
    expect(await names({ search_text: 'nitec' })).toEqual(['Initech']);
    expect(await names({ first_name: 'Accounts' })).toEqual([]); // first_name searches the primary person only

    const created = await h.call('POST', '/contacts', { body: { contact_name: 'Linked Co', zcrm_account_id: '5725767000000012345' } });
    await h.call('POST', `/contacts/${created.body.contact.contact_id}/inactive`);
    expect(await names({ zcrm_account_id: '5725767000000012345' })).toEqual(['Linked Co']);
    expect(await names({ filter_by: 'Status.Inactive' })).toEqual(['Linked Co']);
    expect(await names({ filter_by: 'Status.Active' })).not.toContain('Linked Co');
    expect((await h.call('GET', '/contacts', { query: { sort_column: 'shoe_size' } })).body.code).toBe(4);
  });

  it('returns only records modified at or after last_modified_time, and sorts contacts by it', async () => {
    h = await startBooksHarness();
    const clock = h.running.sandbox.context.clock;
    clock.advance(10 * 60_000);
    const contacts = (await h.call('GET', '/contacts')).body.contacts;
    const target = contacts.find((c: Loose) => c.contact_name === 'Initech');
    const updated = await h.call('PUT', `/contacts/${target.contact_id}`, { body: { notes: 'changed' } });
    const watermark: string = updated.body.contact.last_modified_time;
    expect(watermark).not.toBe(target.last_modified_time);

    const since = await h.call('GET', '/contacts', { query: { last_modified_time: watermark } });
    expect(since.body.contacts.map((c: Loose) => c.contact_name)).toEqual(['Initech']);
    const newestFirst = await h.call('GET', '/contacts', { query: { sort_column: 'last_modified_time', sort_order: 'D' } });
    expect(newestFirst.body.contacts[0].contact_name).toBe('Initech');

    const invoices = (await h.call('GET', '/invoices', { query: { status: 'draft' } })).body.invoices;
    await h.call('PUT', `/invoices/${invoices[0].invoice_id}`, { body: { notes: 'touched' } });
    const changedInvoices = await h.call('GET', '/invoices', { query: { last_modified_time: watermark } });
    expect(changedInvoices.body.invoices.map((i: Loose) => i.invoice_id)).toEqual([invoices[0].invoice_id]);
    const bad = await h.call('GET', '/invoices', { query: { last_modified_time: 'yesterday' } });
    expect(bad.status).toBe(400);
  });

  it('manages contact persons through /contacts/contactpersons', async () => {
    h = await startBooksHarness();
    const contact = (await h.call('POST', '/contacts', { body: { contact_name: 'People Inc', contact_persons: [{ first_name: 'Ann', email: 'ann@people.example' }] } })).body.contact;
    const added = await h.call('POST', '/contacts/contactpersons', {
      body: { contact_id: contact.contact_id, first_name: 'Bob', email: 'bob@people.example', is_primary_contact: true },
    });
    expect(added.status).toBe(201);
    const bobId = added.body.contact_person[0].contact_person_id;
    expect((await h.call('POST', '/contacts/contactpersons', { body: { contact_id: contact.contact_id, email: 'x@people.example' } })).status).toBe(400);
    let persons = (await h.call('GET', `/contacts/${contact.contact_id}/contactpersons`)).body.contact_persons;
    expect(persons.map((p: Loose) => [p.first_name, p.is_primary_contact])).toEqual([['Ann', false], ['Bob', true]]);
    expect((await h.call('GET', '/contacts', { query: { email: 'bob@people.example' } })).body.contacts).toHaveLength(1);

    await h.call('PUT', `/contacts/contactpersons/${bobId}`, { body: { last_name: 'Builder' } });
    await h.call('DELETE', `/contacts/contactpersons/${bobId}`);
    persons = (await h.call('GET', `/contacts/${contact.contact_id}/contactpersons`)).body.contact_persons;
    expect(persons.map((p: Loose) => [p.first_name, p.is_primary_contact])).toEqual([['Ann', true]]);
    expect((await h.call('DELETE', `/contacts/contactpersons/${bobId}`)).status).toBe(404);
  });
});
