import type { FlowDefinition } from '@braid/flow-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer } from './api.test-server';
import { ApiClient } from './client';
import { formatDuration, rangeStart, RunsApi, runsQuery, type RunStep, stepStatusById, summaryParts } from './runs';

const now = new Date('2026-11-21T12:00:00.000Z');

const e = (source: string) => ({ $expr: source });

function flow(): FlowDefinition {
  return {
    schemaVersion: 1,
    name: 'Accounts to Books',
    direction: 'outbound',
    trigger: { connector: 'togai', trigger: 'account_created', config: {} },
    start: 'find',
    steps: {
      find: { kind: 'action', id: 'find', title: 'Find contact', connector: 'zoho-books', action: 'find_contact', input: {}, next: 'check' },
      check: { kind: 'branch', id: 'check', branches: [{ id: 'found', label: 'Found', condition: e('true'), start: 'update' }], else: { start: 'create' }, next: 'lines' },
      update: { kind: 'action', id: 'update', connector: 'zoho-books', action: 'update_contact', input: {} },
      create: { kind: 'action', id: 'create', connector: 'zoho-books', action: 'create_contact', input: {} },
      lines: { kind: 'forEach', id: 'lines', items: e('[]'), bodyStart: 'line' },
      line: { kind: 'map', id: 'line', output: {} },
      orphan: { kind: 'map', id: 'orphan', output: {} },
    },
  };
}

const step = (stepId: string, status: RunStep['status'], path = stepId): RunStep => ({
  stepId,
  path,
  status,
  input: {},
  output: {},
  error: null,
  attempts: 1,
  dryRun: false,
  startedAt: now.toISOString(),
  finishedAt: null,
  durationMs: 5,
});

describe('runs helpers', () => {
  it('builds the list query from the filters', () => {
    expect(runsQuery({}, now)).toBe('');
    expect(runsQuery({ range: 'all' }, now)).toBe('');
    expect(runsQuery({ flowId: 'f1', status: 'failed', range: '24h', limit: 50, cursor: 'abc' }, now)).toBe(
      '?flowId=f1&status=failed&from=2026-11-20T12%3A00%3A00.000Z&limit=50&cursor=abc',
    );
    expect(rangeStart('1h', now)).toBe('2026-11-21T11:00:00.000Z');
    expect(rangeStart('7d', now)).toBe('2026-11-14T12:00:00.000Z');
    expect(rangeStart(undefined, now)).toBeUndefined();
  });

  it('splits a summary so the run it names can be a link (record ids stay text)', () => {
    const run = '8f2c1a4e-1111-4000-8000-000000000001';
    expect(summaryParts(`skipped: echo of run ${run}`)).toEqual([{ text: 'skipped: echo of run ' }, { runId: run }]);
    expect(summaryParts(`created contact ${run}`)).toEqual([{ text: `created contact ${run}` }]);
    expect(summaryParts('failed at find: Books answered 503')).toEqual([{ text: 'failed at find: Books answered 503' }]);
  });

  it('formats durations', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(-1)).toBe('—');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(4_240)).toBe('4.2 s');
    expect(formatDuration(185_000)).toBe('3 min 5 s');
    expect(formatDuration(7_440_000)).toBe('2 h 4 min');
  });

  it('gives each step the worst status of its executions (loop iterations)', () => {
    const statuses = stepStatusById([step('find', 'succeeded'), step('line', 'succeeded', 'lines[0]/line'), step('line', 'failed', 'lines[1]/line'), step('line', 'succeeded', 'lines[2]/line')]);
    expect(Object.fromEntries(statuses)).toEqual({ find: 'succeeded', line: 'failed' });
  });
});

describe('RunsApi against an HTTP server', () => {
  let server: Awaited<ReturnType<typeof startApiServer>>;
  let runs: RunsApi;
  const base = '/api/v1/workspaces/w1';

  beforeAll(async () => {
    server = await startApiServer({
      [`GET ${base}/runs`]: { body: { runs: [], nextCursor: null } },
      [`POST ${base}/runs/r1/replay`]: { status: 202, body: { runId: 'r2' } },
      [`POST ${base}/flows/f1/replay-failed`]: { status: 202, body: { count: 2, runIds: ['r3', 'r4'] } },
      [`GET ${base}/flows`]: { body: { flows: [{ id: 'f1', name: 'S1', enabled: true }] } },
      [`GET ${base}/flows/f1/versions/3`]: { body: { id: 'v3', version: 3, definition: flow() } },
      [`GET ${base}/flows/f1`]: { body: { id: 'f1', draft: { ...flow(), name: 'draft' } } },
    });
    runs = new RunsApi(new ApiClient(server.baseUrl));
  });
  afterAll(async () => {
    await server.close();
  });

  it('lists with the filters in the query', async () => {
    await runs.list('w1', { flowId: 'f1', status: 'failed', range: '1h' }, now);
    expect(server.received.at(-1)?.url).toBe(`${base}/runs?flowId=f1&status=failed&from=2026-11-21T11%3A00%3A00.000Z`);
  });

  it('replays one run on the chosen version and all failed runs of a flow in a range', async () => {
    expect(await runs.replay('w1', 'r1', 'original')).toEqual({ runId: 'r2' });
    expect(server.received.at(-1)?.body).toEqual({ version: 'original' });
    expect(await runs.replayFailed('w1', 'f1', { from: '2026-11-21T11:00:00.000Z', version: 'current' })).toEqual({ count: 2, runIds: ['r3', 'r4'] });
    expect(server.received.at(-1)?.body).toEqual({ from: '2026-11-21T11:00:00.000Z', version: 'current' });
  });

  it('reads flow names, and the definition of the version a run used (the draft for previews)', async () => {
    expect(await runs.flows('w1')).toEqual([{ id: 'f1', name: 'S1' }]);
    expect((await runs.runFlow('w1', { flowId: 'f1', version: 3 }))?.name).toBe('Accounts to Books');
    expect((await runs.runFlow('w1', { flowId: 'f1', version: null }))?.name).toBe('draft');
  });
});
