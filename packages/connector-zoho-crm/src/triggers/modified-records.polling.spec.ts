import { validateOutput, type PolledItem, type PollingTriggerDefinition } from '@braid/connector-sdk';
import { wellKnown } from '@braid/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zohoCrmConnector } from '../crm.connector.js';
import { startCrmHarness, type CrmHarness } from '../test-support/crm.harness.js';
import type { ModifiedRecordPayload } from './modified-records.polling.js';

const trigger = zohoCrmConnector.triggers.find((t) => t.key === 'modified_records') as PollingTriggerDefinition;
const payloads = (items: PolledItem[]) => items.map((i) => i.payload as ModifiedRecordPayload);

describe('modified_records (polling) against the sandbox', () => {
  let h: CrmHarness;
  beforeAll(async () => {
    h = await startCrmHarness({ seed: { name: 'demo', crm: { accounts: 2050 } } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('starts at the newest change, then reports only later changes, inserts and deletions, none twice', async () => {
    const config = { module: 'Accounts', fields: ['Account_Name', 'Phone'] };
    const first = await trigger.poll(h.context(), { cursor: null, config });
    expect(first.items).toEqual([]);
    // every seeded account shares the boundary time: they are remembered, not reported again
    const quiet = await trigger.poll(h.context(), { cursor: first.nextCursor, config });
    expect(quiet.items).toEqual([]);

    await h.admin.advanceClock(60_000);
    const zylker = h.state().Accounts.find((a) => a.Account_Name === 'Zylker Inc')!;
    await h.run('update_records', { module: 'Accounts', records: [{ id: zylker.id, Phone: '+1 000' }] });
    await h.admin.advanceClock(2_000);
    const created = await h.run('insert_records', { module: 'Accounts', records: [{ Account_Name: 'Polled New' }] });
    const changed = await trigger.poll(h.context(), { cursor: quiet.nextCursor, config });
    expect(payloads(changed.items).map((p) => [p.operation, p.recordId])).toEqual([
      ['update', zylker.id],
      ['insert', created.results[0].id],
    ]);
    expect(payloads(changed.items)[0]!.record).toMatchObject({ Account_Name: 'Zylker Inc', Phone: '+1 000' });
    expect(changed.items[0]!.id).toBe(`${zylker.id}@${payloads(changed.items)[0]!.modifiedTime}`);
    for (const item of changed.items) expect(validateOutput(trigger.outputSchema, item.payload).issues).toEqual([]);
    expect(changed.hasMore).toBe(false);

    const again = await trigger.poll(h.context(), { cursor: changed.nextCursor, config });
    expect(again.items).toEqual([]);

    await h.admin.advanceClock(60_000);
    await h.run('delete_records', { module: 'Accounts', ids: [created.results[0].id] });
    const deleted = await trigger.poll(h.context(), { cursor: again.nextCursor, config });
    expect(payloads(deleted.items)).toEqual([
      { module: 'Accounts', operation: 'delete', recordId: created.results[0].id, modifiedTime: expect.any(String), deleted: true, record: null },
    ]);
    const afterDelete = await trigger.poll(h.context(), { cursor: deleted.nextCursor, config });
    expect(afterDelete.items).toEqual([]);
  });

  it('splits records sharing one timestamp across polls without repeating the boundary ids', async () => {
    const config = { module: 'Accounts', fields: ['Account_Name'], batchSize: 2, includeDeleted: false };
    const start = await trigger.poll(h.context(), { cursor: null, config });
    await h.admin.advanceClock(60_000);
    const names = ['Account 0001', 'Account 0002', 'Account 0003'];
    const ids = names.map((n) => h.state().Accounts.find((a) => a.Account_Name === n)!.id);
    // one call: all three get the very same Modified_Time
    await h.run('update_records', { module: 'Accounts', records: ids.map((id) => ({ id, Description: 'same second' })) });
    const one = await trigger.poll(h.context(), { cursor: start.nextCursor, config });
    expect(one.items).toHaveLength(2);
    expect(one.hasMore).toBe(true);
    const two = await trigger.poll(h.context(), { cursor: one.nextCursor, config });
    expect(two.items).toHaveLength(1);
    expect(two.hasMore).toBe(false);
    expect([...one.items, ...two.items].map((i) => (i.payload as ModifiedRecordPayload).recordId).sort()).toEqual([...ids].sort());
    expect((await trigger.poll(h.context(), { cursor: two.nextCursor, config })).items).toEqual([]);

    // deletions of one call share their time too: oldest first, split across polls, none repeated
    const withDeletes = { ...config, includeDeleted: true };
    const base = await trigger.poll(h.context(), { cursor: null, config: withDeletes });
    await h.admin.advanceClock(60_000);
    await h.run('delete_records', { module: 'Accounts', ids });
    const d1 = await trigger.poll(h.context(), { cursor: base.nextCursor, config: withDeletes });
    const d2 = await trigger.poll(h.context(), { cursor: d1.nextCursor, config: withDeletes });
    const d3 = await trigger.poll(h.context(), { cursor: d2.nextCursor, config: withDeletes });
    expect([d1.items.length, d1.hasMore, d2.items.length, d2.hasMore, d3.items.length]).toEqual([2, true, 1, false, 0]);
    expect([...d1.items, ...d2.items].map((i) => (i.payload as ModifiedRecordPayload).recordId).sort()).toEqual([...ids].sort());
  });

  it('lists every existing record for the initial sync, one page per call, past 2,000 records', async () => {
    const config = { module: 'Accounts', fields: ['Account_Name'] };
    // the sandbox holds both orgs; the connection sees the US one
    const total = h.state().Accounts.filter((a) => a.orgId === wellKnown.crmOrgs.acmeUs).length;
    expect(total).toBeGreaterThan(2000);
    const seen = new Set<string>();
    let cursor: unknown = null;
    let calls = 0;
    do {
      const page = await trigger.listExisting!(h.context(), { cursor, config });
      calls += 1;
      for (const item of page.items) seen.add((item.payload as ModifiedRecordPayload).recordId);
      expect(page.items.length).toBeLessThanOrEqual(200);
      cursor = page.hasMore ? page.nextCursor : null;
    } while (cursor && calls < 50);
    expect(seen.size).toBe(total);
    expect(calls).toBe(Math.ceil(total / 200));
  });
});
