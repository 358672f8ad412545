import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configVariables } from './config.schema.js';
import { repoRoot } from './config.service.js';

describe('README configuration table', () => {
  it('documents every environment variable the runtime reads', () => {
    const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    for (const variable of configVariables) expect(readme).toContain(`| \`${variable.name}\` |`);
  });
});
