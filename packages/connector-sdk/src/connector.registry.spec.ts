import { describe, expect, it } from 'vitest';
import { defineAction, defineConnector, defineTrigger } from './connector.define.js';
import { ConnectorDefinitionError } from './connector.errors.js';
import { ConnectorRegistry } from './connector.registry.js';
import type { ConnectorDefinition } from './connector.types.js';
import { echoConnector } from './test-support/echo.connector.js';

const icon = '<svg xmlns="http://www.w3.org/2000/svg"></svg>';

function problemsOf(definition: ConnectorDefinition): string[] {
  try {
    new ConnectorRegistry().register(definition);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorDefinitionError);
    return (error as ConnectorDefinitionError).problems.map((p) => `${p.path}: ${p.message}`);
  }
}

const okAction = defineAction({
  key: 'do_it',
  title: 'Do it',
  description: 'Does it.',
  input: { type: 'object', properties: { a: { type: 'string' } } },
  output: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
  sampleOutput: { id: '1' },
  classification: 'write',
  idempotent: false,
  run: async () => ({ id: '1' }),
});

describe('ConnectorRegistry', () => {
  it('registers the test connector like any real connector and describes it as plain JSON', () => {
    const registry = new ConnectorRegistry().register(echoConnector);
    const [descriptor] = registry.describeAll();
    expect(descriptor).toBeDefined();
    expect(JSON.parse(JSON.stringify(descriptor))).toEqual(descriptor);
    expect(descriptor!.key).toBe('echo');
    expect(descriptor!.auth).toEqual({ kind: 'api-token', headerName: 'Authorization', scheme: 'Bearer' });
    expect(descriptor!.actions.map((a) => a.key)).toEqual(['echo_message', 'get_item', 'list_items', 'pick_color']);
    const pick = descriptor!.actions.find((a) => a.key === 'pick_color')!;
    expect(pick).toMatchObject({
      classification: 'read',
      idempotent: true,
      requiresConnection: true,
      dynamicOptions: { '/color': { optionsKey: 'colors', dependsOn: ['palette'] } },
    });
    expect(descriptor!.triggers).toEqual([
      expect.objectContaining({ key: 'new_items', kind: 'polling', requiresConnection: true, canListExisting: true }),
      expect.objectContaining({ key: 'item_watch', kind: 'app-webhook', requiresConnection: true, canListExisting: false }),
      expect.objectContaining({ key: 'item_events', kind: 'webhook', requiresConnection: false, canListExisting: false }),
    ]);
    expect(descriptor!.connectionSettingsSchema).toMatchObject({ required: ['baseUrl'] });
    expect(registry.getAction('echo', 'get_item')?.title).toBe('Get an item');
    expect(registry.getTrigger('echo', 'new_items')?.kind).toBe('polling');
  });

  it('refuses a second connector with the same key', () => {
    const registry = new ConnectorRegistry().register(echoConnector);
    expect(() => registry.register(echoConnector)).toThrow(/already registered/);
  });

  it('lists every problem of a broken definition', () => {
    const broken = defineConnector({
      key: 'Bad Key',
      title: 'Bad',
      description: '',
      icon: 'not svg',
      auth: { kind: 'oauth2', provider: 'zoho', scopes: [] },
      actions: [
        okAction,
        okAction,
        defineAction({
          ...okAction,
          key: 'wrong_sample',
          sampleOutput: { id: 5 } as never,
        }),
        defineAction({
          ...okAction,
          key: 'bad_schema',
          input: { type: 'object', properties: { a: { type: 'strnig' } } },
        }),
        defineAction({
          ...okAction,
          key: 'bad_options',
          dynamicOptions: { '/nope': { optionsKey: 'missing', dependsOn: ['ghost'] } },
        }),
      ],
      triggers: [
        // A webhook trigger without parseRequest.
        { key: 'hook', kind: 'webhook', title: 'Hook', description: 'x', configSchema: { type: 'object' }, outputSchema: {}, sampleOutput: {} } as never,
        defineTrigger({
          key: 'poller',
          kind: 'polling',
          title: 'Poll',
          description: 'x',
          configSchema: { type: 'string' },
          outputSchema: { type: 'object', required: ['id'] },
          sampleOutput: {},
          poll: async () => ({ items: [], nextCursor: null, hasMore: false }),
        }),
      ],
    });
    const problems = problemsOf(broken);
    expect(problems).toEqual(
      expect.arrayContaining([
        'key: must match ^[a-z][a-z0-9-]*$',
        'description: is required',
        'icon: must be an inline SVG string under 20 kB',
        'auth.scopes: must list at least one scope',
        'http.baseUrl: is required for a connector with a connection',
        'actions.do_it: duplicate action key',
        'actions.wrong_sample.sampleOutput/id: must be string (does not match the output schema)',
        'actions.bad_options.dynamicOptions[/nope]: optionsKey "missing" is not in the connector\'s dynamicOptions',
        'actions.bad_options.dynamicOptions[/nope]: does not point at a property of the input schema',
        'actions.bad_options.dynamicOptions[/nope]: dependsOn "ghost" is not an input property',
        'triggers.hook.parseRequest: is required for a webhook trigger',
        'triggers.poller.configSchema: must have "type": "object" (the editor renders it as a form)',
        'triggers.poller.sampleOutput/id: is required (does not match the output schema)',
      ]),
    );
    expect(problems.some((p) => p.startsWith('actions.bad_schema.input: does not compile'))).toBe(true);
  });

  it('accepts a minimal connection-less connector', () => {
    expect(
      problemsOf(defineConnector({ key: 'tiny', title: 'Tiny', description: 'x', icon, auth: { kind: 'none' }, actions: [okAction], triggers: [] })),
    ).toEqual([]);
  });
});
