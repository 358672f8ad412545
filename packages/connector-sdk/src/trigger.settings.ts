// Settings every trigger of a kind shares, added by the SDK so each connector gets them the same way: the
// poll interval of polling triggers, and the format of a webhook trigger's secret.
import type { JsonSchema, TriggerDefinition, WebhookSecretSpec } from './connector.types.js';

/** The one config key of a polling trigger's interval (the runtime reads nothing else). */
export const POLL_INTERVAL_KEY = 'intervalMinutes';
/** Bounds of `intervalMinutes`: once a minute (the runtime's schedule precision) to once a day. */
export const MIN_POLL_INTERVAL_MINUTES = 1;
export const MAX_POLL_INTERVAL_MINUTES = 1440;

/** The `intervalMinutes` property of every polling trigger's config schema (rendered in the editor's form). */
export const pollIntervalProperty: JsonSchema = {
  type: 'integer',
  title: 'Check every (minutes)',
  description:
    `How often Braid asks the app for changes, from ${MIN_POLL_INTERVAL_MINUTES} minute to ${MAX_POLL_INTERVAL_MINUTES} ` +
    'minutes (a day). Empty: the trigger\'s suggested interval.',
  minimum: MIN_POLL_INTERVAL_MINUTES,
  maximum: MAX_POLL_INTERVAL_MINUTES,
};

const withInterval = new WeakMap<object, JsonSchema>();
/** Schemas whose `intervalMinutes` the SDK added (the connector itself knows nothing of it). */
const sdkIntervals = new WeakSet<object>();

/**
 * A polling trigger's config schema with the standard optional `intervalMinutes` (same object for the same
 * input, so compiled validators are cached). A schema that already declares `intervalMinutes`, or is not an
 * object schema (the registry refuses those), is returned unchanged.
 */
export function withPollInterval(schema: JsonSchema): JsonSchema {
  const properties = schema.properties as Record<string, unknown> | undefined;
  if (schema.type !== 'object' || (properties && POLL_INTERVAL_KEY in properties)) return schema;
  let extended = withInterval.get(schema);
  if (!extended) {
    extended = { ...schema, properties: { ...(properties ?? {}), [POLL_INTERVAL_KEY]: pollIntervalProperty } };
    withInterval.set(schema, extended);
    sdkIntervals.add(extended);
  }
  return extended;
}

/** The config schema flows are validated against: a polling trigger's own plus `intervalMinutes`. */
export function triggerConfigSchema(trigger: TriggerDefinition): JsonSchema {
  return trigger.kind === 'polling' ? withPollInterval(trigger.configSchema) : trigger.configSchema;
}

/**
 * Splits a validated polling config into the connector's own settings and the runtime's `intervalMinutes`:
 * `poll`/`listExisting` get only what the connector declared (connectors that check their config against their
 * own schema with `additionalProperties: false` keep working); a trigger declaring `intervalMinutes` itself
 * gets it too.
 */
export function splitPollInterval<C extends Record<string, unknown>>(
  trigger: TriggerDefinition,
  config: C,
): { config: C; intervalMinutes?: number } {
  if (trigger.kind !== 'polling') return { config };
  const minutes = config[POLL_INTERVAL_KEY];
  const intervalMinutes = typeof minutes === 'number' ? minutes : undefined;
  const own = trigger.configSchema.properties as Record<string, unknown> | undefined;
  const declaredByConnector = !sdkIntervals.has(trigger.configSchema) && own !== undefined && POLL_INTERVAL_KEY in own;
  if (declaredByConnector || !(POLL_INTERVAL_KEY in config)) return { config, ...(intervalMinutes !== undefined ? { intervalMinutes } : {}) };
  const { [POLL_INTERVAL_KEY]: _interval, ...rest } = config;
  return { config: rest as C, ...(intervalMinutes !== undefined ? { intervalMinutes } : {}) };
}

/** The secret format of a (app-)webhook trigger: its own declaration, else opaque. */
export function webhookSecretSpec(trigger: TriggerDefinition): WebhookSecretSpec {
  return (trigger.kind === 'webhook' || trigger.kind === 'app-webhook') && trigger.secret ? trigger.secret : { format: 'opaque' };
}

/** Bounds of an alphanumeric secret's length (enough entropy; no app we know takes more). */
export const MIN_ALPHANUMERIC_SECRET = 12;
export const MAX_ALPHANUMERIC_SECRET = 128;

/** Whether a secret has the declared format (a secret made for another trigger may not). */
export function secretMatchesSpec(spec: WebhookSecretSpec, secret: string): boolean {
  if (spec.format === 'alphanumeric') return secret.length === spec.length && /^[A-Za-z0-9]+$/.test(secret);
  return secret.length > 0;
}

/** "32 letters and digits" — for set-up help and error messages. */
export function describeSecretSpec(spec: WebhookSecretSpec): string {
  return spec.format === 'alphanumeric' ? `${spec.length} letters and digits` : 'a random string (whsec_…)';
}
