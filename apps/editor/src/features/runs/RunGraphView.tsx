import '@xyflow/react/dist/style.css';
import { BaseEdge, Background, Controls, EdgeLabelRenderer, getSmoothStepPath, Handle, Position, ReactFlow, ReactFlowProvider, type Edge, type EdgeProps, type EdgeTypes, type Node, type NodeProps, type NodeTypes } from '@xyflow/react';
import { useMemo, type KeyboardEvent } from 'react';
import { ConnectorIcon } from '../../components/ConnectorIcon';
import { EndNode, JoinNode } from '../canvas/JoinNode';
import { nodeFrame } from '../canvas/canvas.frame';
import { TRIGGER_NODE_ID } from '../canvas/graph.derive';
import { statusLabel, type RunGraph, type RunGraphNodeData } from './run.graph';

type RunNode = Node<RunGraphNodeData>;
type RunEdge = Edge<{ label?: string; taken: boolean }>;

const glyphs: Partial<Record<string, { className: string; text: string }>> = {
  branch: { className: 'glyph glyph-branch', text: 'if' },
  forEach: { className: 'glyph glyph-loop', text: '↻' },
  map: { className: 'glyph glyph-map', text: '{ }' },
};

const statusMark: Record<string, string> = { succeeded: '✓', failed: '!', running: '…', skipped: '–', 'not-run': '' };

/** A step of the run: the canvas card's look (icon, title, subtitle), coloured by its status in this run. */
function RunStepNode({ data }: NodeProps<RunNode>) {
  const glyph = glyphs[data.kind];
  const isTrigger = data.kind === 'trigger';
  const extra = data.executions > 1 ? `${data.executions} runs` : data.attempts > 1 ? `${data.attempts} attempts` : '';
  return (
    <div
      className={`node-card run-node node-${data.kind === 'upsertWithLink' ? 'upsert' : data.kind} status-${data.status}${data.isSelected ? ' is-selected' : ''}${data.detached ? ' is-detached' : ''}`}
      data-testid="run-node"
      data-step-id={data.stepId ?? 'trigger'}
      data-status={data.status}
    >
      {!isTrigger && <Handle type="target" position={Position.Top} isConnectable={false} />}
      <div className="node-icon">{glyph ? <span className={glyph.className} aria-hidden="true">{glyph.text}</span> : <ConnectorIcon connector={data.connector} size={28} />}</div>
      <div className="node-text">
        <div className="node-title">{data.text.title}</div>
        <div className="node-subtitle">{data.text.subtitle}</div>
        <div className="run-node-status">
          <span className={`bc-pill is-${data.status}`}>{statusLabel(data.status)}</span>
          {extra && <span className="muted"> · {extra}</span>}
        </div>
      </div>
      {statusMark[data.status] && (
        <span className={`node-status node-status-${data.status}`} aria-hidden="true">
          {statusMark[data.status]}
        </span>
      )}
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}

/** An edge of the flow; the path the run went along is drawn solid, the rest dashed. */
function RunPathEdge({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data }: EdgeProps<RunEdge>) {
  const [path] = getSmoothStepPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, borderRadius: 10 });
  return (
    <>
      <BaseEdge id={id} path={path} className={data?.taken ? 'run-edge is-taken' : 'run-edge'} />
      {data?.label && (
        <EdgeLabelRenderer>
          <div className="edge-label nodrag nopan" style={{ transform: `translate(-50%, -50%) translate(${targetX}px, ${sourceY + 18}px)` }}>
            {data.label}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

const nodeTypes: NodeTypes = { step: RunStepNode, join: JoinNode, end: EndNode };
const edgeTypes: EdgeTypes = { run: RunPathEdge };

/**
 * The run drawn as the flow's graph (read-only). Click a node, or focus it with Tab and press Enter, to open
 * its executions.
 */
export function RunGraphView({ graph, onOpenStep }: { graph: RunGraph; onOpenStep(stepId: string): void }) {
  const nodes: RunNode[] = useMemo(
    () =>
      graph.nodes.map((node) => {
        const point = node.kind === 'join' || node.kind === 'end';
        return {
          // Sizes and handles from the layout, as on the canvas: React Flow never has to measure the DOM.
          ...nodeFrame(node),
          type: point ? node.kind : 'step',
          selectable: !point,
          focusable: !point,
          ...(point ? {} : { ariaLabel: `${node.data.text.title}: ${statusLabel(node.data.status)}. Press Enter for its input and output.` }),
          data: node.data,
        };
      }),
    [graph],
  );
  const edges: RunEdge[] = useMemo(
    () => graph.edges.map((edge) => ({ id: edge.id, source: edge.source, target: edge.target, type: 'run', focusable: false, selectable: false, data: { taken: edge.taken, ...(edge.label ? { label: edge.label } : {}) } })),
    [graph],
  );
  const open = (id: string | null | undefined) => {
    if (!id) return;
    const node = graph.nodes.find((n) => n.id === id);
    if (!node || node.kind === 'join' || node.kind === 'end') return;
    onOpenStep(node.id === TRIGGER_NODE_ID ? TRIGGER_NODE_ID : node.data.stepId ?? node.id);
  };
  // React Flow's own Enter only selects a node: the details open here (the key comes from the focused node).
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    const target = (event.target as HTMLElement).closest('.react-flow__node');
    if (!target) return;
    event.preventDefault();
    open(target.getAttribute('data-id'));
  };
  return (
    <div className="run-graph canvas" data-testid="run-graph" aria-label="The flow as this run went through it" onKeyDown={onKeyDown}>
      <ReactFlowProvider>
        <ReactFlow<RunNode, RunEdge>
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          onNodeClick={(_event, node) => open(node.id)}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable
          deleteKeyCode={null}
          fitView
          fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
          minZoom={0.1}
          onlyRenderVisibleElements={nodes.length > 60}
          proOptions={{ hideAttribution: true }}
        >
          <Background gap={20} />
          <Controls showInteractive={false} aria-label="Zoom" />
        </ReactFlow>
      </ReactFlowProvider>
    </div>
  );
}
