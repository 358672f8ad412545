import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedInUser, type TestApp } from '../../test/test-app.js';
import { flowDefinition } from '../triggers/test-support/triggers.fixtures.js';
import { runCli } from './braid.cli.js';
import { flowSlug, parseArgs } from './flows.commands.js';

describe('pnpm braid flows export/import, runs replay-failed', () => {
  let t: TestApp;
  let owner: SignedInUser;
  let ws: string;
  let dir: string;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await t.signUpOwner();
    ws = owner.workspace.id;
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'braid-cli-'));
  });
  afterAll(async () => {
    await t?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  const env = () => ({
    DATABASE_URL: t.config.databaseUrl as string,
    BRAID_SANDBOX: 'off',
    BRAID_ENCRYPTION_KEY: t.config.encryption.key as string,
  });
  const cli = async (...argv: string[]) => {
    const lines: string[] = [];
    const code = await runCli(argv, env(), (line) => lines.push(line));
    return { code, lines, text: lines.join('\n') };
  };
  const createFlow = async (name: string) => {
    const definition = flowDefinition(
      { connector: 'core', trigger: 'manual', config: {} },
      [{ kind: 'map', id: 'shape', output: { order: { $expr: '$trigger.orderId' } } }],
      name,
    );
    const created = await owner.client.post(`/api/v1/workspaces/${ws}/flows`).send({ definition });
    if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
    return created.body.id as string;
  };

  it('parses options and names files after flows', () => {
    expect(parseArgs(['--workspace', 'w', '--id', 'a', '--id=b', '--all', 'x.json'], ['all'])).toEqual({
      options: { workspace: ['w'], id: ['a', 'b'], all: ['true'] },
      positional: ['x.json'],
    });
    expect(flowSlug('Togai → Books: Invoices (EU)')).toBe('togai-books-invoices-eu');
    expect(flowSlug('***')).toBe('flow');
  });

  it('exports every flow as one JSON file, and imports them (new flows elsewhere, draft updates here)', async () => {
    const first = await createFlow('Orders to billing');
    const second = await createFlow('Orders to billing'); // same name: distinct file names
    const exported = await cli('flows', 'export', '--workspace', ws, '--all', '--output', dir);
    expect(exported.code).toBe(0);
    const files = (await fs.readdir(dir)).sort();
    expect(files).toEqual(['orders-to-billing-2.flow.json', 'orders-to-billing.flow.json']);
    const document = JSON.parse(await fs.readFile(path.join(dir, 'orders-to-billing.flow.json'), 'utf8'));
    expect(document).toMatchObject({ format: 'braid-flow', formatVersion: 1, name: 'Orders to billing', definition: { steps: { shape: { kind: 'map' } } } });
    expect([first, second]).toContain(document.id);

    // Only one, by id.
    const single = await fs.mkdtemp(path.join(os.tmpdir(), 'braid-cli-one-'));
    expect((await cli('flows', 'export', '--workspace', ws, '--id', second, '--output', single)).code).toBe(0);
    expect(await fs.readdir(single)).toEqual(['orders-to-billing.flow.json']);
    await fs.rm(single, { recursive: true, force: true });

    // Into another workspace: new flows.
    const other = await t.signUpUser();
    const files2 = files.map((f) => path.join(dir, f));
    const imported = await cli('flows', 'import', '--workspace', other.workspace.id, ...files2);
    expect(imported.code).toBe(0);
    expect(imported.lines.filter((l) => l.includes('created flow'))).toHaveLength(2);
    const listed = await other.client.get(`/api/v1/workspaces/${other.workspace.id}/flows`);
    expect(listed.body.flows.map((f: { name: string }) => f.name)).toEqual(['Orders to billing', 'Orders to billing']);

    // Edited in Git and imported back here: the same flow's draft changes.
    document.definition.name = 'Orders to billing (v2)';
    document.definition.steps.shape.output = { order: { $expr: '$trigger.orderId' }, v: 2 };
    const edited = path.join(dir, 'orders-to-billing.flow.json');
    await fs.writeFile(edited, JSON.stringify(document));
    const updated = await cli('flows', 'import', '--workspace', ws, edited);
    expect(updated.code).toBe(0);
    expect(updated.text).toContain(`updated the draft of flow ${document.id}`);
    const flow = await owner.client.get(`/api/v1/workspaces/${ws}/flows/${document.id}`);
    expect(flow.body.name).toBe('Orders to billing (v2)');

    // A broken file is reported with where it is wrong; nothing else fails.
    const broken = path.join(dir, 'broken.flow.json');
    await fs.writeFile(broken, JSON.stringify({ ...document, id: undefined, definition: { ...document.definition, steps: 'none' } }));
    const refused = await cli('flows', 'import', '--workspace', ws, broken);
    expect(refused.code).toBe(1);
    expect(refused.text).toContain('broken.flow.json:');
  });

  it('explains its usage', async () => {
    expect((await cli('flows', 'export', '--workspace', ws)).text).toContain('Give either --all or one or more --id');
    expect((await cli('flows', 'import', '--workspace', 'nope', 'x.json')).code).toBe(2);
    expect((await cli('runs', 'replay-failed', '--workspace', ws)).text).toContain('--flow is required');
    expect((await cli('help')).text).toMatch(/flows\s+Export flows/);
  });

  it('replays the failed runs of a flow within a time window', async () => {
    const flowId = await createFlow('Replayed');
    expect((await owner.client.post(`/api/v1/workspaces/${ws}/flows/${flowId}/publish`).send({})).status).toBe(200);
    const [flow] = await t.query<{ published_version_id: string }>(`SELECT published_version_id FROM flows WHERE id = $1`, [flowId]);
    const insert = (status: string, queuedAt: string) =>
      t.query<{ id: string }>(
        `INSERT INTO runs (workspace_id, flow_id, flow_version_id, source, status, trigger_output, queued_at, finished_at)
         VALUES ($1, $2, $3, 'manual', $4, '{"orderId":"SO-1"}'::jsonb, $5, $5) RETURNING id`,
        [ws, flowId, flow!.published_version_id, status, queuedAt],
      );
    const [inWindow] = await insert('failed', '2026-01-10T10:00:00Z');
    await insert('failed', '2026-01-20T10:00:00Z'); // outside the window
    await insert('succeeded', '2026-01-10T11:00:00Z');
    const result = await cli('runs', 'replay-failed', '--workspace', ws, '--flow', flowId, '--from', '2026-01-01T00:00:00Z', '--to', '2026-01-15T00:00:00Z');
    expect(result.code).toBe(0);
    expect(result.text).toContain('Queued 1 replay(s)');
    const replays = await t.query<{ replay_of_run_id: string; source: string }>(`SELECT replay_of_run_id, source FROM runs WHERE flow_id = $1 AND source = 'replay'`, [flowId]);
    expect(replays).toEqual([{ replay_of_run_id: inWindow!.id, source: 'replay' }]);
  });
});
