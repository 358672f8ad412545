import dagre from '@dagrejs/dagre';
import { analyzeGraph, flowOutline, type FlowDefinition, type InsertPosition, type OutlineChain, type OutlineNode, type Step, type StepId } from '@braid/flow-model';

// The canvas graph is derived from the flow JSON, never edited directly: nodes for the trigger and every
// step, a small join node where a branch's paths meet or a loop ends, and one edge per place a step can be
// inserted (the edge's "+").

export type GraphNodeKind = 'trigger' | Step['kind'] | 'join' | 'end';

export interface GraphNode {
  id: string;
  kind: GraphNodeKind;
  stepId?: StepId;
  /** True for steps nothing leads to (shown apart, with their problem). */
  detached?: boolean;
  width: number;
  height: number;
  /** Top-left corner after layout. */
  x: number;
  y: number;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  /** Path label ("Found", "Else", "For each"). */
  label?: string;
  /** Where a step added on this edge goes. */
  insert: InsertPosition;
  /** Stable name for test ids and keyboard users: "after-trigger", "after-find_contact", "branch-found-yes" … */
  slot: string;
  /** False for the second half of an empty path (its "+" is on the first half). */
  addable: boolean;
}

export interface FlowGraphView {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export const TRIGGER_NODE_ID = '__trigger';
export const END_NODE_ID = '__end';
export const joinNodeId = (stepId: StepId) => `__join_${stepId}`;
export const emptyPathNodeId = (slot: string) => `__empty_${slot}`;

const STEP_SIZE = { width: 260, height: 76 };
const JOIN_SIZE = { width: 14, height: 14 };

export function insertSlot(insert: InsertPosition): string {
  if (typeof insert === 'string') return `after-${insert}`;
  if ('branchOf' in insert) return `branch-${insert.branchOf}-${insert.branchId}`;
  if ('elseOf' in insert) return `else-${insert.elseOf}`;
  return `body-${insert.bodyOf}`;
}

function chainInsert(owner: StepId, chain: OutlineChain): InsertPosition {
  const scope = chain.scope;
  if (scope.kind === 'branch') return { branchOf: owner, branchId: scope.branchId };
  if (scope.kind === 'else') return { elseOf: owner };
  return { bodyOf: owner };
}

/** Nodes and edges of a flow, without positions. */
export function deriveGraph(flow: FlowDefinition): FlowGraphView {
  const graph = analyzeGraph(flow);
  const outline = flowOutline(flow, graph);
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const addNode = (id: string, kind: GraphNodeKind, stepId?: StepId) => {
    const size = kind === 'join' || kind === 'end' ? JOIN_SIZE : STEP_SIZE;
    nodes.push({ id, kind, ...(stepId ? { stepId } : {}), ...size, x: 0, y: 0 });
  };
  const addEdge = (source: string, target: string, insert: InsertPosition, label?: string, addable = true) => {
    const slot = insertSlot(insert);
    edges.push({ id: addable ? slot : `${slot}:out`, source, target, insert, slot, addable, ...(label ? { label } : {}) });
  };

  /**
   * Lays a chain out after `from` (entered with `insert`, labelled `label`); returns the node the chain
   * ends at and the insert position of the edge leaving it.
   */
  const layChain = (steps: OutlineNode[], from: string, insert: InsertPosition, label?: string): { last: string; insert: InsertPosition; label?: string } => {
    let previous = from;
    let nextInsert = insert;
    let nextLabel = label;
    for (const node of steps) {
      addNode(node.id, node.step.kind, node.id);
      addEdge(previous, node.id, nextInsert, nextLabel);
      nextLabel = undefined;
      if (node.chains) {
        const join = joinNodeId(node.id);
        const ends = node.chains.map((chain) => {
          const insert = chainInsert(node.id, chain);
          if (chain.steps.length > 0) return { end: layChain(chain.steps, node.id, insert, chain.label), empty: false };
          // An empty path gets its own small node, so each path has a lane (and a "+") of its own.
          const placeholder = emptyPathNodeId(insertSlot(insert));
          addNode(placeholder, 'join');
          addEdge(node.id, placeholder, insert, chain.label);
          return { end: { last: placeholder, insert }, empty: true };
        });
        addNode(join, 'join');
        for (const { end, empty } of ends) addEdge(end.last, join, end.insert, undefined, !empty);
        previous = join;
      } else {
        previous = node.id;
      }
      nextInsert = node.id;
    }
    return { last: previous, insert: nextInsert, ...(nextLabel ? { label: nextLabel } : {}) };
  };

  addNode(TRIGGER_NODE_ID, 'trigger');
  const end = layChain(outline, TRIGGER_NODE_ID, 'trigger');
  addNode(END_NODE_ID, 'end');
  addEdge(end.last, END_NODE_ID, end.insert);

  for (const id of graph.unreachable) {
    const step = flow.steps[id];
    if (step) nodes.push({ id, kind: step.kind, stepId: id, detached: true, ...STEP_SIZE, x: 0, y: 0 });
  }
  return { nodes, edges };
}

/** Positions the nodes top to bottom with dagre (detached steps in a column to the right). */
export function layoutGraph(view: FlowGraphView): FlowGraphView {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 48, ranksep: 44, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const attached = view.nodes.filter((n) => !n.detached);
  for (const node of attached) g.setNode(node.id, { width: node.width, height: node.height });
  for (const edge of view.edges) g.setEdge(edge.source, edge.target);
  dagre.layout(g);
  let maxX = 0;
  const nodes = view.nodes.map((node) => {
    if (node.detached) return node;
    const placed = g.node(node.id);
    const x = placed.x - node.width / 2;
    maxX = Math.max(maxX, x + node.width);
    return { ...node, x, y: placed.y - node.height / 2 };
  });
  let detachedY = 20;
  for (const node of nodes) {
    if (!node.detached) continue;
    node.x = maxX + 120;
    node.y = detachedY;
    detachedY += node.height + 40;
  }
  return { nodes, edges: view.edges };
}

export function deriveLayout(flow: FlowDefinition): FlowGraphView {
  return layoutGraph(deriveGraph(flow));
}
