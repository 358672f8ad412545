import { uniqueStepId, type ActionDescriptor, type ActionStep, type ConnectorDescriptor, type FlowDefinition } from '@braid/flow-model';

/** A new action step for `action` of `connector`: a readable id, the action's title, no inputs yet. */
export function newActionStep(flow: FlowDefinition, connector: ConnectorDescriptor, action: ActionDescriptor, connectionRef?: string): ActionStep {
  return {
    kind: 'action',
    id: uniqueStepId(flow, action.key.toLowerCase().replace(/[^a-z0-9_]/g, '_').replace(/^[^a-z]+/, '') || 'step'),
    title: action.title,
    connector: connector.key,
    action: action.key,
    ...(action.requiresConnection && connectionRef ? { connectionRef } : {}),
    input: {},
  };
}
