// Definition → plain JSON descriptor (CONTRACTS.md §1) for the catalog, flow-model and the editor.
import type {
  ActionDefinition,
  ActionDescriptor,
  ConnectorDefinition,
  ConnectorDescriptor,
  TriggerDefinition,
  TriggerDescriptor,
} from './connector.types.js';
import { triggerConfigSchema } from './trigger.settings.js';

function actionRequiresConnection(connector: ConnectorDefinition, action: ActionDefinition): boolean {
  return action.requiresConnection ?? connector.auth.kind !== 'none';
}

function triggerRequiresConnection(connector: ConnectorDefinition, trigger: TriggerDefinition): boolean {
  if (trigger.requiresConnection !== undefined) return trigger.requiresConnection;
  // Polling and app-registered webhooks call the app; plain webhooks, schedules and manual runs do not.
  return (trigger.kind === 'polling' || trigger.kind === 'app-webhook') && connector.auth.kind !== 'none';
}

export function canListExisting(trigger: TriggerDefinition): boolean {
  return (trigger.kind === 'polling' || trigger.kind === 'app-webhook') && typeof trigger.listExisting === 'function';
}

function json<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

export function describeAction(connector: ConnectorDefinition, action: ActionDefinition): ActionDescriptor {
  const descriptor: ActionDescriptor = {
    key: action.key,
    title: action.title,
    description: action.description,
    inputSchema: json(action.input),
    outputSchema: json(action.output),
    sampleOutput: json(action.sampleOutput),
    classification: action.classification,
    idempotent: action.idempotent,
    requiresConnection: actionRequiresConnection(connector, action),
  };
  if (action.dynamicOptions && Object.keys(action.dynamicOptions).length > 0) {
    descriptor.dynamicOptions = Object.fromEntries(
      Object.entries(action.dynamicOptions).map(([pointer, binding]) => [
        pointer,
        { optionsKey: binding.optionsKey, dependsOn: [...(binding.dependsOn ?? [])] },
      ]),
    );
  }
  return descriptor;
}

export function describeTrigger(connector: ConnectorDefinition, trigger: TriggerDefinition): TriggerDescriptor {
  return {
    key: trigger.key,
    title: trigger.title,
    description: trigger.description,
    kind: trigger.kind,
    configSchema: json(triggerConfigSchema(trigger)),
    outputSchema: json(trigger.outputSchema),
    sampleOutput: json(trigger.sampleOutput),
    requiresConnection: triggerRequiresConnection(connector, trigger),
    canListExisting: canListExisting(trigger),
  };
}

export function describeConnector(connector: ConnectorDefinition): ConnectorDescriptor {
  const descriptor: ConnectorDescriptor = {
    key: connector.key,
    title: connector.title,
    description: connector.description,
    icon: connector.icon,
    auth: json(connector.auth),
    actions: connector.actions.map((a) => describeAction(connector, a)),
    triggers: connector.triggers.map((t) => describeTrigger(connector, t)),
  };
  if (connector.connectionSettingsSchema) descriptor.connectionSettingsSchema = json(connector.connectionSettingsSchema);
  return descriptor;
}
