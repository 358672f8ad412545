import { describe, expect, it } from 'vitest';
import { availableData, flowOutline, type OutlineNode } from './flow.outline.js';
import type { Step } from './flow.types.js';
import { buildTestCatalog, delayStep, flowOf } from './test-support/catalog.builder.js';

const e = (source: string) => ({ $expr: source });

function flow() {
  const steps: Step[] = [
    { kind: 'action', id: 'find', title: 'Find contact', connector: 'zoho-books', action: 'find_contact', connectionRef: 'b', input: {}, next: 'check' },
    { kind: 'branch', id: 'check', branches: [{ id: 'yes', label: 'Found', condition: e('true'), start: 'y1' }], else: { start: 'e1' }, next: 'loop' },
    delayStep('y1'),
    delayStep('e1', { next: 'e2' }),
    delayStep('e2'),
    { kind: 'forEach', id: 'loop', title: 'Each line', items: e('[]'), bodyStart: 'b1' },
    { kind: 'map', id: 'b1', output: {}, next: 'b2' },
    { kind: 'map', id: 'b2', output: {} },
  ];
  return flowOf(steps, 'find', { trigger: { connector: 'togai', trigger: 'account_updated', config: {} } });
}

const shape = (nodes: OutlineNode[]): unknown =>
  nodes.map((n) => (n.chains ? { [n.id]: n.chains.map((c) => ({ [c.label]: shape(c.steps) })) } : n.id));

describe('flowOutline', () => {
  it('nests paths and loop bodies in execution order', () => {
    expect(shape(flowOutline(flow()))).toEqual([
      'find',
      { check: [{ Found: ['y1'] }, { Else: ['e1', 'e2'] }] },
      { loop: [{ 'For each': ['b1', 'b2'] }] },
    ]);
  });

  it('shows empty paths', () => {
    const f = flow();
    f.steps.check = { ...f.steps.check!, else: {} } as Step;
    delete f.steps.e1;
    delete f.steps.e2;
    expect((shape(flowOutline(f)) as unknown[])[1]).toEqual({ check: [{ Found: ['y1'] }, { Else: [] }] });
  });
});

describe('availableData', () => {
  const catalog = buildTestCatalog();
  it('lists the trigger, upstream steps (with schemas, optional when behind a path), loop variables and vars', () => {
    const inLoop = availableData(flow(), catalog, 'b2');
    expect(inLoop.map((d) => [d.expression, d.label, d.optional ?? false])).toEqual([
      ['$trigger', 'Account created or updated', false],
      ['$steps.find', 'Find contact', false],
      ['$steps.check', 'check', false],
      ['$steps.y1', 'y1', true],
      ['$steps.e1', 'e1', true],
      ['$steps.e2', 'e2', true],
      ['$steps.b1', 'b1', false],
      ['$item', 'Current element of "Each line"', false],
      ['$index', 'Position in "Each line" (from 0)', false],
      ['$vars', 'Flow settings', false],
    ]);
    expect(inLoop[1]!.schema).toEqual({ type: 'object' });
  });

  it('inside a path, earlier steps of the same path are not optional', () => {
    const data = availableData(flow(), catalog, 'e2');
    expect(data.map((d) => [d.expression, d.optional ?? false])).toEqual([
      ['$trigger', false],
      ['$steps.find', false],
      ['$steps.check', false],
      ['$steps.e1', false],
      ['$vars', false],
    ]);
  });
});
