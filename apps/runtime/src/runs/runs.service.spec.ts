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
