// Kills the runtime process (SIGKILL) while 200 runs are in flight, restarts it on the same database, and
// checks that every run completes and that no step recorded as done is executed again (the sandbox's
// request bins count every call).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startSandbox, type RunningSandbox } from '@braid/sandbox';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sandboxAdmin } from '../../../sandbox/src/test-support/index.js';
import { freePort } from '../../test/free-port.js';
import { RUN_QUEUE } from '../runs/runs.queue.js';

const runtimeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RUNS = 200;

async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

describe('crash recovery: SIGKILL during 200 in-flight runs', () => {
  let sandbox: RunningSandbox;
  let databaseUrl: string;
  let databaseName: string;
  let db: pg.Pool;
  let child: ChildProcess | undefined;
  let port: number;
  const adminUrl = inject('adminDatabaseUrl');
  const childLog: string[] = [];

  const startRuntime = async (): Promise<ChildProcess> => {
    const proc = spawn(process.execPath, ['dist/main.js'], {
      cwd: runtimeDir,
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        BRAID_SANDBOX: 'off',
        BRAID_LOG_LEVEL: 'warn',
        BRAID_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        BRAID_ALLOWED_PRIVATE_HOSTS: '127.0.0.1',
        BRAID_RUN_LEASE_SECONDS: '2',
        BRAID_RUN_JOB_EXPIRE_SECONDS: '5',
        BRAID_QUEUE_MAINTENANCE_SECONDS: '1',
        BRAID_WORKER_CONCURRENCY: '16',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout?.on('data', (chunk: Buffer) => childLog.push(chunk.toString()));
    proc.stderr?.on('data', (chunk: Buffer) => childLog.push(chunk.toString()));
    await waitUntil('the runtime to be ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, 60_000, 200);
    return proc;
  };

  beforeAll(async () => {
    // The child process runs the built runtime (dist/), as in production.
    // tsc emits even when it reports type errors (another feature's work in progress must not block this
    // test); a missing entry point is what fails.
    const built = await promisify(execFile)(process.execPath, [path.join(runtimeDir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: runtimeDir, timeout: 180_000 })
      .then(() => true, (error: { stdout?: string }) => error.stdout ?? false);
    if (built !== true && !existsSync(path.join(runtimeDir, 'dist/main.js'))) throw new Error(`building the runtime failed: ${String(built)}`);
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    databaseName = `braid_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${databaseName}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${databaseName}`;
    databaseUrl = url.toString();
    db = new pg.Pool({ connectionString: databaseUrl, max: 3 });
    port = await freePort();
  }, 240_000);

  afterAll(async () => {
    child?.kill('SIGKILL');
    await db?.end();
    await sandbox?.close();
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await admin.end();
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
    const boss = new PgBoss({ connectionString: databaseUrl, schema: 'pgboss', max: 2, supervise: false, schedule: false, migrate: false });
    await boss.start();
    await boss.insert(runs.map((r) => ({ name: RUN_QUEUE, data: { runId: r.id }, retryLimit: 1000, retryDelay: 1, expireInSeconds: 5 })));
    await boss.stop({ graceful: false, wait: true });
    await db.query(`SELECT pg_notify('braid_queue_wake', $1)`, [RUN_QUEUE]);

    // Kill the process once some runs are done and many are in flight.
    await waitUntil('a quarter of the runs to finish', async () => {
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM runs WHERE status = 'succeeded'`);
      return rows[0]!.n >= RUNS / 4;
    }, 60_000, 20);
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
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
