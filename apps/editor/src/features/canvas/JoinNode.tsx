import { Handle, Position } from '@xyflow/react';

/** Where a branch's paths meet again or a loop's body ends. */
export function JoinNode() {
  return (
    <div className="join-node" aria-hidden="true">
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}

/** The end of the flow. */
export function EndNode() {
  return (
    <div className="end-node" title="End of the flow">
      <Handle type="target" position={Position.Top} isConnectable={false} />
    </div>
  );
}
