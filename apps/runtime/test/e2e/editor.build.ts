import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const editorDir = path.join(repoRoot, 'apps/editor');

/** Newest modification time of the files under `target` (a file or a folder; node_modules and dist skipped). */
function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(target)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

/** True when apps/editor/dist/index.html is missing or older than what the editor bundle is built from. */
export function editorBuildIsStale(): boolean {
  const index = path.join(editorDir, 'dist/index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  const inputs = [
    path.join(editorDir, 'src'),
    path.join(editorDir, 'index.html'),
    path.join(editorDir, 'vite.config.ts'),
    path.join(editorDir, 'package.json'),
    // the editor bundles flow-model's build output
    path.join(repoRoot, 'packages/flow-model/src'),
  ];
  return inputs.some((input) => newestMtime(input) > built);
}

/**
 * Builds the editor (`pnpm --filter @braid/editor build`) when its dist is missing or stale, so the runtime under
 * test serves the current editor. CI runs `pnpm build` first, so there this is a no-op.
 */
export function ensureEditorBuilt(): { built: boolean; ms: number } {
  if (!editorBuildIsStale()) return { built: false, ms: 0 };
  const started = Date.now();
  // Not the test worker's environment: NODE_ENV=test (and vitest's variables) would make Vite bundle React's
  // development JSX runtime, which the production build does not define.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_ENV' && !name.startsWith('VITEST') && name !== 'TEST'));
  const result = spawnSync('pnpm', ['--filter', '@braid/flow-model', '--filter', '@braid/editor', 'build'], {
    cwd: repoRoot,
    env: { ...env, NODE_ENV: 'production' },
    encoding: 'utf8',
    timeout: 240_000,
  });
  if (result.status !== 0) {
    throw new Error(`Building the editor failed (pnpm --filter @braid/editor build):\n${(result.stdout ?? '').slice(-3000)}\n${(result.stderr ?? '').slice(-3000)}`);
  }
  return { built: true, ms: Date.now() - started };
}

/**
 * A private copy of the built editor for one test run, so a rebuild of apps/editor/dist by someone else while the
 * tests run (asset names change) cannot break the pages the browser loads. `remove()` deletes it.
 */
export function copyEditorBuild(from = path.join(editorDir, 'dist')): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'braid-e2e-editor-'));
  cpSync(from, dir, { recursive: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
