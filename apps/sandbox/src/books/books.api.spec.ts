import { afterEach, describe, expect, it } from 'vitest';
import { wellKnown } from '../core/sandbox.tenants.js';
import { type BooksHarness, type Loose, startBooksHarness } from './test-support/books.harness.js';

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4}$/;
const DIGITS = /^\d+$/;

describe('Books v3: envelope, ids, auth, organisations', () => {
  let h: BooksHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('answers with the {code:0,message} envelope, digit-string ids and ±HHMM timestamps', async () => {
    h = await startBooksHarness();
    const orgs = await h.call('GET', '/organizations', { orgId: null });
    expect(orgs.status).toBe(200);
    expect(orgs.body.code).toBe(0);
    expect(orgs.body.organizations.map((o: Loose) => o.organization_id)).toEqual([wellKnown.booksOrgs.acmeUs, wellKnown.booksOrgs.acmeUk]);

    const list = await h.call('GET', '/contacts');
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ code: 0, message: 'success' });
    const first = list.body.contacts[0];
    expect(first.contact_id).toMatch(DIGITS);
    expect(typeof first.contact_id).toBe('string');
    expect(first.created_time).toMatch(TIMESTAMP);
    expect(first.created_time.endsWith('-0500')).toBe(true); // Acme Inc lives in America/New_York

    const created = await h.call('POST', '/contacts', {
      body: { contact_name: 'Envelope Test Ltd', contact_persons: [{ first_name: 'Eva', email: 'eva@envelope.example' }] },
    });
    expect(created.status).toBe(201);
    expect(created.body.code).toBe(0);
    expect(created.body.message).toBe('The contact has been added.');
    expect(created.body.contact.contact_persons[0]).toMatchObject({ is_primary_contact: true, contact_person_id: expect.stringMatching(DIGITS) });
  });

  it('requires organization_id and refuses organisations the user cannot reach with 401 code 57', async () => {
    h = await startBooksHarness();
    const missing = await h.call('GET', '/contacts', { orgId: null });
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe(2);
    expect(missing.body.message).toContain('organization_id');

    const eu = await h.call('GET', '/contacts', { orgId: wellKnown.booksOrgs.acmeEu });
    expect(eu.status).toBe(401);
    expect(eu.body).toEqual({ code: 57, message: 'You are not authorized to perform this operation' });

    const euToken = await h.tokenFor(['ZohoBooks.fullaccess.all'], 'eu');
    const euList = await h.call('GET', '/contacts', { dc: 'eu', token: euToken, orgId: wellKnown.booksOrgs.acmeEu });
    expect(euList.status).toBe(200);
    expect(euList.body.contacts[0].created_time.endsWith('+0100')).toBe(true);
    // the EU token is not valid in the US data centre
    const wrongDc = await h.call('GET', '/contacts', { token: euToken, orgId: wellKnown.booksOrgs.acmeEu });
    expect(wrongDc.status).toBe(401);
  });

  it('checks scopes per module and operation (code 57) and refuses bad or Bearer tokens', async () => {
    h = await startBooksHarness();
    const readContacts = await h.tokenFor(['ZohoBooks.contacts.READ']);
    expect((await h.call('GET', '/contacts', { token: readContacts })).status).toBe(200);
    const write = await h.call('POST', '/contacts', { token: readContacts, body: { contact_name: 'Nope' } });
    expect(write.status).toBe(401);
    expect(write.body.code).toBe(57);
    expect((await h.call('GET', '/invoices', { token: readContacts })).body.code).toBe(57);

    const invoicesAll = await h.tokenFor(['ZohoBooks.invoices.ALL', 'ZohoBooks.settings.READ']);
    expect((await h.call('GET', '/invoices', { token: invoicesAll })).status).toBe(200);
    expect((await h.call('GET', '/settings/taxes', { token: invoicesAll })).status).toBe(200);
    expect((await h.call('GET', '/chartofaccounts', { token: invoicesAll })).status).toBe(401);

    const invalid = await h.call('GET', '/contacts', { token: '1000.not-a-token' });
    expect(invalid.status).toBe(401);
    expect(invalid.body.code).toBe(57);
    const bearer = await fetch(`${h.url}/books/v3/contacts?organization_id=${h.orgId}`, { headers: { Authorization: `Bearer ${h.token}` } });
    expect(bearer.status).toBe(401);

    h.running.sandbox.context.clock.advance(3601_000); // access tokens live one hour
    const expired = await h.call('GET', '/contacts');
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe(57);
  });

  it('accepts the legacy JSONString form field, refuses other form bodies (1038), 404 code 5 and 405', async () => {
    h = await startBooksHarness();
    const form = await h.call('POST', '/contacts', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ JSONString: JSON.stringify({ contact_name: 'Form Customer' }) }).toString(),
    });
    expect(form.status).toBe(201);
    expect(form.body.contact.contact_name).toBe('Form Customer');

    const bare = await h.call('POST', '/contacts', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'contact_name=Plain+Form',
    });
    expect(bare.status).toBe(400);
    expect(bare.body).toEqual({ code: 1038, message: 'JSON is not well formed' });
    expect((await h.call('POST', '/contacts', { body: '{"contact_name": ' })).body.code).toBe(1038);

    const unknown = await h.call('GET', '/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe(5);
    const patch = await h.call('PATCH', '/contacts', { body: {} });
    expect(patch.status).toBe(405);
    const missing = await h.call('GET', '/contacts/460000099999999');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ code: 1002, message: 'Contact does not exist.' });
    const required = await h.call('POST', '/contacts', { body: { company_name: 'No name' } });
    expect(required.status).toBe(400);
    expect(required.body.message).toContain('contact_name');
  });

  it('serves injected faults in the Books envelope', async () => {
    h = await startBooksHarness();
    h.running.sandbox.context.faults.arm({ service: 'books', kind: 'rate-limit', pathContains: '/contacts' });
    h.running.sandbox.context.faults.arm({ service: 'books', kind: 'server-error', pathContains: '/invoices' });
    const limited = await h.call('GET', '/contacts');
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe(44);
    expect(limited.headers.get('retry-after')).toBeNull();
    const failed = await h.call('GET', '/invoices');
    expect(failed.status).toBe(500);
    expect(failed.body.code).toBe(1000);
    expect((await h.call('GET', '/contacts')).status).toBe(200);
  });
});
