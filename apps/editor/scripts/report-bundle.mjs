// Prints the gzipped size of the JavaScript the editor loads first (index.html's entry and everything it
// imports statically), and of every lazy chunk; fails when the initial JavaScript is over the budget.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = Number(process.env.BRAID_EDITOR_BUDGET_KB ?? 500);
const dist = new URL('../dist/', import.meta.url).pathname;
const html = readFileSync(join(dist, 'index.html'), 'utf8');

const gz = (file) => gzipSync(readFileSync(join(dist, file))).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

// Entry scripts and modulepreloads in index.html, then static imports inside them (transitively).
const initial = new Set([...html.matchAll(/(?:src|href)="\/?(assets\/[^"]+\.js)"/g)].map((m) => m[1]));
const queue = [...initial];
while (queue.length) {
  const file = queue.pop();
  const code = readFileSync(join(dist, file), 'utf8');
  for (const m of code.matchAll(/(?:^|[;\n}])\s*import\s*(?:[\w*{}\s,$]+from\s*)?["']\.\/([^"']+\.js)["']/g)) {
    const dep = `assets/${m[1]}`;
    if (!initial.has(dep)) {
      initial.add(dep);
      queue.push(dep);
    }
  }
}

const all = readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js')).map((f) => `assets/${f}`);
const initialBytes = [...initial].reduce((sum, f) => sum + gz(f), 0);
const lazy = all.filter((f) => !initial.has(f)).map((f) => [f, gz(f)]).sort((a, b) => b[1] - a[1]);

console.log('\nEditor bundle (gzipped):');
for (const f of initial) console.log(`  initial  ${kb(gz(f)).padStart(9)}  ${f}`);
for (const [f, size] of lazy.slice(0, 12)) console.log(`  lazy     ${kb(size).padStart(9)}  ${f}`);
if (lazy.length > 12) console.log(`  … ${lazy.length - 12} smaller lazy chunks`);
console.log(`Initial JavaScript: ${kb(initialBytes)} gzipped (budget ${BUDGET_KB} KB); lazy chunks: ${kb(lazy.reduce((s, [, b]) => s + b, 0))}`);
if (initialBytes > BUDGET_KB * 1024) {
  console.error(`The initial JavaScript is over the ${BUDGET_KB} KB budget: move heavy imports behind lazy() / import().`);
  process.exit(1);
}
