import type { NodeProps } from '@xyflow/react';
import type { CanvasNode } from '../../features/canvas/canvas.types';
import { StepNodeCard } from '../../features/canvas/StepNodeCard';

/** Find the linked record, else match, else create — in the target app (its icon). */
export function UpsertWithLinkNode({ data }: NodeProps<CanvasNode>) {
  return <StepNodeCard data={data} variant="upsert" testId={`canvas-node-${data.stepId}`} />;
}
