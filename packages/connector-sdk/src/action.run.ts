// Entry points the engine calls: run an action with validated input, load dynamic options, check a
// trigger's config.
import { ConnectorError, type ValidationIssue } from './connector.errors.js';
import type { ConnectorContext, ConnectorDefinition, DynamicOption } from './connector.types.js';
import { validateInput } from './schema.validate.js';
import { triggerConfigSchema } from './trigger.settings.js';

function findAction(connector: ConnectorDefinition, actionKey: string) {
  const action = connector.actions.find((a) => a.key === actionKey);
  if (!action) {
    throw new ConnectorError(
      'INVALID_INPUT',
      `Connector "${connector.key}" has no action "${actionKey}".`,
      { retryable: false },
    );
  }
  return action;
}

/** Validates `input` against the action's schema (defaults applied; INVALID_INPUT with pointers) and runs it. */
export async function runAction(
  connector: ConnectorDefinition,
  actionKey: string,
  ctx: ConnectorContext,
  input: unknown,
): Promise<unknown> {
  const action = findAction(connector, actionKey);
  const requiresConnection = action.requiresConnection ?? connector.auth.kind !== 'none';
  if (requiresConnection && !ctx.connection) {
    throw new ConnectorError('AUTH', `"${action.title}" needs a ${connector.title} connection; pick one in the step.`, {
      retryable: false,
      needsReconnect: true,
    });
  }
  const validInput = validateInput(action.input, input, `input of "${action.title}"`);
  return action.run(ctx, validInput);
}

const MAX_OPTIONS = 2000;

/** Choices of a dynamic field, loaded from the connected account. */
export async function loadDynamicOptions(
  connector: ConnectorDefinition,
  optionsKey: string,
  ctx: ConnectorContext,
  dependsOnValues: Record<string, unknown> = {},
): Promise<DynamicOption[]> {
  const loader = connector.dynamicOptions?.[optionsKey];
  if (!loader) {
    throw new ConnectorError('INVALID_INPUT', `Connector "${connector.key}" has no dynamic options "${optionsKey}".`, {
      retryable: false,
    });
  }
  if (connector.auth.kind !== 'none' && !ctx.connection) {
    throw new ConnectorError('AUTH', `Choices from ${connector.title} need a connection; pick one first.`, {
      retryable: false,
      needsReconnect: true,
    });
  }
  const options = await loader(ctx, dependsOnValues);
  if (!Array.isArray(options)) {
    throw new ConnectorError('VENDOR', `Dynamic options "${optionsKey}" did not return a list.`, { retryable: false });
  }
  return options.slice(0, MAX_OPTIONS).map((o) => ({
    value: o.value,
    label: String(o.label),
    ...(o.description !== undefined ? { description: String(o.description) } : {}),
  }));
}

/**
 * Validates a trigger's config (schema with defaults, then the trigger's own `validateConfig`). Returns the
 * config with defaults applied; throws INVALID_INPUT with pointers.
 */
export function validateTriggerConfig<C = unknown>(
  connector: ConnectorDefinition,
  triggerKey: string,
  config: unknown,
): C {
  const trigger = connector.triggers.find((t) => t.key === triggerKey);
  if (!trigger) {
    throw new ConnectorError('INVALID_INPUT', `Connector "${connector.key}" has no trigger "${triggerKey}".`, {
      retryable: false,
    });
  }
  const valid = validateInput<C>(triggerConfigSchema(trigger), config, `configuration of "${trigger.title}"`);
  const problems: ValidationIssue[] = trigger.validateConfig?.(valid) ?? [];
  if (problems.length > 0) {
    throw new ConnectorError(
      'INVALID_INPUT',
      `The configuration of "${trigger.title}" is invalid: ` +
        problems.map((p) => `${p.pointer || '(root)'} ${p.message}`).join('; '),
      { retryable: false, issues: problems },
    );
  }
  return valid;
}
