// Runs inside a second OS process (see connections.processes.spec.ts): a whole runtime on the same database,
// which warms its token cache, waits for the go signal, then makes its share of the concurrent calls.
import fs from 'node:fs/promises';
import { it } from 'vitest';
import { createBraidApp } from '../../bootstrap.js';
import { loadConfig } from '../../config/config.service.js';
import { registerTestConnectors, runBooksStep } from './connections.fixtures.js';

export interface SecondProcessOrders {
  env: Record<string, string>;
  workspaceId: string;
  connectionId: string;
  calls: number;
  readyFile: string;
  goFile: string;
  resultFile: string;
}

/** Written whole or not at all (the other process polls for it). */
async function writeAtomically(file: string, content: string): Promise<void> {
  await fs.writeFile(`${file}.tmp`, content);
  await fs.rename(`${file}.tmp`, file);
}

async function waitForFile(file: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fs.access(file);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`no ${file} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

it('second runtime process', async () => {
  const orders = JSON.parse(process.env.BRAID_SECOND_PROCESS_ORDERS as string) as SecondProcessOrders;
  const logs: string[] = [];
  const braid = await createBraidApp(loadConfig(orders.env), { logDestination: { write: (line: string) => void logs.push(line) } });
  try {
    await braid.app.init();
    registerTestConnectors(braid.app);
    await runBooksStep(braid.app, orders.workspaceId, orders.connectionId);
    await writeAtomically(orders.readyFile, String(process.pid));
    await waitForFile(orders.goFile, 30_000);
    const results = await Promise.allSettled(Array.from({ length: orders.calls }, () => runBooksStep(braid.app, orders.workspaceId, orders.connectionId)));
    const errors = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String((r.reason as Error).message));
    await writeAtomically(orders.resultFile, JSON.stringify({ pid: process.pid, ok: results.length - errors.length, errors, logs }));
  } finally {
    await braid.close();
  }
});
