import { uniqueStepId, type BranchStep, type FlowDefinition } from '@braid/flow-model';

export function newBranchStep(flow: FlowDefinition): BranchStep {
  return { kind: 'branch', id: uniqueStepId(flow, 'branch'), title: 'Branch', branches: [{ id: 'path_1', label: 'Path 1', condition: { $expr: '' } }], else: {} };
}

/** A fresh path id for a branch ("path_2", "path_3" …). */
export function newPathId(step: BranchStep): string {
  const taken = new Set(step.branches.map((b) => b.id));
  let n = step.branches.length + 1;
  while (taken.has(`path_${n}`)) n++;
  return `path_${n}`;
}
