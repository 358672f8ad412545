import type { NodeProps } from '@xyflow/react';
import type { CanvasNode } from '../../features/canvas/canvas.types';
import { StepNodeCard } from '../../features/canvas/StepNodeCard';

/** The flow's trigger: the first card, with no input. */
export function TriggerNode({ data }: NodeProps<CanvasNode>) {
  return <StepNodeCard data={data} variant="trigger" hasInput={false} testId="canvas-node-trigger" />;
}
