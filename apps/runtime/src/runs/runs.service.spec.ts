import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { createTestApp, type SignedInUser, type TestApp } from '../../test/test-app.js';
import { RunsService } from './runs.service.js';

describe('RunsService.enqueueRun: a queued run and its job exist iff the transaction commits', () => {
  let t: TestApp;
  let owner: SignedInUser;
  let flowId: string;
  let versionId: string;
  beforeAll(async () => {
    t = await createTestApp();
    owner = await t.signUpOwner();
    const definition = { schemaVersion: 1, name: 'F', direction: 'inbound', trigger: { connector: 'core', trigger: 'manual', config: {} }, start: null, steps: {} };
    flowId = (await t.query<{ id: string }>(`INSERT INTO flows (workspace_id, name, direction, draft) VALUES ($1, 'F', 'inbound', $2) RETURNING id`, [owner.workspace.id, definition]))[0]!.id;
    versionId = (await t.query<{ id: string }>(`INSERT INTO flow_versions (flow_id, workspace_id, version, definition) VALUES ($1, $2, 1, $3) RETURNING id`, [flowId, owner.workspace.id, definition]))[0]!.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('commits run + job together, and leaves nothing behind on rollback', async () => {
    const runs = t.braid.app.get(RunsService);
    const dataSource = t.braid.app.get(DataSource);
    const input = { workspaceId: owner.workspace.id, flowId, flowVersionId: versionId, eventId: null, triggerOutput: { a: 1 }, source: 'manual' as const };
    const { runId } = await dataSource.transaction((manager) => runs.enqueueRun(manager, input));
    const [run] = await t.query<{ status: string; trigger_output: unknown }>('SELECT status, trigger_output FROM runs WHERE id = $1', [runId]);
    expect(run!.trigger_output).toEqual({ a: 1 });
    const jobs = await t.query(`SELECT data FROM pgboss.job WHERE name = 'run.execute' AND data->>'runId' = $1`, [runId]);
    expect(jobs).toHaveLength(1);

    let rolledBackRunId: string | undefined;
    await expect(
      dataSource.transaction(async (manager) => {
        rolledBackRunId = (await runs.enqueueRun(manager, input)).runId;
        throw new Error('caller failed after enqueueing');
      }),
    ).rejects.toThrow('caller failed');
    expect(await t.query('SELECT 1 FROM runs WHERE id = $1', [rolledBackRunId])).toHaveLength(0);
    expect(await t.query(`SELECT 1 FROM pgboss.job WHERE data->>'runId' = $1`, [rolledBackRunId])).toHaveLength(0);
  });

  it('gives an event one live run: enqueueing it again answers the first run and sends no second job', async () => {
    const runs = t.braid.app.get(RunsService);
    const dataSource = t.braid.app.get(DataSource);
    const eventId = '6f0c1a52-3b8e-4c1f-9a57-0d6f2e1b7c44';
    const input = { workspaceId: owner.workspace.id, flowId, flowVersionId: versionId, eventId, triggerOutput: {}, source: 'webhook' as const };
    const [first, second] = await Promise.all([
      dataSource.transaction((manager) => runs.enqueueRun(manager, input)),
      dataSource.transaction((manager) => runs.enqueueRun(manager, input)),
    ]);
    expect(second!.runId).toBe(first!.runId);
    expect([first!.duplicate, second!.duplicate].filter(Boolean)).toHaveLength(1);
    expect(await t.query(`SELECT 1 FROM runs WHERE event_id = $1`, [eventId])).toHaveLength(1);
    expect(await t.query(`SELECT 1 FROM pgboss.job WHERE data->>'runId' = $1`, [first!.runId])).toHaveLength(1);
    // A replay of that run is a run of its own.
    const replay = await dataSource.transaction((manager) => runs.enqueueRun(manager, { ...input, source: 'replay', replayOfRunId: first!.runId }));
    expect(replay.runId).not.toBe(first!.runId);
  });
});

describe('runs API: each run\'s outcome in one line, from what the engine recorded', () => {
  let t: TestApp;
  let owner: SignedInUser;
  let flowId: string;
  let versionId: string;
  const definition = {
    schemaVersion: 1, name: 'Accounts → contacts', direction: 'outbound',
    trigger: { connector: 'core', trigger: 'manual', config: {} },
    start: 'upsert',
    steps: {
      upsert: {
        kind: 'upsertWithLink', id: 'upsert', connector: 'zoho-books', source: { app: 'togai', type: 'account', id: { $expr: '$trigger.id' } },
        target: { type: 'contact' }, create: { action: 'create_contact', input: {}, idPath: 'contact.contact_id' },
      },
    },
  };
  beforeAll(async () => {
    t = await createTestApp();
    owner = await t.signUpOwner();
    flowId = (await t.query<{ id: string }>(`INSERT INTO flows (workspace_id, name, direction, draft) VALUES ($1, 'Accounts → contacts', 'outbound', $2) RETURNING id`, [owner.workspace.id, definition]))[0]!.id;
    versionId = (await t.query<{ id: string }>(`INSERT INTO flow_versions (flow_id, workspace_id, version, definition) VALUES ($1, $2, 1, $3) RETURNING id`, [flowId, owner.workspace.id, definition]))[0]!.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A finished run with its steps, written the way the engine writes them (run.walker / run.executor). */
  const recordRun = async (status: string, output: unknown, error: unknown, steps: Array<{ stepId: string; path: string; status: string; output: unknown }>) => {
    const [run] = await t.query<{ id: string }>(
      `INSERT INTO runs (workspace_id, flow_id, flow_version_id, source, status, mode, trigger_output, output, error, started_at, finished_at)
       VALUES ($1, $2, $3, 'manual', $4, 'live', '{}'::jsonb, $5::jsonb, $6::jsonb, now(), now()) RETURNING id`,
      [owner.workspace.id, flowId, versionId, status, JSON.stringify(output), error ? JSON.stringify(error) : null],
    );
    let seq = 0;
    for (const step of steps) {
      await t.query(
        `INSERT INTO run_steps (run_id, workspace_id, step_id, path, seq, status, input, output, attempts, finished_at) VALUES ($1, $2, $3, $4, $5, $6, '{}'::jsonb, $7::jsonb, 1, now())`,
        [run!.id, owner.workspace.id, step.stepId, step.path, seq++, step.status, JSON.stringify(step.output)],
      );
    }
    return run!.id;
  };

  it('lists created / skipped-echo / failed runs with their summary, and the detail says the same', async () => {
    const created = await recordRun('succeeded', { path: 'created', sourceId: 'A-1', targetId: '4600000123', result: { contact: { contact_id: '4600000123' } } }, null, [
      { stepId: 'upsert', path: 'upsert', status: 'succeeded', output: { path: 'created', sourceId: 'A-1', targetId: '4600000123', result: { contact: { contact_id: '4600000123' } } } },
    ]);
    const echoMessage = `skipped: echo of run ${created}`;
    const echo = await recordRun('succeeded', { stopped: true, path: 'skipped', reason: 'echo', sourceId: 'A-1', targetId: '4600000123', echoOfRunId: created, message: echoMessage }, null, [
      { stepId: 'upsert', path: 'upsert', status: 'succeeded', output: { path: 'skipped', reason: 'echo', sourceId: 'A-1', targetId: '4600000123', echoOfRunId: created, message: echoMessage } },
    ]);
    const failed = await recordRun('failed', null, { code: 'UPSTREAM_UNAVAILABLE', message: 'Zoho Books is unavailable (503); try again later.', stepId: 'upsert' }, [
      { stepId: 'upsert', path: 'upsert', status: 'failed', output: null },
    ]);
    const looped = await recordRun('succeeded', null, null, [
      ...['0', '1', '2'].map((i) => ({ stepId: 'upsert', path: `each[${i}]/upsert`, status: 'succeeded', output: { path: 'created', sourceId: `A-${i}`, targetId: `46${i}`, result: {} } })),
      { stepId: 'upsert', path: 'each[3]/upsert', status: 'succeeded', output: { path: 'linked', sourceId: 'A-3', targetId: '463', result: { ok: true } } },
      { stepId: 'upsert', path: 'each[4]/upsert', status: 'succeeded', output: { path: 'linked', sourceId: 'A-4', targetId: '464', result: null } },
    ]);

    const list = await owner.client.get(`/api/v1/workspaces/${owner.workspace.id}/runs`);
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    const summaryOf = new Map((list.body.runs as Array<{ id: string; summary: string | null }>).map((run) => [run.id, run.summary]));
    expect(summaryOf.get(created)).toBe('created contact 4600000123');
    expect(summaryOf.get(echo)).toBe(echoMessage);
    expect(summaryOf.get(failed)).toBe('failed at upsert: Zoho Books is unavailable (503); try again later.');
    expect(summaryOf.get(looped)).toBe('created 3 contacts, updated 1 contact, linked 1 contact');
    const detail = await owner.client.get(`/api/v1/workspaces/${owner.workspace.id}/runs/${echo}`);
    expect(detail.status).toBe(200);
    expect(detail.body.summary).toBe(echoMessage);
  });
});
