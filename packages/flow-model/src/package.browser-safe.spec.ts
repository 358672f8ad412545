// The editor bundles this package for the browser: its shipped sources may import only these packages and
// must not touch Node-only APIs.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = dirname(fileURLToPath(import.meta.url));
const allowedPackages = new Set(['ajv/dist/2020.js', 'ajv-formats', 'jsonata']);
const shipped = readdirSync(srcDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));

describe('shipped sources', () => {
  it.each(shipped)('%s imports only browser-safe modules', (file) => {
    const text = readFileSync(join(srcDir, file), 'utf8');
    const specifiers = [...text.matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'/g)].map((m) => m[1]!);
    const foreign = specifiers.filter((s) => !s.startsWith('./') && !allowedPackages.has(s));
    expect(foreign).toEqual([]);
    expect(text).not.toMatch(/\b(process\.|Buffer\b|require\(|__dirname|eval\(|new Function\b)/);
  });
});
