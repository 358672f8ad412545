// `pnpm bench`: throughput and latency of the trigger → engine path on this machine (figures, not a test).
//
// Boots the real runtime on an embedded PostgreSQL in a temporary directory, creates a flow
// "webhook → map → HTTP request to a local sink", then:
//   1. accepts: BENCH_ACCEPTS webhooks (default 5000) with BENCH_CONCURRENCY in flight (default 32) —
//      durable accepts per second and their p50/p99 latency as the sender sees it;
//   2. sustained: webhooks at BENCH_RATE per second (default 300) for BENCH_SECONDS (default 60) — completed
//      runs per second, accept→start and accept→finish p50/p99 from the runs' timestamps;
// and counts lost and duplicated runs (what the sink received vs what was accepted). Loopback only, bounded.
// Also printed: the load average at start and end, the CPU share of the runtime process and of PostgreSQL, and
// the CPU per webhook from accept to finished run — the figure to compare on a shared machine, where
// throughput and latency move with everyone else's work. BENCH_COUNT_SQL=1 counts the SQL statements per
// webhook (and lists the most frequent). The bench's client and sink run in the runtime's process.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import 'reflect-metadata';
import { FLOW_SCHEMA_VERSION, type FlowDefinition } from '@braid/flow-model';
import pg from 'pg';
import { createBraidApp } from '../bootstrap.js';
import { loadConfig } from '../config/config.service.js';
import { TriggersService } from '../triggers/triggers.service.js';
import { UsersService } from '../users/users.service.js';
import { WorkspacesService } from '../workspaces/workspaces.service.js';

const env = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};
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

/** The HTTP sink the flow's last step posts to: counts deliveries per sequence number. */
async function startSink(): Promise<{ url: string; received: Map<number, number>; close(): Promise<void> }> {
  const received = new Map<number, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const seq = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { seq: number }).seq;
        received.set(seq, (received.get(seq) ?? 0) + 1);
      } catch {
        // not a benchmark request
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sink`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One webhook POST on a keep-alive agent; resolves with the status and the latency in ms. */
function post(agent: http.Agent, port: number, pathName: string, body: string): Promise<{ status: number; ms: number }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: '127.0.0.1', port, path: pathName, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'braid-bench-'));
  const sink = await startSink();
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
      trigger: { connector: 'core', trigger: 'webhook', config: { eventIdHeader: 'x-event-id' } },
      start: 'shape',
      steps: {
        shape: { kind: 'map', id: 'shape', output: { seq: { $expr: '$trigger.body.seq' }, at: { $expr: '$trigger.receivedAt' } }, next: 'deliver' },
        deliver: {
          kind: 'action',
          id: 'deliver',
          connector: 'core',
          action: 'http_request',
          input: { method: 'POST', url: sink.url, bodyType: 'json', body: { $expr: '$steps.shape' } },
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
    const hook = `/hooks/${token}`;
    const agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(CONCURRENCY, 64) });

    let seq = 0;
    const accepted = new Set<number>();
    let refused = 0;
    const send = async (): Promise<number> => {
      seq += 1;
      const mine = seq;
      const result = await post(agent, port, hook, JSON.stringify({ seq: mine, pad: 'x'.repeat(64) }));
      if (result.status === 202) accepted.add(mine);
      else refused += 1;
      return result.ms;
    };

    // Warm-up (JIT, connection pools).
    for (let i = 0; i < 200; i += 1) await send();

    // Phase 1: accepts with bounded concurrency.
    out();
    out(`Phase 1: ${ACCEPTS} webhooks, ${CONCURRENCY} in flight`);
    const acceptLatencies: number[] = [];
    let next = 0;
    const pgPid = await postmasterPid(dataDir);
    const cpuBefore = process.cpuUsage();
    const pgCpuBefore = await postgresCpuSeconds(pgPid);
    statements.clear();
    const phase1Start = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < ACCEPTS) {
          next += 1;
          acceptLatencies.push(await send());
        }
      }),
    );
    const phase1Seconds = Number(process.hrtime.bigint() - phase1Start) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuShare = (cpu.user + cpu.system) / 1e6 / phase1Seconds;
    const pgCpuShare = ((await postgresCpuSeconds(pgPid)) - pgCpuBefore) / phase1Seconds;
    acceptLatencies.sort((a, b) => a - b);
    await drain(pool, flow.id);
    // CPU spent per webhook from its accept to its finished run (phase 1 and the drain after it): a figure
    // other work on the machine hardly changes, unlike throughput and latency.
    const allCpu = process.cpuUsage(cpuBefore);
    const nodeMsPerWebhook = ((allCpu.user + allCpu.system) / 1e3) / ACCEPTS;
    const pgMsPerWebhook = (((await postgresCpuSeconds(pgPid)) - pgCpuBefore) * 1e3) / ACCEPTS;
    // Phase 1 and its runs are done: statements per accepted webhook, including the execution of its run.
    const phase1Statements = new Map(statements);

    // Phase 2: open-loop rate for SECONDS; measure completions and run timings.
    out(`Phase 2: ${RATE} webhooks/s for ${SECONDS} s`);
    const phase2From = new Date();
    const phase2Latencies: number[] = [];
    const total = Math.round(RATE * SECONDS);
    const pgCpu2Before = await postgresCpuSeconds(pgPid);
    const cpu2Before = process.cpuUsage();
    const phase2Start = Date.now();
    const inFlight: Array<Promise<void>> = [];
    for (let i = 0; i < total; i += 1) {
      const due = phase2Start + (i * 1000) / RATE;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      inFlight.push(send().then((latency) => void phase2Latencies.push(latency)));
      if (inFlight.length > 2000) await Promise.all(inFlight.splice(0, 1000));
    }
    await Promise.all(inFlight);
    const phase2End = Date.now();
    const sendSeconds = (phase2End - phase2Start) / 1000;
    const cpu2 = process.cpuUsage(cpu2Before);
    const cpu2Share = (cpu2.user + cpu2.system) / 1e6 / sendSeconds;
    const pgCpu2Share = ((await postgresCpuSeconds(pgPid)) - pgCpu2Before) / sendSeconds;
    // Runs not finished when the offered load stops: a growing backlog means the rate is not sustained.
    const backlog = Number(
      (await pool.query<{ n: string }>(`SELECT count(*) AS n FROM runs WHERE flow_id = $1 AND status IN ('queued', 'running')`, [flow.id])).rows[0]!.n,
    );
    // Completed runs/s: runs that finished inside the sustained window, over the window's length.
    const completedInWindow = Number(
      (await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM runs WHERE flow_id = $1 AND status = 'succeeded' AND finished_at >= $2 AND finished_at <= $3`,
        [flow.id, new Date(phase2Start), new Date(phase2End)],
      )).rows[0]!.n,
    );
    await drain(pool, flow.id);
    const timings = (await pool.query<{ start_ms: number; finish_ms: number }>(
      `SELECT extract(epoch FROM started_at - queued_at) * 1000 AS start_ms, extract(epoch FROM finished_at - queued_at) * 1000 AS finish_ms
         FROM runs WHERE flow_id = $1 AND queued_at >= $2 AND status = 'succeeded'`,
      [flow.id, phase2From],
    )).rows;
    const toStart = timings.map((r) => Number(r.start_ms)).sort((a, b) => a - b);
    const toFinish = timings.map((r) => Number(r.finish_ms)).sort((a, b) => a - b);
    phase2Latencies.sort((a, b) => a - b);

    // Lost / duplicated: what the sink received vs what was accepted (warm-up, phase 1 and phase 2).
    const statuses = (await pool.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM runs WHERE flow_id = $1 GROUP BY status`, [flow.id])).rows;
    let lost = 0;
    let duplicated = 0;
    for (const s of accepted) {
      const n = sink.received.get(s) ?? 0;
      if (n === 0) lost += 1;
      if (n > 1) duplicated += n - 1;
    }
    const unexpected = [...sink.received.keys()].filter((s) => !accepted.has(s)).length;

    const pct = (share: number) => (Number.isNaN(share) ? 'n/a' : `${(share * 100).toFixed(0)} %`);
    out();
    out('| Measure | Result | Target |');
    out('|---|---|---|');
    out(`| Durable webhook accepts/s (${CONCURRENCY} in flight, ${ACCEPTS} webhooks) | ${(ACCEPTS / phase1Seconds).toFixed(0)} | ≥ 1,000 |`);
    out(`| Accept latency p50 / p99 | ${ms(percentile(acceptLatencies, 50))} / ${ms(percentile(acceptLatencies, 99))} | p99 ≤ 25 ms |`);
    out(`| Completed three-step runs/s (${RATE}/s offered for ${SECONDS} s; ${backlog} unfinished at the end) | ${(completedInWindow / sendSeconds).toFixed(0)} | ≥ 300 |`);
    out(`| Accept latency at ${RATE}/s p50 / p99 | ${ms(percentile(phase2Latencies, 50))} / ${ms(percentile(phase2Latencies, 99))} | |`);
    out(`| Accept→start p50 / p99 | ${ms(percentile(toStart, 50))} / ${ms(percentile(toStart, 99))} | p50 ≤ 10 ms |`);
    out(`| Accept→finish p50 / p99 | ${ms(percentile(toFinish, 50))} / ${ms(percentile(toFinish, 99))} | |`);
    out(`| Lost runs / duplicated runs | ${lost} / ${duplicated} | 0 / 0 |`);
    out();
    out(`CPU (share of one core): phase 1 runtime ${pct(cpuShare)}, PostgreSQL ${pct(pgCpuShare)}; phase 2 runtime ${pct(cpu2Share)}, PostgreSQL ${pct(pgCpu2Share)} ` +
      `(the machine has ${os.cpus().length} cores; the bench client runs in the runtime's process). Load average at the end: ${load()}.`);
    out(`CPU per webhook, accept to finished run (phase 1 and its drain): runtime process ${nodeMsPerWebhook.toFixed(2)} ms ` +
      `(${(allCpu.system / 1e3 / ACCEPTS).toFixed(2)} ms of it in the kernel; includes the bench's client and sink), ` +
      `PostgreSQL ${Number.isNaN(pgMsPerWebhook) ? 'n/a' : `${pgMsPerWebhook.toFixed(2)} ms`}.`);
    out(`Accepted ${accepted.size}, refused ${refused}, sink received ${[...sink.received.values()].reduce((a, b) => a + b, 0)} (${unexpected} unknown), ` +
      `phase 2 sent in ${sendSeconds.toFixed(1)} s; runs by status: ${statuses.map((s) => `${s.status} ${s.n}`).join(', ')}.`);
    if (COUNT_SQL) {
      const total1 = [...phase1Statements.values()].reduce((a, b) => a + b, 0);
      out();
      out(`SQL statements in phase 1 (accepts and their runs): ${total1} for ${ACCEPTS} webhooks = ${(total1 / ACCEPTS).toFixed(2)} per webhook. Most frequent:`);
      for (const [text, n] of [...phase1Statements.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
        out(`  ${(n / ACCEPTS).toFixed(2).padStart(6)}  ${text}`);
      }
    }
    if (lost > 0 || duplicated > 0) process.exitCode = 1;
  } finally {
    await pool?.end();
    await braid.close();
    await sink.close();
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
