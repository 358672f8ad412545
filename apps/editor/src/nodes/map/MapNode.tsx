import type { NodeProps } from '@xyflow/react';
import type { CanvasNode } from '../../features/canvas/canvas.types';
import { StepNodeCard } from '../../features/canvas/StepNodeCard';

/** Shapes data into a new value (no app call). */
export function MapNode({ data }: NodeProps<CanvasNode>) {
  return <StepNodeCard data={data} variant="map" glyph={<span className="glyph glyph-map" aria-hidden="true">{'{}'}</span>} testId={`canvas-node-${data.stepId}`} />;
}
