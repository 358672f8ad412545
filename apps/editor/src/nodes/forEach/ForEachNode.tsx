import type { NodeProps } from '@xyflow/react';
import type { CanvasNode } from '../../features/canvas/canvas.types';
import { StepNodeCard } from '../../features/canvas/StepNodeCard';

/** A loop; its body hangs below it and ends at the loop's join point. */
export function ForEachNode({ data }: NodeProps<CanvasNode>) {
  return <StepNodeCard data={data} variant="forEach" glyph={<span className="glyph glyph-loop" aria-hidden="true">↻</span>} testId={`canvas-node-${data.stepId}`} />;
}
