// Two-way sync with INSTANT triggers on both sides (CRM notification channels, Togai event webhooks, delivered by
// the sandbox the moment a record changes, no delay): the event of Braid's own write can reach the reverse flow
// while the writing run has not stored its link or fingerprint yet. Counted by sandbox writes: one change on either
// side reaches the other exactly once and nothing comes back. A test hook also holds the writing run right after
// the target answered (before anything is stored) until the echo run is running, and checks that run waits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { createConnectorContext, runAction } from '@braid/connector-sdk';
import { sandboxAdmin } from '../../../sandbox/src/test-support/index.js';
import { freePort } from '../../test/free-port.js';
import { connectViaOAuth, type ConnectionsHarness, SANDBOX_TOGAI_TOKEN, startConnectionsHarness } from '../connections/test-support/connections.fixtures.js';
import { ConnectionsService } from '../connections/connections.service.js';
import { ConnectorsService } from '../connectors/connectors.service.js';
import { upsertTestHooks } from '../engine/upsert-with-link.js';
import { togaiCustomerToCrmAccountStep } from './test-support/sync.steps.js';
import { allowLoopback, createPublishedFlow, flowDefinition, type Json, waitFor } from '../engine/test-support/engine.fixtures.js';

describe('two-way sync with instant triggers on both sides: no echo write-back', () => {
  let h: ConnectionsHarness;
  let ws: string;
  let crm: string;
  let togai: string;
  let crmToTogai: string;
  let togaiToCrm: string;
  const admin = () => sandboxAdmin(h.sandbox.url);
  const db = () => h.t.braid.app.get(DataSource);

  const runAs = async (connectionId: string, action: string, input: unknown): Promise<Json> => {
    const app = h.t.braid.app;
    const { connection, credentials, ssrf } = await app.get(ConnectionsService).contextFor(ws, connectionId);
    const connector = app.get(ConnectorsService).definition(connection.connectorKey);
    return (await runAction(connector, action, createConnectorContext({ connector, connection, credentials, ssrf }), input)) as Json;
  };
  /** Record writes the sandbox answered (subscriptions and token calls are not record writes). */
  const writes = async (service: 'crm' | 'togai') => {
    const { counts } = await admin().calls(service);
    return Object.entries(counts)
      .filter(([k]) => /^(POST|PUT|PATCH|DELETE) /.test(k) && !/watch|coql|_sandbox|oauth/i.test(k))
      .reduce((sum, [, n]) => sum + Number(n), 0);
  };
  const runsOf = async (flowId: string, after: Date): Promise<Json[]> =>
    db().query(`SELECT id, status, output, error FROM runs WHERE workspace_id = $1 AND flow_id = $2 AND queued_at > $3 ORDER BY queued_at, id`, [ws, flowId, after]);

  /** Waits until both flows have at least the given runs since `after`, all finished, and nothing new for a while. */
  const settle = async (after: Date, forward: number, reverse: number): Promise<{ forward: Json[]; reverse: Json[] }> => {
    let last = '';
    let quietSince = 0;
    return waitFor('both flows to settle', async () => {
      const f = await runsOf(crmToTogai, after);
      const r = await runsOf(togaiToCrm, after);
      const all = [...f, ...r];
      const signature = all.map((x) => `${x.id as string}:${x.status as string}`).join(',');
      const finished = all.every((x) => ['succeeded', 'failed', 'cancelled'].includes(x.status as string));
      if (signature !== last || !finished || f.length < forward || r.length < reverse) {
        last = signature;
        quietSince = Date.now();
        return undefined;
      }
      // Quiet for a second: an echo write-back would have produced a new run by now.
      return Date.now() - quietSince > 1_000 ? { forward: f, reverse: r } : undefined;
    }, 30_000);
  };

  const mappingCrmToTogai = {
    pairs: [
      { source: { $expr: '$steps.get_account.record.Account_Name' }, target: 'name' },
      { source: { $expr: '$steps.get_account.record.Email' }, target: 'primaryEmail' },
    ],
  };

  beforeAll(async () => {
    const port = await freePort();
    h = await startConnectionsHarness({ BRAID_PUBLIC_URL: `http://127.0.0.1:${port}` });
    await new Promise<void>((resolve) => h.t.server.listen(port, '127.0.0.1', resolve));
    allowLoopback(h.t);
    ws = h.owner.workspace.id;
    const client = h.owner.client;
    await admin().reset({ name: 'empty' });
    await admin().patchLimits({ togai: { requestsPerSecond: 1000 } });
    crm = await connectViaOAuth(h, { connectorKey: 'zoho-crm', name: 'CRM' });
    const created = await client.post(h.base).send({ connectorKey: 'togai', name: 'Togai', target: 'sandbox', credentials: { token: SANDBOX_TOGAI_TOKEN } });
    if (created.status !== 201) throw new Error(`togai connection: ${created.status} ${JSON.stringify(created.body)}`);
    togai = created.body.id;

    crmToTogai = await createPublishedFlow(client, ws, flowDefinition(
      {
        get_account: {
          kind: 'action', id: 'get_account', connector: 'zoho-crm', connectionRef: crm, action: 'get_record',
          input: { module: 'Accounts', id: { $expr: '$trigger.recordId' } }, next: 'upsert_customer',
        },
        upsert_customer: {
          kind: 'upsertWithLink', id: 'upsert_customer', connector: 'togai', connectionRef: togai,
          source: {
            app: 'zoho-crm', type: 'Accounts', id: { $expr: '$trigger.recordId' },
            modifiedAt: { $expr: '$steps.get_account.record.Modified_Time' }, record: { $expr: '$steps.get_account.record' },
          },
          target: { type: 'customer' },
          find: [{ key: 'name', action: 'find_customers', input: { name: { $expr: '$steps.get_account.record.Account_Name' } }, idPath: 'first.id' }],
          create: { action: 'create_customer', input: { id: { $expr: "'crm-' & $trigger.recordId" } }, idPath: 'customer.id', modifiedAtPath: 'customer.updatedAt' },
          update: { action: 'update_customer', input: { customerId: { $expr: '$target.id' } }, modifiedAtPath: 'updatedAt' },
          read: { action: 'get_customer', input: { customerId: { $expr: '$target.id' } }, modifiedAtPath: 'updatedAt' },
          mapping: mappingCrmToTogai,
        },
      },
      'get_account',
      { name: 'CRM accounts → Togai customers (instant)', trigger: { connector: 'zoho-crm', trigger: 'record_changes', connectionRef: crm, config: { events: ['Accounts.create', 'Accounts.edit'] } } },
    ));
    togaiToCrm = await createPublishedFlow(client, ws, flowDefinition(
      {
        upsert_account: togaiCustomerToCrmAccountStep(crm),
      },
      'upsert_account',
      { name: 'Togai customers → CRM accounts (instant)', direction: 'inbound', trigger: { connector: 'togai', trigger: 'events', connectionRef: togai, config: { events: ['customer.created', 'customer.updated'] } } },
    ));
    // Enabling subscribes the CRM notification channel and the Togai webhook (pointing at this runtime).
    for (const flowId of [crmToTogai, togaiToCrm]) {
      const enabled = await client.post(`/api/v1/workspaces/${ws}/flows/${flowId}/enable`).send({});
      if (enabled.status !== 200) throw new Error(`enable ${flowId}: ${enabled.status} ${enabled.text}`);
    }
  }, 120_000);

  afterAll(async () => {
    upsertTestHooks.afterTargetWrite = undefined;
    await h?.close();
  });

  it('an account created in CRM reaches Togai once (created, linked) and its Togai event ends as an echo', async () => {
    await admin().clearCalls();
    const after = new Date();
    const account = (await runAs(crm, 'upsert_account', { Account_Name: 'Instant One', Email: 'one@instant.example' })) as Json;
    const { forward, reverse } = await settle(after, 1, 1);
    expect(forward.map((r) => [r.status, (r.output as Json).path])).toEqual([['succeeded', 'created']]);
    expect(reverse.map((r) => r.status)).toEqual(['succeeded']);
    expect(reverse[0]!.output).toMatchObject({ path: 'skipped', reason: 'echo', echoOfRunId: forward[0]!.id });
    expect(await writes('togai')).toBe(1); // the create
    expect(await writes('crm')).toBe(1); // ours only: nothing written back
    const customer = await runAs(togai, 'get_customer', { customerId: `crm-${account.id as string}` });
    expect(customer).toMatchObject({ name: 'Instant One', primaryEmail: 'one@instant.example' });
  }, 60_000);

  it('an update on either side reaches the other exactly once and nothing comes back', async () => {
    const [account] = (await runAs(crm, 'search_records', { module: 'Accounts', conditions: [{ field: 'Account_Name', operator: 'equals', value: 'Instant One' }], limit: 1 })).records as Json[];
    await admin().clearCalls();
    let after = new Date();
    await runAs(crm, 'update_records', { module: 'Accounts', records: [{ id: account!.id, Email: 'two@instant.example' }] });
    let settled = await settle(after, 1, 1);
    expect(settled.forward.map((r) => (r.output as Json).path)).toEqual(['linked']);
    expect(settled.reverse.map((r) => [(r.output as Json).reason, (r.output as Json).echoOfRunId])).toEqual([['echo', settled.forward[0]!.id]]);
    expect(await writes('togai')).toBe(1);
    expect(await writes('crm')).toBe(1); // ours

    await admin().clearCalls();
    after = new Date();
    await runAs(togai, 'update_customer', { customerId: `crm-${account!.id as string}`, name: 'Instant One Renamed' });
    settled = await settle(after, 1, 1);
    expect(settled.reverse.map((r) => [r.status, (r.output as Json).path])).toEqual([['succeeded', 'linked']]);
    expect(settled.forward.map((r) => [(r.output as Json).reason, (r.output as Json).echoOfRunId])).toEqual([['echo', settled.reverse[0]!.id]]);
    expect(await writes('crm')).toBe(1);
    expect(await writes('togai')).toBe(1); // ours
    expect((await runAs(crm, 'get_record', { module: 'Accounts', id: account!.id }) as Json).record).toMatchObject({ Account_Name: 'Instant One Renamed' });
  }, 60_000);

  it('a customer created in Togai reaches CRM once; the CRM notification of that create is an echo', async () => {
    await admin().clearCalls();
    const after = new Date();
    await runAs(togai, 'create_customer', { id: 'togai-instant-2', name: 'Instant Two', primaryEmail: 'two@togai.example' });
    const { forward, reverse } = await settle(after, 1, 1);
    expect(reverse.map((r) => [r.status, (r.output as Json).path])).toEqual([['succeeded', 'created']]);
    expect(forward.map((r) => [(r.output as Json).reason, (r.output as Json).echoOfRunId])).toEqual([['echo', reverse[0]!.id]]);
    expect(await writes('crm')).toBe(1);
    expect(await writes('togai')).toBe(1); // ours
  }, 60_000);

  it('the echo event delivered DURING the target write (before link and fingerprint are stored) waits and ends as an echo', async () => {
    // Holds the writing run after the target answered until the other flow's run for that very record is running,
    // then checks that run does not finish while the writer has not stored its state (it waits on the pair lock or
    // the create intent).
    const held: Array<{ action: string; echoRun: string; finishedWhileHeld: boolean }> = [];
    upsertTestHooks.afterTargetWrite = async (info) => {
      const [flowId, idField] = info.targetApp === 'togai' ? [togaiToCrm, 'objectId'] : [crmToTogai, 'recordId'];
      const echo = await waitFor(`the ${info.targetApp} event of ${info.action} ${String(info.targetId)}`, async () => {
        const rows: Json[] = await db().query(
          `SELECT id, status FROM runs WHERE flow_id = $1 AND trigger_output->>'${idField}' = $2 AND queued_at > now() - interval '10 seconds' ORDER BY queued_at DESC LIMIT 1`,
          [flowId, info.targetId],
        );
        return rows[0]?.status === 'running' ? rows[0] : undefined;
      }, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const [now] = (await db().query(`SELECT status FROM runs WHERE id = $1`, [echo.id])) as Json[];
      held.push({ action: info.action, echoRun: echo.id as string, finishedWhileHeld: now!.status !== 'running' });
    };
    try {
      const [account] = (await runAs(crm, 'search_records', { module: 'Accounts', conditions: [{ field: 'Account_Name', operator: 'equals', value: 'Instant Two' }], limit: 1 })).records as Json[];
      // Linked pair, CRM → Togai update.
      await admin().clearCalls();
      let after = new Date();
      await runAs(crm, 'update_records', { module: 'Accounts', records: [{ id: account!.id, Email: 'held@instant.example' }] });
      let settled = await settle(after, 1, 1);
      expect(held).toEqual([{ action: 'update_customer', echoRun: settled.reverse[0]!.id, finishedWhileHeld: false }]);
      expect(settled.reverse[0]!.output).toMatchObject({ path: 'skipped', reason: 'echo', echoOfRunId: settled.forward[0]!.id });
      expect(await writes('togai')).toBe(1);
      expect(await writes('crm')).toBe(1); // ours

      // No link yet, Togai → CRM create: the CRM notification of the create waits for the create intent.
      held.length = 0;
      await admin().clearCalls();
      after = new Date();
      await runAs(togai, 'create_customer', { id: 'togai-instant-3', name: 'Instant Three', primaryEmail: 'three@togai.example' });
      settled = await settle(after, 1, 1);
      expect(settled.reverse.map((r) => (r.output as Json).path)).toEqual(['created']);
      expect(held).toEqual([{ action: 'upsert_account', echoRun: settled.forward[0]!.id, finishedWhileHeld: false }]);
      expect(settled.forward[0]!.output).toMatchObject({ path: 'skipped', reason: 'echo', echoOfRunId: settled.reverse[0]!.id });
      expect(await writes('crm')).toBe(1);
      expect(await writes('togai')).toBe(1); // ours

      // No link yet, matched by name: CRM → Togai links an existing Togai customer and updates it under the pair lock.
      await runAs(togai, 'create_customer', { id: 'togai-instant-4', name: 'Instant Four', primaryEmail: 'old@togai.example' });
      await settle(new Date(Date.now() - 60_000), 0, 0);
      // The Togai create above was synced to CRM; drop that link so the next CRM change has to match by name.
      await db().query(`DELETE FROM record_links WHERE workspace_id = $1 AND (id_a = 'togai-instant-4' OR id_b = 'togai-instant-4')`, [ws]);
      const [four] = (await runAs(crm, 'search_records', { module: 'Accounts', conditions: [{ field: 'Account_Name', operator: 'equals', value: 'Instant Four' }], limit: 1 })).records as Json[];
      held.length = 0;
      await admin().clearCalls();
      after = new Date();
      await runAs(crm, 'update_records', { module: 'Accounts', records: [{ id: four!.id, Email: 'new@instant.example' }] });
      settled = await settle(after, 1, 1);
      expect(settled.forward.map((r) => [(r.output as Json).path, (r.output as Json).targetId])).toEqual([['matched', 'togai-instant-4']]);
      expect(held).toEqual([{ action: 'update_customer', echoRun: settled.reverse[0]!.id, finishedWhileHeld: false }]);
      expect(settled.reverse[0]!.output).toMatchObject({ path: 'skipped', reason: 'echo', echoOfRunId: settled.forward[0]!.id });
      expect(await writes('togai')).toBe(1);
      expect(await writes('crm')).toBe(1); // ours
    } finally {
      upsertTestHooks.afterTargetWrite = undefined;
    }
  }, 120_000);
});
