import { describe, expect, it } from 'vitest';
import { validateTriggerConfig } from './action.run.js';
import { defineConnector, defineTrigger } from './connector.define.js';
import { describeTrigger } from './connector.describe.js';
import { ConnectorError } from './connector.errors.js';
import { ConnectorDefinitionError } from './connector.errors.js';
import { ConnectorRegistry } from './connector.registry.js';
import type { ConnectorDefinition, PollingTriggerDefinition, TriggerDefinition } from './connector.types.js';
import { echoConnector } from './test-support/echo.connector.js';
import { describeSecretSpec, pollIntervalProperty, secretMatchesSpec, splitPollInterval, webhookSecretSpec, withPollInterval } from './trigger.settings.js';

const icon = '<svg xmlns="http://www.w3.org/2000/svg"></svg>';
const poll = async () => ({ items: [], nextCursor: null, hasMore: false });

function connectorWith(...triggers: TriggerDefinition[]): ConnectorDefinition {
  return defineConnector({ key: 'settings-test', title: 'Settings test', description: 'x', icon, auth: { kind: 'none' }, actions: [], triggers });
}

function problemsOf(definition: ConnectorDefinition): string[] {
  try {
    new ConnectorRegistry().register(definition);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorDefinitionError);
    return (error as ConnectorDefinitionError).problems.map((p) => `${p.path}: ${p.message}`);
  }
}

describe('poll interval: every polling trigger has the optional intervalMinutes setting', () => {
  it('is added once by defineTrigger, with a title for the editor form, also under additionalProperties: false', () => {
    const trigger = defineTrigger({
      key: 'strict',
      kind: 'polling',
      title: 'Strict',
      description: 'x',
      configSchema: { type: 'object', properties: { size: { type: 'integer' } }, additionalProperties: false },
      outputSchema: { type: 'object' },
      sampleOutput: {},
      poll,
    });
    expect(trigger.configSchema.properties).toEqual({ size: { type: 'integer' }, intervalMinutes: pollIntervalProperty });
    expect(pollIntervalProperty).toMatchObject({ type: 'integer', minimum: 1, maximum: 1440, title: expect.any(String), description: expect.any(String) });
    const connector = connectorWith(trigger);
    expect(problemsOf(connector)).toEqual([]);
    expect(validateTriggerConfig(connector, 'strict', { size: 2, intervalMinutes: 60 })).toEqual({ size: 2, intervalMinutes: 60 });
    expect(validateTriggerConfig(connector, 'strict', { size: 2 })).toEqual({ size: 2 }); // optional, no default
  });

  it('refuses values out of range or not whole minutes, with a pointer', () => {
    const connector = connectorWith(echoConnector.triggers[0]!);
    for (const bad of [0, 1441, 2.5, '60']) {
      try {
        validateTriggerConfig(connector, 'new_items', { intervalMinutes: bad });
        expect.unreachable(`intervalMinutes ${JSON.stringify(bad)} was accepted`);
      } catch (error) {
        expect(error).toBeInstanceOf(ConnectorError);
        expect((error as ConnectorError).issues?.[0]?.pointer).toBe('/intervalMinutes');
      }
    }
  });

  it('reaches the descriptor (flow validation and the editor) also for a trigger written without defineTrigger', () => {
    const plain: PollingTriggerDefinition = {
      key: 'plain',
      kind: 'polling',
      title: 'Plain',
      description: 'x',
      configSchema: { type: 'object', properties: {} },
      outputSchema: { type: 'object' },
      sampleOutput: {},
      poll,
    };
    const connector = connectorWith(plain);
    expect(describeTrigger(connector, plain).configSchema).toMatchObject({ properties: { intervalMinutes: pollIntervalProperty } });
    expect(() => validateTriggerConfig(connector, 'plain', { intervalMinutes: 0 })).toThrow(/intervalMinutes/);
    // Webhook triggers have no interval.
    const hook = echoConnector.triggers.find((t) => t.kind === 'webhook')!;
    expect(describeTrigger(echoConnector, hook).configSchema.properties ?? {}).not.toHaveProperty('intervalMinutes');
  });

  it('keeps a trigger\'s own intervalMinutes declaration and returns the same schema object each time (validators stay cached)', () => {
    const own = { type: 'object', properties: { intervalMinutes: { type: 'integer', title: 'Minutes', minimum: 5, maximum: 60 } } };
    expect(withPollInterval(own)).toBe(own);
    const other = { type: 'object', properties: {} };
    expect(withPollInterval(other)).toBe(withPollInterval(other));
    expect(withPollInterval({ type: 'string' })).toEqual({ type: 'string' });
  });
});

describe('splitPollInterval: the interval is the runtime\'s, the rest the connector\'s', () => {
  it('hands poll only the settings the connector declared (its own strict schema keeps passing)', () => {
    const raw = { type: 'object', properties: { size: { type: 'integer' } }, additionalProperties: false };
    const trigger = defineTrigger({ key: 'p', kind: 'polling', title: 'P', description: 'x', configSchema: raw, outputSchema: { type: 'object' }, sampleOutput: {}, poll });
    const config = validateTriggerConfig<Record<string, unknown>>(connectorWith(trigger), 'p', { size: 3, intervalMinutes: 15 });
    expect(splitPollInterval(trigger, config)).toEqual({ config: { size: 3 }, intervalMinutes: 15 });
    expect(splitPollInterval(trigger, { size: 3 })).toEqual({ config: { size: 3 } });
  });

  it('leaves intervalMinutes in the config of a trigger that declares it itself, and of non-polling triggers', () => {
    const own = defineTrigger({
      key: 'own',
      kind: 'polling',
      title: 'Own',
      description: 'x',
      configSchema: { type: 'object', properties: { intervalMinutes: { type: 'integer', title: 'Minutes' } } },
      outputSchema: { type: 'object' },
      sampleOutput: {},
      poll,
    });
    expect(splitPollInterval(own, { intervalMinutes: 5 })).toEqual({ config: { intervalMinutes: 5 }, intervalMinutes: 5 });
    const hook = echoConnector.triggers.find((t) => t.kind === 'webhook')!;
    expect(splitPollInterval(hook, { intervalMinutes: 5 })).toEqual({ config: { intervalMinutes: 5 } });
  });
});

describe('webhook secret format', () => {
  const hook = (secret?: unknown): TriggerDefinition =>
    ({
      key: 'hook',
      kind: 'webhook',
      title: 'Hook',
      description: 'x',
      configSchema: { type: 'object' },
      outputSchema: { type: 'object' },
      sampleOutput: {},
      parseRequest: async () => ({ events: [] }),
      ...(secret !== undefined ? { secret } : {}),
    }) as TriggerDefinition;

  it('defaults to opaque; an alphanumeric secret has an exact length', () => {
    expect(webhookSecretSpec(hook())).toEqual({ format: 'opaque' });
    const spec = webhookSecretSpec(hook({ format: 'alphanumeric', length: 32 }));
    expect(spec).toEqual({ format: 'alphanumeric', length: 32 });
    expect(secretMatchesSpec(spec, 'A'.repeat(32))).toBe(true);
    expect(secretMatchesSpec(spec, 'A'.repeat(31))).toBe(false);
    expect(secretMatchesSpec(spec, `whsec_${'A'.repeat(26)}`)).toBe(false);
    expect(describeSecretSpec(spec)).toBe('32 letters and digits');
  });

  it('the registry refuses an unknown format, a length out of range, and a secret on a polling trigger', () => {
    expect(problemsOf(connectorWith(hook({ format: 'alphanumeric', length: 32 })))).toEqual([]);
    expect(problemsOf(connectorWith(hook({ format: 'hex' })))).toEqual(['triggers.hook.secret.format: must be "opaque" or "alphanumeric"']);
    expect(problemsOf(connectorWith(hook({ format: 'alphanumeric', length: 8 })))).toEqual([
      'triggers.hook.secret.length: must be an integer from 12 to 128',
    ]);
    const poller = { ...echoConnector.triggers[0]!, secret: { format: 'opaque' } } as TriggerDefinition;
    expect(problemsOf(connectorWith(poller))).toEqual(['triggers.new_items.secret: only webhook and app-webhook triggers have a secret']);
  });
});
