import { startSandbox, type RunningSandbox } from '@braid/sandbox';
import { sandboxAdmin, type SandboxAdmin } from '../../../sandbox/src/test-support/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedInUser, type TestApp } from '../../test/test-app.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { RunsRetention } from './runs.retention.js';
import { allowLoopback, createPublishedFlow, flowDefinition, httpStep, type Json, startRun, waitFor, waitForRun } from './test-support/engine.fixtures.js';

describe('run engine: durable runs on pg-boss, recorded steps, retries, cancel, replay, links, retention', () => {
  let t: TestApp;
  let sandbox: RunningSandbox;
  let admin: SandboxAdmin;
  let owner: SignedInUser;
  let other: SignedInUser;
  let ws: string;
  const bin = (name: string) => `${sandbox.url}/bin/${name}`;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    admin = sandboxAdmin(sandbox.url);
    t = await createTestApp();
    allowLoopback(t, { leaseMs: 1500, maxInProcessRetryWaitMs: 2000 });
    owner = await t.signUpOwner();
    other = await t.signUpUser();
    ws = owner.workspace.id;
  });
  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  it('runs map → HTTP request and records each step with input, output, attempts and timing', async () => {
    const flowId = await createPublishedFlow(owner.client, ws, flowDefinition({
      shape: { kind: 'map', id: 'shape', output: { name: { $expr: '$uppercase($trigger.name)' } }, next: 'post_bin' },
      post_bin: httpStep('post_bin', bin('basic'), { marker: { $expr: '$trigger.marker' }, name: { $expr: '$steps.shape.name' } }),
    }, 'shape'));
    const runId = await startRun(t, ws, flowId, { marker: 'm-basic', name: 'acme' });
    const run = await waitForRun(owner.client, ws, runId);
    expect(run).toMatchObject({ status: 'succeeded', flowId, version: 1, mode: 'live', triggerOutput: { marker: 'm-basic', name: 'acme' } });
    const steps = run.steps as Json[];
    expect(steps.map((s) => [s.path, s.status, s.attempts])).toEqual([['shape', 'succeeded', 1], ['post_bin', 'succeeded', 1]]);
    expect(steps[0]!.output).toEqual({ name: 'ACME' });
    expect(steps[1]!.input).toMatchObject({ method: 'POST', body: { marker: 'm-basic', name: 'ACME' } });
    expect(steps[1]!.output).toMatchObject({ status: 200 });
    expect(typeof steps[1]!.durationMs).toBe('number');
    const received = await admin.binRequests('basic');
    expect(received.map((r) => r.json)).toEqual([{ marker: 'm-basic', name: 'ACME' }]);
    const metrics = (await t.braid.app.get(MetricsService).render()).body;
    expect(metrics).toContain(`braid_runs_started_total{flow_id="${flowId}"} 1`);
    expect(metrics).toContain(`braid_runs_finished_total{flow_id="${flowId}",status="succeeded"} 1`);
    expect(metrics).toMatch(/braid_step_duration_seconds_count\{connector="core",action="http_request"\} [1-9]/);

    const list = await owner.client.get(`/api/v1/workspaces/${ws}/runs?flowId=${flowId}&status=succeeded`).expect(200);
    expect(list.body.runs.map((r: Json) => r.id)).toEqual([runId]);
    expect((await owner.client.get(`/api/v1/workspaces/${ws}/runs?status=failed&flowId=${flowId}`)).body.runs).toEqual([]);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await owner.client.get(`/api/v1/workspaces/${ws}/runs?from=${encodeURIComponent(future)}`)).body.runs).toEqual([]);
    expect((await owner.client.get(`/api/v1/workspaces/${ws}/runs?status=bogus`)).status).toBe(400);
  });

  it('keeps secrets typed into a step (writeOnly fields) out of the run record', async () => {
    const flowId = await createPublishedFlow(owner.client, ws, flowDefinition({
      call: httpStep('call', bin('auth'), { a: 1 }, {}),
    }, 'call'));
    await owner.client.patch(`/api/v1/workspaces/${ws}/flows/${flowId}/draft`).send({
      baseRevision: 1,
      edits: [{ type: 'updateInput', stepId: 'call', path: '/auth', value: { type: 'bearer', token: 'secret-token-123' } }],
    }).expect(200);
    await owner.client.post(`/api/v1/workspaces/${ws}/flows/${flowId}/publish`).send({}).expect(200);
    const run = await waitForRun(owner.client, ws, await startRun(t, ws, flowId, {}));
    expect(run.status).toBe('succeeded');
    expect((run.steps as Json[])[0]!.input).toMatchObject({ auth: { type: 'bearer', token: '[redacted]' } });
    expect(JSON.stringify(run)).not.toContain('secret-token-123');
    expect((await admin.binRequests('auth'))[0]!.headers.authorization).toBe('Bearer secret-token-123');
    const exported = await owner.client.get(`/api/v1/workspaces/${ws}/flows/${flowId}/export`).expect(200);
    expect(exported.body.definition.steps.call.input.auth).toEqual({ type: 'bearer', token: '[redacted]' });
  });

  it('records branch choices and every for-each iteration under its own path', async () => {
    const flowId = await createPublishedFlow(owner.client, ws, flowDefinition({
      lines: { kind: 'forEach', id: 'lines', items: { $expr: '$trigger.items' }, bodyStart: 'size', next: 'summary' },
      size: {
        kind: 'branch', id: 'size',
        branches: [{ id: 'big', label: 'Big', condition: { $expr: '$item.qty > 1' }, start: 'big_line' }],
        else: { start: 'small_line' },
      },
      big_line: { kind: 'map', id: 'big_line', output: { sku: { $expr: '$item.sku' }, n: { $expr: '$index' } } },
      small_line: { kind: 'map', id: 'small_line', output: { sku: { $expr: '$item.sku' } } },
      summary: { kind: 'map', id: 'summary', output: { count: { $expr: '$steps.lines.count' } } },
    }, 'lines'));
    const runId = await startRun(t, ws, flowId, { items: [{ sku: 'a', qty: 3 }, { sku: 'b', qty: 1 }] });
    const run = await waitForRun(owner.client, ws, runId);
    expect(run.status).toBe('succeeded');
    const byPath = Object.fromEntries((run.steps as Json[]).map((s) => [s.path, s]));
    expect(Object.keys(byPath).sort()).toEqual(['lines', 'lines[0]/big_line', 'lines[0]/size', 'lines[1]/size', 'lines[1]/small_line', 'summary']);
    expect(byPath['lines[0]/size']!.output).toEqual({ branchId: 'big', label: 'Big' });
    expect(byPath['lines[1]/size']!.output).toEqual({ branchId: null, label: 'else' });
    expect(byPath['lines[0]/big_line']!.output).toEqual({ sku: 'a', n: 0 });
    expect(byPath['summary']!.output).toEqual({ count: 2 });
    expect(run.output).toEqual({ count: 2 });
  });

  it('retries a 500 from the sandbox per the step policy and succeeds on the 200', async () => {
    await admin.armFault({ service: 'bin', kind: 'server-error', count: 1, pathContains: '/flaky' });
    const flowId = await createPublishedFlow(owner.client, ws, flowDefinition({
      call: httpStep('call', bin('flaky'), { marker: { $expr: '$trigger.marker' } }, { retry: { maxAttempts: 3, backoff: 'fixed', delayMs: 50 } }),
    }, 'call'));
    const runId = await startRun(t, ws, flowId, { marker: 'm-flaky' });
    const run = await waitForRun(owner.client, ws, runId);
    expect(run.status).toBe('succeeded');
    expect((run.steps as Json[])[0]).toMatchObject({ path: 'call', status: 'succeeded', attempts: 2 });
    // The failed attempt was answered by the fault, the second one reached the bin.
    expect((await admin.binRequests('flaky')).map((r) => r.json)).toEqual([{ marker: 'm-flaky' }]);
  });

  it('honours Retry-After: a 429 wait longer than a worker holds a run re-schedules it, and the same step resumes', async () => {
    const settings = allowLoopback(t);
    settings.maxInProcessRetryWaitMs = 500;
    try {
      // The HTTP client retries 429s itself (4 attempts, sleeping Retry-After); the 5th call is the engine's retry.
      await admin.armFault({ service: 'bin', kind: 'rate-limit', count: 4, retryAfterSeconds: 1, pathContains: '/throttled' });
      const flowId = await createPublishedFlow(owner.client, ws, flowDefinition({ call: httpStep('call', bin('throttled'), { marker: 'throttled' }) }, 'call'));
      const runId = await startRun(t, ws, flowId, {});
      const waiting = await waitFor('the run to be re-scheduled', async () => {
        const [row] = await t.query<{ resume_at: Date | null; lease_owner: string | null; status: string }>(`SELECT resume_at, lease_owner, status FROM runs WHERE id = $1`, [runId]);
        return row?.resume_at ? row : undefined;
      }, 15_000);
      expect(waiting).toMatchObject({ status: 'running', lease_owner: null });
      const run = await waitForRun(owner.client, ws, runId);
      expect(run.status).toBe('succeeded');
      expect((run.steps as Json[])[0]).toMatchObject({ status: 'succeeded', attempts: 2 });
      expect((await admin.binRequests('throttled')).map((r) => r.json)).toEqual([{ marker: 'throttled' }]);
    } finally {
      settings.maxInProcessRetryWaitMs = 2000;
    }
  });

  it('does not retry a failed non-idempotent POST without a retry policy (it may have been processed)', async () => {
    await admin.armFault({ service: 'bin', kind: 'server-error', count: 1, pathContains: '/once' });
    const flowId = await createPublishedFlow(owner.client, ws, flowDefinition({ call: httpStep('call', bin('once'), { a: 1 }) }, 'call'));
    const run = await waitForRun(owner.client, ws, await startRun(t, ws, flowId, {}));
    expect(run).toMatchObject({ status: 'failed', error: { code: 'RETRYABLE', stepId: 'call' } });
    expect((run.steps as Json[])[0]).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('goes on after a failing step marked continueOnError, with the error as its output', async () => {
    await admin.setBinStatus('rejecting', 422);
    const flowId = await createPublishedFlow(owner.client, ws, flowDefinition({
      call: httpStep('call', bin('rejecting'), { a: 1 }, { continueOnError: true, next: 'after' }),
      after: { kind: 'map', id: 'after', output: { failedWith: { $expr: '$steps.call.error.code' } } },
    }, 'call'));
    const run = await waitForRun(owner.client, ws, await startRun(t, ws, flowId, {}));
    expect(run.status).toBe('succeeded');
    const steps = run.steps as Json[];
    expect(steps[0]).toMatchObject({ path: 'call', status: 'failed', error: { code: 'VALIDATION' } });
    expect(steps[1]).toMatchObject({ path: 'after', status: 'succeeded', output: { failedWith: 'VALIDATION' } });
  });

  it('cancels a running run: it stops during its wait and later steps never run', async () => {
    const flowId = await createPublishedFlow(owner.client, ws, flowDefinition({
      wait: { kind: 'action', id: 'wait', connector: 'core', action: 'delay', input: { ms: 20_000 }, next: 'call' },
      call: httpStep('call', bin('after-cancel'), { a: 1 }),
    }, 'wait'));
    const runId = await startRun(t, ws, flowId, {});
    await waitFor('the run to start', async () => (await t.query<{ status: string }>(`SELECT status FROM runs WHERE id = $1`, [runId]))[0]?.status === 'running');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const cancelled = await owner.client.post(`/api/v1/workspaces/${ws}/runs/${runId}/cancel`).send({}).expect(200);
    expect(cancelled.body.status).toBe('cancelled');
    // The heartbeat (a third of the 1.5 s lease) sees the cancel and stops the 20 s wait at once.
    await waitFor('the executor to release the run', async () => (await t.query<{ lease_owner: string | null }>(`SELECT lease_owner FROM runs WHERE id = $1`, [runId]))[0]!.lease_owner === null, 5_000);
    const run = await waitForRun(owner.client, ws, runId);
    expect(run.status).toBe('cancelled');
    expect((run.steps as Json[]).filter((s) => s.stepId === 'wait').map((s) => (s.error as Json).code)).toEqual(['INTERRUPTED']);
    expect((run.steps as Json[]).some((s) => s.stepId === 'call')).toBe(false);
    expect(await admin.binRequests('after-cancel')).toEqual([]);
    expect((await owner.client.post(`/api/v1/workspaces/${ws}/runs/${runId}/cancel`).send({})).status).toBe(409);
  });

  it('fails a run that exceeds the flow\'s run time limit', async () => {
    const flowId = await createPublishedFlow(owner.client, ws, flowDefinition({
      wait: { kind: 'action', id: 'wait', connector: 'core', action: 'delay', input: { ms: 20_000 } },
    }, 'wait', { settings: { runTimeoutSeconds: 1 } }));
    const started = Date.now();
    const run = await waitForRun(owner.client, ws, await startRun(t, ws, flowId, {}));
    expect(run).toMatchObject({ status: 'failed', error: { code: 'RUN_TIMEOUT' } });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('runs at most settings.maxConcurrentRuns runs of a flow at the same time', async () => {
    const flowId = await createPublishedFlow(owner.client, ws, flowDefinition({
      wait: { kind: 'action', id: 'wait', connector: 'core', action: 'delay', input: { ms: 250 } },
    }, 'wait', { settings: { maxConcurrentRuns: 1 } }));
    const runIds = await Promise.all([1, 2, 3, 4].map(() => startRun(t, ws, flowId, {})));
    for (const id of runIds) expect((await waitForRun(owner.client, ws, id)).status).toBe('succeeded');
    const rows = await t.query<{ started_at: Date; finished_at: Date }>(`SELECT started_at, finished_at FROM runs WHERE id = ANY($1) ORDER BY started_at`, [runIds]);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.started_at.getTime()).toBeGreaterThanOrEqual(rows[i - 1]!.finished_at.getTime());
  });

  it('replays one run and all failed runs of a flow after a fix, on the current or the original version', async () => {
    await admin.setBinStatus('broken', 400);
    const definition = (url: string) => flowDefinition({ call: httpStep('call', url, { marker: { $expr: '$trigger.marker' } }) }, 'call');
    const flowId = await createPublishedFlow(owner.client, ws, definition(bin('broken')));
    const failedIds: string[] = [];
    for (const marker of ['r1', 'r2', 'r3']) failedIds.push(await startRun(t, ws, flowId, { marker }));
    for (const id of failedIds) expect((await waitForRun(owner.client, ws, id)).status).toBe('failed');

    // Replaying on the original version fails the same way.
    const again = await owner.client.post(`/api/v1/workspaces/${ws}/runs/${failedIds[0]}/replay`).send({ version: 'original' }).expect(202);
    expect(await waitForRun(owner.client, ws, again.body.runId)).toMatchObject({ status: 'failed', version: 1, replayOfRunId: failedIds[0], source: 'replay' });

    // The fix: a new version that posts to a working endpoint.
    const flow = await owner.client.get(`/api/v1/workspaces/${ws}/flows/${flowId}`).expect(200);
    await owner.client.put(`/api/v1/workspaces/${ws}/flows/${flowId}/draft`).send({ definition: definition(bin('fixed')), baseRevision: flow.body.draftRevision }).expect(200);
    await owner.client.post(`/api/v1/workspaces/${ws}/flows/${flowId}/publish`).send({}).expect(200);

    const from = new Date(Date.now() - 60_000).toISOString();
    const replayed = await owner.client.post(`/api/v1/workspaces/${ws}/flows/${flowId}/replay-failed`).send({ from, version: 'current' }).expect(202);
    expect(replayed.body.count).toBe(4);
    for (const id of replayed.body.runIds as string[]) expect(await waitForRun(owner.client, ws, id)).toMatchObject({ status: 'succeeded', version: 2, source: 'replay' });
    expect((await admin.binRequests('fixed')).map((r) => (r.json as Json).marker).sort()).toEqual(['r1', 'r1', 'r2', 'r3']);
    // Nothing failed in that range is left un-replayed twice: a second call replays only the new failures (none).
    const none = await owner.client.post(`/api/v1/workspaces/${ws}/flows/${flowId}/replay-failed`).send({ from: new Date().toISOString(), version: 'current' }).expect(202);
    expect(none.body.count).toBe(0);
  });

  it('core link steps write record links that the API finds from either side, and the run shows them', async () => {
    const flowId = await createPublishedFlow(owner.client, ws, flowDefinition({
      link: {
        kind: 'action', id: 'link', connector: 'core', action: 'upsert_link',
        input: { appA: 'togai', typeA: 'account', idA: { $expr: '$trigger.accountId' }, appB: 'zoho-books', typeB: 'contact', idB: { $expr: '$trigger.contactId' } },
        next: 'find',
      },
      find: { kind: 'action', id: 'find', connector: 'core', action: 'find_link', input: { appA: 'zoho-books', typeA: 'contact', idA: { $expr: '$trigger.contactId' }, appB: 'togai', typeB: 'account' } },
    }, 'link'));
    const runId = await startRun(t, ws, flowId, { accountId: 'A-17', contactId: '4600000123' });
    const run = await waitForRun(owner.client, ws, runId);
    expect(run.status).toBe('succeeded');
    expect((run.steps as Json[])[1]!.output).toMatchObject({ found: true, idB: 'A-17' });
    expect(run.links).toHaveLength(1);

    const fromTogai = await owner.client.get(`/api/v1/workspaces/${ws}/links?app=togai&type=account&id=A-17`).expect(200);
    expect(fromTogai.body.links).toEqual([expect.objectContaining({ appA: 'togai', idA: 'A-17', appB: 'zoho-books', typeB: 'contact', idB: '4600000123', flowId, runId })]);
    const fromBooks = await owner.client.get(`/api/v1/workspaces/${ws}/links?app=zoho-books&type=contact&id=4600000123`).expect(200);
    expect(fromBooks.body.links).toEqual([expect.objectContaining({ appA: 'zoho-books', idA: '4600000123', appB: 'togai', idB: 'A-17' })]);

    // Re-running links the same records again: still one link.
    await waitForRun(owner.client, ws, await startRun(t, ws, flowId, { accountId: 'A-17', contactId: '4600000123' }));
    expect((await t.query(`SELECT count(*)::int AS n FROM record_links WHERE workspace_id = $1`, [ws]))[0]!.n).toBe(1);
    expect((await owner.client.get(`/api/v1/workspaces/${ws}/links?app=togai&type=account`)).status).toBe(400);

    // Another workspace sees none of it.
    expect((await other.client.get(`/api/v1/workspaces/${other.workspace.id}/links?app=togai&type=account&id=A-17`).expect(200)).body.links).toEqual([]);
    expect((await other.client.get(`/api/v1/workspaces/${ws}/links?app=togai&type=account&id=A-17`)).status).toBe(404);
    expect((await other.client.get(`/api/v1/workspaces/${ws}/runs/${runId}`)).status).toBe(404);
    expect((await other.client.get(`/api/v1/workspaces/${other.workspace.id}/runs/${runId}`)).status).toBe(404);
    expect((await other.client.post(`/api/v1/workspaces/${other.workspace.id}/runs/${runId}/replay`).send({})).status).toBe(404);
    expect((await other.client.get(`/api/v1/workspaces/${other.workspace.id}/runs`)).body.runs).toEqual([]);
  });

  it('housekeeping deletes runs finished before the retention period, with their steps', async () => {
    const [flow] = await t.query<{ id: string; published_version_id: string }>(`SELECT id, published_version_id FROM flows WHERE workspace_id = $1 LIMIT 1`, [ws]);
    const insertRun = async (finishedDaysAgo: number) =>
      (await t.query<{ id: string }>(
        `INSERT INTO runs (workspace_id, flow_id, flow_version_id, source, status, queued_at, finished_at)
         VALUES ($1, $2, $3, 'manual', 'succeeded', now() - make_interval(days => $4), now() - make_interval(days => $4)) RETURNING id`,
        [ws, flow!.id, flow!.published_version_id, finishedDaysAgo],
      ))[0]!.id;
    const old = await insertRun(31);
    const recent = await insertRun(29);
    await t.query(`INSERT INTO run_steps (run_id, workspace_id, step_id, path, seq, status) VALUES ($1, $2, 'a', 'a', 0, 'succeeded')`, [old, ws]);
    const deleted = await t.braid.app.get(RunsRetention).deleteExpiredRuns();
    expect(deleted).toBeGreaterThanOrEqual(1);
    expect(await t.query(`SELECT id FROM runs WHERE id = ANY($1)`, [[old, recent]])).toEqual([{ id: recent }]);
    expect(await t.query(`SELECT 1 FROM run_steps WHERE run_id = $1`, [old])).toEqual([]);
  });
});
