import type { FlowDefinition } from '@braid/flow-model';
import { describe, expect, it } from 'vitest';
import type { RunStep } from '../../api/runs';
import { deriveLayout, TRIGGER_NODE_ID } from '../canvas/graph.derive';
import { executionStatus, initialSelection, iterationLabel, runGraph, statusLabel } from './run.graph';

const e = (source: string) => ({ $expr: source });

const flow: FlowDefinition = {
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
    lines: { kind: 'forEach', id: 'lines', items: e('[1,2]'), bodyStart: 'line' },
    line: { kind: 'map', id: 'line', output: {} },
  },
};

const step = (stepId: string, status: RunStep['status'], output: unknown = {}, path = stepId, attempts = 1): RunStep => ({
  stepId,
  path,
  status,
  input: {},
  output,
  error: null,
  attempts,
  dryRun: false,
  startedAt: '2026-11-21T12:00:00.000Z',
  finishedAt: null,
  durationMs: 5,
});

const statusOf = (graph: ReturnType<typeof runGraph>) => Object.fromEntries(graph.nodes.filter((n) => n.data.stepId || n.id === TRIGGER_NODE_ID).map((n) => [n.data.stepId ?? 'trigger', n.data.status]));

describe('runGraph', () => {
  it('colours each step by what it did: the path not taken and steps never reached are not-run, a failed iteration makes the loop body red', () => {
    const steps = [
      step('find', 'succeeded', { found: false }),
      step('check', 'succeeded', { branchId: null, label: 'Else' }),
      step('create', 'succeeded', { contact_id: '46' }, 'create', 3),
      step('lines', 'failed'),
      step('line', 'succeeded', {}, 'lines[0]/line'),
      step('line', 'failed', null, 'lines[1]/line'),
    ];
    const graph = runGraph(flow, steps, [], { triggerStatus: 'succeeded', selected: 'create' });
    expect(statusOf(graph)).toEqual({ trigger: 'succeeded', find: 'succeeded', check: 'succeeded', update: 'not-run', create: 'succeeded', lines: 'failed', line: 'failed' });
    const create = graph.nodes.find((n) => n.id === 'create')!;
    expect(create.data).toMatchObject({ executions: 1, attempts: 3, isSelected: true, text: { subtitle: 'zoho-books · create_contact' } });
    expect(graph.nodes.find((n) => n.id === 'line')!.data.executions).toBe(2);
    // Same layout as the canvas: the two paths side by side below the branch.
    expect(graph.nodes.find((n) => n.id === 'update')!.y).toBe(create.y);
    expect(graph.orphans).toEqual([]);
  });

  it('marks the edges the run went along (the chosen branch path only)', () => {
    const steps = [step('find', 'succeeded'), step('check', 'succeeded', { branchId: 'found', label: 'Found' }), step('update', 'succeeded'), step('lines', 'succeeded'), step('line', 'succeeded', {}, 'lines[0]/line')];
    const graph = runGraph(flow, steps, [], { triggerStatus: 'succeeded' });
    const taken = graph.edges.filter((edge) => edge.taken).map((edge) => `${edge.source}>${edge.target}`);
    expect(taken).toContain(`${TRIGGER_NODE_ID}>find`);
    expect(taken).toContain('check>update');
    expect(taken).not.toContain('check>create');
    expect(taken).toContain('__join_check>lines');
    expect(taken).toContain('lines>line');
    expect(taken.some((t) => t.endsWith('>__end'))).toBe(true);
  });

  it('shows an upsert that skipped its write (echo) as skipped, and reuses a given layout', () => {
    const upsertFlow: FlowDefinition = {
      ...flow,
      start: 'upsert',
      steps: { upsert: { kind: 'upsertWithLink', id: 'upsert', connector: 'zoho-books', source: { app: 'togai', type: 'account', id: e('$trigger.id') }, target: { type: 'contact' }, create: { action: 'create_contact', input: {}, idPath: 'contact_id' } } },
    };
    const echo = step('upsert', 'succeeded', { path: 'skipped', reason: 'echo', sourceId: 'A-1', targetId: '46', message: 'skipped: echo of run r1' });
    expect(executionStatus(echo)).toBe('skipped');
    expect(executionStatus(step('upsert', 'succeeded', { path: 'created', sourceId: 'A-1', targetId: '46' }))).toBe('succeeded');
    expect(executionStatus(step('map', 'succeeded', { path: 'skipped' }))).toBe('succeeded');
    const layout = deriveLayout(upsertFlow);
    const graph = runGraph(upsertFlow, [echo], [], { triggerStatus: 'succeeded', layout });
    expect(statusOf(graph)).toEqual({ trigger: 'succeeded', upsert: 'skipped' });
    expect(graph.nodes.find((n) => n.id === 'upsert')!.x).toBe(layout.nodes.find((n) => n.id === 'upsert')!.x);
  });

  it('stops the path at a failed step and lists executions of steps the version does not have', () => {
    const graph = runGraph(flow, [step('find', 'failed'), step('gone', 'succeeded')], [], { triggerStatus: 'succeeded' });
    expect(statusOf(graph)).toMatchObject({ find: 'failed', check: 'not-run', create: 'not-run' });
    expect(graph.edges.filter((edge) => edge.taken).map((edge) => `${edge.source}>${edge.target}`)).toEqual([`${TRIGGER_NODE_ID}>find`]);
    expect(graph.orphans.map((o) => o.stepId)).toEqual(['gone']);
  });
});

describe('run detail helpers', () => {
  it('opens on the failing step', () => {
    expect(initialSelection([step('find', 'succeeded'), step('create', 'failed')], 'create')).toBe('create');
    expect(initialSelection([step('find', 'succeeded'), step('line', 'failed', null, 'l[1]/line')], undefined)).toBe('line');
    expect(initialSelection([step('find', 'succeeded')], undefined)).toBeUndefined();
    expect(initialSelection([step('find', 'succeeded'), step('upsert', 'succeeded', { path: 'skipped', sourceId: 'A-1' })], undefined)).toBe('upsert');
  });

  it('names loop iterations from their path', () => {
    expect(iterationLabel('create', 'create')).toBeUndefined();
    expect(iterationLabel('lines[1]/line', 'line')).toBe('iteration 2');
    expect(iterationLabel('a[0]/b[3]/c', 'c')).toBe('iteration 1 › 4');
    expect(statusLabel('not-run')).toBe('not reached');
  });
});
