import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/test-app.js';
import { buildOpenApiDocument, serialiseOpenApi } from './openapi.document.js';
import { generateOpenApi, openApiFile } from './openapi.write.js';

describe('OpenAPI document', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('matches the committed apps/runtime/openapi.json (regenerate: pnpm --filter @braid/runtime openapi)', async () => {
    const committed = await fs.readFile(openApiFile, 'utf8');
    const generated = serialiseOpenApi(buildOpenApiDocument(t.braid.app));
    expect(generated).toBe(committed);
  });

  it('is the same document the regeneration script writes', async () => {
    expect(await generateOpenApi()).toBe(serialiseOpenApi(buildOpenApiDocument(t.braid.app)));
  });

  it('marks authenticated routes and leaves public ones open', () => {
    const document = buildOpenApiDocument(t.braid.app);
    expect(document.paths['/api/v1/me']?.get?.security).toEqual([{ token: [] }, { session: [] }]);
    expect(document.paths['/api/v1/auth/login']?.post?.security).toBeUndefined();
  });

  it('declares every path parameter (e.g. workspaceId from @CurrentWorkspace())', () => {
    const document = buildOpenApiDocument(t.braid.app);
    const undeclared: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      const needed = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      for (const [method, operation] of Object.entries(operations as Record<string, { parameters?: { name: string; in: string }[] }>)) {
        const declared = new Set((operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name));
        for (const name of needed) if (!declared.has(name as string)) undeclared.push(`${method} ${path}: ${name}`);
      }
    }
    expect(undeclared).toEqual([]);
  });
});
