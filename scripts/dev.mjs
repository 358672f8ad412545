#!/usr/bin/env node
// `pnpm dev`: after a full build, keeps the runtime and the editor rebuilding on change:
//   - tsc --watch recompiles apps/runtime into dist/,
//   - node --watch restarts the runtime when its compiled files change (graceful: SIGTERM, embedded PostgreSQL stops),
//   - vite build --watch rebuilds apps/editor/dist, which the runtime serves at /.
// Ctrl-C stops all three.
import { spawn } from 'node:child_process';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runtime = path.join(root, 'apps/runtime');
const editor = path.join(root, 'apps/editor');

const children = [
  spawn('pnpm', ['exec', 'tsc', '-p', 'tsconfig.build.json', '--watch', '--preserveWatchOutput'], { cwd: runtime, stdio: ['ignore', 'inherit', 'inherit'] }),
  spawn('pnpm', ['exec', 'vite', 'build', '--watch', '--logLevel', 'warn'], { cwd: editor, stdio: ['ignore', 'inherit', 'inherit'] }),
  spawn(process.execPath, ['--watch', 'dist/main.js'], { cwd: runtime, stdio: 'inherit' }),
];

let stopping = false;
function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll('SIGTERM'));
for (const child of children) {
  child.on('exit', (code) => {
    if (!stopping) {
      process.stderr.write(`dev: ${child.spawnargs.join(' ')} exited (${code}); stopping the others.\n`);
      stopAll('SIGTERM');
    }
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(code ?? 0);
  });
}
