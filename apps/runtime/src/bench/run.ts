// `pnpm bench`: throughput and latency of the trigger → engine path on this machine (figures, not a test).
//
// Boots the real runtime on an embedded PostgreSQL in a temporary directory, creates a flow
// "webhook → map → HTTP request to a local sink", then:
//   1. burst: webhooks offered at BENCH_ACCEPT_RATE per second (default 1000) for BENCH_ACCEPT_SECONDS (default
//      5), open-loop (each sent when due, whatever the answers) — durable accepts per second and p50/p99 latency
//      as the sender sees it, counted from when each was due;
//   2. capacity: BENCH_ACCEPTS webhooks (default 5000) with BENCH_CONCURRENCY in flight (default 32);
//   3. sustained: webhooks at BENCH_RATE per second (default 300) for BENCH_SECONDS (default 60) — completed
//      runs per second, accept→start and accept→finish p50/p99 from the runs' timestamps;
// and counts lost and duplicated runs (what the sink received vs what was accepted). Loopback only, bounded.
// The webhook client and the sink are processes of their own (bench.peer.ts). Also printed: the load average,
// the CPU share of the runtime, PostgreSQL and the client, and the CPU per webhook from accept to finished run
// — the figure to compare on a shared machine, where throughput and latency move with everyone else's work.
// BENCH_COUNT_SQL=1 counts the SQL statements per webhook (and lists the most frequent).
import { randomBytes } from 'node:crypto';
import { type ChildProcess, fork, type Serializable } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import 'reflect-metadata';
import { FLOW_SCHEMA_VERSION, type FlowDefinition } from '@braid/flow-model';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createBraidApp } from '../bootstrap.js';
import { loadConfig } from '../config/config.service.js';
import { TriggersService } from '../triggers/triggers.service.js';
import { UsersService } from '../users/users.service.js';
import { WorkspacesService } from '../workspaces/workspaces.service.js';
import type { ClientCommand, ClientReport, SinkReport } from './bench.peer.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const env = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};
const ACCEPT_RATE = env('BENCH_ACCEPT_RATE', 1000);
const ACCEPT_SECONDS = env('BENCH_ACCEPT_SECONDS', 5);
const ACCEPTS = env('BENCH_ACCEPTS', 5000);
const CONCURRENCY = env('BENCH_CONCURRENCY', 32);
const RATE = env('BENCH_RATE', 300);
const SECONDS = env('BENCH_SECONDS', 60);
const DRAIN_TIMEOUT_MS = env('BENCH_DRAIN_SECONDS', 120) * 1000;
/** BENCH_COUNT_SQL=1: count the SQL statements this process sends (per accept, per run) and list the most frequent. */
const COUNT_SQL = process.env.BENCH_COUNT_SQL === '1';

/** Statements sent through node-postgres (TypeORM and pg-boss both use it), by normalised text. */
const statements = new Map<string, number>();
if (COUNT_SQL) {
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  (pg.Client.prototype as { query: unknown }).query = function countedQuery(this: unknown, ...args: unknown[]) {
    const first = args[0] as string | { text?: string } | undefined;
    const text = typeof first === 'string' ? first : first?.text;
    if (text) {
      const key = text.replace(/\s+/g, ' ').trim().slice(0, 110);
      statements.set(key, (statements.get(key) ?? 0) + 1);
    }
    return original.apply(this, args);
  };
}

/** CPU seconds used so far by the PostgreSQL server whose postmaster has `pid` (itself, live and exited children). */
async function postgresCpuSeconds(pid: number | undefined): Promise<number> {
  if (!pid) return Number.NaN;
  const ticks = 100; // USER_HZ on Linux
  const fields = async (p: string) => {
    const stat = await fs.readFile(`/proc/${p}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  };
  try {
    const own = await fields(String(pid));
    // utime, stime, cutime, cstime (fields 14-17; index 11-14 after the command name)
    let total = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
    for (const entry of await fs.readdir('/proc')) {
      if (!/^\d+$/.test(entry) || entry === String(pid)) continue;
      try {
        const f = await fields(entry);
        if (Number(f[1]) === pid) total += Number(f[11]) + Number(f[12]);
      } catch {
        // the process ended meanwhile
      }
    }
    return total / ticks;
  } catch {
    return Number.NaN;
  }
}

/** The postmaster of the embedded server: the process listening with our data directory. */
async function postmasterPid(dataDir: string): Promise<number | undefined> {
  try {
    const first = (await fs.readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0];
    return first ? Number(first) : undefined;
  } catch {
    for (const entry of await fs.readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const cmd = await fs.readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
      if (cmd.includes(dataDir) && /postgres/.test(cmd)) return Number(entry);
    }
    return undefined;
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
const ms = (n: number) => (Number.isNaN(n) ? 'n/a' : `${n.toFixed(1)} ms`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = http.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A bench peer process (bench.peer.ts): the webhook client or the HTTP sink. */
function forkPeer(args: string[]): { child: ChildProcess; ready: Promise<{ url?: string }>; ask<T>(message: unknown): Promise<T> } {
  const child = fork(fileURLToPath(new URL('./bench.peer.js', import.meta.url)), args, { serialization: 'advanced', stdio: 'inherit' });
  const ready = new Promise<{ url?: string }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { url?: string }));
    child.once('exit', (code) => reject(new Error(`bench peer ${args[0]} exited with ${code}`)));
  });
  const ask = <T>(message: unknown) =>
    new Promise<T>((resolve, reject) => {
      const exited = (code: number | null) => reject(new Error(`bench peer ${args[0]} exited with ${code} before answering`));
      child.once('exit', exited);
      child.once('message', (answer) => {
        child.off('exit', exited);
        resolve(answer as T);
      });
      child.send(message as Serializable);
    });
  return { child, ready, ask };
}

async function main(): Promise<void> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'braid-bench-'));
  const sink = forkPeer(['sink']);
  const sinkUrl = (await sink.ready).url!;
  const port = await freePort();
  // Steps may call the loopback sink (the engine's SSRF guard refuses private addresses otherwise).
  process.env.BRAID_ALLOWED_PRIVATE_HOSTS = '127.0.0.1';
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: '',
    PORT: String(port),
    HOST: '127.0.0.1',
    BRAID_DATA_DIR: dataDir,
    BRAID_EMBEDDED_PG_PORT: String(await freePort()),
    BRAID_SANDBOX: 'off',
    BRAID_LOG_LEVEL: process.env.BRAID_LOG_LEVEL ?? 'warn',
    BRAID_WEBHOOK_RATE_LIMIT: '0',
    BRAID_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  });
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out(`Braid benchmark — ${new Date().toISOString()}`);
  out(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, embedded PostgreSQL`);
  const load = () => os.loadavg().map((n) => n.toFixed(1)).join(' / ');
  out(`Load average at start (1/5/15 min): ${load()} — other work on the machine skews the figures.`);
  out(`Runtime: BRAID_WORKER_CONCURRENCY=${config.engine.workerConcurrency} (runs executing at once per process).`);
  const braid = await createBraidApp(config);
  let pool: pg.Pool | undefined;
  let client: ReturnType<typeof forkPeer> | undefined;
  try {
    await braid.app.listen(port, '127.0.0.1');
    pool = new pg.Pool({ connectionString: braid.database.url, max: 2 });
    // An idle connection cut when the embedded server stops at the end must not crash the process.
    pool.on('error', () => undefined);

    const user = await braid.app.get(UsersService).createUser('bench@example.com', 'bench-password-1');
    const workspace = await braid.app.get(WorkspacesService).createWorkspace(user.id, 'Bench');
    const definition: FlowDefinition = {
      schemaVersion: FLOW_SCHEMA_VERSION,
      name: 'Bench: webhook → map → HTTP',
      direction: 'inbound',
      // No event id header: like Zoho's webhooks, the deliveries carry no id, so duplicates are found by body hash
      // under an advisory lock (the costlier of the two ways).
      trigger: { connector: 'core', trigger: 'webhook', config: {} },
      start: 'shape',
      steps: {
        shape: { kind: 'map', id: 'shape', output: { seq: { $expr: '$trigger.body.seq' }, at: { $expr: '$trigger.receivedAt' } }, next: 'deliver' },
        deliver: {
          kind: 'action',
          id: 'deliver',
          connector: 'core',
          action: 'http_request',
          input: { method: 'POST', url: sinkUrl, bodyType: 'json', body: { $expr: '$steps.shape' } },
        },
      },
    };
    const flow = (await pool.query<{ id: string }>(
      `INSERT INTO flows (workspace_id, name, direction, draft, enabled) VALUES ($1, $2, 'inbound', $3::jsonb, true) RETURNING id`,
      [workspace.id, definition.name, JSON.stringify(definition)],
    )).rows[0]!;
    const version = (await pool.query<{ id: string }>(
      `INSERT INTO flow_versions (flow_id, workspace_id, version, definition) VALUES ($1, $2, 1, $3::jsonb) RETURNING id`,
      [flow.id, workspace.id, JSON.stringify(definition)],
    )).rows[0]!;
    await pool.query(`UPDATE flows SET published_version_id = $2 WHERE id = $1`, [flow.id, version.id]);
    await braid.app.get(TriggersService).arm(workspace.id, flow.id, { id: version.id, definition });
    const token = (await pool.query<{ token: string }>(`SELECT token FROM trigger_endpoints WHERE flow_id = $1`, [flow.id])).rows[0]!.token;
    client = forkPeer(['client', String(port), `/hooks/${token}`]);
    await client.ready;

    let nextSeq = 1;
    const accepted = new Set<number>();
    let refused = 0;
    /** One phase of the client; every webhook it sends carries a new sequence number. */
    const phase = async (command: DistributiveOmit<ClientCommand, 'firstSeq'>): Promise<ClientReport> => {
      const report = await client!.ask<ClientReport>({ ...command, firstSeq: nextSeq });
      nextSeq += command.type === 'closed' ? command.count : Math.round(command.rate * command.seconds);
      for (const seq of report.accepted) accepted.add(seq);
      refused += report.refused;
      report.latencies.sort((a, b) => a - b);
      return report;
    };
    const pgPid = await postmasterPid(dataDir);
    /** CPU used by the runtime process and by PostgreSQL since `measure()` was called, in ms. */
    const measure = async () => {
      const node = process.cpuUsage();
      const postgres = await postgresCpuSeconds(pgPid);
      return async () => {
        const used = process.cpuUsage(node);
        return { nodeMs: (used.user + used.system) / 1e3, pgMs: ((await postgresCpuSeconds(pgPid)) - postgres) * 1e3 };
      };
    };

    // Warm-up: JIT-compiled code, connection pools and the sender's keep-alive connections, as in a server that
    // has been running (with 300 webhooks 8 at a time, the first 2 s of phase 1 were 3-5 times slower).
    await phase({ type: 'closed', count: 2000, concurrency: 64 });
    await drain(pool, flow.id);

    // Phase 1: the target rate, offered open-loop (a sender that does not wait for answers).
    out();
    out(`Phase 1: ${ACCEPT_RATE} webhooks/s for ${ACCEPT_SECONDS} s`);
    const burst = await phase({ type: 'open', rate: ACCEPT_RATE, seconds: ACCEPT_SECONDS });
    await drain(pool, flow.id);

    // Phase 2: capacity, with a fixed number of requests in flight.
    out(`Phase 2: ${ACCEPTS} webhooks, ${CONCURRENCY} in flight`);
    const cpuOfCapacity = await measure();
    statements.clear();
    const capacity = await phase({ type: 'closed', count: ACCEPTS, concurrency: CONCURRENCY });
    await drain(pool, flow.id);
    // CPU spent per webhook from its accept to its finished run (phase 2 and the drain after it): a figure
    // other work on the machine hardly changes, unlike throughput and latency.
    const perWebhook = await cpuOfCapacity();
    const capacityStatements = new Map(statements);

    // Phase 3: open-loop rate for SECONDS; measure completions and run timings.
    out(`Phase 3: ${RATE} webhooks/s for ${SECONDS} s`);
    const phase3From = new Date();
    const cpuOfSustained = await measure();
    const sustained = await phase({ type: 'open', rate: RATE, seconds: SECONDS });
    const sustainedCpu = await cpuOfSustained();
    const phase3End = new Date();
    // Runs not finished when the offered load stops: a growing backlog means the rate is not sustained.
    const backlog = Number(
      (await pool.query<{ n: string }>(`SELECT count(*) AS n FROM runs WHERE flow_id = $1 AND status IN ('queued', 'running')`, [flow.id])).rows[0]!.n,
    );
    // Completed runs/s: runs that finished inside the sustained window, over the window's length.
    const completedInWindow = Number(
      (await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM runs WHERE flow_id = $1 AND status = 'succeeded' AND finished_at >= $2 AND finished_at <= $3`,
        [flow.id, phase3From, phase3End],
      )).rows[0]!.n,
    );
    await drain(pool, flow.id);
    const timings = (await pool.query<{ start_ms: number; finish_ms: number }>(
      `SELECT extract(epoch FROM started_at - queued_at) * 1000 AS start_ms, extract(epoch FROM finished_at - queued_at) * 1000 AS finish_ms
         FROM runs WHERE flow_id = $1 AND queued_at >= $2 AND status = 'succeeded'`,
      [flow.id, phase3From],
    )).rows;
    const toStart = timings.map((r) => Number(r.start_ms)).sort((a, b) => a - b);
    const toFinish = timings.map((r) => Number(r.finish_ms)).sort((a, b) => a - b);

    // Lost / duplicated: what the sink received vs what was accepted (every phase).
    const statuses = (await pool.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM runs WHERE flow_id = $1 GROUP BY status`, [flow.id])).rows;
    const received = new Map((await sink.ask<SinkReport>({ type: 'counts' })).counts);
    let lost = 0;
    let duplicated = 0;
    for (const s of accepted) {
      const n = received.get(s) ?? 0;
      if (n === 0) lost += 1;
      if (n > 1) duplicated += n - 1;
    }
    const unexpected = [...received.keys()].filter((s) => !accepted.has(s)).length;

    const rate = (report: ClientReport) => (report.accepted.length / report.seconds).toFixed(0);
    const latency = (report: ClientReport) => `${ms(percentile(report.latencies, 50))} / ${ms(percentile(report.latencies, 99))}`;
    const share = (cpuMs: number, seconds: number) => (Number.isNaN(cpuMs) ? 'n/a' : `${((cpuMs / 1000 / seconds) * 100).toFixed(0)} %`);
    out();
    out('| Measure | Result | Target |');
    out('|---|---|---|');
    out(`| Durable webhook accepts/s (${ACCEPT_RATE}/s offered for ${ACCEPT_SECONDS} s; ${burst.accepted.length} of ${Math.round(ACCEPT_RATE * ACCEPT_SECONDS)} accepted) | ${rate(burst)} | ≥ 1,000 |`);
    out(`| Accept latency p50 / p99 at ${ACCEPT_RATE}/s | ${latency(burst)} | p99 ≤ 25 ms |`);
    out(`| Most accepts/s (${CONCURRENCY} in flight, ${ACCEPTS} webhooks) | ${rate(capacity)} | |`);
    out(`| Accept latency p50 / p99 with ${CONCURRENCY} in flight | ${latency(capacity)} | |`);
    out(`| Completed three-step runs/s (${RATE}/s offered for ${SECONDS} s; ${backlog} unfinished at the end) | ${(completedInWindow / sustained.seconds).toFixed(0)} | ≥ 300 |`);
    out(`| Accept latency p50 / p99 at ${RATE}/s | ${latency(sustained)} | |`);
    out(`| Accept→start p50 / p99 | ${ms(percentile(toStart, 50))} / ${ms(percentile(toStart, 99))} | p50 ≤ 10 ms |`);
    out(`| Accept→finish p50 / p99 | ${ms(percentile(toFinish, 50))} / ${ms(percentile(toFinish, 99))} | |`);
    out(`| Lost runs / duplicated runs | ${lost} / ${duplicated} | 0 / 0 |`);
    out();
    out(`CPU at ${RATE}/s (share of one core; the machine has ${os.cpus().length}): runtime ${share(sustainedCpu.nodeMs, sustained.seconds)}, ` +
      `PostgreSQL ${share(sustainedCpu.pgMs, sustained.seconds)}, webhook client ${share(sustained.cpuMs, sustained.seconds)}. Load average at the end: ${load()}.`);
    out(`CPU per webhook, accept to finished run (phase 2 and its drain): runtime process ${(perWebhook.nodeMs / ACCEPTS).toFixed(2)} ms, ` +
      `PostgreSQL ${Number.isNaN(perWebhook.pgMs) ? 'n/a' : `${(perWebhook.pgMs / ACCEPTS).toFixed(2)} ms`} ` +
      `(the webhook client: ${(capacity.cpuMs / ACCEPTS).toFixed(2)} ms, in its own process like the sink).`);
    out(`Accepted ${accepted.size}, refused ${refused}, sink received ${[...received.values()].reduce((a, b) => a + b, 0)} (${unexpected} unknown); ` +
      `runs by status: ${statuses.map((s) => `${s.status} ${s.n}`).join(', ')}.`);
    if (COUNT_SQL) {
      const total = [...capacityStatements.values()].reduce((a, b) => a + b, 0);
      out();
      out(`SQL statements in phase 2 (accepts and their runs): ${total} for ${ACCEPTS} webhooks = ${(total / ACCEPTS).toFixed(2)} per webhook. Most frequent:`);
      for (const [text, n] of [...capacityStatements.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
        out(`  ${(n / ACCEPTS).toFixed(2).padStart(6)}  ${text}`);
      }
    }
    if (lost > 0 || duplicated > 0) process.exitCode = 1;
  } finally {
    client?.child.kill();
    await pool?.end();
    await braid.close();
    sink.child.kill();
    await fs.rm(dataDir, { recursive: true, force: true });
  }

  async function drain(db: pg.Pool, flowId: string): Promise<void> {
    const until = Date.now() + DRAIN_TIMEOUT_MS;
    for (;;) {
      const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM runs WHERE flow_id = $1 AND status IN ('queued', 'running')`, [flowId]);
      if (Number(rows[0]!.n) === 0) return;
      if (Date.now() > until) {
        out(`  (still ${rows[0]!.n} runs unfinished after ${DRAIN_TIMEOUT_MS / 1000} s)`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

await main();
