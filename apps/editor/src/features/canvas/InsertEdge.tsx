import { BaseEdge, EdgeLabelRenderer, getSmoothStepPath, type EdgeProps } from '@xyflow/react';
import type { CanvasEdge } from './canvas.types';

/** An edge with its path label and a "+" that inserts a step exactly there. */
export function InsertEdge({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, markerEnd }: EdgeProps<CanvasEdge>) {
  const [path, labelX, labelY] = getSmoothStepPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, borderRadius: 10 });
  // The label sits just below the source (where the path leaves), the "+" in the middle.
  const labelAtY = sourceY + 18;
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} />
      <EdgeLabelRenderer>
        {data?.label && (
          <div className="edge-label nodrag nopan" style={{ transform: `translate(-50%, -50%) translate(${targetX}px, ${labelAtY}px)` }}>
            {data.label}
          </div>
        )}
        {data?.editable && (
          <button
            type="button"
            className="edge-add nodrag nopan"
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${data.label ? Math.max(labelY, labelAtY + 22) : labelY}px)` }}
            aria-label={`Add a step here (${data.slot})`}
            data-testid={`add-step-${data.slot}`}
            onClick={() => data.onInsert(data.insert, data.slot)}
          >
            +
          </button>
        )}
      </EdgeLabelRenderer>
    </>
  );
}
