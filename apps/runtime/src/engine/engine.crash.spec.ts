// Kills the runtime process (SIGKILL) while 200 runs are in flight, restarts it on the same database, and
// checks that every run completes and that no step recorded as done is executed again (the sandbox's
// request bins count every call).
import { randomBytes } from 'node:crypto';
import { startSandbox, type RunningSandbox } from '@braid/sandbox';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sandboxAdmin } from '../../../sandbox/src/test-support/index.js';
import { freePort } from '../../test/free-port.js';
import { buildRuntime, type RuntimeChild, startRuntimeChild, waitUntil } from '../../test/runtime-child.js';
import { createScratchDatabase } from '../../test/scratch-database.js';
import { RUN_QUEUE } from '../runs/runs.queue.js';

const RUNS = 200;

describe('crash recovery: SIGKILL during 200 in-flight runs', () => {
  let sandbox: RunningSandbox;
  let database: { url: string; drop(): Promise<void> };
  let db: pg.Pool;
  let child: RuntimeChild | undefined;
  let port: number;
  const childLog: string[] = [];
  const encryptionKey = randomBytes(32).toString('base64');

  const startRuntime = () =>
    startRuntimeChild({
      databaseUrl: database.url,
      port,
      log: childLog,
      env: {
        BRAID_ENCRYPTION_KEY: encryptionKey,
        BRAID_RUN_LEASE_SECONDS: '2',
        BRAID_RUN_JOB_EXPIRE_SECONDS: '5',
        BRAID_QUEUE_MAINTENANCE_SECONDS: '1',
        BRAID_WORKER_CONCURRENCY: '16',
      },
    });

  beforeAll(async () => {
    // The child process runs the built runtime (dist/), as in production.
    await buildRuntime();
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    database = await createScratchDatabase(inject('adminDatabaseUrl'));
    db = new pg.Pool({ connectionString: database.url, max: 3 });
    port = await freePort();
  }, 360_000);

  afterAll(async () => {
    await child?.kill();
    await db?.end();
    await sandbox?.close();
    await database?.drop();
  });

  it('resumes every run after a restart; steps recorded done before the kill are never repeated', async () => {
    child = await startRuntime();

    // A workspace, a published flow (POST to bin A, short wait, POST to bin B) and 200 queued runs.
    const [workspace] = (await db.query<{ id: string }>(`INSERT INTO workspaces (name) VALUES ('Crash test') RETURNING id`)).rows;
    const post = (id: string, bin: string, next?: string) => ({
      kind: 'action', id, connector: 'core', action: 'http_request',
      input: { method: 'POST', url: `${sandbox.url}/bin/${bin}`, bodyType: 'json', body: { marker: { $expr: '$trigger.marker' } } },
      ...(next ? { next } : {}),
    });
    const definition = {
      schemaVersion: 1, name: 'Crash', direction: 'outbound',
      trigger: { connector: 'core', trigger: 'manual', config: { payloadSchema: { type: 'object' } } },
      start: 'first',
      steps: { first: post('first', 'crash-a', 'pause'), pause: { kind: 'action', id: 'pause', connector: 'core', action: 'delay', input: { ms: 150 }, next: 'second' }, second: post('second', 'crash-b') },
    };
    const [flow] = (await db.query<{ id: string }>(`INSERT INTO flows (workspace_id, name, direction, draft, enabled) VALUES ($1, 'Crash', 'outbound', $2, true) RETURNING id`, [workspace!.id, definition])).rows;
    const [version] = (await db.query<{ id: string }>(`INSERT INTO flow_versions (flow_id, workspace_id, version, definition) VALUES ($1, $2, 1, $3) RETURNING id`, [flow!.id, workspace!.id, definition])).rows;
    const markers = Array.from({ length: RUNS }, (_, i) => `run-${i}`);
    const runs = (await db.query<{ id: string }>(
      `INSERT INTO runs (workspace_id, flow_id, flow_version_id, source, status, trigger_output)
       SELECT $1, $2, $3, 'manual', 'queued', jsonb_build_object('marker', m) FROM unnest($4::text[]) AS m RETURNING id`,
      [workspace!.id, flow!.id, version!.id, markers],
    )).rows;
    const boss = new PgBoss({ connectionString: database.url, schema: 'pgboss', max: 2, supervise: false, schedule: false, migrate: false });
    await boss.start();
    await boss.insert(runs.map((r) => ({ name: RUN_QUEUE, data: { runId: r.id }, retryLimit: 1000, retryDelay: 1, expireInSeconds: 5 })));
    await boss.stop({ graceful: false, wait: true });
    await db.query(`SELECT pg_notify('braid_queue_wake', $1)`, [RUN_QUEUE]);

    // Kill the process once some runs are done and many are in flight.
    await waitUntil('a quarter of the runs to finish', async () => {
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM runs WHERE status = 'succeeded'`);
      return rows[0]!.n >= RUNS / 4;
    }, 60_000, 20);
    await child.kill();
    const atKill = await db.query<{ run_id: string; step_id: string; status: string }>(`SELECT run_id, step_id, status FROM run_steps WHERE step_id IN ('first', 'second')`);
    const doneAtKill = atKill.rows.filter((r) => r.status === 'succeeded');
    const inFlightAtKill = atKill.rows.filter((r) => r.status === 'running');
    const statusAtKill = (await db.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM runs GROUP BY status`)).rows;
    expect(statusAtKill.find((s) => s.status === 'succeeded')!.n).toBeLessThan(RUNS);

    // Restart on the same database: everything left completes.
    child = await startRuntime();
    await waitUntil('all runs to succeed', async () => {
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM runs WHERE status = 'succeeded'`);
      return rows[0]!.n === RUNS;
    }, 90_000, 200);
    const steps = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM run_steps WHERE status = 'succeeded'`);
    expect(steps.rows[0]!.n).toBe(RUNS * 3);

    // Count the calls the sandbox received for every (run, step).
    const admin = sandboxAdmin(sandbox.url);
    const markerOfRun = new Map<string, string>();
    for (const row of (await db.query<{ id: string; marker: string }>(`SELECT id, trigger_output->>'marker' AS marker FROM runs`)).rows) markerOfRun.set(row.id, row.marker);
    const calls = { first: new Map<string, number>(), second: new Map<string, number>() };
    for (const [stepId, bin] of [['first', 'crash-a'], ['second', 'crash-b']] as const) {
      for (const request of await admin.binRequests(bin)) {
        const marker = (request.json as { marker: string }).marker;
        calls[stepId].set(marker, (calls[stepId].get(marker) ?? 0) + 1);
      }
    }
    for (const marker of markers) {
      expect(calls.first.get(marker) ?? 0).toBeGreaterThanOrEqual(1);
      expect(calls.second.get(marker) ?? 0).toBeGreaterThanOrEqual(1);
    }
    // A step recorded done before the kill was never called again.
    for (const done of doneAtKill) expect(calls[done.step_id as 'first' | 'second'].get(markerOfRun.get(done.run_id)!)).toBe(1);
    // Only a call in flight at the moment of the kill (sent, not yet recorded) can have been repeated.
    const repeated = [...calls.first.values(), ...calls.second.values()].filter((n) => n > 1);
    expect(repeated.every((n) => n === 2)).toBe(true);
    expect(repeated.length).toBeLessThanOrEqual(inFlightAtKill.length);
    expect(doneAtKill.length).toBeGreaterThan(RUNS / 4);
  }, 240_000);
});
