// The SDK's own test connector. It is registered with ConnectorRegistry exactly like the real connectors,
// which shows that adding a connector needs no runtime change.
import { defineAction, defineConnector, defineTrigger } from '../connector.define.js';
import { ConnectorError } from '../connector.errors.js';
import { paginate, takeAtMost } from '../http/paginate.js';

interface Item {
  id: string;
  name: string;
  modified_at?: string;
}

const itemSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, name: { type: 'string' }, modified_at: { type: 'string' } },
  required: ['id', 'name'],
};

export const echoConnector = defineConnector({
  key: 'echo',
  title: 'Echo (test)',
  description: 'Talks to the SDK test server; used by the SDK tests.',
  icon: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7"/></svg>',
  auth: { kind: 'api-token', headerName: 'Authorization', scheme: 'Bearer' },
  connectionSettingsSchema: {
    type: 'object',
    properties: {
      baseUrl: { type: 'string', format: 'uri', title: 'Server URL' },
      account: { type: 'string', title: 'Account (quota key)' },
      requestsPerWindow: { type: 'integer', minimum: 1 },
      windowMs: { type: 'integer', minimum: 1 },
      concurrency: { type: 'integer', minimum: 1 },
    },
    required: ['baseUrl'],
  },
  http: {
    baseUrl: (connection) => String(connection.settings.baseUrl),
    limiterKey: (connection) => `echo:${String(connection.settings.account ?? connection.id)}`,
    rateLimit: (connection) =>
      typeof connection.settings.requestsPerWindow === 'number'
        ? { requests: connection.settings.requestsPerWindow, perMs: Number(connection.settings.windowMs ?? 1000) }
        : undefined,
    concurrency: (connection) =>
      typeof connection.settings.concurrency === 'number' ? connection.settings.concurrency : undefined,
    retry: { baseDelayMs: 10, maxDelayMs: 200 },
    mapError: (response) => {
      const body = response.body as { code?: string; message?: string; field?: string } | null;
      if (response.status === 400 && body?.code === 'INVALID_FIELD') {
        return new ConnectorError('VALIDATION', `Echo rejected ${body.field}: ${body.message}`, {
          status: 400,
          vendorCode: body.code,
          ...(body.message ? { vendorMessage: body.message } : {}),
          ...(body.field ? { field: body.field } : {}),
        });
      }
      return undefined;
    },
  },
  dynamicOptions: {
    colors: async (ctx, values) => {
      const response = await ctx.http.get<{ data: Array<{ id: string; name: string }> }>('/colors', {
        palette: typeof values.palette === 'string' ? values.palette : 'warm',
      });
      return response.body.data.map((c) => ({ value: c.id, label: c.name }));
    },
  },
  actions: [
    defineAction<{ message: string; count: number }, { received: unknown }>({
      key: 'echo_message',
      title: 'Echo a message',
      description: 'Posts the message to the server, which sends it back.',
      input: {
        type: 'object',
        properties: {
          message: { type: 'string', title: 'Message', minLength: 1 },
          count: { type: 'integer', title: 'Count', minimum: 1, default: 1 },
          email: { type: 'string', format: 'email', title: 'Reply to' },
        },
        required: ['message'],
        additionalProperties: false,
      },
      output: { type: 'object', properties: { received: {} }, required: ['received'] },
      sampleOutput: { received: { message: 'hello', count: 1 } },
      classification: 'write',
      idempotent: false,
      run: async (ctx, input) => {
        const response = await ctx.http.post<{ received: unknown }>('/echo', input);
        return { received: response.body.received };
      },
    }),
    defineAction<{ id: string }, Item>({
      key: 'get_item',
      title: 'Get an item',
      description: 'Reads one item by id.',
      input: { type: 'object', properties: { id: { type: 'string', title: 'Item id' } }, required: ['id'] },
      output: itemSchema,
      sampleOutput: { id: 'item-1', name: 'Item 1' },
      classification: 'read',
      idempotent: true,
      run: async (ctx, input) => (await ctx.http.get<Item>(`/items/${encodeURIComponent(input.id)}`)).body,
    }),
    defineAction<{ limit: number }, { items: Item[] }>({
      key: 'list_items',
      title: 'List items',
      description: 'Lists items page by page, up to a limit.',
      input: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 100, default: 10 } } },
      output: { type: 'object', properties: { items: { type: 'array', items: itemSchema } }, required: ['items'] },
      sampleOutput: { items: [{ id: 'item-1', name: 'Item 1' }] },
      classification: 'read',
      idempotent: true,
      run: async (ctx, input) => {
        const pages = paginate<Item, string>(async (cursor) => {
          const response = await ctx.http.get<{ data: Item[]; next_cursor: string | null }>('/items', {
            cursor,
            page_size: 2,
          });
          return { items: response.body.data, next: response.body.next_cursor };
        });
        return { items: await takeAtMost(pages, input.limit) };
      },
    }),
    defineAction<{ palette: string; color: string }, { color: string }>({
      key: 'pick_color',
      title: 'Pick a colour',
      description: 'A field whose choices come from the account and depend on another field.',
      input: {
        type: 'object',
        properties: {
          palette: { type: 'string', enum: ['warm', 'cool'], title: 'Palette' },
          color: { type: 'string', title: 'Colour' },
        },
        required: ['palette', 'color'],
      },
      output: { type: 'object', properties: { color: { type: 'string' } }, required: ['color'] },
      sampleOutput: { color: 'red' },
      classification: 'read',
      idempotent: true,
      dynamicOptions: { '/color': { optionsKey: 'colors', dependsOn: ['palette'] } },
      run: async (_ctx, input) => ({ color: input.color }),
    }),
  ],
  triggers: [
    defineTrigger<{ pageSize: number }, string>({
      key: 'new_items',
      kind: 'polling',
      title: 'New items',
      description: 'Polls the item list.',
      configSchema: { type: 'object', properties: { pageSize: { type: 'integer', minimum: 1, default: 2 } } },
      outputSchema: itemSchema,
      sampleOutput: { id: 'item-1', name: 'Item 1' },
      poll: async (ctx, { cursor, config }) => {
        const response = await ctx.http.get<{ data: Item[]; next_cursor: string | null }>('/items', {
          cursor: cursor ?? undefined,
          page_size: config.pageSize,
        });
        return {
          items: response.body.data.map((item) => ({
            id: item.id,
            payload: item,
            ...(item.modified_at ? { modifiedAt: item.modified_at } : {}),
          })),
          nextCursor: response.body.next_cursor ?? cursor,
          hasMore: response.body.next_cursor !== null,
        };
      },
      listExisting: async (ctx, { cursor, config }) => {
        const response = await ctx.http.get<{ data: Item[]; next_cursor: string | null }>('/items', {
          cursor: cursor ?? undefined,
          page_size: config.pageSize,
        });
        return {
          items: response.body.data.map((item) => ({ id: item.id, payload: item })),
          nextCursor: response.body.next_cursor,
          hasMore: response.body.next_cursor !== null,
        };
      },
    }),
    defineTrigger<{ events: string[] }>({
      key: 'item_watch',
      kind: 'app-webhook',
      title: 'Item changes (registered watch)',
      description: 'Registers a watch on the server; the server calls back with a channel token.',
      configSchema: {
        type: 'object',
        properties: {
          events: {
            type: 'array',
            items: { type: 'string', enum: ['created', 'updated', 'deleted'] },
            minItems: 1,
            default: ['created'],
          },
        },
      },
      outputSchema: {
        type: 'object',
        properties: { itemId: { type: 'string' }, operation: { type: 'string' } },
        required: ['itemId', 'operation'],
      },
      sampleOutput: { itemId: 'item-1', operation: 'created' },
      renewBeforeMs: 60_000,
      register: async (ctx, { webhookUrl, config, secret }) => {
        const response = await ctx.http.post<{ id: string; expires_at: string }>('/watch', {
          notify_url: webhookUrl,
          events: config.events,
          token: secret,
        });
        return {
          externalId: response.body.id,
          state: { watchId: response.body.id, token: secret },
          expiresAt: response.body.expires_at,
        };
      },
      unregister: async (ctx, { state }) => {
        const { watchId } = state as { watchId: string };
        // Already gone on the server is fine: the goal is "no watch".
        await ctx.http.delete(`/watch/${encodeURIComponent(watchId)}`, undefined, { expect: [200, 204, 404] });
      },
      verifyRequest: ({ state, request }) => {
        const body = JSON.parse(request.rawBody.toString('utf8')) as { token?: string };
        if (!state || body.token !== (state as { token: string }).token) {
          throw new ConnectorError('SIGNATURE_INVALID', 'The callback does not carry this watch\'s token.', {
            retryable: false,
          });
        }
      },
      parseRequest: async (_ctx, request) => {
        const body = JSON.parse(request.rawBody.toString('utf8')) as {
          watch_id: string;
          operation: string;
          ids: string[];
          server_time: number;
        };
        return {
          events: body.ids.map((itemId) => ({
            id: `${body.watch_id}:${body.operation}:${itemId}:${body.server_time}`,
            payload: { itemId, operation: body.operation },
          })),
        };
      },
    }),
    defineTrigger<Record<string, never>>({
      key: 'item_events',
      kind: 'webhook',
      title: 'Item events',
      description: 'The server posts {"events":[{"id","item"}]}.',
      configSchema: { type: 'object', properties: {} },
      outputSchema: { type: 'object', properties: { item: itemSchema }, required: ['item'] },
      sampleOutput: { item: { id: 'item-1', name: 'Item 1' } },
      parseRequest: async (_ctx, request) => {
        let parsed: { events?: Array<{ id: string; item: Item }> };
        try {
          parsed = JSON.parse(request.rawBody.toString('utf8')) as typeof parsed;
        } catch {
          throw new ConnectorError('BAD_REQUEST', 'The webhook body is not JSON.', { retryable: false });
        }
        return { events: (parsed.events ?? []).map((e) => ({ id: e.id, payload: { item: e.item } })) };
      },
    }),
  ],
});
