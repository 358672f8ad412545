// Kills the runtime process for real (SIGKILL) in the middle of an initial sync, while runs of a listed chunk are
// executing, starts it again on the same database and checks the backfill resumes to the end: every Togai customer
// linked to exactly one CRM account, existing names linked, no duplicate accounts in CRM.
import supertest from 'supertest';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { startSandbox, type RunningSandbox, wellKnown } from '@braid/sandbox';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { obtainZohoTokens, sandboxAdmin } from '../../../sandbox/src/test-support/index.js';
import { Client } from '../../test/test-app.js';
import { freePort } from '../../test/free-port.js';
import { connectViaOAuth, type ConnectionsHarness, SANDBOX_TOGAI_TOKEN } from '../connections/test-support/connections.fixtures.js';
import type { Json } from '../engine/test-support/engine.fixtures.js';
import { togaiCustomerToCrmAccountStep } from './test-support/sync.steps.js';
import { buildRuntime, type RuntimeChild, startRuntimeChild, waitUntil } from '../../test/runtime-child.js';
import { createScratchDatabase } from '../../test/scratch-database.js';

const CUSTOMERS = 200; // two listing chunks of 100
const SHARED = 40; // CRM accounts that already exist under a Togai customer's name

describe('initial sync survives a SIGKILL of the runtime mid-chunk', () => {
  let sandbox: RunningSandbox;
  let database: { url: string; drop(): Promise<void> };
  let db: pg.Pool;
  let child: RuntimeChild | undefined;
  let port: number;
  const log: string[] = [];
  const env = {
    BRAID_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    BRAID_RUN_LEASE_SECONDS: '2',
    BRAID_RUN_JOB_EXPIRE_SECONDS: '5',
    BRAID_QUEUE_MAINTENANCE_SECONDS: '1',
    BRAID_WORKER_CONCURRENCY: '8',
  };
  const start = async () => startRuntimeChild({ databaseUrl: database.url, port, log, env: { ...env, BRAID_SANDBOX_URL: sandbox.url, BRAID_PUBLIC_URL: `http://127.0.0.1:${port}` } });

  beforeAll(async () => {
    await buildRuntime();
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    await sandboxAdmin(sandbox.url).reset({ name: 'empty', crm: { accounts: SHARED }, togai: { customers: CUSTOMERS }, sharedNames: SHARED });
    database = await createScratchDatabase(inject('adminDatabaseUrl'));
    db = new pg.Pool({ connectionString: database.url, max: 3 });
    port = await freePort();
  }, 240_000);

  afterAll(async () => {
    await child?.kill();
    await db?.end();
    await sandbox?.close();
    await database?.drop();
  });

  async function crmAccounts(): Promise<Json[]> {
    const tokens = await obtainZohoTokens(sandbox.url, { scopes: ['ZohoCRM.modules.ALL'], crmOrgId: wellKnown.crmOrgs.acmeUs });
    const all: Json[] = [];
    for (let page = 1; page <= 20; page++) {
      const response = await fetch(`${tokens.apiDomain}/crm/v8/Accounts?fields=Account_Name&per_page=200&page=${page}`, { headers: { authorization: `Zoho-oauthtoken ${tokens.accessToken}` } });
      if (response.status === 204) break;
      const body = (await response.json()) as { data: Json[]; info: { more_records: boolean } };
      all.push(...body.data);
      if (!body.info.more_records) break;
    }
    return all;
  }

  it('resumes after the kill: 100% linked, existing names linked, no duplicates', async () => {
    child = await start();
    const agent = supertest.agent(child.url);
    const setup = await agent.post('/api/v1/setup').send({ email: 'owner@example.com', password: 'owner-password-1', workspaceName: 'Crash' });
    expect(setup.status, setup.text).toBe(201);
    const client = new Client(agent, setup.body.csrfToken as string);
    const ws = setup.body.workspaces[0].id as string;
    const base = `/api/v1/workspaces/${ws}`;
    const togai = await client.post(`${base}/connections`).send({ connectorKey: 'togai', name: 'Togai', target: 'sandbox', credentials: { token: SANDBOX_TOGAI_TOKEN } });
    expect(togai.status, togai.text).toBe(201);
    const crm = await connectViaOAuth({ owner: { client }, base: `${base}/connections` } as unknown as ConnectionsHarness, { connectorKey: 'zoho-crm', name: 'CRM' });

    const definition = {
      schemaVersion: 1, name: 'Togai customers → CRM accounts', direction: 'inbound',
      trigger: { connector: 'togai', trigger: 'accounts_polling', connectionRef: togai.body.id, config: { record: 'customer' } },
      start: 'upsert_account',
      steps: {
        upsert_account: togaiCustomerToCrmAccountStep(crm, { prefetch: { action: 'list_records', input: { module: 'Accounts', fields: ['Account_Name'], limit: 10_000 }, itemsPath: 'records', idPath: 'id', keys: { name: 'Account_Name' } } }),
      },
    };
    const flow = await client.post(`${base}/flows`).send({ definition });
    expect(flow.status, flow.text).toBe(201);
    expect((await client.post(`${base}/flows/${flow.body.id as string}/publish`).send({})).status).toBe(200);
    const started = await client.post(`${base}/flows/${flow.body.id as string}/backfill`).send({});
    expect(started.status, started.text).toBe(202);
    const backfillId = started.body.backfillId as string;
    const progress = async () => (await client.get(`${base}/backfills/${backfillId}`)).body as Json;

    // Kill while runs of the backfill are executing: some done, some running, not all done.
    const atKill = await waitUntil('runs of the backfill to be under way', async () => {
      const p = await progress();
      return Number(p.done) >= CUSTOMERS / 5 && Number(p.done) < CUSTOMERS / 2 ? p : undefined;
    }, 90_000, 25);
    await child.kill();
    const runningAtKill = Number((await db.query(`SELECT count(*)::int AS n FROM runs WHERE status = 'running'`)).rows[0].n);
    const doneAtKill = Number((await db.query(`SELECT count(*)::int AS n FROM runs WHERE status = 'succeeded'`)).rows[0].n);
    expect(atKill.status).toBe('running');
    expect(doneAtKill).toBeLessThan(CUSTOMERS);
    expect(runningAtKill).toBeGreaterThan(0);
    console.info(`SIGKILL with ${doneAtKill} of ${CUSTOMERS} runs done, ${runningAtKill} running, ${String(atKill.listed)} listed`);

    // Restart on the same database: the backfill continues where it was.
    child = await start();
    const final = await waitUntil('the initial sync to finish after the restart', async () => {
      const p = await progress();
      return p.status === 'running' ? undefined : p;
    }, 150_000, 250).catch(async (error: Error) => {
      const state = {
        progress: await progress(),
        runs: (await db.query(`SELECT status, count(*)::int AS n FROM runs GROUP BY status`)).rows,
        jobs: (await db.query(`SELECT name, state, count(*)::int AS n FROM pgboss.job GROUP BY name, state`)).rows,
        locks: (await db.query(`SELECT key, expires_at FROM sync_locks`)).rows,
      };
      throw new Error(`${error.message}: ${JSON.stringify(state)}; runtime log: ${log.join('').slice(-3000)}`);
    });
    expect(final, log.join('').slice(-2000)).toMatchObject({ status: 'succeeded', total: CUSTOMERS, listed: CUSTOMERS, done: CUSTOMERS, failed: 0, pending: 0 });

    // 100% linked: every Togai customer to exactly one CRM account and back.
    const links = (await db.query(
      `SELECT id_a, id_b, app_a FROM record_links WHERE workspace_id = $1 AND app_a = 'togai' AND type_a = 'customer' AND app_b = 'zoho-crm' AND type_b = 'Accounts'`,
      [ws],
    )).rows as Array<{ id_a: string; id_b: string }>;
    expect(links).toHaveLength(CUSTOMERS);
    expect(new Set(links.map((l) => l.id_a)).size).toBe(CUSTOMERS);
    expect(new Set(links.map((l) => l.id_b)).size).toBe(CUSTOMERS);
    // No duplicates in CRM: the SHARED accounts that existed were linked, one account per other customer created.
    const accounts = await crmAccounts();
    expect(accounts).toHaveLength(CUSTOMERS);
    expect(new Set(accounts.map((a) => a.Account_Name)).size).toBe(CUSTOMERS);
    expect(new Set(accounts.map((a) => a.id)).size).toBe(CUSTOMERS);
    expect(links.every((l) => accounts.some((a) => a.id === l.id_b))).toBe(true);
    // Each backfill item ran to success once (a run interrupted by the kill was resumed, not enqueued again).
    const items = (await db.query(`SELECT count(*)::int AS n, count(DISTINCT run_id)::int AS runs FROM backfill_items WHERE backfill_id = $1`, [backfillId])).rows[0];
    expect(items).toEqual({ n: CUSTOMERS, runs: CUSTOMERS });
  }, 300_000);
});
