import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxAdmin } from '../../../sandbox/src/test-support/index.js';
import { type ConnectionsHarness, connectViaOAuth, runBooksStep, startConnectionsHarness, tokenRequests } from './test-support/connections.fixtures.js';
import type { SecondProcessOrders } from './test-support/second-process.worker.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const runtimeRoot = path.resolve(here, '../..');
const vitestCli = path.join(path.dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');

async function waitForFile(file: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fs.readFile(file, 'utf8');
    } catch {
      if (Date.now() > deadline) throw new Error(`no ${file} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

describe('token renewal across two runtime processes', () => {
  let h: ConnectionsHarness;
  let dir: string;

  beforeAll(async () => {
    h = await startConnectionsHarness({}, { limits: { books: { requestsPerMinutePerOrg: 100_000 } } });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'braid-two-processes-'));
  });
  afterAll(async () => {
    await h?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('50 concurrent calls (25 in this process, 25 in another OS process) with a rejected token: one refresh', async () => {
    const workspaceId = h.owner.workspace.id;
    const connectionId = await connectViaOAuth(h, { name: 'Acme Books' });
    await h.owner.client.patch(`${h.base}/${connectionId}`).send({ settings: { organizationId: '10234695' } });
    await runBooksStep(h.t.braid.app, workspaceId, connectionId);

    const orders: SecondProcessOrders = {
      env: {
        DATABASE_URL: h.t.config.databaseUrl as string,
        BRAID_SANDBOX: 'off',
        BRAID_SANDBOX_URL: h.sandbox.url,
        BRAID_ENCRYPTION_KEY: h.t.config.encryption.key as string,
        BRAID_LOG_LEVEL: 'info',
      },
      workspaceId,
      connectionId,
      calls: 25,
      readyFile: path.join(dir, 'ready'),
      goFile: path.join(dir, 'go'),
      resultFile: path.join(dir, 'result.json'),
    };
    const child = spawn(
      process.execPath,
      [vitestCli, 'run', '--config', path.join(here, 'test-support/second-process.vitest.config.mjs')],
      { cwd: runtimeRoot, env: { ...process.env, BRAID_SECOND_PROCESS_ORDERS: JSON.stringify(orders) }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const childPid = Number(await waitForFile(orders.readyFile, 60_000));
      expect(childPid).not.toBe(process.pid);

      await sandboxAdmin(h.sandbox.url).expireAccessTokens();
      await sandboxAdmin(h.sandbox.url).clearCalls();
      await fs.writeFile(`${orders.goFile}.tmp`, 'go');
      await fs.rename(`${orders.goFile}.tmp`, orders.goFile);
      const mine = await Promise.allSettled(Array.from({ length: 25 }, () => runBooksStep(h.t.braid.app, workspaceId, connectionId)));
      const theirs = JSON.parse(await waitForFile(orders.resultFile, 60_000)) as { pid: number; ok: number; errors: string[]; logs: string[] };

      expect(mine.filter((r) => r.status === 'fulfilled')).toHaveLength(25);
      expect(theirs).toMatchObject({ pid: childPid, ok: 25, errors: [] });
      expect(await tokenRequests(h.sandbox.url)).toBe(1);
      const renewedBy = [...h.t.logs, ...theirs.logs].filter((line) => line.includes('Renewed the access token'));
      expect(renewedBy).toHaveLength(1);
    } finally {
      if ((await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('running'), 30_000))])) === 'running') child.kill();
    }
    expect(await exited, output.slice(-2000)).toBe(0);
  });
});
