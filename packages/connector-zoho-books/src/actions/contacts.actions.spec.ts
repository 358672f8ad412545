import { wellKnown } from '@braid/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectBooks,
  expectValidOutput,
  records,
  startBooksSandbox,
  type BooksConnection,
  type BooksSandbox,
} from '../test-support/books.fixture.js';

describe('contacts and contact persons (against the sandbox over HTTP)', () => {
  let sandbox: BooksSandbox;
  let books: BooksConnection;
  beforeAll(async () => {
    sandbox = await startBooksSandbox('demo');
    books = await connectBooks(sandbox);
  });
  afterAll(async () => sandbox?.close());

  it('creates, reads, updates (keeping persons), finds, deactivates and deletes a contact', async () => {
    const created = await books.run('create_contact', {
      contact_name: 'Tyrell Corporation',
      company_name: 'Tyrell Corp',
      contact_type: 'customer',
      email: 'eldon@tyrell.example',
      first_name: 'Eldon',
      last_name: 'Tyrell',
      billing_address: { address: '1 Pyramid Way', city: 'Los Angeles', country: 'U.S.A' },
    });
    expectValidOutput('create_contact', created);
    const id = created.contact_id as string;
    let stored = records(sandbox, 'contacts').find((c) => c.contact_id === id)!;
    expect(stored).toMatchObject({ contact_name: 'Tyrell Corporation', email: 'eldon@tyrell.example', billing_address: { city: 'Los Angeles' } });

    const person = await books.run('create_contact_person', { contact_id: id, first_name: 'Rachael', email: 'rachael@tyrell.example' });
    expectValidOutput('create_contact_person', person);

    const updated = await books.run('update_contact', { contact_id: id, email: 'office@tyrell.example', notes: 'VIP' });
    expectValidOutput('update_contact', updated);
    stored = records(sandbox, 'contacts').find((c) => c.contact_id === id)!;
    expect(stored.notes).toBe('VIP');
    expect(stored.email).toBe('office@tyrell.example');
    // The second person survived the update of the primary one.
    expect(stored.contact_persons.map((p: { email: string }) => p.email).sort()).toEqual(['office@tyrell.example', 'rachael@tyrell.example']);

    const got = await books.run('get_contact', { contact_id: id });
    expectValidOutput('get_contact', got);
    expect(got.contact_persons).toHaveLength(2);

    const byEmail = await books.run('find_contact', { email: 'OFFICE@tyrell.example', contact_name: 'nobody' });
    expectValidOutput('find_contact', byEmail);
    expect(byEmail).toMatchObject({ found: true, contact_id: id, matched_by: 'email', match_count: 1 });
    const byName = await books.run('find_contact', { email: 'unknown@nowhere.example', contact_name: 'tyrell corporation' });
    expect(byName).toMatchObject({ found: true, contact_id: id, matched_by: 'contact_name' });
    const none = await books.run('find_contact', { contact_name: 'Cyberdyne' });
    expectValidOutput('find_contact', none);
    expect(none).toEqual({ found: false, contact_id: null, record: null, match_count: 0, matched_by: null });

    const persons = await books.run('list_contact_persons', { contact_id: id });
    expectValidOutput('list_contact_persons', persons);
    expect(persons.count).toBe(2);
    const rachael = persons.contact_persons.find((p: { email: string }) => p.email === 'rachael@tyrell.example');
    const changed = await books.run('update_contact_person', {
      contact_person_id: rachael.contact_person_id,
      contact_id: id,
      designation: 'Replicant',
    });
    expectValidOutput('update_contact_person', changed);
    expect(changed.designation).toBe('Replicant');
    const removed = await books.run('delete_contact_person', { contact_person_id: rachael.contact_person_id });
    expectValidOutput('delete_contact_person', removed);
    expect(records(sandbox, 'contacts').find((c) => c.contact_id === id)!.contact_persons).toHaveLength(1);

    const inactive = await books.run('set_contact_status', { contact_id: id, status: 'inactive' });
    expectValidOutput('set_contact_status', inactive);
    expect(records(sandbox, 'contacts').find((c) => c.contact_id === id)!.status).toBe('inactive');
    await books.run('set_contact_status', { contact_id: id, status: 'active' });
    expect(records(sandbox, 'contacts').find((c) => c.contact_id === id)!.status).toBe('active');

    const deleted = await books.run('delete_contact', { contact_id: id });
    expectValidOutput('delete_contact', deleted);
    expect(records(sandbox, 'contacts').some((c) => c.contact_id === id)).toBe(false);
    await expect(books.run('get_contact', { contact_id: id })).rejects.toMatchObject({ code: 'NOT_FOUND', vendorCode: 1002 });
  });

  it('upserts by the unique custom field: twice → one contact, updated in place', async () => {
    const first = await books.run('upsert_contact', {
      unique_value: 'togai-acct-17',
      contact_name: 'Soylent Ltd',
      email: 'ap@soylent.example',
      contact_type: 'customer',
    });
    expectValidOutput('upsert_contact', first);
    expect(first.created).toBe(true);
    const second = await books.run('upsert_contact', {
      unique_value: 'togai-acct-17',
      contact_name: 'Soylent Ltd',
      email: 'billing@soylent.example',
      contact_type: 'customer',
      notes: 'second delivery',
    });
    expect(second).toMatchObject({ created: false, contact_id: first.contact_id });
    const matching = records(sandbox, 'contacts').filter((c) => c.custom_field_hash?.cf_external_id === 'togai-acct-17');
    expect(matching).toHaveLength(1);
    expect(matching[0]).toMatchObject({ notes: 'second delivery', email: 'billing@soylent.example' });
    expect(matching[0]!.contact_persons).toHaveLength(1);
    // Replaying the same event changes nothing and creates nothing.
    const third = await books.run('upsert_contact', {
      unique_value: 'togai-acct-17',
      contact_name: 'Soylent Ltd',
      email: 'billing@soylent.example',
      contact_type: 'customer',
    });
    expect(third.created).toBe(false);
    expect(records(sandbox, 'contacts').filter((c) => c.custom_field_hash?.cf_external_id === 'togai-acct-17')).toHaveLength(1);
  });

  it('names the field of a Books validation error', async () => {
    await expect(books.run('create_contact', { contact_name: 'Bad Currency', currency_id: '999' })).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'currency_id',
      vendorCode: 4,
    });
    await expect(books.run('create_contact', { contact_name: 'Globex Corporation' })).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});

describe('listing 450 contacts', () => {
  let sandbox: BooksSandbox;
  beforeAll(async () => {
    sandbox = await startBooksSandbox({ name: 'empty', books: { customers: 450 } });
  });
  afterAll(async () => sandbox?.close());

  it('streams pages of 200: three calls for everything, one for the first 150; reports truncation', async () => {
    const books = await connectBooks(sandbox);
    await sandbox.admin.clearCalls();
    const all = await books.run('list_contacts', {});
    expectValidOutput('list_contacts', all);
    expect(all).toMatchObject({ count: 450, truncated: false });
    expect(new Set(all.contacts.map((c: { contact_id: string }) => c.contact_id)).size).toBe(450);
    expect((await sandbox.admin.calls('books')).counts['GET /books/v3/contacts']).toBe(3);

    await sandbox.admin.clearCalls();
    const some = await books.run('list_contacts', { limit: 150 });
    expect(some).toMatchObject({ count: 150, truncated: true });
    expect((await sandbox.admin.calls('books')).counts['GET /books/v3/contacts']).toBe(1);
    expect(wellKnown.booksOrgs.acmeUs).toBe(books.ctx.connection?.settings.organizationId);
  });
});
