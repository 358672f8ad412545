import { uniqueStepId, type ConnectorDescriptor, type FlowDefinition, type UpsertWithLinkStep } from '@braid/flow-model';

/**
 * A new upsert-with-link step writing to `connector`: its first "create" action (else its first write
 * action) creates the record; the source record is the trigger's (`$trigger.id`).
 */
export function newUpsertWithLinkStep(flow: FlowDefinition, connector: ConnectorDescriptor, connectionRef?: string): UpsertWithLinkStep | null {
  const writes = connector.actions.filter((a) => a.classification === 'write');
  const create = writes.find((a) => /create|upsert/.test(a.key)) ?? writes[0];
  if (!create) return null;
  return {
    kind: 'upsertWithLink',
    id: uniqueStepId(flow, 'upsert'),
    title: `Upsert into ${connector.title}`,
    connector: connector.key,
    ...(connectionRef ? { connectionRef } : {}),
    source: { app: flow.trigger.connector, type: 'record', id: { $expr: '$trigger.id' } },
    target: { type: 'record' },
    create: { action: create.key, input: {}, idPath: 'id' },
  };
}

/** Connectors an upsert can write to (they have a write action). */
export function upsertTargets(catalog: readonly ConnectorDescriptor[]): ConnectorDescriptor[] {
  return catalog.filter((c) => c.key !== 'core' && c.actions.some((a) => a.classification === 'write'));
}
