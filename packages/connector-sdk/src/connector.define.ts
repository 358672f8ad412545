// Helpers that give connector authors type checking; definitions are plain objects the runtime registers.
/* eslint-disable @typescript-eslint/no-explicit-any -- type parameters of definitions default to `any` so a
   connector can be written without spelling out every input type; inputs are validated with ajv at run time. */
import type {
  ActionDefinition,
  AppWebhookTriggerDefinition,
  ConnectorDefinition,
  ManualTriggerDefinition,
  PollingTriggerDefinition,
  ScheduleTriggerDefinition,
  TriggerDefinition,
  WebhookTriggerDefinition,
} from './connector.types.js';
import { withPollInterval } from './trigger.settings.js';

export function defineConnector(definition: ConnectorDefinition): ConnectorDefinition {
  return definition;
}

export function defineAction<I = any, O = any>(definition: ActionDefinition<I, O>): ActionDefinition<I, O> {
  return definition;
}

export function defineTrigger<C = any>(definition: WebhookTriggerDefinition<C>): WebhookTriggerDefinition<C>;
export function defineTrigger<C = any, Cursor = any>(
  definition: PollingTriggerDefinition<C, Cursor>,
): PollingTriggerDefinition<C, Cursor>;
export function defineTrigger<C = any>(definition: AppWebhookTriggerDefinition<C>): AppWebhookTriggerDefinition<C>;
export function defineTrigger<C = any>(definition: ScheduleTriggerDefinition<C>): ScheduleTriggerDefinition<C>;
export function defineTrigger<C = any>(definition: ManualTriggerDefinition<C>): ManualTriggerDefinition<C>;
export function defineTrigger(definition: TriggerDefinition): TriggerDefinition {
  // Every polling trigger gets the standard optional `intervalMinutes` setting.
  if (definition.kind === 'polling') return { ...definition, configSchema: withPollInterval(definition.configSchema) };
  return definition;
}
