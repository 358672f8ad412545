import type { NodeProps } from '@xyflow/react';
import type { CanvasNode } from '../../features/canvas/canvas.types';
import { StepNodeCard } from '../../features/canvas/StepNodeCard';

/** An action of a connected app: its icon, title, the app › action, and the first input. */
export function ActionNode({ data }: NodeProps<CanvasNode>) {
  return <StepNodeCard data={data} variant="action" testId={`canvas-node-${data.stepId}`} />;
}
