import type { NodeProps } from '@xyflow/react';
import type { CanvasNode } from '../../features/canvas/canvas.types';
import { StepNodeCard } from '../../features/canvas/StepNodeCard';

/** If / else-if / else; its paths leave from the bottom, labelled on their edges. */
export function BranchNode({ data }: NodeProps<CanvasNode>) {
  return <StepNodeCard data={data} variant="branch" glyph={<span className="glyph glyph-branch" aria-hidden="true">if</span>} testId={`canvas-node-${data.stepId}`} />;
}
