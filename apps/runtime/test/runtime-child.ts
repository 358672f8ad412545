// The runtime as a separate process (the built dist/main.js, as in production) on its own database of the shared
// embedded PostgreSQL: for tests that kill it for real (SIGKILL) and start it again on the same data.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const runtimeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The newest modification time (ms) of the files under `dir`. */
async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, (await fs.stat(path.join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/**
 * Builds dist/ from the working tree unless it is newer than every source file. Test files run in parallel, so the
 * build takes a lock directory: two tsc runs writing the same dist/ would let a child start on half-written files.
 * tsc emits even when it reports type errors (another feature's work in progress must not block a crash test); a
 * missing entry point is what fails.
 */
export async function buildRuntime(): Promise<void> {
  const lock = path.join(runtimeDir, '.dist-build.lock');
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      await fs.mkdir(lock);
      break;
    } catch {
      const stale = await fs.stat(lock).then((s) => Date.now() - s.mtimeMs > 240_000, () => false);
      if (stale) await fs.rm(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for another test's build of dist/ (${lock})`);
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    const entry = path.join(runtimeDir, 'dist/main.js');
    const fresh = existsSync(entry) && (await fs.stat(entry)).mtimeMs > (await newestMtime(path.join(runtimeDir, 'src')));
    if (fresh) return;
    const built = await promisify(execFile)(process.execPath, [path.join(runtimeDir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: runtimeDir, timeout: 180_000 })
      .then(() => true, (error: { stdout?: string }) => error.stdout ?? false);
    if (built !== true && !existsSync(entry)) throw new Error(`building the runtime failed: ${String(built)}`);
  } finally {
    await fs.rm(lock, { recursive: true, force: true });
  }
}

export interface RuntimeChild {
  process: ChildProcess;
  url: string;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
}

/** Starts dist/main.js on `port` and waits until /readyz answers. The log lines are appended to `log`. */
export async function startRuntimeChild(options: { databaseUrl: string; port: number; env: Record<string, string>; log: string[] }): Promise<RuntimeChild> {
  const proc = spawn(process.execPath, ['dist/main.js'], {
    cwd: runtimeDir,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: options.databaseUrl,
      PORT: String(options.port),
      HOST: '127.0.0.1',
      BRAID_SANDBOX: 'off',
      BRAID_LOG_LEVEL: 'warn',
      BRAID_ALLOWED_PRIVATE_HOSTS: '127.0.0.1',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout?.on('data', (chunk: Buffer) => options.log.push(chunk.toString()));
  proc.stderr?.on('data', (chunk: Buffer) => options.log.push(chunk.toString()));
  const url = `http://127.0.0.1:${options.port}`;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  try {
    await waitUntil('the runtime to be ready', async () => proc.exitCode === null && (await fetch(`${url}/readyz`)).ok, 90_000, 200);
  } catch (error) {
    proc.kill('SIGKILL');
    throw new Error(`${(error as Error).message}; runtime log: ${options.log.join('').slice(-3000)}`);
  }
  return {
    process: proc,
    url,
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}
