// Views of a flow for the editor: the nested outline the canvas is drawn from, and the data a step's
// expressions can use (the "data picker").
import type { ConnectorDescriptor, JsonSchema } from './connector.types.js';
import { analyzeGraph, enclosingScopes, innerChains, scopeKey, upstreamSteps, type FlowGraph, type Scope } from './flow.graph.js';
import { stepLabel, type FlowDefinition, type Step, type StepId } from './flow.types.js';

export interface OutlineNode {
  id: StepId;
  step: Step;
  /** Branch paths (then the else path) or the loop body; absent for action and map steps. */
  chains?: OutlineChain[];
}

export interface OutlineChain {
  scope: Scope;
  /** "Found", "Else", "For each" — what the editor writes on the edge into the chain. */
  label: string;
  steps: OutlineNode[];
}

/** The reachable steps as a tree of chains, in execution order. */
export function flowOutline(flow: FlowDefinition, graph: FlowGraph = analyzeGraph(flow)): OutlineNode[] {
  const build = (scope: Scope): OutlineNode[] =>
    (graph.chains.get(scopeKey(scope)) ?? []).map((id) => {
      const step = flow.steps[id]!;
      const inner = innerChains({ ...step, id } as Step);
      if (inner.length === 0) return { id, step };
      return {
        id,
        step,
        chains: inner.map(({ scope: s }) => ({ scope: s, label: chainLabel(step, s), steps: build(s) })),
      };
    });
  return build({ kind: 'root' });
}

function chainLabel(step: Step, scope: Scope): string {
  if (scope.kind === 'branch' && step.kind === 'branch') {
    const path = step.branches.find((b) => b.id === scope.branchId);
    return path?.label || scope.branchId;
  }
  if (scope.kind === 'else') return 'Else';
  return 'For each';
}

export interface AvailableData {
  /** What to write in an expression: `$trigger`, `$steps.find_contact`, `$item`, `$index`, `$vars`. */
  expression: string;
  label: string;
  /** The step it comes from (for `$steps.<id>`). */
  stepId?: StepId;
  /** JSON Schema of the value, when known (the connector's output schema). */
  schema?: JsonSchema;
  sample?: unknown;
  /** True when the value may be missing at run time (a step inside a branch path that may not have run). */
  optional?: boolean;
}

/** What a step's expressions can read, for the editor's data picker. */
export function availableData(flow: FlowDefinition, catalog: readonly ConnectorDescriptor[], stepId: StepId, graph: FlowGraph = analyzeGraph(flow)): AvailableData[] {
  const connector = (key: string) => catalog.find((c) => c.key === key);
  const trigger = connector(flow.trigger.connector)?.triggers.find((t) => t.key === flow.trigger.trigger);
  const out: AvailableData[] = [
    {
      expression: '$trigger',
      label: flow.trigger.title ?? trigger?.title ?? 'Trigger',
      ...(trigger ? { schema: trigger.outputSchema, sample: trigger.sampleOutput } : {}),
    },
  ];
  const ownScopes = enclosingScopes(flow, stepId, graph);
  for (const id of upstreamSteps(flow, stepId, graph)) {
    const step = flow.steps[id]!;
    const action = step.kind === 'action' ? connector(step.connector)?.actions.find((a) => a.key === step.action) : undefined;
    // A step inside a branch path this step is not in may not have run.
    const optional = enclosingScopes(flow, id, graph).some(
      (s) => (s.kind === 'branch' || s.kind === 'else') && !ownScopes.some((own) => scopeKey(own) === scopeKey(s)),
    );
    out.push({
      expression: `$steps.${id}`,
      label: stepLabel({ id, title: step.title }),
      stepId: id,
      ...(action ? { schema: action.outputSchema, sample: action.sampleOutput } : {}),
      ...(optional ? { optional } : {}),
    });
  }
  const loop = ownScopes.find((s) => s.kind === 'body');
  if (loop && loop.kind === 'body') {
    const label = stepLabel({ id: loop.stepId, title: flow.steps[loop.stepId]?.title });
    out.push({ expression: '$item', label: `Current element of "${label}"` });
    out.push({ expression: '$index', label: `Position in "${label}" (from 0)`, schema: { type: 'integer', minimum: 0 } });
  }
  out.push({ expression: '$vars', label: 'Flow settings' });
  return out;
}
