import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCrmHarness, totalCalls, type CrmHarness } from '../test-support/crm.harness.js';

const accounts = (n: number, prefix = 'Batch') =>
  Array.from({ length: n }, (_, i) => ({ Account_Name: `${prefix} ${String(i + 1).padStart(4, '0')}`, Email: `${prefix.toLowerCase()}${i + 1}@example.com` }));

describe('zoho-crm write actions against the sandbox', () => {
  let h: CrmHarness;
  beforeAll(async () => {
    h = await startCrmHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(async () => {
    await h.admin.clearCalls();
  });

  it('upserts 250 accounts in exactly 3 calls and the sandbox holds 250 records', async () => {
    const out = await h.run('upsert_records', { module: 'Accounts', records: accounts(250) });
    expect(out.summary).toEqual({ total: 250, succeeded: 250, failed: 0, inserted: 250, updated: 0, deleted: 0, calls: 3 });
    expect(out.results.map((r: { index: number }) => r.index)).toEqual([...Array(250).keys()]);
    const calls = await h.calls();
    expect(totalCalls(calls)).toBe(3);
    expect(calls['POST /crm/v8/:module/upsert']).toBe(3);
    const stored = h.state().Accounts.filter((a) => String(a.Account_Name).startsWith('Batch '));
    expect(stored).toHaveLength(250);
    // ids in the results are the records the sandbox holds, in input order
    const byName = new Map(stored.map((a) => [a.Account_Name, a.id]));
    expect(out.results[0].id).toBe(byName.get('Batch 0001'));
    expect(out.results[249].id).toBe(byName.get('Batch 0250'));

    // the same upsert again updates instead of duplicating
    const again = await h.run('upsert_records', { module: 'Accounts', records: accounts(250).map((a) => ({ ...a, Phone: '+1 555 0000' })) });
    expect(again.summary).toMatchObject({ inserted: 0, updated: 250, failed: 0, calls: 3 });
    expect(again.results[0]).toMatchObject({ status: 'success', action: 'update', duplicateField: 'Account_Name', id: out.results[0].id });
    expect(h.state().Accounts.filter((a) => String(a.Account_Name).startsWith('Batch '))).toHaveLength(250);
    expect(h.state().Accounts.find((a) => a.Account_Name === 'Batch 0100')?.Phone).toBe('+1 555 0000');
  });

  it('surfaces mixed results one by one (a record without Account_Name, an invalid email)', async () => {
    const out = await h.run('upsert_records', {
      module: 'Accounts',
      records: [{ Account_Name: 'Mixed One' }, { Email: 'no-name@example.com' }, { Account_Name: 'Mixed Three', Email: 'not-an-email' }],
    });
    expect(out.results).toEqual([
      expect.objectContaining({ index: 0, status: 'success', action: 'insert' }),
      expect.objectContaining({ index: 1, status: 'error', code: 'MANDATORY_NOT_FOUND', field: 'Account_Name' }),
      expect.objectContaining({ index: 2, status: 'error', code: 'INVALID_DATA', field: 'Email' }),
    ]);
    expect(out.summary).toMatchObject({ total: 3, succeeded: 1, failed: 2 });
    const names = h.state().Accounts.map((a) => a.Account_Name);
    expect(names).toContain('Mixed One');
    expect(names).not.toContain('Mixed Three');

    // all records failing (HTTP 400 from CRM) is still per-record, unless failOnAnyError
    const allBad = await h.run('insert_records', { module: 'Accounts', records: [{ Phone: '1' }, { Phone: '2' }] });
    expect(allBad.results.map((r: { code: string }) => r.code)).toEqual(['MANDATORY_NOT_FOUND', 'MANDATORY_NOT_FOUND']);
    await expect(
      h.run('upsert_records', { module: 'Accounts', records: [{ Account_Name: 'Strict OK' }, { Email: 'x@example.com' }], failOnAnyError: true }),
    ).rejects.toMatchObject({ code: 'VALIDATION', field: 'Account_Name', message: expect.stringMatching(/1 of 2 .*1 were written/) });
  });

  it('chunks 101 records into 100 + 1 and keeps the input order; duplicate check on a unique custom field', async () => {
    const records = Array.from({ length: 101 }, (_, i) => ({ Account_Name: `Chunk ${i}`, Togai_Customer_Id: `cust-${i}` }));
    const out = await h.run('insert_records', { module: 'Accounts', records });
    expect(out.summary).toMatchObject({ total: 101, inserted: 101, calls: 2 });
    expect(out.results[100]).toMatchObject({ index: 100, status: 'success', action: 'insert' });
    expect((await h.calls())['POST /crm/v8/:module']).toBe(2);
    const last = h.state().Accounts.find((a) => a.id === out.results[100].id);
    expect(last).toMatchObject({ Account_Name: 'Chunk 100', Togai_Customer_Id: 'cust-100' });

    // upsert matched by the unique custom field renames the account instead of creating one
    const renamed = await h.run('upsert_records', {
      module: 'Accounts',
      records: [{ Account_Name: 'Chunk 5 renamed', Togai_Customer_Id: 'cust-5' }],
      duplicateCheckFields: ['Togai_Customer_Id'],
    });
    expect(renamed.results[0]).toMatchObject({ action: 'update', duplicateField: 'Togai_Customer_Id', id: out.results[5].id });
    expect(h.state().Accounts.find((a) => a.id === out.results[5].id)?.Account_Name).toBe('Chunk 5 renamed');

    // inserting a duplicate of a unique field fails that record and names the existing one
    const dup = await h.run('insert_records', { module: 'Accounts', records: [{ Account_Name: 'Other', Togai_Customer_Id: 'cust-7' }] });
    expect(dup.results[0]).toMatchObject({ status: 'error', code: 'DUPLICATE_DATA', field: 'Togai_Customer_Id', duplicateRecordId: out.results[7].id });
  });

  it('updates and deletes by id with per-record results; deleted records land in the recycle bin', async () => {
    const created = await h.run('insert_records', { module: 'Accounts', records: accounts(3, 'Upd') });
    const ids = created.results.map((r: { id: string }) => r.id);
    const updated = await h.run('update_records', {
      module: 'Accounts',
      records: [{ id: ids[0], Phone: '+1 111' }, { id: '1234567890123456789', Phone: '+1 222' }],
    });
    expect(updated.results).toEqual([
      expect.objectContaining({ index: 0, status: 'success', action: 'update', id: ids[0] }),
      expect.objectContaining({ index: 1, status: 'error', code: 'INVALID_DATA', field: 'id' }),
    ]);
    expect(h.state().Accounts.find((a) => a.id === ids[0])?.Phone).toBe('+1 111');

    const deleted = await h.run('delete_records', { module: 'Accounts', ids: [ids[1], ids[2], '1234567890123456789'] });
    expect(deleted.results).toEqual([
      expect.objectContaining({ index: 0, status: 'success', action: 'delete', id: ids[1] }),
      expect.objectContaining({ index: 1, status: 'success', action: 'delete', id: ids[2] }),
      expect.objectContaining({ index: 2, status: 'error', id: '1234567890123456789' }),
    ]);
    expect(h.state().Accounts.some((a) => a.id === ids[1] || a.id === ids[2])).toBe(false);
    const bin = await h.run('list_deleted_records', { module: 'Accounts' });
    expect(bin.records.map((r: { id: string }) => r.id)).toEqual(expect.arrayContaining([ids[1], ids[2]]));
    expect(bin.records.find((r: { id: string }) => r.id === ids[1])).toMatchObject({ displayName: 'Upd 0002', type: 'recycle' });
  });

  it('upserts a typed account and a contact linked to it by the Account_Name lookup', async () => {
    const account = await h.run('upsert_account', {
      Account_Name: 'Typed GmbH',
      Email: 'billing@typed.example',
      Currency: 'EUR',
      Billing_City: 'Berlin',
      Billing_Code: '10115',
      customFields: { Togai_Customer_Id: 'typed-1' },
    });
    expect(account).toMatchObject({ status: 'success', action: 'insert' });
    const contact = await h.run('upsert_contact', { First_Name: 'Tina', Last_Name: 'Typed', Email: 'tina@typed.example', Account_Id: account.id });
    expect(contact).toMatchObject({ status: 'success', action: 'insert' });
    const again = await h.run('upsert_contact', { Last_Name: 'Typed-Meyer', Email: 'tina@typed.example' });
    expect(again).toMatchObject({ action: 'update', id: contact.id, duplicateField: 'Email' });
    const stored = h.state().Contacts.find((c) => c.id === contact.id);
    expect(stored).toMatchObject({ Last_Name: 'Typed-Meyer', Account_Name: { id: account.id, name: 'Typed GmbH' } });
    expect(h.state().Accounts.find((a) => a.id === account.id)).toMatchObject({ Currency: 'EUR', Billing_Code: '10115', Togai_Customer_Id: 'typed-1' });

    await expect(h.run('upsert_account', { Account_Name: 'Bad Currency', Currency: 'XXX' })).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'Currency',
      vendorCode: 'INVALID_DATA',
    });
  });

  it('refuses bad input before calling CRM (update without id, unknown module → VALIDATION naming it)', async () => {
    await expect(h.run('update_records', { module: 'Accounts', records: [{ Phone: '1' }] })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(h.run('upsert_records', { module: 'Nope', records: [{ Name: 'x' }] })).rejects.toMatchObject({
      code: 'VALIDATION',
      vendorCode: 'INVALID_MODULE',
      message: expect.stringMatching(/module does not exist/),
    });
  });
});
