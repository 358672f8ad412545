import '@xyflow/react/dist/style.css';
import { stepLabel, type InsertPosition, type Problem } from '@braid/flow-model';
import { Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, useReactFlow, type EdgeTypes, type NodeMouseHandler } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { nodeTypes } from '../../nodes/nodeTypes';
import { stepCardText } from '../../nodes/summary';
import { nodeFrame } from './canvas.frame';
import type { CanvasEdge, CanvasNode } from './canvas.types';
import { useEditor, useEditorContext } from './editor.context';
import { deriveGraph, layoutGraph, TRIGGER_NODE_ID, type FlowGraphView } from './graph.derive';
import { InsertEdge } from './InsertEdge';
import { stepStatuses } from './preview.status';

const edgeTypes: EdgeTypes = { insert: InsertEdge };

/** The flow drawn from its JSON: nodes per step, "+" on every edge, zoom to fit, minimap. */
export function Canvas({ onInsert }: { onInsert: (insert: InsertPosition, slot: string) => void }) {
  return (
    <ReactFlowProvider>
      <CanvasInner onInsert={onInsert} />
    </ReactFlowProvider>
  );
}

function CanvasInner({ onInsert }: { onInsert: (insert: InsertPosition, slot: string) => void }) {
  const { catalog, problems, editable, store } = useEditorContext();
  const flow = useEditor((s) => s.flow);
  const selection = useEditor((s) => s.selection);
  const preview = useEditor((s) => s.preview);
  const [ready, setReady] = useState(false);
  const reactFlow = useReactFlow();

  // Layout only when the structure changes, not on every keystroke in a field.
  const structure = deriveGraph(flow);
  const structureKey = structure.nodes.map((n) => n.id).join(',') + '|' + structure.edges.map((e) => `${e.source}>${e.target}`).join(',');
  const layoutCache = useRef<{ key: string; view: FlowGraphView } | null>(null);
  if (layoutCache.current?.key !== structureKey) layoutCache.current = { key: structureKey, view: layoutGraph(structure) };
  const layout = layoutCache.current.view;

  const statuses = useMemo(() => stepStatuses(preview), [preview]);
  const connectorOf = useMemo(() => new Map(catalog.map((c) => [c.key, c])), [catalog]);

  const nodes: CanvasNode[] = useMemo(
    () =>
      layout.nodes.map((node) => {
        const base = nodeFrame(node);
        if (node.kind === 'join' || node.kind === 'end') {
          return { ...base, selectable: false, focusable: false, data: { text: { title: '', subtitle: '', summary: '' }, problems: [], isSelected: false } };
        }
        if (node.id === TRIGGER_NODE_ID) {
          const connector = connectorOf.get(flow.trigger.connector);
          const trigger = connector?.triggers.find((t) => t.key === flow.trigger.trigger);
          const triggerProblems = (problems.get('') ?? []).filter((p: Problem) => p.pointer.startsWith('/trigger'));
          return {
            ...base,
            data: {
              text: { title: flow.trigger.title ?? trigger?.title ?? 'Choose a trigger', subtitle: `Trigger · ${connector?.title ?? flow.trigger.connector}`, summary: trigger?.description ?? `${flow.trigger.connector} › ${flow.trigger.trigger}` },
              ...(connector ? { connector } : {}),
              problems: triggerProblems,
              ...(preview ? { status: preview.status === 'failed' && !preview.steps.length ? 'failed' : 'succeeded' } : {}),
              isSelected: selection?.kind === 'trigger',
            },
          };
        }
        const step = flow.steps[node.stepId!]!;
        const text = stepCardText(step, catalog);
        const connector = text.connectorKey ? connectorOf.get(text.connectorKey) : undefined;
        const status = statuses.get(node.stepId!);
        return {
          ...base,
          ariaLabel: `Step ${stepLabel(step)}`,
          data: {
            stepId: node.stepId!,
            text,
            ...(connector ? { connector } : {}),
            problems: problems.get(node.stepId!) ?? [],
            ...(status ? { status } : {}),
            ...(node.detached ? { detached: true } : {}),
            isSelected: selection?.kind === 'step' && selection.stepId === node.stepId,
          },
        };
      }),
    [layout, flow, catalog, connectorOf, problems, statuses, selection, preview],
  );

  const edges: CanvasEdge[] = useMemo(
    () =>
      layout.edges.map((edge) => ({
        id: edge.id,
        source: edge.source,
        target: edge.target,
        type: 'insert',
        focusable: false,
        data: { insert: edge.insert, slot: edge.slot, ...(edge.label ? { label: edge.label } : {}), editable: editable && edge.addable, onInsert },
      })),
    [layout, editable, onInsert],
  );

  const onNodeClick: NodeMouseHandler<CanvasNode> = useCallback(
    (_event, node) => {
      if (node.id === TRIGGER_NODE_ID) store.getState().select({ kind: 'trigger' });
      else if (node.data.stepId) store.getState().select({ kind: 'step', stepId: node.data.stepId });
    },
    [store],
  );

  // Fit the view when the number of nodes changes a lot (first load, paste, undo of a big delete).
  const count = layout.nodes.length;
  // A long flow opens at its top at a readable zoom (fitting all of it would make the cards unreadable).
  const fitViewOptions = useMemo(
    () => (count > 30 ? { padding: 0.1, maxZoom: 1, nodes: [...layout.nodes].sort((a, b) => a.y - b.y).slice(0, 8).map((n) => ({ id: n.id })) } : { padding: 0.15, maxZoom: 1 }),
    [count, layout],
  );
  const lastCount = useRef(count);
  useEffect(() => {
    if (Math.abs(lastCount.current - count) > 5) void reactFlow.fitView(fitViewOptions);
    lastCount.current = count;
  }, [count, reactFlow, fitViewOptions]);

  return (
    <div className="canvas" data-testid="canvas" data-ready={ready ? 'true' : 'false'} data-node-count={count}>
      <ReactFlow<CanvasNode, CanvasEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodeClick={onNodeClick}
        onPaneClick={() => store.getState().select(null)}
        onInit={() => {
          setReady(true);
          performance.mark('braid:canvas-ready');
        }}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable
        deleteKeyCode={null}
        fitView
        fitViewOptions={fitViewOptions}
        minZoom={0.1}
        onlyRenderVisibleElements={count > 60}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={20} />
        <Controls showInteractive={false} aria-label="Zoom" />
        <MiniMap pannable zoomable ariaLabel="Mini map" nodeStrokeWidth={3} />
      </ReactFlow>
    </div>
  );
}
