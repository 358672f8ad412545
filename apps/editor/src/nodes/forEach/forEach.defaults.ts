import { uniqueStepId, type FlowDefinition, type ForEachStep } from '@braid/flow-model';

export function newForEachStep(flow: FlowDefinition): ForEachStep {
  return { kind: 'forEach', id: uniqueStepId(flow, 'for_each'), title: 'For each', items: { $expr: '' } };
}
