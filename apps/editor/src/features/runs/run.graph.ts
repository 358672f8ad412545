import { stepLabel, type ConnectorDescriptor, type FlowDefinition } from '@braid/flow-model';
import type { RunStep, StepStatus } from '../../api/runs';
import { stepStatusById } from '../../api/runs';
import { stepCardText, type StepCardText } from '../../nodes/summary';
import { deriveLayout, type FlowGraphView, type GraphNodeKind, TRIGGER_NODE_ID } from '../canvas/graph.derive';

// The run detail draws the version a run ran with the canvas's own layout (graph.derive), each step coloured
// by what it did in this run. Steps the run never got to are "not-run" (a branch path not taken, a step after
// the failure, or one still ahead while the run is running).

export type RunNodeStatus = StepStatus | 'not-run';

export interface RunGraphNodeData extends Record<string, unknown> {
  /** Step id; undefined for the trigger. */
  stepId?: string;
  kind: GraphNodeKind;
  text: StepCardText;
  connector?: ConnectorDescriptor;
  status: RunNodeStatus;
  /** How many times the step ran (loop iterations); 0 when it did not. */
  executions: number;
  /** Highest attempt count of its executions (retries). */
  attempts: number;
  detached?: boolean;
  isSelected: boolean;
}

export interface RunGraphNode {
  id: string;
  kind: GraphNodeKind;
  x: number;
  y: number;
  width: number;
  height: number;
  data: RunGraphNodeData;
}

export interface RunGraphEdge {
  id: string;
  source: string;
  target: string;
  label?: string;
  /** Both ends ran in this run: the path the run took. */
  taken: boolean;
}

export interface RunGraph {
  nodes: RunGraphNode[];
  edges: RunGraphEdge[];
  /** Executions of steps the version does not contain (should not happen; shown apart rather than hidden). */
  orphans: RunStep[];
}

export const statusLabel = (status: RunNodeStatus): string => (status === 'not-run' ? 'not reached' : status);

/**
 * What an execution did, as a person reads it: the engine records an upsert that skipped its write (echo of
 * its own write, conflict lost, deleted source) as a succeeded step whose output says `path: "skipped"`.
 */
export function executionStatus(execution: RunStep): StepStatus {
  const output = execution.output as { path?: unknown; sourceId?: unknown } | null;
  if (execution.status === 'succeeded' && output && typeof output === 'object' && output.path === 'skipped' && 'sourceId' in output) return 'skipped';
  return execution.status;
}

/** One status per step id: the worst of its executions (a failed loop iteration makes the step red). */
export function runStepStatuses(steps: readonly RunStep[]): Map<string, StepStatus> {
  return stepStatusById(steps.map((step) => ({ ...step, status: executionStatus(step) })));
}

/** The graph of `flow` with each node's status in a run whose step executions are `steps`. */
export function runGraph(
  flow: FlowDefinition,
  steps: readonly RunStep[],
  catalog: readonly ConnectorDescriptor[],
  options: { triggerStatus: RunNodeStatus; selected?: string; /** deriveLayout(flow), when the caller keeps it across polls */ layout?: FlowGraphView },
): RunGraph {
  const layout = options.layout ?? deriveLayout(flow);
  const statuses = runStepStatuses(steps);
  const connectorOf = new Map(catalog.map((c) => [c.key, c]));
  const executionsOf = new Map<string, RunStep[]>();
  for (const step of steps) executionsOf.set(step.stepId, [...(executionsOf.get(step.stepId) ?? []), step]);

  const nodes = layout.nodes.map((node): RunGraphNode => {
    const base = { id: node.id, kind: node.kind, x: node.x, y: node.y, width: node.width, height: node.height };
    if (node.id === TRIGGER_NODE_ID) {
      const connector = connectorOf.get(flow.trigger.connector);
      const trigger = connector?.triggers.find((t) => t.key === flow.trigger.trigger);
      return {
        ...base,
        data: {
          kind: 'trigger',
          text: { title: flow.trigger.title ?? trigger?.title ?? flow.trigger.trigger, subtitle: `Trigger · ${connector?.title ?? flow.trigger.connector}`, summary: 'The event this run started from' },
          ...(connector ? { connector } : {}),
          status: options.triggerStatus,
          executions: options.triggerStatus === 'not-run' ? 0 : 1,
          attempts: 0,
          isSelected: options.selected === TRIGGER_NODE_ID,
        },
      };
    }
    const step = node.stepId ? flow.steps[node.stepId] : undefined;
    if (!step || !node.stepId) {
      return { ...base, data: { kind: node.kind, text: { title: '', subtitle: '', summary: '' }, status: 'not-run', executions: 0, attempts: 0, isSelected: false } };
    }
    const text = stepCardText(step, catalog);
    const connector = text.connectorKey ? connectorOf.get(text.connectorKey) : undefined;
    const executions = executionsOf.get(node.stepId) ?? [];
    return {
      ...base,
      data: {
        stepId: node.stepId,
        kind: node.kind,
        text: { ...text, title: text.title || stepLabel(step) },
        ...(connector ? { connector } : {}),
        status: statuses.get(node.stepId) ?? 'not-run',
        executions: executions.length,
        attempts: Math.max(0, ...executions.map((e) => e.attempts)),
        ...(node.detached ? { detached: true } : {}),
        isSelected: options.selected === node.stepId,
      },
    };
  });

  // Which edges the run went along: both ends ran, and for a branch path, the branch chose that path. A join or
  // end point counts as reached once a finished step leads into it (edges come in walking order, so a point is
  // reached before the edge that leaves it is looked at).
  const reached = new Set(nodes.filter((n) => n.data.status !== 'not-run' && n.kind !== 'join' && n.kind !== 'end').map((n) => n.id));
  const finishedIds = new Set(nodes.filter((n) => n.data.status === 'succeeded' || n.data.status === 'skipped' || n.kind === 'join' || n.kind === 'trigger').map((n) => n.id));
  const chosenPaths = branchChoices(steps);
  const edges: RunGraphEdge[] = layout.edges.map((edge) => {
    const insert = edge.insert;
    const chosen =
      typeof insert === 'string' || 'bodyOf' in insert
        ? true
        : 'branchOf' in insert
          ? chosenPaths.get(insert.branchOf)?.has(insert.branchId) ?? false
          : chosenPaths.get(insert.elseOf)?.has(null) ?? false;
    const point = isPoint(nodes, edge.target);
    const taken = reached.has(edge.source) && chosen && (point ? finishedIds.has(edge.source) : reached.has(edge.target));
    if (taken && point) reached.add(edge.target);
    return { id: edge.id, source: edge.source, target: edge.target, ...(edge.label ? { label: edge.label } : {}), taken };
  });

  const drawn = new Set(nodes.map((n) => n.data.stepId).filter(Boolean));
  return { nodes, edges, orphans: steps.filter((s) => !drawn.has(s.stepId)) };
}

/** The paths each branch step took (its output's branchId; null = else), over all its executions. */
function branchChoices(steps: readonly RunStep[]): Map<string, Set<string | null>> {
  const out = new Map<string, Set<string | null>>();
  for (const step of steps) {
    const output = step.output as { branchId?: unknown } | null;
    if (step.status !== 'succeeded' || !output || typeof output !== 'object' || !('branchId' in output)) continue;
    const id = typeof output.branchId === 'string' ? output.branchId : null;
    out.set(step.stepId, (out.get(step.stepId) ?? new Set()).add(id));
  }
  return out;
}

function isPoint(nodes: readonly RunGraphNode[], id: string): boolean {
  const node = nodes.find((n) => n.id === id);
  return node?.kind === 'join' || node?.kind === 'end';
}

/** The step a run detail opens on: the failing step of a failed run, else the step that skipped the run's write, else nothing. */
export function initialSelection(steps: readonly RunStep[], failedStepId: string | undefined): string | undefined {
  if (failedStepId && steps.some((s) => s.stepId === failedStepId)) return failedStepId;
  const latest = [...steps].reverse();
  return (latest.find((s) => s.status === 'failed') ?? latest.find((s) => executionStatus(s) === 'skipped'))?.stepId;
}

/** "lines[2]/line" → "iteration 3"; nested loops list each level ("iteration 2 › 3"). */
export function iterationLabel(path: string, stepId: string): string | undefined {
  if (path === stepId) return undefined;
  const indexes = [...path.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]) + 1);
  return indexes.length ? `iteration ${indexes.join(' › ')}` : path;
}
