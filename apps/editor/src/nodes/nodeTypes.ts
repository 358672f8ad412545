import type { NodeTypes } from '@xyflow/react';
import { EndNode, JoinNode } from '../features/canvas/JoinNode';
import { ActionNode } from './action/ActionNode';
import { BranchNode } from './branch/BranchNode';
import { ForEachNode } from './forEach/ForEachNode';
import { MapNode } from './map/MapNode';
import { TriggerNode } from './trigger/TriggerNode';
import { UpsertWithLinkNode } from './upsertWithLink/UpsertWithLinkNode';

/** Canvas node component per graph node kind (one folder per step kind). */
export const nodeTypes: NodeTypes = {
  trigger: TriggerNode,
  action: ActionNode,
  branch: BranchNode,
  forEach: ForEachNode,
  map: MapNode,
  upsertWithLink: UpsertWithLinkNode,
  join: JoinNode,
  end: EndNode,
};
