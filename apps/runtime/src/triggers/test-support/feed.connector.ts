// A test connector (auth none, no connection) whose triggers talk to a real sandbox's Togai API with the
// sandbox's well-known org token: a polling trigger over GET /customers and an app-webhook trigger that
// subscribes through POST /_sandbox/webhooks. Registered like any connector: the runtime does not change.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ConnectorError, defineConnector, defineTrigger, type PolledItem } from '@braid/connector-sdk';

export const SANDBOX_TOGAI_TOKEN = 'togai_sandbox_api_token_0001';

export interface FeedHooks {
  /** Called before each poll page with the cursor it starts from (tests inject faults here). */
  beforePage?: (cursor: { nextToken?: string } | null) => Promise<void>;
}

interface Customer {
  id: string;
  name: string;
  updatedAt?: string;
  createdAt?: string;
}

function verifyStandardWebhook(secret: string, headers: Record<string, string>, body: Buffer): void {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) throw new ConnectorError('SIGNATURE_INVALID', 'The delivery is not signed.', { retryable: false });
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body.toString('utf8')}`).digest();
  const ok = signatures.split(' ').some((entry) => {
    const given = Buffer.from(entry.replace(/^v1,/, ''), 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!ok) throw new ConnectorError('SIGNATURE_INVALID', 'The delivery signature does not match.', { retryable: false });
}

export function feedConnector(sandboxUrl: string, hooks: FeedHooks = {}) {
  const togai = `${sandboxUrl}/togai`;
  const headers = { authorization: `Bearer ${SANDBOX_TOGAI_TOKEN}` };
  return defineConnector({
    key: 'test-feed',
    title: 'Test feed',
    description: 'Sandbox Togai customers as a polling and an app-webhook trigger (triggers tests).',
    icon: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16"/></svg>',
    auth: { kind: 'none' },
    http: { baseUrl: () => togai, retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 } },
    actions: [],
    triggers: [
      defineTrigger<{ pageSize: number; intervalMinutes?: number }, { nextToken?: string }>({
        key: 'customers',
        kind: 'polling',
        title: 'Customers',
        description: 'Pages through the customer list.',
        configSchema: {
          type: 'object',
          properties: { pageSize: { type: 'integer', title: 'Page size', default: 2 } },
        },
        outputSchema: { type: 'object' },
        sampleOutput: { id: 'c-1', name: 'C 1' },
        requiresConnection: false,
        poll: async (ctx, { cursor, config }) => {
          await hooks.beforePage?.(cursor);
          const query = cursor?.nextToken ? { nextToken: cursor.nextToken } : { pageSize: config.pageSize };
          const page = (await ctx.http.request<{ data: Customer[]; nextToken: string | null }>({ method: 'GET', url: `${togai}/customers`, query, headers, auth: false })).body;
          const items: PolledItem[] = page.data.map((c) => ({ id: c.id, payload: c, modifiedAt: c.updatedAt ?? c.createdAt ?? '' }));
          const more = page.data.length > 0 && Boolean(page.nextToken);
          return { items, nextCursor: more ? { nextToken: page.nextToken! } : null, hasMore: more };
        },
      }),
      defineTrigger<{ events: string[] }>({
        key: 'events',
        kind: 'app-webhook',
        title: 'Events (subscription)',
        description: 'Subscribes to the sandbox event feed.',
        configSchema: { type: 'object', properties: { events: { type: 'array', items: { type: 'string' }, default: ['customer.created'] } } },
        outputSchema: { type: 'object' },
        sampleOutput: { type: 'customer.created', data: {} },
        requiresConnection: false,
        renewBeforeMs: 60_000,
        register: async (ctx, { webhookUrl, config }) => {
          const response = await ctx.http.request<{ id: string; secret: string }>({
            method: 'POST',
            url: `${togai}/_sandbox/webhooks`,
            body: { url: webhookUrl, events: config.events },
            headers,
            auth: false,
          });
          return { externalId: response.body.id, state: { id: response.body.id, secret: response.body.secret } };
        },
        unregister: async (ctx, { state }) => {
          const { id } = state as { id: string };
          await ctx.http.request({ method: 'DELETE', url: `${togai}/_sandbox/webhooks/${encodeURIComponent(id)}`, headers, auth: false, expect: [200, 204, 404] });
        },
        verifyRequest: ({ state, request }) => verifyStandardWebhook((state as { secret: string }).secret, request.headers, request.rawBody),
        parseRequest: async (_ctx, request) => {
          const body = JSON.parse(request.rawBody.toString('utf8')) as { type: string; data: { id: string } };
          return { events: [{ id: request.headers['webhook-id'], payload: body }] };
        },
      }),
    ],
  });
}
