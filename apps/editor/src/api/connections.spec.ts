import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer } from './api.test-server';
import { ApiClient, ApiError } from './client';
import {
  type Connection,
  ConnectionInUseError,
  ConnectionsApi,
  connectableConnectors,
  connectionStatusText,
  type ConnectorSummary,
  findNewConnection,
  formForAuth,
  iconDataUrl,
  isOAuthMessage,
  needsOrganisation,
  wasReconnected,
} from './connections';

const ws = 'w1';
const base = `/api/v1/workspaces/${ws}/connections`;
const connector = (key: string, auth: ConnectorSummary['auth'], title = key): ConnectorSummary => ({ key, title, description: '', icon: '<svg/>', auth });

describe('connections helpers', () => {
  it('chooses the form from the auth kind', () => {
    expect(formForAuth({ kind: 'oauth2', provider: 'zoho', scopes: [] })).toBe('oauth');
    expect(formForAuth({ kind: 'zoho-self-client', scopes: [] })).toBe('self-client');
    expect(formForAuth({ kind: 'api-token', headerName: 'Authorization', scheme: 'Bearer' })).toBe('api-token');
    expect(formForAuth({ kind: 'none' })).toBe('none');
  });

  it('offers only connectors that need a connection, by title', () => {
    const list = connectableConnectors([
      connector('togai', { kind: 'api-token', headerName: 'Authorization' }, 'Togai'),
      connector('core', { kind: 'none' }, 'Core'),
      connector('zoho-books', { kind: 'oauth2', provider: 'zoho', scopes: [] }, 'Zoho Books'),
      connector('http', { kind: 'none' }, 'HTTP'),
    ]);
    expect(list.map((c) => c.key)).toEqual(['togai', 'zoho-books']);
  });

  it('writes the status with the reason', () => {
    expect(connectionStatusText({ status: 'connected', lastError: null })).toBe('Connected');
    expect(connectionStatusText({ status: 'needs_reconnect', lastError: 'Zoho revoked the refresh token' })).toBe('Needs reconnect: Zoho revoked the refresh token');
    expect(connectionStatusText({ status: 'error', lastError: null })).toBe('Error');
  });

  it('recognises only the callback page message', () => {
    expect(isOAuthMessage({ type: 'braid:oauth', status: 'connected', connectionId: 'c1' })).toBe(true);
    expect(isOAuthMessage({ type: 'braid:oauth', status: 'error', error: { code: 'X', message: 'm' } })).toBe(true);
    expect(isOAuthMessage({ type: 'braid:oauth', status: 'maybe' })).toBe(false);
    expect(isOAuthMessage({ type: 'other', status: 'connected' })).toBe(false);
    expect(isOAuthMessage('braid:oauth')).toBe(false);
    expect(isOAuthMessage(null)).toBe(false);
  });

  it('asks for an organisation only on connected Books connections without one', () => {
    expect(needsOrganisation({ connectorKey: 'zoho-books', status: 'connected', settings: {} })).toBe(true);
    expect(needsOrganisation({ connectorKey: 'zoho-books', status: 'connected', settings: { organizationId: '10234695' } })).toBe(false);
    expect(needsOrganisation({ connectorKey: 'zoho-books', status: 'needs_reconnect', settings: {} })).toBe(false);
    expect(needsOrganisation({ connectorKey: 'togai', status: 'connected', settings: {} })).toBe(false);
  });

  it('finds the connection an OAuth sign-in created (new id, same connector and name, newest)', () => {
    const row = (id: string, connectorKey: string, name: string, createdAt: string) => ({ id, connectorKey, name, createdAt }) as Connection;
    const before = new Set(['old']);
    const now = [
      row('old', 'zoho-books', 'Books', '2026-01-01T00:00:00Z'),
      row('crm', 'zoho-crm', 'Books', '2026-01-03T00:00:00Z'),
      row('n1', 'zoho-books', 'Books', '2026-01-02T00:00:00Z'),
      row('n2', 'zoho-books', 'Books', '2026-01-02T00:00:01Z'),
    ];
    expect(findNewConnection(before, now, 'zoho-books', 'Books')?.id).toBe('n2');
    expect(findNewConnection(new Set(['old', 'n1', 'n2']), now, 'zoho-books', 'Books')).toBeUndefined();
    expect(findNewConnection(before, now, 'zoho-books', 'Other')).toBeUndefined();
  });

  it('sees a reconnect in place completed when the row changed and is connected', () => {
    const before = { updatedAt: 'u1', lastRefreshedAt: 'r1' };
    expect(wasReconnected(before, { ...before, status: 'connected' })).toBe(false);
    expect(wasReconnected(before, { updatedAt: 'u2', lastRefreshedAt: 'r1', status: 'connected' })).toBe(true);
    expect(wasReconnected(before, { updatedAt: 'u1', lastRefreshedAt: 'r2', status: 'connected' })).toBe(true);
    expect(wasReconnected(before, { updatedAt: 'u2', lastRefreshedAt: 'r2', status: 'needs_reconnect' })).toBe(false);
  });

  it('puts icons in a data URL (no markup runs in the page)', () => {
    const url = iconDataUrl('<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>');
    expect(url.startsWith('data:image/svg+xml;charset=utf-8,')).toBe(true);
    expect(decodeURIComponent(url.slice(url.indexOf(',') + 1))).toContain('<script>x</script>');
    expect(url).not.toContain('<');
  });
});

describe('ConnectionsApi against an HTTP server', () => {
  let server: Awaited<ReturnType<typeof startApiServer>>;
  let connections: ConnectionsApi;
  const view = { id: 'c1', name: 'Books', connectorKey: 'zoho-books', status: 'connected', settings: {} } as unknown as Connection;

  beforeAll(async () => {
    server = await startApiServer({
      'GET /api/v1/connectors': { body: { connectors: [connector('togai', { kind: 'api-token', headerName: 'Authorization' })] } },
      [`GET ${base}`]: { body: { connections: [view] } },
      [`POST ${base}/oauth/start`]: { body: { authorizeUrl: 'http://127.0.0.1:1/oauth/v2/auth?state=s', expiresAt: '2026-01-01T00:00:00.000Z' } },
      [`POST ${base}`]: (request) => ({ status: 201, body: { ...view, id: 'c2', name: (request.body as { name: string }).name } }),
      [`PATCH ${base}/c1`]: (request) => ({ body: { ...view, settings: (request.body as { settings: object }).settings } }),
      [`DELETE ${base}/c1`]: {
        status: 409,
        body: { error: { code: 'CONNECTION_IN_USE', message: 'The connection "Books" is used by published flow(s) "S1".', details: { flows: [{ id: 'f1', name: 'S1' }] } } },
      },
      [`DELETE ${base}/c2`]: { status: 204 },
      [`DELETE ${base}/c3`]: { status: 404, body: { error: { code: 'CONNECTION_NOT_FOUND', message: 'No such connection.' } } },
      [`GET ${base}/c1/options/organizations`]: { body: { options: [{ value: '10234695', label: 'Acme Inc' }] } },
      [`GET ${base}/c1/options/taxes`]: { body: { options: [] } },
      [`POST ${base}/c1/test`]: { body: { ok: false, status: 'needs_reconnect', message: 'revoked' } },
      [`POST ${base}/c1/reconnect`]: { body: { authorizeUrl: 'http://127.0.0.1:1/auth' } },
    });
    connections = new ConnectionsApi(new ApiClient(server.baseUrl));
  });
  afterAll(async () => {
    await server.close();
  });

  it('reads the catalog and the connections from their envelopes', async () => {
    expect((await connections.listConnectors()).map((c) => c.key)).toEqual(['togai']);
    expect(await connections.list(ws)).toEqual([view]);
  });

  it('starts OAuth and creates token connections with the chosen target and data centre', async () => {
    const started = await connections.startOAuth(ws, { connectorKey: 'zoho-books', name: 'Books', dataCentre: 'eu', target: 'sandbox' });
    expect(started.authorizeUrl).toContain('/oauth/v2/auth');
    expect(server.received.at(-1)?.body).toEqual({ connectorKey: 'zoho-books', name: 'Books', dataCentre: 'eu', target: 'sandbox' });
    const created = await connections.create(ws, { connectorKey: 'togai', name: 'Togai', target: 'sandbox', credentials: { token: 't' } });
    expect(created).toMatchObject({ id: 'c2', name: 'Togai' });
    expect(server.received.at(-1)).toMatchObject({ method: 'POST', url: base, body: { credentials: { token: 't' } } });
  });

  it('saves the organisation as a setting and passes dependsOn values as query parameters', async () => {
    expect((await connections.update(ws, 'c1', { settings: { organizationId: '10234695' } })).settings).toEqual({ organizationId: '10234695' });
    expect(await connections.options(ws, 'c1', 'organizations')).toEqual([{ value: '10234695', label: 'Acme Inc' }]);
    expect(server.received.at(-1)?.url).toBe(`${base}/c1/options/organizations`);
    await connections.options(ws, 'c1', 'taxes', { organizationId: '10234695', active: true, skip: undefined });
    expect(server.received.at(-1)?.url).toBe(`${base}/c1/options/taxes?organizationId=10234695&active=true`);
  });

  it('turns a refused delete into the list of flows using the connection', async () => {
    const refused = await connections.delete(ws, 'c1').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConnectionInUseError);
    expect(refused).toMatchObject({ flows: [{ id: 'f1', name: 'S1' }], message: expect.stringContaining('"S1"') });
    await expect(connections.delete(ws, 'c2')).resolves.toBeUndefined();
    const missing = await connections.delete(ws, 'c3').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(ApiError);
    expect(missing).not.toBeInstanceOf(ConnectionInUseError);
  });

  it('tests and reconnects', async () => {
    expect(await connections.test(ws, 'c1')).toEqual({ ok: false, status: 'needs_reconnect', message: 'revoked' });
    expect(await connections.reconnect(ws, 'c1')).toEqual({ authorizeUrl: 'http://127.0.0.1:1/auth' });
    expect(server.received.at(-1)?.body).toEqual({});
  });
});
