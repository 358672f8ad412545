import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { wellKnown } from '../core/sandbox.tenants.js';
import { type CrmHarness, startCrmHarness } from './test-support/crm.harness.js';

type Rows = { data: Array<Record<string, unknown>>; info?: Record<string, unknown> };

describe('CRM records over HTTP', () => {
  let h: CrmHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('refuses calls without a valid token and with missing scopes', async () => {
    h = await startCrmHarness({}, { scopes: ['ZohoCRM.modules.contacts.READ'] });
    const bad = await h.call('GET', '/Accounts?fields=Account_Name', { token: '1000.nope' });
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ code: 'INVALID_TOKEN', status: 'error', message: 'invalid oauth token', details: {} });
    const scope = await h.call('GET', '/Accounts?fields=Account_Name');
    expect(scope.status).toBe(401);
    expect(scope.body).toMatchObject({ code: 'OAUTH_SCOPE_MISMATCH', status: 'error' });
    const ok = await h.call<Rows>('GET', '/Contacts?fields=Last_Name,Account_Name');
    expect(ok.status).toBe(200);
  });

  it('requires fields on list reads and returns the demo accounts of the token user org', async () => {
    h = await startCrmHarness();
    const missing = await h.call('GET', '/Accounts');
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 'REQUIRED_PARAM_MISSING', details: { param_name: 'fields' } });
    const list = await h.call<Rows>('GET', '/Accounts?fields=Account_Name,Currency&sort_order=asc');
    expect(list.status).toBe(200);
    expect(list.body.data.map((r) => r.Account_Name)).toEqual(['Zylker Inc', 'Globex Corporation', 'Initech']);
    expect(Object.keys(list.body.data[0]!).sort()).toEqual(['Account_Name', 'Currency', 'id']);
    expect(list.body.data[0]!.id).toMatch(/^\d{19}$/);
    expect(list.body.info).toMatchObject({ per_page: 200, count: 3, page: 1, more_records: false, next_page_token: null });
    const contacts = await h.call<Rows>('GET', '/Contacts?fields=Last_Name,Account_Name&sort_order=asc');
    expect(contacts.body.data[0]!.Account_Name).toEqual({ name: 'Zylker Inc', id: list.body.data[0]!.id });
    const unknown = await h.call('GET', '/Leadz?fields=Last_Name');
    expect(unknown.body).toMatchObject({ code: 'INVALID_MODULE' });
    const method = await h.call('PATCH', '/Accounts', { body: { data: [] } });
    expect(method.status).toBe(400);
    expect(method.body).toMatchObject({ code: 'INVALID_REQUEST_METHOD' });
    const noRoute = await h.call('GET', '/nothing/here/at/all');
    expect(noRoute.status).toBe(404);
    expect(noRoute.body).toMatchObject({ code: 'INVALID_URL_PATTERN' });
    const byIds = await h.call<Rows>('GET', `/Accounts?fields=Account_Name&ids=${list.body.data[1]!.id}`);
    expect(byIds.body.data.map((r) => r.Account_Name)).toEqual(['Globex Corporation']);
  });

  it('inserts 250 records in three calls and refuses 101 with LIMIT_EXCEEDED', async () => {
    h = await startCrmHarness({ seed: 'empty' });
    const make = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({ Account_Name: `Bulk ${String(from + i).padStart(3, '0')}`, Currency: 'USD' }));
    for (const [from, n] of [[0, 100], [100, 100], [200, 50]] as const) {
      const res = await h.call<Rows>('POST', '/Accounts', { body: { data: make(from, n), trigger: [] } });
      expect(res.status).toBe(201);
      expect(res.body.data).toHaveLength(n);
      expect(res.body.data.every((r) => r.code === 'SUCCESS' && r.message === 'record added')).toBe(true);
    }
    const tooMany = await h.call('POST', '/Accounts', { body: { data: make(300, 101) } });
    expect(tooMany.status).toBe(400);
    // Zoho wraps this one in a data array (v8 OAS example)
    expect(tooMany.body).toMatchObject({ data: [{ code: 'LIMIT_EXCEEDED', status: 'error', details: { maximum_length: 100, api_name: 'data' } }] });
    const count = await h.call('GET', '/Accounts/actions/count');
    expect(count.body).toEqual({ count: 250 });
    const ids = Array.from({ length: 101 }, (_, i) => String(i));
    const delTooMany = await h.call('DELETE', `/Accounts?ids=${ids.join(',')}`);
    expect(delTooMany.body).toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });

  it('answers 207 with per-record errors for mixed batches and 400 when all fail', async () => {
    h = await startCrmHarness();
    const accounts = await h.call<Rows>('GET', '/Accounts?fields=Account_Name&sort_order=asc');
    const zylker = accounts.body.data[0]!;
    const res = await h.call<Rows>('POST', '/Contacts', {
      body: {
        data: [
          { Last_Name: 'Curie', Email: 'marie@zylker.example', Account_Name: { id: zylker.id } },
          { First_Name: 'No', Email: 'x@y.example' },
          { Last_Name: 'Bad', Email: 'not-an-email' },
          { Last_Name: 'Orphan', Account_Name: { id: '5725767999999999999' } },
        ],
      },
    });
    expect(res.status).toBe(207);
    const [ok, mandatory, email, lookup] = res.body.data;
    expect(ok).toMatchObject({ code: 'SUCCESS', status: 'success', message: 'record added', details: { id: expect.stringMatching(/^\d{19}$/) } });
    expect((ok!.details as Record<string, unknown>).Created_Time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    expect(mandatory).toMatchObject({ code: 'MANDATORY_NOT_FOUND', status: 'error', details: { api_name: 'Last_Name', json_path: '$.data[1].Last_Name' } });
    expect(email).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'Email', json_path: '$.data[2].Email', expected_data_type: 'email' } });
    expect(lookup).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'Account_Name' } });
    const created = await h.call<Rows>('GET', `/Contacts/${(ok!.details as { id: string }).id}`);
    expect(created.body.data[0]).toMatchObject({ Last_Name: 'Curie', Full_Name: 'Curie', Account_Name: { name: 'Zylker Inc', id: zylker.id } });

    const dup = await h.call<Rows>('POST', '/Accounts', { body: { data: [{ Account_Name: 'zylker inc' }] } });
    expect(dup.status).toBe(400);
    expect(dup.body.data[0]).toMatchObject({
      code: 'DUPLICATE_DATA', details: { api_name: 'Account_Name', duplicate_record: { id: zylker.id, module: { api_name: 'Accounts' } } },
    });

    const upd = await h.call<Rows>('PUT', '/Accounts', { body: { data: [{ id: zylker.id, Phone: '+1 1' }, { Phone: '2' }, { id: '1', Phone: '3' }] } });
    expect(upd.status).toBe(207);
    expect(upd.body.data.map((r) => r.code)).toEqual(['SUCCESS', 'MANDATORY_NOT_FOUND', 'INVALID_DATA']);
    expect(upd.body.data[0]!.message).toBe('record updated');
    const one = await h.call<Rows>('PUT', `/Accounts/${zylker.id}`, { body: { data: [{ Currency: 'XXX' }] } });
    expect(one.status).toBe(400);
    expect(one.body.data[0]).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'Currency', expected_data_type: 'picklist' } });
  });

  it('upserts by duplicate_check_fields: updates a match, inserts otherwise, errors on several matches', async () => {
    h = await startCrmHarness();
    const res = await h.call<Rows>('POST', '/Contacts/upsert', {
      body: {
        data: [
          { Last_Name: 'Lovelace', First_Name: 'Augusta Ada', Email: 'ADA@zylker.example' },
          { Last_Name: 'Turing', Email: 'alan@zylker.example' },
        ],
        duplicate_check_fields: ['Email'],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.data[0]).toMatchObject({ code: 'SUCCESS', action: 'update', duplicate_field: 'Email', message: 'record updated' });
    expect(res.body.data[1]).toMatchObject({ code: 'SUCCESS', action: 'insert', message: 'record added' });
    const ada = await h.call<Rows>('GET', '/Contacts/search?email=ada@zylker.example');
    expect(ada.body.data).toHaveLength(1);
    expect(ada.body.data[0]).toMatchObject({ Full_Name: 'Augusta Ada Lovelace' });

    const accounts = await h.call<Rows>('POST', '/Accounts/upsert', { body: { data: [{ Account_Name: 'Initech', Phone: '+1 9' }, { Account_Name: 'Hooli' }] } });
    expect(accounts.body.data.map((r) => r.action)).toEqual(['update', 'insert']);
    expect(accounts.body.data[0]!.duplicate_field).toBe('Account_Name');

    await h.call('POST', '/Contacts', { body: { data: [{ Last_Name: 'Twin', Department: 'Ops' }, { Last_Name: 'Twin2', Department: 'Ops' }] } });
    const ambiguous = await h.call<Rows>('POST', '/Contacts/upsert', { body: { data: [{ Last_Name: 'X', Department: 'Ops' }], duplicate_check_fields: ['Department'] } });
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.data[0]).toMatchObject({ code: 'DUPLICATE_DATA', details: { api_name: 'Department', more_records: true } });

    // If-Unmodified-Since older than the record's last change → ALREADY_MODIFIED (412 when every record fails)
    const clock = h.running.sandbox.context.clock;
    const stale = new Date(clock.now() - 60_000).toISOString();
    clock.advance(1000);
    const refused = await h.call<Rows>('POST', '/Accounts/upsert', { body: { data: [{ Account_Name: 'Initech', Phone: '+1 7' }] }, headers: { 'If-Unmodified-Since': stale } });
    expect(refused.status).toBe(412);
    expect(refused.body.data[0]).toMatchObject({ code: 'ALREADY_MODIFIED', status: 'error', details: { id: expect.any(String) } });
    const fresh = await h.call<Rows>('POST', '/Accounts/upsert', { body: { data: [{ Account_Name: 'Initech', Phone: '+1 7' }] }, headers: { 'If-Unmodified-Since': new Date(clock.now()).toISOString() } });
    expect(fresh.status).toBe(200);

    const unknownField = await h.call<Rows>('POST', '/Accounts', { body: { data: [{ Account_Name: 'Typo Co', Acount_Type: 'Customer' }] } });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.data[0]).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'Acount_Type', json_path: '$.data[0].Acount_Type' } });
  });

  it('pages 2,500 accounts: page 11 is refused, page_token continues to the end', async () => {
    h = await startCrmHarness({ seed: { name: 'empty', crm: { accounts: 2500 } } });
    const ids = new Set<string>();
    for (let page = 1; page <= 10; page++) {
      const res = await h.call<Rows>('GET', `/Accounts?fields=Account_Name&page=${page}&sort_order=asc`);
      expect(res.status).toBe(200);
      expect(res.body.data).toHaveLength(200);
      for (const r of res.body.data) ids.add(String(r.id));
    }
    const page11 = await h.call('GET', '/Accounts?fields=Account_Name&page=11&sort_order=asc');
    expect(page11.status).toBe(400);
    expect(page11.body).toMatchObject({ code: 'DISCRETE_PAGINATION_LIMIT_EXCEEDED', details: { limit: 2000 } });
    const tenth = await h.call<Rows>('GET', '/Accounts?fields=Account_Name&page=10&sort_order=asc');
    let token = tenth.body.info!.next_page_token as string | null;
    expect(tenth.body.info).toMatchObject({ more_records: true, next_page_token: expect.any(String), page_token_expiry: expect.any(String) });
    const both = await h.call('GET', `/Accounts?fields=Account_Name&page=2&page_token=${token}&sort_order=asc`);
    expect(both.status).toBe(400);
    expect(both.body).toMatchObject({ code: 'AMBIGUITY_DURING_PROCESSING' });
    const altered = await h.call('GET', `/Accounts?fields=Account_Name,Phone&page_token=${token}&sort_order=asc`);
    expect(altered.body).toMatchObject({ code: 'TOKEN_BOUND_DATA_MISMATCH', details: { param_name: 'page_token' } });
    let pages = 0;
    while (token && pages < 10) {
      const res = await h.call<Rows>('GET', `/Accounts?fields=Account_Name&page_token=${token}&sort_order=asc`);
      expect(res.status).toBe(200);
      for (const r of res.body.data) ids.add(String(r.id));
      token = res.body.info!.next_page_token as string | null;
      if (!res.body.info!.more_records) expect(token).toBeNull();
      pages++;
    }
    expect(pages).toBe(3);
    expect(ids.size).toBe(2500);
    const names = new Set(h.crm.store.moduleRecords(wellKnown.crmOrgs.acmeUs, 'Accounts').map((r) => r.values.Account_Name));
    expect(names.has('Account 2500')).toBe(true);

    // tokens expire after limits.crm.pageTokenTtlMs
    const again = await h.call<Rows>('GET', '/Accounts?fields=Account_Name&page=10');
    h.running.sandbox.context.clock.advance(h.running.sandbox.context.limits.crm.pageTokenTtlMs + 1);
    await h.refresh();
    const expired = await h.call('GET', `/Accounts?fields=Account_Name&page_token=${again.body.info!.next_page_token}`);
    expect(expired.status).toBe(400);
    expect(expired.body).toMatchObject({ code: 'EXPIRED_VALUE', details: { api_name: 'page_token' } });
  });

  it('answers 204 for an empty module and 304 when nothing changed since If-Modified-Since', async () => {
    h = await startCrmHarness({ seed: 'empty' });
    const empty = await h.call('GET', '/Accounts?fields=Account_Name');
    expect(empty.status).toBe(204);
    expect(empty.body).toBeUndefined();
    const created = await h.call<Rows>('POST', '/Accounts', { body: { data: [{ Account_Name: 'Old' }, { Account_Name: 'Changed' }] } });
    const changedId = (created.body.data[1]!.details as { id: string }).id;
    const clock = h.running.sandbox.context.clock;
    clock.advance(60_000);
    const since = new Date(clock.now()).toISOString();
    const none = await h.call('GET', '/Accounts?fields=Account_Name', { headers: { 'If-Modified-Since': since } });
    expect(none.status).toBe(304);
    clock.advance(60_000);
    await h.call('PUT', `/Accounts/${changedId}`, { body: { data: [{ Phone: '123' }] } });
    const some = await h.call<Rows>('GET', '/Accounts?fields=Account_Name,Modified_Time', { headers: { 'If-Modified-Since': since } });
    expect(some.status).toBe(200);
    expect(some.body.data.map((r) => r.Account_Name)).toEqual(['Changed']);
    const single = await h.call('GET', `/Accounts/${changedId}`, { headers: { 'If-Modified-Since': new Date(clock.now()).toISOString() } });
    expect(single.status).toBe(304);
  });

  it('lists deleted records by type and since a time', async () => {
    h = await startCrmHarness();
    const list = await h.call<Rows>('GET', '/Contacts?fields=Last_Name&sort_order=asc');
    const [a, b] = list.body.data;
    const clock = h.running.sandbox.context.clock;
    const before = new Date(clock.now()).toISOString();
    clock.advance(1000);
    const del = await h.call<Rows>('DELETE', `/Contacts?ids=${a!.id},${b!.id},123`);
    expect(del.status).toBe(207);
    expect(del.body.data[0]).toEqual({ code: 'SUCCESS', details: { id: a!.id }, message: 'record deleted', status: 'success' });
    expect(del.body.data[2]).toMatchObject({ code: 'INVALID_DATA', status: 'error' });
    const gone = await h.call('GET', `/Contacts/${a!.id}`);
    expect(gone.status).toBe(204);
    const deleted = await h.call<Rows>('GET', '/Contacts/deleted?type=recycle', { headers: { 'If-Modified-Since': before } });
    expect(deleted.status).toBe(200);
    expect(deleted.body.data.map((d) => d.id).sort()).toEqual([a!.id, b!.id].sort());
    expect(deleted.body.data[0]).toMatchObject({ type: 'recycle', display_name: expect.any(String), deleted_by: { id: expect.any(String) } });
    const permanent = await h.call('GET', '/Contacts/deleted?type=permanent');
    expect(permanent.status).toBe(204);
    clock.advance(61 * 24 * 3600_000);
    await h.refresh();
    const later = await h.call<Rows>('GET', '/Contacts/deleted?type=permanent');
    expect(later.body.data).toHaveLength(2);
    const after = await h.call('GET', '/Contacts/deleted', { headers: { 'If-Modified-Since': new Date(clock.now()).toISOString() } });
    expect(after.status).toBe(304);
  });

  it('searches with criteria, email and word; 204 when nothing matches', async () => {
    h = await startCrmHarness();
    const res = await h.call<Rows>('GET', `/Accounts/search?criteria=${encodeURIComponent('((Currency:equals:usd)and(Account_Name:starts_with:zyl))')}`);
    expect(res.status).toBe(200);
    expect(res.body.data.map((r) => r.Account_Name)).toEqual(['Zylker Inc']);
    const or = await h.call<Rows>('GET', `/Accounts/search?criteria=${encodeURIComponent('(Account_Name:equals:Initech)or(Account_Name:in:Globex Corporation,Nobody)')}`);
    expect(or.body.data.map((r) => r.Account_Name).sort()).toEqual(['Globex Corporation', 'Initech']);
    const byAccount = await h.call<Rows>('GET', `/Contacts/search?criteria=${encodeURIComponent('(Account_Name:equals:Zylker Inc)')}&fields=Last_Name`);
    expect(byAccount.body.data.map((r) => r.Last_Name).sort()).toEqual(['Hopper', 'Lovelace']);
    const word = await h.call<Rows>('GET', '/Contacts/search?word=grace');
    expect(word.body.data).toHaveLength(1);
    const none = await h.call('GET', '/Accounts/search?email=nobody@nowhere.example');
    expect(none.status).toBe(204);
    const bad = await h.call('GET', `/Accounts/search?criteria=${encodeURIComponent('(Nope:equals:1)')}`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'INVALID_QUERY', details: { api_name: 'Nope' } });
    const missing = await h.call('GET', '/Accounts/search');
    expect(missing.body).toMatchObject({ code: 'REQUIRED_PARAM_MISSING' });
    const count = await h.call('GET', '/Contacts/actions/count?word=zylker');
    expect(count.body).toEqual({ count: 2 });
  });

  it('lists related records of an account', async () => {
    h = await startCrmHarness();
    const accounts = await h.call<Rows>('GET', '/Accounts?fields=Account_Name&sort_order=asc');
    const zylker = accounts.body.data[0]!;
    const contacts = await h.call<Rows>('GET', `/Accounts/${zylker.id}/Contacts?fields=Last_Name,Email`);
    expect(contacts.status).toBe(200);
    expect(contacts.body.data.map((r) => r.Last_Name)).toEqual(['Lovelace', 'Hopper']);
    const addresses = await h.call<Rows>('GET', `/Accounts/${zylker.id}/Addresses?fields=Name,Address_Type,Is_Main`);
    expect(addresses.body.data).toHaveLength(2);
    expect(addresses.body.data[0]).toMatchObject({ Address_Type: 'Shipping', Is_Main: false });
    const initech = accounts.body.data[2]!;
    expect((await h.call('GET', `/Accounts/${initech.id}/Addresses?fields=Name`)).status).toBe(204);
    expect((await h.call('GET', `/Accounts/${zylker.id}/Contacts`)).body).toMatchObject({ code: 'REQUIRED_PARAM_MISSING' });
    const missing = await h.call('GET', '/Accounts/5725767999999999999/Contacts?fields=Last_Name');
    expect(missing.status).toBe(404);
    expect((await h.call('GET', `/Accounts/${zylker.id}/Deals?fields=Deal_Name`)).body).toMatchObject({ code: 'NOT_SUPPORTED' });
  });

  it('serves field and module metadata', async () => {
    h = await startCrmHarness();
    const accounts = await h.call<{ fields: Array<Record<string, unknown>> }>('GET', '/settings/fields?module=Accounts');
    expect(accounts.status).toBe(200);
    const byName = new Map(accounts.body.fields.map((f) => [f.api_name, f]));
    expect(byName.get('Account_Name')).toMatchObject({ data_type: 'text', system_mandatory: true, unique: { casesensitive: false } });
    expect(byName.get('Billing_Code')).toMatchObject({ data_type: 'text' });
    expect(byName.get('Togai_Customer_Id')).toMatchObject({ custom_field: true, unique: { casesensitive: false } });
    expect((byName.get('Currency')!.pick_list_values as Array<{ actual_value: string }>).map((v) => v.actual_value)).toContain('EUR');
    const contacts = await h.call<{ fields: Array<Record<string, unknown>> }>('GET', '/settings/fields?module=Contacts');
    const lookup = contacts.body.fields.find((f) => f.api_name === 'Account_Name')!;
    expect(lookup).toMatchObject({ data_type: 'lookup', lookup: { module: { api_name: 'Accounts' } } });
    expect(contacts.body.fields.some((f) => f.api_name === 'Mailing_Zip')).toBe(true);
    const addresses = await h.call<{ fields: Array<Record<string, unknown>> }>('GET', '/settings/fields?module=addresses');
    expect(addresses.body.fields.find((f) => f.api_name === 'Is_Main')).toMatchObject({ data_type: 'boolean' });
    const modules = await h.call<{ modules: Array<Record<string, unknown>> }>('GET', '/settings/modules');
    expect(modules.body.modules.find((m) => m.api_name === 'Addresses')).toMatchObject({ generated_type: 'custom', api_supported: true });
    const noModule = await h.call('GET', '/settings/fields');
    expect(noModule.body).toMatchObject({ code: 'REQUIRED_PARAM_MISSING' });
  });

  it('keeps orgs apart per data centre and accepts older version prefixes', async () => {
    h = await startCrmHarness({}, { dc: 'eu' });
    expect(h.base).toContain('/dc/eu/crm/v8');
    const list = await h.call<Rows>('GET', '/Accounts?fields=Account_Name');
    expect(list.body.data.map((r) => r.Account_Name)).toEqual(['Müller Maschinenbau GmbH']);
    const v7 = await fetch(`${h.tokens.apiDomain}/crm/v7/Accounts?fields=Account_Name`, { headers: { authorization: `Zoho-oauthtoken ${h.tokens.accessToken}` } });
    expect(v7.status).toBe(200);
    const wrongDc = await fetch(`${h.running.url}/crm/v8/Accounts?fields=Account_Name`, { headers: { authorization: `Zoho-oauthtoken ${h.tokens.accessToken}` } });
    expect(wrongDc.status).toBe(401);
  });

  it('keeps records and watch channels in the snapshot file across restarts', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crm-snap-')), 'state.json');
    h = await startCrmHarness({ snapshotFile: file });
    const created = await h.call<Rows>('POST', '/Accounts', { body: { data: [{ Account_Name: 'Persistent Ltd' }] } });
    const id = (created.body.data[0]!.details as { id: string }).id;
    await h.call('POST', '/actions/watch', { body: { watch: [{ channel_id: 9, events: ['Accounts.all'], notify_url: 'http://127.0.0.1:9/cb' }] } });
    await h.close();
    h = await startCrmHarness({ snapshotFile: file });
    const again = await h.call<Rows>('GET', `/Accounts/${id}`);
    expect(again.body.data[0]).toMatchObject({ Account_Name: 'Persistent Ltd' });
    expect(h.crm.inspect().watchChannels).toEqual([expect.objectContaining({ channel_id: '9', orgId: wellKnown.crmOrgs.acmeUs })]);
    const next = await h.call<Rows>('POST', '/Accounts', { body: { data: [{ Account_Name: 'Next Ltd' }] } });
    expect(BigInt((next.body.data[0]!.details as { id: string }).id)).toBeGreaterThan(BigInt(id));
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it('runs a COQL subset', async () => {
    h = await startCrmHarness();
    const res = await h.call<Rows>('POST', '/coql', {
      body: { select_query: "select Last_Name, Email, Account_Name from Contacts where (Email like '%zylker%' and Last_Name != 'Hopper') limit 0, 10" },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(1);
    expect(res.body.data[0]).toMatchObject({ Last_Name: 'Lovelace', Account_Name: { id: expect.any(String) } });
    const joined = await h.call<Rows>('POST', '/coql', {
      body: { select_query: "select Last_Name, Account_Name.Account_Name from Contacts where Account_Name.Account_Name = 'Zylker Inc' order by Last_Name desc" },
    });
    expect(joined.body.data.map((r) => [r.Last_Name, r['Account_Name.Account_Name']])).toEqual([['Lovelace', 'Zylker Inc'], ['Hopper', 'Zylker Inc']]);
    const none = await h.call('POST', '/coql', { body: { select_query: "select Last_Name from Contacts where Email = 'x@y.z'" } });
    expect(none.status).toBe(204);
    const bad = await h.call('POST', '/coql', { body: { select_query: 'select count(id) from Contacts' } });
    expect(bad.body).toMatchObject({ code: 'INVALID_QUERY' });
  });
});
