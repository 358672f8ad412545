import { Position } from '@xyflow/react';
import type { GraphNode } from './graph.derive';

/**
 * What React Flow needs to place a node and its edges without measuring the DOM: position, size and handle
 * places, all known from the layout. Without `measured` and `handles`, every node whose data changed (a new
 * trigger, a typed title, a preview status) was taken as new and lost its handle bounds until it was measured
 * again — which happens only on a resize — so its edges and their "+" disappeared until a reload.
 */
export function nodeFrame(node: Pick<GraphNode, 'id' | 'kind' | 'x' | 'y' | 'width' | 'height'>) {
  return {
    id: node.id,
    type: node.kind,
    position: { x: node.x, y: node.y },
    width: node.width,
    height: node.height,
    measured: { width: node.width, height: node.height },
    handles: [
      { type: 'target' as const, position: Position.Top, x: node.width / 2 - 0.5, y: 0, width: 1, height: 1 },
      { type: 'source' as const, position: Position.Bottom, x: node.width / 2 - 0.5, y: node.height - 1, width: 1, height: 1 },
    ],
    draggable: false,
    connectable: false,
  };
}
