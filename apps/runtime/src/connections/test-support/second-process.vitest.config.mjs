// Vitest config that runs only the second-runtime worker (spawned as a separate OS process by
// connections.processes.spec.ts). Same compiler and aliases as apps/runtime/vitest.config.ts.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';
import { workspaceAliases } from '../../../../../vitest.shared.ts';

const runtimeRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export default defineConfig({
  root: runtimeRoot,
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: { alias: workspaceAliases },
  test: {
    include: ['src/connections/test-support/second-process.worker.ts'],
    testTimeout: 60_000,
    maxWorkers: 1,
  },
});
