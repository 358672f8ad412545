// Two-way sync against the sandbox: CRM Accounts ↔ Togai customers through two flows with upsert-with-link steps,
// connected through the runtime's connections API (CRM by the OAuth code flow on the sandbox consent page, Togai
// by API token). Initial sync (backfills) → linked pairs without duplicates; then incremental polling: a change
// on one side reaches the other once and does not come back; simultaneous changes follow last-writer-wins.
//
// Counts: the 500 accounts on each side, 100 sharing names (900 pairs); BRAID_QUICK_TESTS=1 runs 60 / 60 /
// 12 (108 pairs) while developing (the full initial syncs are paced by the connectors' rate limits: ~100 s).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { createConnectorContext, runAction } from '@braid/connector-sdk';
import { sandboxAdmin } from '../../../sandbox/src/test-support/index.js';
import { connectViaOAuth, type ConnectionsHarness, SANDBOX_TOGAI_TOKEN, startConnectionsHarness } from '../connections/test-support/connections.fixtures.js';
import { ConnectionsService } from '../connections/connections.service.js';
import { ConnectorsService } from '../connectors/connectors.service.js';
import { allowLoopback, createPublishedFlow, flowDefinition, type Json, startRun, waitFor, waitForRun } from '../engine/test-support/engine.fixtures.js';
import { POLL_QUEUE, TriggersService } from '../triggers/triggers.service.js';
import { BackfillService } from './backfill.service.js';
import { togaiCustomerToCrmAccountStep } from './test-support/sync.steps.js';

const FULL = process.env.BRAID_QUICK_TESTS !== '1';
const EACH = FULL ? 500 : 60;
const SHARED = FULL ? 100 : 12;
/** A CRM-only account (names after the shared ones are "Account 00nn"). */
const crmOnly = (k: number) => `Account ${String(SHARED + k).padStart(4, '0')}`;

type Client = ConnectionsHarness['owner']['client'];

describe('two-way sync: CRM Accounts ↔ Togai customers', () => {
  let h: ConnectionsHarness;
  let ws: string;
  let crm: string;
  let togai: string;
  let client: Client;
  let crmToTogai: string;
  let togaiToCrm: string;
  const admin = () => sandboxAdmin(h.sandbox.url);

  const runAs = async (connectionId: string, action: string, input: unknown): Promise<Json> => {
    const app = h.t.braid.app;
    const { connection, credentials, ssrf } = await app.get(ConnectionsService).contextFor(ws, connectionId);
    const connector = app.get(ConnectorsService).definition(connection.connectorKey);
    return (await runAction(connector, action, createConnectorContext({ connector, connection, credentials, ssrf }), input)) as Json;
  };
  const togaiCustomers = async () => (await runAs(togai, 'list_customers', { limit: 10_000 })).customers as Json[];
  const crmAccounts = async () => (await runAs(crm, 'list_records', { module: 'Accounts', fields: ['Account_Name', 'Email'], limit: 10_000 })).records as Json[];
  const db = () => h.t.braid.app.get(DataSource);
  const pairCount = async () =>
    Number(
      (
        await db().query(
          `SELECT count(*) AS n FROM record_links WHERE workspace_id = $1 AND ((app_a = 'togai' AND type_a = 'customer' AND app_b = 'zoho-crm' AND type_b = 'Accounts') OR (app_b = 'togai' AND app_a = 'zoho-crm'))`,
          [ws],
        )
      )[0].n,
    );
  const writeCalls = async (service: 'crm' | 'togai') => {
    const { counts } = await admin().calls(service);
    return Object.entries(counts).filter(([k]) => /^(POST|PUT|PATCH|DELETE) /.test(k)).reduce((sum, [, n]) => sum + Number(n), 0);
  };
  /**
   * The calls since the last clearCalls that addressed single records ("GET /togai/customers/crm-1", "PUT
   * /crm/v8/Accounts" — a CRM record write names its ids in the body), as "METHOD path". Listings (polls, which
   * the scheduler may also run meanwhile) are left out: they read pages, they touch no record.
   */
  const recordCalls = async (service: 'crm' | 'togai'): Promise<string[]> => {
    const body = (await (await fetch(`${h.sandbox.url}/_admin/calls?service=${service}`)).json()) as { calls: Array<{ method: string; path: string }> };
    const perRecord = service === 'togai' ? /^\/togai\/(customers|accounts)\/[^/]+$/ : /^\/crm\/v8\/Accounts\/\d+$/;
    return body.calls.filter((c) => perRecord.test(c.path) || (c.method !== 'GET' && /^\/crm\/v8\/Accounts$/.test(c.path))).map((c) => `${c.method} ${c.path}`).sort();
  };
  // The runs list has no output column: read id, status, output straight from the runs table.
  const flowRuns = async (flowId: string): Promise<Json[]> =>
    db().query(`SELECT id, status, source, output FROM runs WHERE workspace_id = $1 AND flow_id = $2 ORDER BY queued_at, id`, [ws, flowId]);
  /** Polls a flow's trigger once (as the scheduler would) and waits until its runs have all finished. */
  const pollAndSettle = async (flowId: string, known?: Set<unknown>): Promise<Json[]> => {
    const before = known ?? new Set((await flowRuns(flowId)).map((r) => r.id));
    // A poll the scheduler started (e.g. on enable) holds the trigger state's row lock: wait for it to commit, as
    // pollFlow would otherwise skip this flow.
    await db().transaction((m) => m.query(`SELECT 1 FROM trigger_states WHERE flow_id = $1 FOR UPDATE`, [flowId]));
    await h.t.braid.app.get(TriggersService).pollFlow(flowId);
    return waitFor('the runs of the poll', async () => {
      const runs = await flowRuns(flowId);
      if (runs.some((r) => r.status === 'queued' || r.status === 'running')) return undefined;
      return runs.filter((r) => !before.has(r.id));
    }, 60_000);
  };

  const crmToTogaiFlow = (): Json =>
    flowDefinition(
      {
        upsert_customer: {
          kind: 'upsertWithLink', id: 'upsert_customer', title: 'Togai customer for the CRM account', connector: 'togai', connectionRef: togai,
          source: {
            app: 'zoho-crm', type: 'Accounts', id: { $expr: '$trigger.recordId' }, modifiedAt: { $expr: '$trigger.modifiedTime' },
            record: { $expr: '$trigger.record' }, deleted: { $expr: '$trigger.deleted' },
          },
          target: { type: 'customer' },
          find: [{ key: 'name', action: 'find_customers', input: { name: { $expr: '$trigger.record.Account_Name' } }, idPath: 'first.id' }],
          create: { action: 'create_customer', input: { id: { $expr: "'crm-' & $trigger.recordId" } }, idPath: 'customer.id', modifiedAtPath: 'customer.updatedAt' },
          update: { action: 'update_customer', input: { customerId: { $expr: '$target.id' } }, modifiedAtPath: 'updatedAt' },
          delete: { action: 'archive_customer', input: { customerId: { $expr: '$target.id' } } },
          read: { action: 'get_customer', input: { customerId: { $expr: '$target.id' } }, modifiedAtPath: 'updatedAt' },
          mapping: {
            pairs: [
              { source: { $expr: '$trigger.record.Account_Name' }, target: 'name' },
              { source: { $expr: '$trigger.record.Email' }, target: 'primaryEmail' },
            ],
            mandatoryTargets: ['name', 'primaryEmail'],
          },
          prefetch: { action: 'list_customers', input: { limit: 10_000 }, itemsPath: 'customers', idPath: 'id', keys: { name: 'name' } },
          sync: { conflict: 'last-writer-wins' },
        },
      },
      'upsert_customer',
      { name: 'CRM accounts → Togai customers', trigger: { connector: 'zoho-crm', trigger: 'modified_records', connectionRef: crm, config: { module: 'Accounts', includeDeleted: true } } },
    );

  const togaiToCrmFlow = (mapping?: Json): Json =>
    flowDefinition(
      {
        upsert_account: togaiCustomerToCrmAccountStep(crm, {
          title: 'CRM account for the Togai customer',
          source: {
            app: 'togai', type: 'customer', id: { $expr: '$trigger.objectId' }, modifiedAt: { $expr: '$trigger.data.updatedAt' },
            record: { $expr: '$trigger.data' }, deleted: { $expr: "$trigger.data.status = 'ARCHIVED'" },
          },
          mapping: mapping ?? {
            pairs: [
              { source: { $expr: '$trigger.data.name' }, target: 'Account_Name' },
              { source: { $expr: '$trigger.data.primaryEmail' }, target: 'Email' },
            ],
            mandatoryTargets: ['Account_Name', 'Email'],
          },
          prefetch: { action: 'list_records', input: { module: 'Accounts', fields: ['Account_Name'], limit: 10_000 }, itemsPath: 'records', idPath: 'id', keys: { name: 'Account_Name' } },
        }),
      },
      'upsert_account',
      { name: 'Togai customers → CRM accounts', direction: 'inbound', trigger: { connector: 'togai', trigger: 'accounts_polling', connectionRef: togai, config: { record: 'customer' } } },
    );

  /** Waits for a backfill to finish, keeping every progress report seen on the way. */
  const followBackfill = async (backfillId: string): Promise<{ final: Json; seen: Json[] }> => {
    const seen: Json[] = [];
    const final = await waitFor('the initial sync', async () => {
      const progress = (await client.get(`/api/v1/workspaces/${ws}/backfills/${backfillId}`).expect(200)).body as Json;
      seen.push(progress);
      return progress.status === 'running' ? undefined : progress;
    }, FULL ? 600_000 : 120_000);
    if (Number(final.failed) > 0) {
      const failed = await db().query(
        `SELECT r.error FROM backfill_items i JOIN runs r ON r.id = i.run_id WHERE i.backfill_id = $1 AND r.status <> 'succeeded' LIMIT 5`,
        [backfillId],
      );
      throw new Error(`initial sync ${backfillId}: ${String(final.failed)} run(s) failed, e.g. ${JSON.stringify(failed)}`);
    }
    return { final, seen };
  };

  beforeAll(async () => {
    h = await startConnectionsHarness();
    allowLoopback(h.t);
    client = h.owner.client;
    ws = h.owner.workspace.id;
    await admin().reset({ name: 'empty', crm: { accounts: EACH }, togai: { customers: EACH }, sharedNames: SHARED });
    crm = await connectViaOAuth(h, { connectorKey: 'zoho-crm', name: 'CRM' });
    const created = await client.post(h.base).send({ connectorKey: 'togai', name: 'Togai', target: 'sandbox', credentials: { token: SANDBOX_TOGAI_TOKEN } });
    if (created.status !== 201) throw new Error(`togai connection: ${created.status} ${JSON.stringify(created.body)}`);
    togai = created.body.id;
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it('refuses to publish a mapper that lacks a mandatory pair, naming it', async () => {
    const flow = togaiToCrmFlow({ pairs: [{ source: { $expr: '$trigger.data.name' }, target: 'Account_Name' }], mandatoryTargets: ['Account_Name', 'Email'] });
    const draft = await client.post(`/api/v1/workspaces/${ws}/flows`).send({ definition: flow }).expect(201);
    const refused = await client.post(`/api/v1/workspaces/${ws}/flows/${draft.body.id}/publish`).send({});
    expect(refused.status).toBe(400);
    const problems = refused.body.error.details.problems as Json[];
    expect(problems).toEqual([expect.objectContaining({ code: 'MANDATORY_MAPPING_MISSING', pointer: '/draft/steps/upsert_account/mapping/pairs', message: expect.stringContaining('"Email"') })]);
    await client.delete(`/api/v1/workspaces/${ws}/flows/${draft.body.id}`);
  });

  it('initial sync both ways links every pair once (existing names linked, the rest created), with progress, and survives a chunk dying before commit', async () => {
    crmToTogai = await createPublishedFlow(client, ws, crmToTogaiFlow());
    togaiToCrm = await createPublishedFlow(client, ws, togaiToCrmFlow());
    const backfills = h.t.braid.app.get(BackfillService);
    // The first listing chunk "crashes" after storing its items and enqueueing their runs, before committing: it
    // rolls back and the job runs again from the last committed position.
    let chunks = 0;
    backfills.beforeChunkCommit = () => {
      chunks += 1;
      if (chunks === 1) throw new Error('simulated crash before the chunk commits');
    };
    await admin().clearCalls();

    const a = await client.post(`/api/v1/workspaces/${ws}/flows/${crmToTogai}/backfill`).send({}).expect(202);
    const first = await followBackfill(a.body.backfillId);
    backfills.beforeChunkCommit = undefined;
    expect(chunks).toBeGreaterThanOrEqual(2);
    expect(first.final).toMatchObject({ status: 'succeeded', total: EACH, listed: EACH, done: EACH, failed: 0, pending: 0 });
    // Progress was visible along the way (some runs done, not all).
    expect(first.seen.some((p) => p.status === 'running' && Number(p.done) > 0 && Number(p.done) < EACH)).toBe(true);
    // One prefetch listing of Togai instead of a search per account; no per-record search calls.
    const { counts } = await admin().calls('togai');
    expect(Object.entries(counts).filter(([k]) => k.startsWith('GET /togai/customers')).length).toBeGreaterThan(0);
    // SHARED updates + (EACH - SHARED) creates: one write per account (a write the SDK retries after a lost answer
    // on a loaded machine may add one; create_customer is idempotent by id, the counts below prove no duplicates).
    const togaiWrites = await writeCalls('togai');
    expect(togaiWrites).toBeGreaterThanOrEqual(EACH);
    expect(togaiWrites).toBeLessThanOrEqual(EACH + 3);

    const b = await client.post(`/api/v1/workspaces/${ws}/flows/${togaiToCrm}/backfill`).send({}).expect(202);
    const second = await followBackfill(b.body.backfillId);
    const togaiTotal = EACH + (EACH - SHARED);
    expect(second.final).toMatchObject({ status: 'succeeded', total: togaiTotal, done: togaiTotal, failed: 0 });

    // Where the time goes (reported by the full run): Togai calls are paced by the connector at 8/s, CRM's at 20/s.
    const seconds = (p: Json) => (Date.parse(p.finishedAt as string) - Date.parse(p.startedAt as string)) / 1000;
    if (FULL) {
      const crmCalls = (await admin().calls('crm')).total;
      console.info(`initial sync ${EACH}/${EACH}/${SHARED}: CRM → Togai ${seconds(first.final)} s (${togaiWrites} Togai writes ≥ ${togaiWrites / 8} s at 8/s), Togai → CRM ${seconds(second.final)} s (${crmCalls} CRM calls)`);
    }
    const pairs = EACH + EACH - SHARED;
    expect(await pairCount()).toBe(pairs);
    const customers = await togaiCustomers();
    const accounts = await crmAccounts();
    expect(customers).toHaveLength(pairs);
    expect(accounts).toHaveLength(pairs);
    expect(new Set(customers.map((c) => c.name)).size).toBe(pairs);
    expect(new Set(accounts.map((c) => c.Account_Name)).size).toBe(pairs);

    // The reverse backfill's runs for records Braid itself wrote ended as echoes, not writes back.
    const runs = await flowRuns(togaiToCrm);
    const echo = runs.find((r) => (r.output as Json | null)?.reason === 'echo');
    expect(echo?.output).toMatchObject({ path: 'skipped', message: expect.stringMatching(/^skipped: echo of run [0-9a-f-]{36}$/) });
  }, FULL ? 900_000 : 180_000);

  it('after the initial sync, polling continues from where it started: Braid\'s own writes come back only as echoes', async () => {
    const knownA = new Set((await flowRuns(crmToTogai)).map((r) => r.id));
    const knownB = new Set((await flowRuns(togaiToCrm)).map((r) => r.id));
    await admin().clearCalls();
    // Enabling arms the polling triggers (a first poll is queued at once); the cursor is where each backfill began.
    await client.post(`/api/v1/workspaces/${ws}/flows/${crmToTogai}/enable`).send({}).expect(200);
    await client.post(`/api/v1/workspaces/${ws}/flows/${togaiToCrm}/enable`).send({}).expect(200);
    const fromCrm = await pollAndSettle(crmToTogai, knownA);
    const fromTogai = await pollAndSettle(togaiToCrm, knownB);
    // CRM reports the accounts the reverse backfill created (after the forward backfill began).
    expect(fromCrm).toHaveLength(EACH - SHARED);
    // Everything the polls reported was written by Braid during the initial sync: all skipped, nothing written.
    for (const run of [...fromCrm, ...fromTogai]) expect(run).toMatchObject({ status: 'succeeded', output: expect.objectContaining({ path: 'skipped', reason: 'echo' }) });
    expect(await writeCalls('togai')).toBe(0);
    expect(await writeCalls('crm')).toBe(0);
  }, 180_000);

  it('a change on either side reaches the other once and does not come back; incremental polls touch only that record', async () => {
    const accounts = await crmAccounts();
    const account = accounts.find((a) => a.Account_Name === crmOnly(38))!;
    await runAs(crm, 'update_records', { module: 'Accounts', records: [{ id: account.id, Account_Name: 'Renamed in CRM' }] });
    await admin().clearCalls();

    const forward = await pollAndSettle(crmToTogai);
    expect(forward).toHaveLength(1);
    expect(forward[0]).toMatchObject({ status: 'succeeded', output: expect.objectContaining({ path: 'linked', sourceId: account.id }) });
    const forwardRunId = forward[0]!.id as string;
    expect(await writeCalls('togai')).toBe(1); // one update of that one customer
    // Only that customer was touched: one read (conflict check) and one update.
    const touched = (forward[0]!.output as Json).targetId as string;
    expect(await recordCalls('togai')).toEqual([`GET /togai/customers/${touched}`, `PATCH /togai/customers/${touched}`].sort());
    expect(await writeCalls('crm')).toBe(0);
    const customer = (await togaiCustomers()).find((c) => c.name === 'Renamed in CRM');
    expect(customer).toBeDefined();

    const back = await pollAndSettle(togaiToCrm);
    expect(back).toHaveLength(1);
    expect(back[0]!.output).toMatchObject({ path: 'skipped', reason: 'echo', echoOfRunId: forwardRunId, message: `skipped: echo of run ${forwardRunId}` });
    expect(await writeCalls('crm')).toBe(0);
    expect(await pollAndSettle(crmToTogai)).toHaveLength(0);
    expect(await recordCalls('crm')).toEqual([]); // the echo run touched no CRM record
    expect(await recordCalls('togai')).toHaveLength(2); // nothing after the forward run's read and update

    // The other direction: a Togai change reaches CRM once.
    await runAs(togai, 'update_customer', { customerId: customer!.id, name: 'Renamed in Togai' });
    await admin().clearCalls();
    const reverse = await pollAndSettle(togaiToCrm);
    expect(reverse).toHaveLength(1);
    expect(reverse[0]!.output).toMatchObject({ path: 'linked', targetId: account.id });
    expect(await writeCalls('crm')).toBe(1);
    expect(await recordCalls('crm')).toEqual([`GET /crm/v8/Accounts/${account.id as string}`, 'PUT /crm/v8/Accounts'].sort()); // only that account
    const echoBack = await pollAndSettle(crmToTogai);
    expect(echoBack).toHaveLength(1);
    expect(echoBack[0]!.output).toMatchObject({ path: 'skipped', reason: 'echo' });
    expect(await writeCalls('togai')).toBe(0);
    expect(await recordCalls('togai')).toEqual([]); // the echo run touched no Togai record
  }, 180_000);

  it('simultaneous changes on both sides: the later writer wins, the losing values are kept in the run', async () => {
    const accounts = await crmAccounts();
    const account = accounts.find((a) => a.Account_Name === crmOnly(28))!;
    const customer = (await togaiCustomers()).find((c) => c.name === account.Account_Name)!;
    await runAs(crm, 'update_records', { module: 'Accounts', records: [{ id: account.id, Account_Name: 'Conflict CRM' }] });
    await admin().advanceClock(5_000); // Togai's change is clearly later
    await runAs(togai, 'update_customer', { customerId: customer.id, name: 'Conflict Togai' });
    await admin().clearCalls();

    const forward = await pollAndSettle(crmToTogai);
    expect(forward).toHaveLength(1);
    expect(forward[0]!.output).toMatchObject({
      path: 'skipped', reason: 'conflict',
      conflict: { rule: 'last-writer-wins', winner: 'target', losing: { name: 'Conflict CRM' } },
    });
    const reverse = await pollAndSettle(togaiToCrm);
    expect(reverse).toHaveLength(1);
    expect(reverse[0]!.output).toMatchObject({
      path: 'linked', conflict: { winner: 'source', losing: { Account_Name: 'Conflict CRM' } },
    });
    expect(await writeCalls('togai')).toBe(0);
    expect(await writeCalls('crm')).toBe(1);
    const after = (await crmAccounts()).find((a) => a.id === account.id)!;
    expect(after.Account_Name).toBe('Conflict Togai');
    // CRM's new value is Braid's own write: it comes back as an echo.
    const echo = await pollAndSettle(crmToTogai);
    expect(echo.map((r) => (r.output as Json).reason)).toEqual(['echo']);
  }, 180_000);

  it('the conflict rule set on the step is followed: source-wins and target-wins, whatever the modified times', async () => {
    const republish = async (conflict: string) => {
      const definition = crmToTogaiFlow();
      ((definition.steps as Json).upsert_customer as Json).sync = { conflict };
      await client.put(`/api/v1/workspaces/${ws}/flows/${crmToTogai}/draft`).send({ definition }).expect(200);
      await client.post(`/api/v1/workspaces/${ws}/flows/${crmToTogai}/publish`).send({}).expect(200);
      // Publishing re-arms the trigger and polls at once: let that poll pass before changing records.
      await waitFor('the poll queued by publishing', async () => {
        const due: unknown[] = await db().query(
          `SELECT 1 FROM pgboss.job WHERE name = $1 AND singleton_key = $2 AND (state = 'active' OR (state IN ('created', 'retry') AND start_after <= now()))`,
          [POLL_QUEUE, crmToTogai],
        );
        return due.length === 0;
      }, 30_000);
      await pollAndSettle(crmToTogai);
    };
    const account = (await crmAccounts()).find((a) => a.Account_Name === crmOnly(8))!;
    const customer = (await togaiCustomers()).find((c) => c.name === account.Account_Name)!;

    // source-wins: CRM changed first, Togai later — CRM (the source of this flow) still wins.
    await republish('source-wins');
    await runAs(crm, 'update_records', { module: 'Accounts', records: [{ id: account.id, Account_Name: 'Rule CRM 1' }] });
    await admin().advanceClock(5_000);
    await runAs(togai, 'update_customer', { customerId: customer.id, name: 'Rule Togai 1' });
    await admin().clearCalls();
    const sourceWins = await pollAndSettle(crmToTogai);
    expect(sourceWins.map((r) => r.output)).toEqual([
      expect.objectContaining({ path: 'linked', conflict: expect.objectContaining({ rule: 'source-wins', winner: 'source', losing: { name: 'Rule Togai 1', primaryEmail: customer.primaryEmail } }) }),
    ]);
    expect(await writeCalls('togai')).toBe(1);
    expect(await runAs(togai, 'get_customer', { customerId: customer.id })).toMatchObject({ name: 'Rule CRM 1' });
    // Togai reports the customer with Braid's write: an echo, nothing goes back to CRM.
    expect((await pollAndSettle(togaiToCrm)).map((r) => (r.output as Json).reason)).toEqual(['echo']);
    expect(await writeCalls('crm')).toBe(0);

    // target-wins: Togai changed first, CRM later — Togai (the target) still wins; nothing is written, CRM's values
    // are kept in the run.
    await republish('target-wins');
    await runAs(togai, 'update_customer', { customerId: customer.id, name: 'Rule Togai 2' });
    await admin().advanceClock(5_000);
    await runAs(crm, 'update_records', { module: 'Accounts', records: [{ id: account.id, Account_Name: 'Rule CRM 2' }] });
    await admin().clearCalls();
    const targetWins = await pollAndSettle(crmToTogai);
    expect(targetWins.map((r) => r.output)).toEqual([
      expect.objectContaining({ path: 'skipped', reason: 'conflict', conflict: expect.objectContaining({ rule: 'target-wins', winner: 'target', losing: expect.objectContaining({ name: 'Rule CRM 2' }) }) }),
    ]);
    expect(await writeCalls('togai')).toBe(0);
    expect(await runAs(togai, 'get_customer', { customerId: customer.id })).toMatchObject({ name: 'Rule Togai 2' });
    await republish('last-writer-wins');
    // The Togai change of this test still waits in the reverse flow's next poll: take it in before the next test.
    await pollAndSettle(togaiToCrm);
    await pollAndSettle(crmToTogai);
  }, 120_000);

  it('a record deleted in CRM archives its linked Togai customer and drops the link; the archive does not come back', async () => {
    const account = (await crmAccounts()).find((a) => a.Account_Name === crmOnly(18))!;
    const pairsBefore = await pairCount();
    await runAs(crm, 'delete_records', { module: 'Accounts', ids: [account.id] });
    await admin().clearCalls();
    const runs = await pollAndSettle(crmToTogai);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.output).toMatchObject({ path: 'deleted', sourceId: account.id });
    const targetId = (runs[0]!.output as Json).targetId as string;
    expect(await pairCount()).toBe(pairsBefore - 1);
    expect(await runAs(togai, 'get_customer', { customerId: targetId })).toMatchObject({ id: targetId, status: 'ARCHIVED' });
    expect(await writeCalls('togai')).toBe(1);
    // Togai reports the archived customer; it is a deletion without a link: nothing is created in CRM again.
    for (const run of await pollAndSettle(togaiToCrm)) expect(run.output).toMatchObject({ path: 'skipped', reason: 'deleted' });
    expect(await writeCalls('crm')).toBe(0);
  }, 120_000);

  it('concurrent runs for the same source record create one target record (one creates, the other links)', async () => {
    const flowId = await createPublishedFlow(client, ws, flowDefinition({
      upsert: {
        kind: 'upsertWithLink', id: 'upsert', connector: 'togai', connectionRef: togai,
        source: { app: 'test', type: 'person', id: { $expr: '$trigger.id' } },
        target: { type: 'customer' },
        find: [{ key: 'name', action: 'find_customers', input: { name: { $expr: '$trigger.name' } }, idPath: 'first.id' }],
        // A new id per run: without the lock, two runs would create two customers.
        create: { action: 'create_customer', input: { id: { $expr: "'concurrent-' & $string($floor($random() * 1000000000))" }, name: { $expr: '$trigger.name' }, primaryEmail: 'same@example.com' }, idPath: 'customer.id' },
      },
    }, 'upsert'));
    const payload = { id: 'person-1', name: 'Concurrent Person' };
    const [r1, r2] = await Promise.all([startRun(h.t, ws, flowId, payload), startRun(h.t, ws, flowId, payload)]);
    const runs = await Promise.all([waitForRun(client, ws, r1), waitForRun(client, ws, r2)]);
    const paths = runs.map((r) => ((r.steps as Json[])[0]!.output as Json).path).sort();
    expect(paths).toEqual(['created', 'linked']);
    expect((await togaiCustomers()).filter((c) => c.name === 'Concurrent Person')).toHaveLength(1);
  }, 60_000);

  it('resync from a date rewinds the polling cursor (and refuses a flow without one)', async () => {
    const from = '2020-01-01T00:00:00.000Z';
    const reset = await client.post(`/api/v1/workspaces/${ws}/flows/${togaiToCrm}/resync`).send({ from }).expect(200);
    expect(reset.body.cursor).toMatchObject({ updatedAt: from, idsAtBoundary: [] });
    const manual = await createPublishedFlow(client, ws, flowDefinition({}, null));
    const refused = await client.post(`/api/v1/workspaces/${ws}/flows/${manual}/resync`).send({ from });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('SYNC_TRIGGER_NOT_POLLING');
    const bad = await client.post(`/api/v1/workspaces/${ws}/flows/${manual}/backfill`).send({});
    expect(bad.status).toBe(409);
    expect(bad.body.error.code).toBe('SYNC_TRIGGER_CANNOT_LIST_EXISTING');
  });
});
