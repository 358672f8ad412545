import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadDynamicOptions, runAction, validateTriggerConfig } from './action.run.js';
import { createConnectorContext } from './connector.context.js';
import { ConnectorError } from './connector.errors.js';
import type { ConnectorContext } from './connector.types.js';
import { LimiterRegistry } from './http/rate-limit.js';
import { validateOutput } from './schema.validate.js';
import { echoConnector } from './test-support/echo.connector.js';
import { startEchoServer, type EchoServer } from './test-support/echo.server.js';

let server: EchoServer;
let ctx: ConnectorContext;
beforeAll(async () => {
  server = await startEchoServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
  server.setValidToken('api-token-1');
  server.setItemCount(5);
  ctx = createConnectorContext({
    connector: echoConnector,
    connection: { id: 'c1', name: 'Echo – Acme', settings: { baseUrl: server.url } },
    credentials: { getAccessToken: async () => 'api-token-1' },
    limiters: new LimiterRegistry(),
    ssrf: { allowPrivate: true },
  });
});

async function rejection(promise: Promise<unknown>): Promise<ConnectorError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorError);
    return error as ConnectorError;
  }
  throw new Error('expected a rejection');
}

describe('runAction', () => {
  it('validates the input, applies defaults, injects the API token and returns the output', async () => {
    const output = await runAction(echoConnector, 'echo_message', ctx, { message: 'hello' });
    expect(output).toEqual({ received: { message: 'hello', count: 1 } });
    expect(server.requests[0]!.headers.authorization).toBe('Bearer api-token-1');
    const action = echoConnector.actions.find((a) => a.key === 'echo_message')!;
    expect(validateOutput(action.output, output)).toEqual({ valid: true, issues: [] });
  });

  it('rejects invalid input with JSON pointers before calling the API', async () => {
    const error = await rejection(
      runAction(echoConnector, 'echo_message', ctx, { count: 0, email: 'nope', extra: true }),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.retryable).toBe(false);
    expect(error.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pointer: '/message', message: 'is required' }),
        expect.objectContaining({ pointer: '/count', keyword: 'minimum' }),
        expect.objectContaining({ pointer: '/email', keyword: 'format' }),
        expect.objectContaining({ pointer: '/extra', message: 'is not an allowed property' }),
      ]),
    );
    expect(server.requests).toHaveLength(0);
  });

  it('refuses to run a connection action without a connection', async () => {
    const bare = createConnectorContext({ connector: echoConnector });
    const error = await rejection(runAction(echoConnector, 'get_item', bare, { id: 'item-1' }));
    expect(error.code).toBe('AUTH');
  });

  it('surfaces NOT_FOUND and connector-mapped VALIDATION errors', async () => {
    expect((await rejection(runAction(echoConnector, 'get_item', ctx, { id: 'item-99' }))).code).toBe('NOT_FOUND');
    server.script('POST /echo', { status: 400, body: { code: 'INVALID_FIELD', field: 'message', message: 'too rude' } });
    const error = await rejection(runAction(echoConnector, 'echo_message', ctx, { message: 'x' }));
    expect(error).toMatchObject({ code: 'VALIDATION', field: 'message', vendorCode: 'INVALID_FIELD', vendorMessage: 'too rude' });
  });

  it('paginates lazily: stops fetching once the limit is reached', async () => {
    server.setItemCount(9);
    const output = (await runAction(echoConnector, 'list_items', ctx, { limit: 3 })) as { items: Array<{ id: string }> };
    expect(output.items.map((i) => i.id)).toEqual(['item-1', 'item-2', 'item-3']);
    expect(server.requests).toHaveLength(2);
    const all = (await runAction(echoConnector, 'list_items', ctx, { limit: 100 })) as { items: unknown[] };
    expect(all.items).toHaveLength(9);
  });

  it('shares the rate limit between connections with the same limiter key', async () => {
    const limiters = new LimiterRegistry();
    const make = (id: string) =>
      createConnectorContext({
        connector: echoConnector,
        connection: { id, name: id, settings: { baseUrl: server.url, account: 'org-1', requestsPerWindow: 2, windowMs: 120 } },
        credentials: { getAccessToken: async () => 'api-token-1' },
        limiters,
        ssrf: { allowPrivate: true },
      });
    const started = Date.now();
    await Promise.all([
      runAction(echoConnector, 'get_item', make('a'), { id: 'item-1' }),
      runAction(echoConnector, 'get_item', make('b'), { id: 'item-1' }),
      runAction(echoConnector, 'get_item', make('a'), { id: 'item-1' }),
    ]);
    const last = Math.max(...server.requests.map((r) => r.at)) - started;
    expect(last).toBeGreaterThanOrEqual(55);
  });
});

describe('dynamic options and trigger helpers', () => {
  it('loads options from the account, depending on another field', async () => {
    expect(await loadDynamicOptions(echoConnector, 'colors', ctx, { palette: 'cool' })).toEqual([
      { value: 'blue', label: 'BLUE' },
      { value: 'green', label: 'GREEN' },
    ]);
    expect((await loadDynamicOptions(echoConnector, 'colors', ctx, {})).map((o) => o.value)).toEqual([
      'red',
      'orange',
      'yellow',
    ]);
    await expect(loadDynamicOptions(echoConnector, 'sizes', ctx)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(
      loadDynamicOptions(echoConnector, 'colors', createConnectorContext({ connector: echoConnector })),
    ).rejects.toMatchObject({ code: 'AUTH' });
  });

  it('polls with a cursor and lists existing records page by page', async () => {
    const trigger = echoConnector.triggers.find((t) => t.key === 'new_items')!;
    if (trigger.kind !== 'polling') throw new Error('polling trigger expected');
    const config = validateTriggerConfig<{ pageSize: number }>(echoConnector, 'new_items', {});
    expect(config).toEqual({ pageSize: 2 });
    const first = await trigger.poll(ctx, { cursor: null, config });
    expect(first.items.map((i) => i.id)).toEqual(['item-1', 'item-2']);
    expect(first).toMatchObject({ nextCursor: '2', hasMore: true });
    const second = await trigger.poll(ctx, { cursor: first.nextCursor, config });
    expect(second.items.map((i) => i.id)).toEqual(['item-3', 'item-4']);
    for (const item of second.items) expect(validateOutput(trigger.outputSchema, item.payload).valid).toBe(true);
    expect(() => validateTriggerConfig(echoConnector, 'new_items', { pageSize: 0 })).toThrow(ConnectorError);
  });

  it('parses webhook requests into events with provider ids', async () => {
    const trigger = echoConnector.triggers.find((t) => t.key === 'item_events')!;
    if (trigger.kind !== 'webhook') throw new Error('webhook trigger expected');
    const body = JSON.stringify({ events: [{ id: 'ev-1', item: { id: 'item-1', name: 'Item 1' } }] });
    const parsed = await trigger.parseRequest(
      { config: {}, logger: ctx.logger, now: () => new Date() },
      { method: 'POST', headers: {}, query: {}, rawBody: Buffer.from(body), contentType: 'application/json' },
    );
    expect(parsed.events).toEqual([{ id: 'ev-1', payload: { item: { id: 'item-1', name: 'Item 1' } } }]);
  });

  it('registers and unregisters an app webhook, and verifies its callbacks by token', async () => {
    const trigger = echoConnector.triggers.find((t) => t.key === 'item_watch')!;
    if (trigger.kind !== 'app-webhook') throw new Error('app-webhook trigger expected');
    server.script('POST /watch', { status: 201, body: { id: 'w-1', expires_at: '2026-01-02T00:00:00Z' } });
    const config = validateTriggerConfig<{ events: string[] }>(echoConnector, 'item_watch', {});
    const registration = await trigger.register(ctx, { webhookUrl: 'https://braid.test/hooks/x', config, secret: 'chan-token' });
    expect(registration).toEqual({
      externalId: 'w-1',
      state: { watchId: 'w-1', token: 'chan-token' },
      expiresAt: '2026-01-02T00:00:00Z',
    });
    expect(JSON.parse(server.requests.at(-1)!.body)).toEqual({
      notify_url: 'https://braid.test/hooks/x',
      events: ['created'],
      token: 'chan-token',
    });
    const callback = (token: string) => ({
      method: 'POST',
      headers: {},
      query: {},
      rawBody: Buffer.from(JSON.stringify({ watch_id: 'w-1', operation: 'created', ids: ['item-1', 'item-2'], server_time: 7, token })),
      contentType: 'application/json',
    });
    expect(() => trigger.verifyRequest!({ config, state: registration.state, request: callback('chan-token'), now: () => new Date() })).not.toThrow();
    expect(() => trigger.verifyRequest!({ config, state: registration.state, request: callback('forged'), now: () => new Date() })).toThrow(
      expect.objectContaining({ code: 'SIGNATURE_INVALID' }),
    );
    const parsed = await trigger.parseRequest({ config, state: registration.state, logger: ctx.logger, now: () => new Date() }, callback('chan-token'));
    expect(parsed.events.map((e) => e.id)).toEqual(['w-1:created:item-1:7', 'w-1:created:item-2:7']);
    server.script('DELETE /watch/w-1', { status: 404, body: { message: 'gone' } });
    await expect(trigger.unregister(ctx, { state: registration.state, config })).resolves.toBeUndefined();
  });
});
