// Graph helpers: where each step sits (which chain, after what), execution order, what runs before a step,
// unreachable steps, cycles, dangling and shared edges.
//
// The model is structured: every step is entered by exactly one edge — the flow's `start`, a step's `next`,
// a branch path's `start`, a branch's `else.start` or a for-each's `bodyStart`. The steps entered that way
// form a chain; a chain ends at a step without `next`. Anything else (two edges into one step, an edge back
// into an enclosing chain) is reported by analyzeGraph.
import { toPointer } from './flow.problems.js';
import type { FlowDefinition, Step, StepId } from './flow.types.js';

/** Where a chain of steps lives. */
export type Scope =
  | { kind: 'root' }
  | { kind: 'branch'; stepId: StepId; branchId: string }
  | { kind: 'else'; stepId: StepId }
  | { kind: 'body'; stepId: StepId };

/** Where an edge starts. */
export type EdgeSource =
  | { kind: 'start' }
  | { kind: 'next'; stepId: StepId }
  | { kind: 'branch'; stepId: StepId; branchId: string; index: number }
  | { kind: 'else'; stepId: StepId }
  | { kind: 'body'; stepId: StepId };

export interface Edge {
  source: EdgeSource;
  target: StepId;
  /** JSON pointer of the field holding the edge, e.g. `/steps/a/next`. */
  pointer: string;
}

export interface StepPlacement {
  scope: Scope;
  /** Position in its chain (0 = first). */
  index: number;
  /** The edge that enters the step. */
  via: Edge;
  /** Nesting depth: 0 for the main chain, +1 inside each branch path or loop body. */
  depth: number;
}

export interface Cycle {
  /** The steps on the loop, in order, starting with the step the closing edge points back to. */
  steps: StepId[];
  /** The edge that closes the loop. */
  edge: Edge;
}

export interface FlowGraph {
  /** Steps reachable from the trigger, in display (execution) order. */
  order: StepId[];
  placement: Map<StepId, StepPlacement>;
  /** Chains by scopeKey(scope). */
  chains: Map<string, StepId[]>;
  /** Steps nothing reachable leads to, in the order of `steps`. */
  unreachable: StepId[];
  cycles: Cycle[];
  /** Edges whose target is not a step of the flow. */
  dangling: Edge[];
  /** Edges into a step some other edge already enters (only the later edge is listed). */
  shared: Array<{ edge: Edge; firstEdge: Edge }>;
}

export function scopeKey(scope: Scope): string {
  switch (scope.kind) {
    case 'root':
      return 'root';
    case 'branch':
      return `branch:${scope.stepId}:${scope.branchId}`;
    case 'else':
      return `else:${scope.stepId}`;
    case 'body':
      return `body:${scope.stepId}`;
  }
}

export function edgePointer(source: EdgeSource): string {
  switch (source.kind) {
    case 'start':
      return '/start';
    case 'next':
      return toPointer(['steps', source.stepId, 'next']);
    case 'branch':
      return toPointer(['steps', source.stepId, 'branches', source.index, 'start']);
    case 'else':
      return toPointer(['steps', source.stepId, 'else', 'start']);
    case 'body':
      return toPointer(['steps', source.stepId, 'bodyStart']);
  }
}

function edge(source: EdgeSource, target: StepId): Edge {
  return { source, target, pointer: edgePointer(source) };
}

/** The chains a container step opens (branch paths + else, or a loop body), with their first step. */
export function innerChains(step: Step): Array<{ scope: Scope; source: EdgeSource; start: StepId | undefined }> {
  if (step.kind === 'branch') {
    const out: Array<{ scope: Scope; source: EdgeSource; start: StepId | undefined }> = step.branches.map((b, index) => ({
      scope: { kind: 'branch', stepId: step.id, branchId: b.id },
      source: { kind: 'branch', stepId: step.id, branchId: b.id, index },
      start: b.start,
    }));
    out.push({ scope: { kind: 'else', stepId: step.id }, source: { kind: 'else', stepId: step.id }, start: step.else?.start });
    return out;
  }
  if (step.kind === 'forEach') {
    return [{ scope: { kind: 'body', stepId: step.id }, source: { kind: 'body', stepId: step.id }, start: step.bodyStart }];
  }
  return [];
}

/** Every edge leaving a step (its inner chain starts, then `next`). */
export function outgoingEdges(step: Step, stepId: StepId = step.id): Edge[] {
  const out: Edge[] = [];
  for (const chain of innerChains({ ...step, id: stepId } as Step)) {
    if (chain.start !== undefined) out.push(edge(chain.source, chain.start));
  }
  if (step.next !== undefined) out.push(edge({ kind: 'next', stepId }, step.next));
  return out;
}

/** Every edge of the flow. */
export function allEdges(flow: FlowDefinition): Edge[] {
  const out: Edge[] = [];
  if (flow.start !== null) out.push(edge({ kind: 'start' }, flow.start));
  for (const [id, step] of Object.entries(flow.steps)) out.push(...outgoingEdges(step, id));
  return out;
}

function hasStep(flow: FlowDefinition, id: StepId): boolean {
  return Object.prototype.hasOwnProperty.call(flow.steps, id);
}

/** Analyses the flow's graph. Pass the result to the helpers below to avoid recomputing it. */
export function analyzeGraph(flow: FlowDefinition): FlowGraph {
  const order: StepId[] = [];
  const placement = new Map<StepId, StepPlacement>();
  const chains = new Map<string, StepId[]>();
  const cycles: Cycle[] = [];
  const dangling: Edge[] = [];
  const shared: FlowGraph['shared'] = [];
  const entered = new Map<StepId, Edge>();
  // Steps whose chain is still being walked: an edge back to one of them closes a loop.
  const active: StepId[] = [];
  const activeSet = new Set<StepId>();

  const walkChain = (via: Edge, scope: Scope, depth: number, reachable: boolean): void => {
    const chain: StepId[] = [];
    if (reachable) chains.set(scopeKey(scope), chain);
    const pushed: StepId[] = [];
    let current: Edge | undefined = via;
    while (current) {
      const id: StepId = current.target;
      if (!hasStep(flow, id)) {
        dangling.push(current);
        break;
      }
      const first = entered.get(id);
      if (first) {
        if (activeSet.has(id)) {
          cycles.push({ steps: active.slice(active.indexOf(id)), edge: current });
        } else {
          shared.push({ edge: current, firstEdge: first });
        }
        break;
      }
      entered.set(id, current);
      if (reachable) {
        placement.set(id, { scope, index: chain.length, via: current, depth });
        order.push(id);
        chain.push(id);
      }
      active.push(id);
      activeSet.add(id);
      pushed.push(id);
      const step: Step = flow.steps[id]!;
      for (const inner of innerChains({ ...step, id } as Step)) {
        if (inner.start !== undefined) walkChain(edge(inner.source, inner.start), inner.scope, depth + 1, reachable);
        else if (reachable) chains.set(scopeKey(inner.scope), []);
      }
      current = step.next !== undefined ? edge({ kind: 'next', stepId: id }, step.next) : undefined;
    }
    for (const id of pushed) activeSet.delete(id);
    active.length -= pushed.length;
  };

  if (flow.start !== null) walkChain(edge({ kind: 'start' }, flow.start), { kind: 'root' }, 0, true);
  else chains.set('root', []);

  const unreachable = Object.keys(flow.steps).filter((id) => !placement.has(id));
  if (unreachable.length > 0) {
    // Walk the unreachable part too, so its dangling edges and loops are found: first from steps no edge
    // enters, then from whatever is left (steps on a loop nothing leads into).
    const targets = new Set(allEdges(flow).map((e) => e.target));
    const heads = unreachable.filter((id) => !targets.has(id));
    const orphanEdge = (id: StepId): Edge => ({ source: { kind: 'start' }, target: id, pointer: toPointer(['steps', id]) });
    for (const id of heads) if (!entered.has(id)) walkChain(orphanEdge(id), { kind: 'root' }, 0, false);
    for (const id of unreachable) if (!entered.has(id)) walkChain(orphanEdge(id), { kind: 'root' }, 0, false);
  }

  return { order, placement, chains, unreachable, cycles, dangling, shared };
}

export interface WalkContext {
  step: Step;
  scope: Scope;
  index: number;
  depth: number;
  via: Edge;
}

/** Calls `visit` for every reachable step in execution order (a container before its inner steps). */
export function walkFlow(flow: FlowDefinition, visit: (ctx: WalkContext) => void): void {
  const graph = analyzeGraph(flow);
  for (const id of graph.order) {
    const p = graph.placement.get(id)!;
    visit({ step: flow.steps[id]!, scope: p.scope, index: p.index, depth: p.depth, via: p.via });
  }
}

/** Steps in execution order for display; unreachable steps are appended when asked for. */
export function orderedSteps(flow: FlowDefinition, options: { includeUnreachable?: boolean } = {}): Step[] {
  const graph = analyzeGraph(flow);
  const ids = options.includeUnreachable ? [...graph.order, ...graph.unreachable] : graph.order;
  return ids.map((id) => flow.steps[id]!);
}

/** The containers around a step, innermost first (empty for the main chain or an unreachable step). */
export function enclosingScopes(flow: FlowDefinition, stepId: StepId, graph = analyzeGraph(flow)): Scope[] {
  const out: Scope[] = [];
  let p = graph.placement.get(stepId);
  while (p && p.scope.kind !== 'root') {
    out.push(p.scope);
    p = graph.placement.get(p.scope.stepId);
  }
  return out;
}

/** True when the step runs inside a for-each body (at any depth), where `$item` / `$index` exist. */
export function isInsideLoop(flow: FlowDefinition, stepId: StepId, graph = analyzeGraph(flow)): boolean {
  return enclosingScopes(flow, stepId, graph).some((s) => s.kind === 'body');
}

/**
 * Steps whose output is available to `stepId`'s expressions, in execution order: earlier steps of its chain,
 * the steps inside earlier branches (they may have run; their output is then missing), the enclosing
 * branch and everything before it. Not: steps of a sibling branch path, steps inside an earlier loop's body
 * (use the loop's own output), the enclosing loop (it has not finished). Empty for an unreachable step.
 */
export function upstreamSteps(flow: FlowDefinition, stepId: StepId, graph = analyzeGraph(flow)): StepId[] {
  const out: StepId[] = [];
  const collect = (id: StepId): void => {
    const p = graph.placement.get(id);
    if (!p) return;
    if (p.scope.kind !== 'root') {
      collect(p.scope.stepId);
      if (p.scope.kind !== 'body') out.push(p.scope.stepId);
    }
    const chain = graph.chains.get(scopeKey(p.scope)) ?? [];
    for (const prior of chain.slice(0, p.index)) {
      out.push(prior);
      out.push(...visibleAfter(flow, graph, prior));
    }
  };
  collect(stepId);
  return out;
}

/** Steps inside a branch that later steps may read (recursively); none for a loop or a plain step. */
function visibleAfter(flow: FlowDefinition, graph: FlowGraph, id: StepId): StepId[] {
  const step = flow.steps[id];
  if (!step || step.kind !== 'branch') return [];
  const out: StepId[] = [];
  for (const inner of innerChains(step)) {
    for (const innerId of graph.chains.get(scopeKey(inner.scope)) ?? []) {
      out.push(innerId, ...visibleAfter(flow, graph, innerId));
    }
  }
  return out;
}

/** All steps nested inside a container step (its paths / body, recursively), in execution order. */
export function innerSteps(flow: FlowDefinition, stepId: StepId): StepId[] {
  const out: StepId[] = [];
  const seen = new Set<StepId>([stepId]);
  const visit = (id: StepId): void => {
    const step = flow.steps[id];
    if (!step) return;
    for (const inner of innerChains({ ...step, id } as Step)) {
      let cur = inner.start;
      while (cur !== undefined && !seen.has(cur) && hasStep(flow, cur)) {
        seen.add(cur);
        out.push(cur);
        visit(cur);
        cur = flow.steps[cur]!.next;
      }
    }
  };
  visit(stepId);
  return out;
}

/** The edge that enters a step (the first one, if several do), or undefined. */
export function findEnteringEdge(flow: FlowDefinition, stepId: StepId): Edge | undefined {
  return allEdges(flow).find((e) => e.target === stepId);
}
