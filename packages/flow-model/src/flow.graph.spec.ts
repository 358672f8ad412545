import { describe, expect, it } from 'vitest';
import {
  allEdges,
  analyzeGraph,
  enclosingScopes,
  findEnteringEdge,
  innerSteps,
  isInsideLoop,
  orderedSteps,
  upstreamSteps,
  walkFlow,
} from './flow.graph.js';
import type { FlowDefinition, Step } from './flow.types.js';
import { chainFlow, delayStep, flowOf } from './test-support/catalog.builder.js';

const cond = { $expr: 'true' };

/**
 * a -> check{ yes: [y1 -> y2], no: [n1], else: [e1] } -> loop{ body: [b1 -> inner{ only: [i1] } -> b2] } -> z
 */
function sampleFlow(): FlowDefinition {
  const steps: Step[] = [
    delayStep('a', { next: 'check' }),
    {
      kind: 'branch',
      id: 'check',
      branches: [
        { id: 'yes', label: 'Yes', condition: cond, start: 'y1' },
        { id: 'no', label: 'No', condition: cond, start: 'n1' },
      ],
      else: { start: 'e1' },
      next: 'loop',
    },
    delayStep('y1', { next: 'y2' }),
    delayStep('y2'),
    delayStep('n1'),
    delayStep('e1'),
    { kind: 'forEach', id: 'loop', items: { $expr: '$trigger.items' }, bodyStart: 'b1', next: 'z' },
    delayStep('b1', { next: 'inner' }),
    { kind: 'branch', id: 'inner', branches: [{ id: 'only', label: 'Only', condition: cond, start: 'i1' }], next: 'b2' },
    delayStep('i1'),
    delayStep('b2'),
    delayStep('z'),
  ];
  return flowOf(steps, 'a');
}

describe('analyzeGraph / orderedSteps / walkFlow', () => {
  it('orders steps for display: container, its paths in order, then what follows', () => {
    expect(orderedSteps(sampleFlow()).map((s) => s.id)).toEqual([
      'a', 'check', 'y1', 'y2', 'n1', 'e1', 'loop', 'b1', 'inner', 'i1', 'b2', 'z',
    ]);
  });

  it('places every step in its chain with its depth and entering edge', () => {
    const graph = analyzeGraph(sampleFlow());
    expect(graph.placement.get('y2')).toMatchObject({
      scope: { kind: 'branch', stepId: 'check', branchId: 'yes' },
      index: 1,
      depth: 1,
      via: { pointer: '/steps/y1/next' },
    });
    expect(graph.placement.get('e1')!.via.pointer).toBe('/steps/check/else/start');
    expect(graph.placement.get('n1')!.via.pointer).toBe('/steps/check/branches/1/start');
    expect(graph.placement.get('b1')!.via.pointer).toBe('/steps/loop/bodyStart');
    expect(graph.placement.get('i1')!.depth).toBe(2);
    expect(graph.chains.get('root')).toEqual(['a', 'check', 'loop', 'z']);
    expect(graph.unreachable).toEqual([]);
    expect(graph.cycles).toEqual([]);
    const visited: string[] = [];
    walkFlow(sampleFlow(), ({ step, depth }) => visited.push(`${step.id}@${depth}`));
    expect(visited.slice(0, 3)).toEqual(['a@0', 'check@0', 'y1@1']);
  });

  it('finds unreachable steps, including ones on an island loop', () => {
    const flow = sampleFlow();
    flow.steps.lost = delayStep('lost', { next: 'lost2' });
    flow.steps.lost2 = delayStep('lost2');
    flow.steps.island1 = delayStep('island1', { next: 'island2' });
    flow.steps.island2 = delayStep('island2', { next: 'island1' });
    const graph = analyzeGraph(flow);
    expect(graph.unreachable).toEqual(['lost', 'lost2', 'island1', 'island2']);
    expect(graph.cycles).toEqual([
      { steps: ['island1', 'island2'], edge: expect.objectContaining({ pointer: '/steps/island2/next', target: 'island1' }) },
    ]);
    expect(orderedSteps(flow, { includeUnreachable: true }).slice(-4).map((s) => s.id)).toEqual([
      'lost', 'lost2', 'island1', 'island2',
    ]);
  });

  it('detects a cycle back into an enclosing chain, and a loop body returning to its loop', () => {
    const flow = sampleFlow();
    (flow.steps.y2 as Step).next = 'a';
    (flow.steps.b2 as Step).next = 'loop';
    const graph = analyzeGraph(flow);
    expect(graph.cycles.map((c) => c.edge.pointer)).toEqual(['/steps/y2/next', '/steps/b2/next']);
    expect(graph.cycles[0]!.steps).toEqual(['a', 'check', 'y1', 'y2']);
    expect(graph.cycles[1]!.steps).toEqual(['loop', 'b1', 'inner', 'b2']);
  });

  it('detects a self loop', () => {
    const flow = chainFlow([delayStep('a', { next: 'a' })]);
    expect(analyzeGraph(flow).cycles).toEqual([{ steps: ['a'], edge: expect.objectContaining({ pointer: '/steps/a/next' }) }]);
  });

  it('reports dangling edges and steps entered twice', () => {
    const flow = sampleFlow();
    (flow.steps.n1 as Step).next = 'ghost';
    (flow.steps.e1 as Step).next = 'loop'; // loop is also check.next
    const graph = analyzeGraph(flow);
    expect(graph.dangling.map((e) => e.pointer)).toEqual(['/steps/n1/next']);
    expect(graph.shared).toEqual([
      {
        edge: expect.objectContaining({ pointer: '/steps/check/next' }),
        firstEdge: expect.objectContaining({ pointer: '/steps/e1/next' }),
      },
    ]);
  });

  it('handles an empty flow', () => {
    const flow = chainFlow([]);
    expect(orderedSteps(flow)).toEqual([]);
    expect(analyzeGraph(flow).chains.get('root')).toEqual([]);
  });
});

describe('upstreamSteps', () => {
  const flow = sampleFlow();
  it('includes earlier steps and the steps before and the enclosing branch', () => {
    expect(upstreamSteps(flow, 'a')).toEqual([]);
    expect(upstreamSteps(flow, 'y2')).toEqual(['a', 'check', 'y1']);
    expect(upstreamSteps(flow, 'n1')).toEqual(['a', 'check']);
  });

  it('excludes sibling branch paths', () => {
    expect(upstreamSteps(flow, 'n1')).not.toContain('y1');
    expect(upstreamSteps(flow, 'e1')).not.toContain('n1');
  });

  it('after a branch: every path may have run', () => {
    expect(upstreamSteps(flow, 'loop')).toEqual(['a', 'check', 'y1', 'y2', 'n1', 'e1']);
  });

  it('inside a loop body: steps before the loop and earlier body steps, not the loop itself', () => {
    expect(upstreamSteps(flow, 'b1')).toEqual(['a', 'check', 'y1', 'y2', 'n1', 'e1']);
    expect(upstreamSteps(flow, 'i1')).toEqual(['a', 'check', 'y1', 'y2', 'n1', 'e1', 'b1', 'inner']);
    expect(upstreamSteps(flow, 'b2')).toEqual(['a', 'check', 'y1', 'y2', 'n1', 'e1', 'b1', 'inner', 'i1']);
  });

  it('after a loop: the loop, but not its body', () => {
    expect(upstreamSteps(flow, 'z')).toEqual(['a', 'check', 'y1', 'y2', 'n1', 'e1', 'loop']);
  });

  it('is empty for an unreachable or unknown step', () => {
    const f = sampleFlow();
    f.steps.lost = delayStep('lost');
    expect(upstreamSteps(f, 'lost')).toEqual([]);
    expect(upstreamSteps(f, 'nope')).toEqual([]);
  });
});

describe('scope helpers', () => {
  const flow = sampleFlow();
  it('lists enclosing scopes innermost first and knows when a step is inside a loop', () => {
    expect(enclosingScopes(flow, 'i1')).toEqual([
      { kind: 'branch', stepId: 'inner', branchId: 'only' },
      { kind: 'body', stepId: 'loop' },
    ]);
    expect(isInsideLoop(flow, 'i1')).toBe(true);
    expect(isInsideLoop(flow, 'y1')).toBe(false);
    expect(isInsideLoop(flow, 'loop')).toBe(false);
  });

  it('lists the steps inside a container', () => {
    expect(innerSteps(flow, 'check')).toEqual(['y1', 'y2', 'n1', 'e1']);
    expect(innerSteps(flow, 'loop')).toEqual(['b1', 'inner', 'i1', 'b2']);
    expect(innerSteps(flow, 'a')).toEqual([]);
  });

  it('finds the edge entering a step', () => {
    expect(findEnteringEdge(flow, 'a')!.pointer).toBe('/start');
    expect(findEnteringEdge(flow, 'i1')!.source).toEqual({ kind: 'branch', stepId: 'inner', branchId: 'only', index: 0 });
    expect(allEdges(flow)).toHaveLength(12);
  });
});
