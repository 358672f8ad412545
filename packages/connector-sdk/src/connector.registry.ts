// The registry the runtime fills at start-up: every connector (core, Zoho Books, Zoho CRM, Togai, the SDK's
// test connector) is registered the same way, and a broken definition is refused with every problem listed.
import { ConnectorDefinitionError, type DefinitionProblem } from './connector.errors.js';
import { describeConnector } from './connector.describe.js';
import type {
  ActionDefinition,
  ConnectorDefinition,
  ConnectorDescriptor,
  JsonSchema,
  TriggerDefinition,
} from './connector.types.js';
import { checkAgainstSchema, compileSchema } from './schema.validate.js';
import { MAX_ALPHANUMERIC_SECRET, MIN_ALPHANUMERIC_SECRET } from './trigger.settings.js';

const CONNECTOR_KEY = /^[a-z][a-z0-9-]{0,62}$/;
const ITEM_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const TRIGGER_KINDS = new Set(['webhook', 'polling', 'app-webhook', 'schedule', 'manual']);
const CLASSIFICATIONS = new Set(['read', 'write', 'delete']);

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

function checkSchema(problems: DefinitionProblem[], path: string, schema: unknown, mustBeObject: boolean): boolean {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) {
    problems.push({ path, message: 'must be a JSON Schema object' });
    return false;
  }
  try {
    compileSchema(schema as JsonSchema);
  } catch (error) {
    problems.push({ path, message: `does not compile: ${(error as Error).message}` });
    return false;
  }
  if (mustBeObject && (schema as JsonSchema).type !== 'object') {
    problems.push({ path, message: 'must have "type": "object" (the editor renders it as a form)' });
  }
  return true;
}

function checkSample(problems: DefinitionProblem[], path: string, schema: JsonSchema, sample: unknown): void {
  if (sample === undefined) {
    problems.push({ path, message: 'is missing (the editor shows it before the first run)' });
    return;
  }
  const result = checkAgainstSchema(schema, sample);
  for (const issue of result.issues) {
    problems.push({ path: `${path}${issue.pointer}`, message: `${issue.message} (does not match the output schema)` });
  }
}

/** Resolves a JSON pointer into instance data (`/a/b/0`) to the sub-schema describing it. */
export function schemaAtPointer(schema: JsonSchema, pointer: string): JsonSchema | undefined {
  if (pointer === '') return schema;
  if (!pointer.startsWith('/')) return undefined;
  let current: unknown = schema;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const node = current as JsonSchema | undefined;
    if (!node || typeof node !== 'object') return undefined;
    const props = node.properties as Record<string, unknown> | undefined;
    if (props && segment in props) current = props[segment];
    else if ((segment === 'items' || /^\d+$/.test(segment)) && node.items && typeof node.items === 'object')
      current = node.items;
    else return undefined;
  }
  return current as JsonSchema;
}

function checkAction(
  problems: DefinitionProblem[],
  connector: ConnectorDefinition,
  action: ActionDefinition,
  path: string,
): void {
  if (!nonEmpty(action.key) || !ITEM_KEY.test(action.key))
    problems.push({ path: `${path}.key`, message: 'must match ^[a-z][a-z0-9_-]*$' });
  if (!nonEmpty(action.title)) problems.push({ path: `${path}.title`, message: 'is required' });
  if (!nonEmpty(action.description)) problems.push({ path: `${path}.description`, message: 'is required' });
  if (!CLASSIFICATIONS.has(action.classification))
    problems.push({ path: `${path}.classification`, message: 'must be read, write or delete' });
  if (typeof action.idempotent !== 'boolean') problems.push({ path: `${path}.idempotent`, message: 'must be a boolean' });
  if (typeof action.run !== 'function') problems.push({ path: `${path}.run`, message: 'must be a function' });
  const inputOk = checkSchema(problems, `${path}.input`, action.input, true);
  if (checkSchema(problems, `${path}.output`, action.output, false)) {
    checkSample(problems, `${path}.sampleOutput`, action.output, action.sampleOutput);
  }
  for (const [pointer, binding] of Object.entries(action.dynamicOptions ?? {})) {
    const where = `${path}.dynamicOptions[${pointer}]`;
    if (!connector.dynamicOptions?.[binding.optionsKey]) {
      problems.push({ path: where, message: `optionsKey "${binding.optionsKey}" is not in the connector's dynamicOptions` });
    }
    if (inputOk && !schemaAtPointer(action.input, pointer)) {
      problems.push({ path: where, message: 'does not point at a property of the input schema' });
    }
    const props = (action.input.properties ?? {}) as Record<string, unknown>;
    for (const name of binding.dependsOn ?? []) {
      if (!(name in props)) problems.push({ path: where, message: `dependsOn "${name}" is not an input property` });
    }
  }
}

function checkTrigger(problems: DefinitionProblem[], trigger: TriggerDefinition, path: string): void {
  if (!nonEmpty(trigger.key) || !ITEM_KEY.test(trigger.key))
    problems.push({ path: `${path}.key`, message: 'must match ^[a-z][a-z0-9_-]*$' });
  if (!nonEmpty(trigger.title)) problems.push({ path: `${path}.title`, message: 'is required' });
  if (!nonEmpty(trigger.description)) problems.push({ path: `${path}.description`, message: 'is required' });
  if (!TRIGGER_KINDS.has(trigger.kind)) {
    problems.push({ path: `${path}.kind`, message: 'must be webhook, polling, app-webhook, schedule or manual' });
    return;
  }
  checkSchema(problems, `${path}.configSchema`, trigger.configSchema, true);
  if (checkSchema(problems, `${path}.outputSchema`, trigger.outputSchema, false)) {
    checkSample(problems, `${path}.sampleOutput`, trigger.outputSchema, trigger.sampleOutput);
  }
  const needFunctions: Record<string, string[]> = {
    webhook: ['parseRequest'],
    polling: ['poll'],
    'app-webhook': ['register', 'unregister', 'parseRequest'],
    schedule: [],
    manual: [],
  };
  for (const name of needFunctions[trigger.kind] ?? []) {
    if (typeof (trigger as unknown as Record<string, unknown>)[name] !== 'function') {
      problems.push({ path: `${path}.${name}`, message: `is required for a ${trigger.kind} trigger` });
    }
  }
  const secret = (trigger as { secret?: unknown }).secret;
  if (secret !== undefined) checkSecretSpec(problems, trigger, secret, `${path}.secret`);
}

function checkSecretSpec(problems: DefinitionProblem[], trigger: TriggerDefinition, secret: unknown, path: string): void {
  if (trigger.kind !== 'webhook' && trigger.kind !== 'app-webhook') {
    problems.push({ path, message: 'only webhook and app-webhook triggers have a secret' });
    return;
  }
  const spec = secret as { format?: unknown; length?: unknown };
  if (spec?.format === 'opaque') return;
  if (spec?.format !== 'alphanumeric') {
    problems.push({ path: `${path}.format`, message: 'must be "opaque" or "alphanumeric"' });
    return;
  }
  const length = spec.length;
  if (typeof length !== 'number' || !Number.isInteger(length) || length < MIN_ALPHANUMERIC_SECRET || length > MAX_ALPHANUMERIC_SECRET) {
    problems.push({ path: `${path}.length`, message: `must be an integer from ${MIN_ALPHANUMERIC_SECRET} to ${MAX_ALPHANUMERIC_SECRET}` });
  }
}

export function validateConnectorDefinition(connector: ConnectorDefinition): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  if (!nonEmpty(connector.key) || !CONNECTOR_KEY.test(connector.key))
    problems.push({ path: 'key', message: 'must match ^[a-z][a-z0-9-]*$' });
  if (!nonEmpty(connector.title)) problems.push({ path: 'title', message: 'is required' });
  if (!nonEmpty(connector.description)) problems.push({ path: 'description', message: 'is required' });
  if (!nonEmpty(connector.icon) || !connector.icon.trimStart().startsWith('<svg') || connector.icon.length > 20_000)
    problems.push({ path: 'icon', message: 'must be an inline SVG string under 20 kB' });

  const auth = connector.auth;
  if (!auth || !['none', 'oauth2', 'zoho-self-client', 'api-token'].includes(auth.kind)) {
    problems.push({ path: 'auth.kind', message: 'must be none, oauth2, zoho-self-client or api-token' });
  } else if ((auth.kind === 'oauth2' || auth.kind === 'zoho-self-client') && !(auth.scopes?.length > 0)) {
    problems.push({ path: 'auth.scopes', message: 'must list at least one scope' });
  } else if (auth.kind === 'api-token' && !nonEmpty(auth.headerName)) {
    problems.push({ path: 'auth.headerName', message: 'is required' });
  }
  if (auth && auth.kind !== 'none' && typeof connector.http?.baseUrl !== 'function') {
    problems.push({ path: 'http.baseUrl', message: 'is required for a connector with a connection' });
  }
  if (connector.connectionSettingsSchema) {
    checkSchema(problems, 'connectionSettingsSchema', connector.connectionSettingsSchema, true);
  }

  const seenActions = new Set<string>();
  for (const action of connector.actions ?? []) {
    const path = `actions.${action.key}`;
    if (seenActions.has(action.key)) problems.push({ path, message: 'duplicate action key' });
    seenActions.add(action.key);
    checkAction(problems, connector, action, path);
  }
  const seenTriggers = new Set<string>();
  for (const trigger of connector.triggers ?? []) {
    const path = `triggers.${trigger.key}`;
    if (seenTriggers.has(trigger.key)) problems.push({ path, message: 'duplicate trigger key' });
    seenTriggers.add(trigger.key);
    checkTrigger(problems, trigger, path);
  }
  for (const [key, loader] of Object.entries(connector.dynamicOptions ?? {})) {
    if (typeof loader !== 'function') problems.push({ path: `dynamicOptions.${key}`, message: 'must be a function' });
  }
  return problems;
}

export class ConnectorRegistry {
  private readonly connectors = new Map<string, { definition: ConnectorDefinition; descriptor: ConnectorDescriptor }>();

  /** Validates and adds a connector; throws ConnectorDefinitionError listing every problem. */
  register(connector: ConnectorDefinition): this {
    const problems = validateConnectorDefinition(connector);
    if (this.connectors.has(connector.key)) {
      problems.unshift({ path: 'key', message: `a connector "${connector.key}" is already registered` });
    }
    if (problems.length > 0) throw new ConnectorDefinitionError(String(connector.key), problems);
    this.connectors.set(connector.key, { definition: connector, descriptor: describeConnector(connector) });
    return this;
  }

  has(key: string): boolean {
    return this.connectors.has(key);
  }

  get(key: string): ConnectorDefinition | undefined {
    return this.connectors.get(key)?.definition;
  }

  list(): ConnectorDefinition[] {
    return [...this.connectors.values()].map((entry) => entry.definition);
  }

  describe(key: string): ConnectorDescriptor | undefined {
    return this.connectors.get(key)?.descriptor;
  }

  describeAll(): ConnectorDescriptor[] {
    return [...this.connectors.values()].map((entry) => entry.descriptor);
  }

  getAction(connectorKey: string, actionKey: string): ActionDefinition | undefined {
    return this.get(connectorKey)?.actions.find((a) => a.key === actionKey);
  }

  getTrigger(connectorKey: string, triggerKey: string): TriggerDefinition | undefined {
    return this.get(connectorKey)?.triggers.find((t) => t.key === triggerKey);
  }
}
