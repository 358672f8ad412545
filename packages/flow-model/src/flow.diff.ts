// diffFlows: what changed between two versions of a flow, as a list of changes a person can read
// ("what changed since the last published version").
import type { ConnectorDescriptor } from './connector.types.js';
import { analyzeGraph, scopeKey, type FlowGraph, type Scope } from './flow.graph.js';
import { fieldPath, toPointer } from './flow.problems.js';
import { isExpression, stepLabel, type FlowDefinition, type Step, type StepId, type TriggerNode } from './flow.types.js';

export type FlowChangeKind =
  | 'flowRenamed'
  | 'descriptionChanged'
  | 'directionChanged'
  | 'settingsChanged'
  | 'triggerChanged'
  | 'stepAdded'
  | 'stepRemoved'
  | 'stepMoved'
  | 'stepChanged';

export interface FlowChange {
  kind: FlowChangeKind;
  stepId?: StepId;
  /** Where the change is: a JSON pointer into the new flow (into the old one for a removed step). */
  pointer: string;
  before?: unknown;
  after?: unknown;
  message: string;
}

export interface DiffOptions {
  /** When given, connectors, actions and triggers are named by their titles. */
  catalog?: readonly ConnectorDescriptor[];
}

const MAX_PREVIEW = 60;

/** A short rendering of a value for a change message. */
export function previewValue(value: unknown): string {
  if (value === undefined) return '(nothing)';
  if (isExpression(value)) return clip(`\`${value.$expr}\``);
  if (typeof value === 'string') return clip(JSON.stringify(value));
  return clip(JSON.stringify(value) ?? String(value));
}

function clip(text: string): string {
  return text.length > MAX_PREVIEW ? `${text.slice(0, MAX_PREVIEW - 1)}…` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !isExpression(value);
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => equal(v, bb[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Paths (into objects, not lists) where two values differ, with both sides. */
function valueDiffs(a: unknown, b: unknown, path: string[] = []): Array<{ path: string[]; before: unknown; after: unknown }> {
  if (equal(a, b)) return [];
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => valueDiffs(a[k], b[k], [...path, k]));
  }
  return [{ path, before: a, after: b }];
}

function describeValueChange(subject: string, before: unknown, after: unknown): string {
  if (before === undefined) return `${subject} set to ${previewValue(after)}`;
  if (after === undefined) return `${subject} removed (was ${previewValue(before)})`;
  return `${subject} changed from ${previewValue(before)} to ${previewValue(after)}`;
}

class Names {
  constructor(private readonly catalog: readonly ConnectorDescriptor[] | undefined) {}

  action(connector: string, action: string): string {
    const c = this.catalog?.find((x) => x.key === connector);
    const a = c?.actions.find((x) => x.key === action);
    return `${c?.title ?? connector} › ${a?.title ?? action}`;
  }

  trigger(node: TriggerNode): string {
    const c = this.catalog?.find((x) => x.key === node.connector);
    const t = c?.triggers.find((x) => x.key === node.trigger);
    return `${c?.title ?? node.connector} › ${t?.title ?? node.trigger}`;
  }
}

/** Lists what changed from flow `a` (old) to flow `b` (new). */
export function diffFlows(a: FlowDefinition, b: FlowDefinition, options: DiffOptions = {}): FlowChange[] {
  const names = new Names(options.catalog);
  const changes: FlowChange[] = [];

  if (a.name !== b.name) {
    changes.push({ kind: 'flowRenamed', pointer: '/name', before: a.name, after: b.name, message: `Flow renamed from "${a.name}" to "${b.name}".` });
  }
  if ((a.description ?? '') !== (b.description ?? '')) {
    changes.push({ kind: 'descriptionChanged', pointer: '/description', before: a.description, after: b.description, message: 'Description changed.' });
  }
  if (a.direction !== b.direction) {
    changes.push({ kind: 'directionChanged', pointer: '/direction', before: a.direction, after: b.direction, message: `Direction changed from ${a.direction} to ${b.direction}.` });
  }
  for (const d of valueDiffs(a.settings ?? {}, b.settings ?? {})) {
    changes.push({
      kind: 'settingsChanged',
      pointer: toPointer(['settings', ...d.path]),
      before: d.before,
      after: d.after,
      message: `${describeValueChange(`Setting "${fieldPath(d.path)}"`, d.before, d.after)}.`,
    });
  }
  diffTrigger(a.trigger, b.trigger, names, changes);

  const graphA = analyzeGraph(a);
  const graphB = analyzeGraph(b);
  const has = (flow: FlowDefinition, id: StepId) => Object.prototype.hasOwnProperty.call(flow.steps, id);
  const idsB = [...graphB.order, ...graphB.unreachable];
  const moved = movedSteps(a, graphA, b, graphB);
  for (const id of idsB) {
    const stepB = b.steps[id]!;
    if (!has(a, id)) {
      changes.push({
        kind: 'stepAdded',
        stepId: id,
        pointer: toPointer(['steps', id]),
        after: stepB,
        message: `Step "${stepLabel(stepB)}" added ${describePlace(b, graphB, id)}.`,
      });
      continue;
    }
    const stepA = a.steps[id]!;
    if (moved.has(id)) {
      changes.push({ kind: 'stepMoved', stepId: id, pointer: toPointer(['steps', id]), message: `Step "${stepLabel(stepB)}" moved ${describePlace(b, graphB, id)}.` });
    }
    diffStep(stepA, stepB, names, changes);
  }
  for (const id of [...graphA.order, ...graphA.unreachable]) {
    if (!has(b, id)) {
      const stepA = a.steps[id]!;
      changes.push({ kind: 'stepRemoved', stepId: id, pointer: toPointer(['steps', id]), before: stepA, message: `Step "${stepLabel(stepA)}" removed.` });
    }
  }
  return changes;
}

function diffTrigger(a: TriggerNode, b: TriggerNode, names: Names, changes: FlowChange[]): void {
  if (a.connector !== b.connector || a.trigger !== b.trigger) {
    changes.push({
      kind: 'triggerChanged',
      pointer: '/trigger',
      before: a,
      after: b,
      message: `Trigger changed from ${names.trigger(a)} to ${names.trigger(b)}.`,
    });
    return;
  }
  if ((a.title ?? '') !== (b.title ?? '')) {
    changes.push({ kind: 'triggerChanged', pointer: '/trigger/title', before: a.title, after: b.title, message: `${describeValueChange('Trigger title', a.title, b.title)}.` });
  }
  if (a.connectionRef !== b.connectionRef) {
    changes.push({
      kind: 'triggerChanged',
      pointer: '/trigger/connectionRef',
      before: a.connectionRef,
      after: b.connectionRef,
      message: `${describeValueChange('Trigger connection', a.connectionRef, b.connectionRef)}.`,
    });
  }
  for (const d of valueDiffs(a.config, b.config)) {
    changes.push({
      kind: 'triggerChanged',
      pointer: toPointer(['trigger', 'config', ...d.path]),
      before: d.before,
      after: d.after,
      message: `${describeValueChange(`Trigger setting "${fieldPath(d.path)}"`, d.before, d.after)}.`,
    });
  }
}

function diffStep(a: Step, b: Step, names: Names, changes: FlowChange[]): void {
  const label = `Step "${stepLabel(b)}"`;
  const push = (pointerSegments: Array<string | number>, before: unknown, after: unknown, message: string) =>
    changes.push({ kind: 'stepChanged', stepId: b.id, pointer: toPointer(['steps', b.id, ...pointerSegments]), before, after, message: `${label}: ${message}.` });

  if (a.kind !== b.kind) {
    push(['kind'], a.kind, b.kind, `changed from a ${a.kind} step to a ${b.kind} step`);
    return;
  }
  if ((a.title ?? '') !== (b.title ?? '')) push(['title'], a.title, b.title, describeValueChange('title', a.title, b.title));

  if (a.kind === 'action' && b.kind === 'action') {
    if (a.connector !== b.connector || a.action !== b.action) {
      push(['action'], `${a.connector}/${a.action}`, `${b.connector}/${b.action}`, `action changed from ${names.action(a.connector, a.action)} to ${names.action(b.connector, b.action)}`);
    }
    if (a.connectionRef !== b.connectionRef) push(['connectionRef'], a.connectionRef, b.connectionRef, describeValueChange('connection', a.connectionRef, b.connectionRef));
    for (const d of valueDiffs(a.input, b.input)) {
      push(['input', ...d.path], d.before, d.after, describeValueChange(`input "${fieldPath(d.path)}"`, d.before, d.after));
    }
    if (!equal(a.retry, b.retry)) push(['retry'], a.retry, b.retry, describeValueChange('retry policy', a.retry, b.retry));
    if (Boolean(a.continueOnError) !== Boolean(b.continueOnError)) {
      push(['continueOnError'], a.continueOnError, b.continueOnError, b.continueOnError ? 'now continues when it fails' : 'now stops the run when it fails');
    }
  } else if (a.kind === 'branch' && b.kind === 'branch') {
    b.branches.forEach((pathB, i) => {
      const pathA = a.branches.find((p) => p.id === pathB.id);
      const name = `path "${pathB.label || pathB.id}"`;
      if (!pathA) {
        push(['branches', i], undefined, pathB, `${name} added`);
        return;
      }
      if (pathA.label !== pathB.label) push(['branches', i, 'label'], pathA.label, pathB.label, `path "${pathA.label}" renamed to "${pathB.label}"`);
      if (!equal(pathA.condition, pathB.condition)) {
        push(['branches', i, 'condition'], pathA.condition, pathB.condition, describeValueChange(`condition of ${name}`, pathA.condition, pathB.condition));
      }
    });
    a.branches.forEach((pathA) => {
      if (!b.branches.some((p) => p.id === pathA.id)) push(['branches'], pathA, undefined, `path "${pathA.label || pathA.id}" removed`);
    });
    const orderA = a.branches.map((p) => p.id).filter((id) => b.branches.some((p) => p.id === id));
    const orderB = b.branches.map((p) => p.id).filter((id) => a.branches.some((p) => p.id === id));
    if (!equal(orderA, orderB)) push(['branches'], orderA, orderB, 'paths reordered (the first path whose condition holds runs)');
  } else if (a.kind === 'forEach' && b.kind === 'forEach') {
    if (!equal(a.items, b.items)) push(['items'], a.items, b.items, describeValueChange('list to loop over', a.items, b.items));
  } else if (a.kind === 'map' && b.kind === 'map') {
    for (const d of valueDiffs(a.output, b.output)) {
      const subject = d.path.length === 0 ? 'output' : `output "${fieldPath(d.path)}"`;
      push(['output', ...d.path], d.before, d.after, describeValueChange(subject, d.before, d.after));
    }
  } else if (a.kind === 'upsertWithLink' && b.kind === 'upsertWithLink') {
    if (a.connector !== b.connector) push(['connector'], a.connector, b.connector, `target app changed from ${a.connector} to ${b.connector}`);
    if (a.connectionRef !== b.connectionRef) push(['connectionRef'], a.connectionRef, b.connectionRef, describeValueChange('connection', a.connectionRef, b.connectionRef));
    for (const part of ['source', 'target', 'find', 'create', 'update', 'delete', 'read', 'mapping', 'prefetch', 'sync', 'retry'] as const) {
      for (const d of valueDiffs(a[part] ?? null, b[part] ?? null)) {
        push([part, ...d.path], d.before, d.after, describeValueChange(`${part} "${fieldPath(d.path)}"`.replace(' ""', ''), d.before, d.after));
      }
    }
  }
}

/**
 * Steps that moved: those now in another chain, plus, within each chain, the fewest steps whose relative
 * order changed (everything outside a longest common subsequence of the two orders). A step that only got
 * a new neighbour did not move.
 */
function movedSteps(a: FlowDefinition, graphA: FlowGraph, b: FlowDefinition, graphB: FlowGraph): Set<StepId> {
  const moved = new Set<StepId>();
  const sameChain = (id: StepId) => {
    const pa = graphA.placement.get(id);
    const pb = graphB.placement.get(id);
    return pa !== undefined && pb !== undefined && scopeKey(pa.scope) === scopeKey(pb.scope);
  };
  for (const id of graphB.order) {
    if (Object.prototype.hasOwnProperty.call(a.steps, id) && !sameChain(id)) moved.add(id);
  }
  for (const [key, chainB] of graphB.chains) {
    const listB = chainB.filter(sameChain);
    const listA = (graphA.chains.get(key) ?? []).filter((id) => listB.includes(id));
    const kept = new Set(longestCommonSubsequence(listA, listB));
    for (const id of listB) if (!kept.has(id)) moved.add(id);
  }
  return moved;
}

function longestCommonSubsequence(x: readonly string[], y: readonly string[]): string[] {
  const table: number[][] = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0));
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) {
      table[i]![j] = x[i] === y[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  for (let i = 0, j = 0; i < x.length && j < y.length; ) {
    if (x[i] === y[j]) {
      out.push(x[i]!);
      i++;
      j++;
    } else if (table[i + 1]![j]! >= table[i]![j + 1]!) i++;
    else j++;
  }
  return out;
}

function describePlace(flow: FlowDefinition, graph: FlowGraph, id: StepId): string {
  const p = graph.placement.get(id);
  if (!p) return '(not connected to the flow)';
  const prev = (graph.chains.get(scopeKey(p.scope)) ?? [])[p.index - 1];
  const after = prev !== undefined ? `after "${stepLabel(flow.steps[prev]!)}"` : 'at the start';
  const container = (scope: Scope): string => {
    switch (scope.kind) {
      case 'root':
        return prev !== undefined ? '' : ' of the flow';
      case 'branch': {
        const owner = flow.steps[scope.stepId]!;
        const path = owner.kind === 'branch' ? owner.branches.find((x) => x.id === scope.branchId) : undefined;
        return ` in path "${path?.label || scope.branchId}" of "${stepLabel(owner)}"`;
      }
      case 'else':
        return ` in the "else" path of "${stepLabel(flow.steps[scope.stepId]!)}"`;
      case 'body':
        return ` inside the loop "${stepLabel(flow.steps[scope.stepId]!)}"`;
    }
  };
  return `${after}${container(p.scope)}`;
}
