import { analyzeGraph, scopeKey, type FlowDefinition, type FlowGraph, type InsertPosition, type Scope, type StepId } from '@braid/flow-model';

function chainStart(scope: Scope): InsertPosition {
  switch (scope.kind) {
    case 'root':
      return 'trigger';
    case 'branch':
      return { branchOf: scope.stepId, branchId: scope.branchId };
    case 'else':
      return { elseOf: scope.stepId };
    case 'body':
      return { bodyOf: scope.stepId };
  }
}

/** Where "move up" and "move down" put a step inside its chain (absent at either end). */
export function moveTargets(flow: FlowDefinition, stepId: StepId, graph: FlowGraph = analyzeGraph(flow)): { up?: InsertPosition; down?: InsertPosition } {
  const placement = graph.placement.get(stepId);
  if (!placement) return {};
  const chain = graph.chains.get(scopeKey(placement.scope)) ?? [];
  const index = chain.indexOf(stepId);
  const out: { up?: InsertPosition; down?: InsertPosition } = {};
  if (index >= 2) out.up = chain[index - 2]!;
  else if (index === 1) out.up = chainStart(placement.scope);
  if (index >= 0 && index < chain.length - 1) out.down = chain[index + 1]!;
  return out;
}
