import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeaderFor, createConnectorContext } from './connector.context.js';
import { defineConnector } from './connector.define.js';
import { LimiterRegistry } from './http/rate-limit.js';
import { startEchoServer, type EchoServer } from './test-support/echo.server.js';

let server: EchoServer;
beforeAll(async () => {
  server = await startEchoServer();
});
afterAll(async () => {
  await server.close();
});

const zohoLike = defineConnector({
  key: 'zoho-like',
  title: 'Zoho-like',
  description: 'Base URL from api_domain, org id as default query.',
  icon: '<svg/>',
  auth: { kind: 'oauth2', provider: 'zoho', scopes: ['ZohoBooks.fullaccess.all'] },
  actions: [],
  triggers: [],
  http: {
    baseUrl: (connection) => `${connection.apiDomain}/books/v3`,
    defaultQuery: (connection) => ({ organization_id: String(connection.settings.organizationId) }),
    rateLimit: { requests: 100, perMs: 60_000 },
    limiterKey: (connection) => `zoho-books:${String(connection.settings.organizationId)}`,
  },
});

describe('createConnectorContext', () => {
  it('derives the API base URL from the connection and sends Zoho-oauthtoken only there', async () => {
    server.script('GET /books/v3/contacts', { status: 200, body: { code: 0, contacts: [] } });
    const ctx = createConnectorContext({
      connector: zohoLike,
      connection: { id: 'c1', name: 'Books – Acme', settings: { organizationId: '42' }, apiDomain: server.url },
      credentials: { getAccessToken: async () => '1000.tok' },
      limiters: new LimiterRegistry(),
      ssrf: { allowHosts: ['127.0.0.1'] },
    });
    expect(ctx.connection).toEqual({
      id: 'c1',
      name: 'Books – Acme',
      settings: { organizationId: '42' },
      apiBaseUrl: `${server.url}/books/v3`,
    });
    const response = await ctx.http.get('/contacts');
    expect(response.body).toEqual({ code: 0, contacts: [] });
    const recorded = server.requests.at(-1)!;
    expect(recorded.headers.authorization).toBe('Zoho-oauthtoken 1000.tok');
    expect(recorded.query).toEqual({ organization_id: '42' });
    await expect(ctx.http.get('https://example.com/contacts')).rejects.toMatchObject({ code: 'HOST_NOT_ALLOWED' });
  });

  it('builds auth headers per auth kind', () => {
    expect(authHeaderFor({ kind: 'api-token', headerName: 'Authorization', scheme: 'Bearer' }, 't')).toEqual({
      authorization: 'Bearer t',
    });
    expect(authHeaderFor({ kind: 'api-token', headerName: 'X-Api-Key' }, 't')).toEqual({ 'x-api-key': 't' });
    expect(authHeaderFor({ kind: 'zoho-self-client', scopes: ['a'] }, 't')).toEqual({ authorization: 'Zoho-oauthtoken t' });
  });

  it('refuses a connection without credentials', () => {
    expect(() =>
      createConnectorContext({
        connector: zohoLike,
        connection: { id: 'c1', name: 'Books – Acme', settings: {}, apiDomain: server.url },
      }),
    ).toThrow(/no credentials/);
  });
});
