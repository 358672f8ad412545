import { uniqueStepId, type FlowDefinition, type MapStep } from '@braid/flow-model';

export function newMapStep(flow: FlowDefinition): MapStep {
  return { kind: 'map', id: uniqueStepId(flow, 'map'), title: 'Map data', output: {} };
}
