import type { ConnectorDescriptor, InsertPosition, Problem } from '@braid/flow-model';
import type { Edge, Node } from '@xyflow/react';
import type { StepCardText } from '../../nodes/summary';

export interface CanvasNodeData extends Record<string, unknown> {
  stepId?: string;
  text: StepCardText;
  connector?: ConnectorDescriptor;
  problems: Problem[];
  /** Step status of the last preview: succeeded, failed, skipped … */
  status?: string;
  detached?: boolean;
  isSelected: boolean;
}

export type CanvasNode = Node<CanvasNodeData>;

export interface InsertEdgeData extends Record<string, unknown> {
  insert: InsertPosition;
  slot: string;
  label?: string;
  editable: boolean;
  onInsert: (insert: InsertPosition, slot: string) => void;
}

export type CanvasEdge = Edge<InsertEdgeData>;
