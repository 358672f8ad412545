import { loadDynamicOptions } from '@braid/connector-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { zohoCrmConnector } from '../crm.connector.js';
import { startCrmHarness, totalCalls, type CrmHarness } from '../test-support/crm.harness.js';

describe('zoho-crm read and metadata actions against the sandbox (2,500 seeded accounts)', () => {
  let h: CrmHarness;
  beforeAll(async () => {
    h = await startCrmHarness({ seed: { name: 'empty', crm: { accounts: 2500 } } });
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(async () => {
    await h.admin.clearCalls();
  });

  it('lists 2,500 accounts: 10 pages by number, then page tokens past 2,000', async () => {
    const out = await h.run('list_records', { module: 'Accounts', fields: ['Account_Name', 'Email'], limit: 5000 });
    expect(out).toMatchObject({ count: 2500, truncated: false, notModified: false });
    const ids = new Set(out.records.map((r: { id: string }) => r.id));
    expect(ids.size).toBe(2500);
    const stateIds = new Set(h.state().Accounts.map((a) => a.id));
    expect([...ids].every((id) => stateIds.has(id))).toBe(true);
    // ascending ids across the page → page_token switch
    const sorted = [...out.records.map((r: { id: string }) => r.id)].sort();
    expect(out.records.map((r: { id: string }) => r.id)).toEqual(sorted);
    expect(out.records[0]).toMatchObject({ Account_Name: 'Account 0001', Email: 'account0001@example.com' });
    expect(totalCalls(await h.calls())).toBe(13);
  });

  it('stops at the limit and says so; fields default to the module\'s fields', async () => {
    const out = await h.run('list_records', { module: 'Accounts', limit: 150, sortOrder: 'desc' });
    expect(out).toMatchObject({ count: 150, truncated: true });
    expect(out.records[0].Account_Name).toBe('Account 2500');
    expect(Object.keys(out.records[0])).toEqual(expect.arrayContaining(['Billing_City', 'Currency', 'Modified_Time', 'Togai_Customer_Id']));
    const calls = await h.calls();
    expect(calls['GET /crm/v8/settings/fields']).toBeLessThanOrEqual(1);
    expect(calls['GET /crm/v8/:module']).toBe(1);
  });

  it('returns an empty list for 204 (no records) and notModified for 304', async () => {
    const empty = await h.run('list_records', { module: 'Contacts', fields: ['Last_Name'] });
    expect(empty).toEqual({ records: [], count: 0, truncated: false, notModified: false });
    const future = new Date(Date.now() + 3600_000).toISOString();
    const none = await h.run('list_records', { module: 'Accounts', fields: ['Account_Name'], modifiedSince: future });
    expect(none).toMatchObject({ count: 0, notModified: true });
    const noMatch = await h.run('search_records', { module: 'Accounts', email: 'nobody@nowhere.example' });
    expect(noMatch).toMatchObject({ records: [], count: 0 });
  });

  it('searches with structured conditions, escaping ( ) , and \\ in values', async () => {
    const tricky = 'Smith, (Jones) \\ Partners';
    await h.run('insert_records', { module: 'Accounts', records: [{ Account_Name: tricky, Email: 'sj@example.com' }, { Account_Name: 'Smith Other' }] });
    const out = await h.run('search_records', {
      module: 'Accounts',
      conditions: [
        { field: 'Account_Name', operator: 'equals', value: tricky },
        { field: 'Email', operator: 'in', value: ['sj@example.com', 'a,b@example.com'] },
      ],
    });
    expect(out.criteria).toBe('((Account_Name:equals:Smith\\, \\(Jones\\) \\\\ Partners)and(Email:in:sj@example.com,a\\,b@example.com))');
    expect(out.records.map((r: { Account_Name: string }) => r.Account_Name)).toEqual([tricky]);

    const either = await h.run('search_records', {
      module: 'Accounts',
      match: 'or',
      conditions: [
        { field: 'Account_Name', operator: 'starts_with', value: 'Smith' },
        { field: 'Account_Name', operator: 'equals', value: 'Account 0007' },
      ],
      fields: ['Account_Name'],
    });
    expect(either.records.map((r: { Account_Name: string }) => r.Account_Name).sort()).toEqual(['Account 0007', 'Smith Other', tricky].sort());

    const byEmail = await h.run('search_records', { module: 'Accounts', email: 'account0042@example.com' });
    expect(byEmail.records).toHaveLength(1);
    expect(byEmail.records[0].Account_Name).toBe('Account 0042');
    const raw = await h.run('search_records', { module: 'Accounts', criteria: '(Account_Name:starts_with:Account 000)', limit: 5 });
    expect(raw).toMatchObject({ count: 5, truncated: true });
    await expect(h.run('search_records', { module: 'Accounts', criteria: '(Account_Name:likes:x)' })).rejects.toMatchObject({
      code: 'VALIDATION',
      vendorCode: 'INVALID_QUERY',
    });
  });

  it('search pages through up to 2,000 matches', async () => {
    const out = await h.run('search_records', { module: 'Accounts', criteria: '(Billing_Country:equals:US)', limit: 2000 });
    expect(out.count).toBe(2000);
    expect(new Set(out.records.map((r: { id: string }) => r.id)).size).toBe(2000);
  });

  it('gets one record by id, and found = false (or NOT_FOUND) for a missing one', async () => {
    const account = h.state().Accounts.find((a) => a.Account_Name === 'Account 0003')!;
    const got = await h.run('get_record', { module: 'Accounts', id: account.id, fields: ['Account_Name', 'Currency'] });
    expect(got).toEqual({ found: true, record: { id: account.id, Account_Name: 'Account 0003', Currency: account.Currency } });
    expect(await h.run('get_record', { module: 'Accounts', id: '1234567890123456789' })).toEqual({ found: false, record: null });
    await expect(h.run('get_record', { module: 'Accounts', id: '1234567890123456789', failIfMissing: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('describes fields of Accounts, Contacts and Addresses for mappers (mandatory, unique, picklists, lookups)', async () => {
    const accounts = await h.run('get_fields', { module: 'Accounts' });
    const field = (name: string) => accounts.fields.find((f: { apiName: string }) => f.apiName === name);
    expect(field('Account_Name')).toMatchObject({ mandatory: true, unique: true, dataType: 'text' });
    expect(field('Togai_Customer_Id')).toMatchObject({ unique: true, custom: true, mandatory: false });
    expect(field('Currency').picklist).toEqual(expect.arrayContaining([{ value: 'EUR', label: 'EUR' }]));
    expect(field('Modified_Time')).toMatchObject({ readOnly: true });
    const contacts = await h.run('get_fields', { module: 'Contacts' });
    expect(contacts.fields.find((f: { apiName: string }) => f.apiName === 'Last_Name')).toMatchObject({ mandatory: true });
    expect(contacts.fields.find((f: { apiName: string }) => f.apiName === 'Account_Name')).toMatchObject({ dataType: 'lookup', lookupModule: 'Accounts' });
    const addresses = await h.run('get_fields', { module: 'Addresses' });
    expect(addresses.fields.find((f: { apiName: string }) => f.apiName === 'Name')).toMatchObject({ mandatory: true });
    expect(addresses.fields.find((f: { apiName: string }) => f.apiName === 'Is_Main')).toMatchObject({ dataType: 'boolean', custom: true });
    expect(addresses.fields.find((f: { apiName: string }) => f.apiName === 'Address_Type').picklist.map((p: { value: string }) => p.value)).toEqual(['Billing', 'Shipping']);

    const modules = await h.run('list_modules', {});
    expect(modules.modules).toEqual(expect.arrayContaining([
      { apiName: 'Accounts', label: 'Accounts', singularLabel: 'Account', custom: false },
      { apiName: 'Addresses', label: 'Addresses', singularLabel: 'Address', custom: true },
    ]));
  });

  it('loads dynamic options: modules, and fields of the chosen module with their flags and picklist values', async () => {
    const ctx = h.context();
    const modules = await loadDynamicOptions(zohoCrmConnector, 'modules', ctx);
    expect(modules.map((m) => m.value)).toEqual(['Accounts', 'Contacts', 'Addresses']);
    const fields = await loadDynamicOptions(zohoCrmConnector, 'fields', ctx, { module: 'Addresses' });
    expect(fields.find((f) => f.value === 'Name')).toMatchObject({ label: 'Address Name *', description: expect.stringMatching(/mandatory/) });
    expect(fields.find((f) => f.value === 'Address_Type')?.description).toMatch(/values: Billing, Shipping/);
    const contactFields = await loadDynamicOptions(zohoCrmConnector, 'contact_fields', ctx);
    expect(contactFields.find((f) => f.value === 'Account_Name')?.description).toMatch(/lookup → Accounts/);
    const accountFields = await loadDynamicOptions(zohoCrmConnector, 'account_fields', ctx);
    expect(accountFields.find((f) => f.value === 'Togai_Customer_Id')?.description).toMatch(/unique/);
  });

  it('counts records and runs COQL', async () => {
    expect(await h.run('count_records', { module: 'Accounts', criteria: '(Account_Name:equals:Account 0010)' })).toEqual({ count: 1 });
    const coql = await h.run('coql_query', { query: "select Account_Name, Email from Accounts where Account_Name = 'Account 0011' limit 0, 10" });
    expect(coql).toMatchObject({ count: 1, moreRecords: false });
    expect(coql.records[0]).toMatchObject({ Account_Name: 'Account 0011', Email: 'account0011@example.com' });
  });
});
