import { sandboxAdmin } from '../../../sandbox/src/test-support/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshZohoAccessToken } from '@braid/connector-sdk';
import { zohoBooksConnector } from '@braid/connector-zoho-books';
import { zohoCrmConnector } from '@braid/connector-zoho-crm';
import { ConnectorsService } from '../connectors/connectors.service.js';
import { VaultService } from '../vault/vault.service.js';
import { ConnectionsService } from './connections.service.js';
import { ConnectionTokens } from './connections.tokens.js';
import { approveConsent, type ConnectionsHarness, connectViaOAuth, readCallbackPage, startConnectionsHarness } from './test-support/connections.fixtures.js';

describe('Zoho OAuth connections against the sandbox', () => {
  let h: ConnectionsHarness;
  const texts: string[] = [];
  const keep = <R extends { text: string }>(response: R): R => {
    texts.push(response.text);
    return response;
  };

  beforeAll(async () => {
    h = await startConnectionsHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  async function start(body: Record<string, unknown> = {}) {
    return keep(await h.owner.client.post(`${h.base}/oauth/start`).send({ connectorKey: 'test-books', name: 'Acme Books', dataCentre: 'us', target: 'sandbox', ...body }));
  }

  it('builds the authorise URL: sandbox accounts server, connector scopes, offline access, forced consent, signed state', async () => {
    const started = await start();
    expect(started.status).toBe(200);
    const url = new URL(started.body.authorizeUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${h.sandbox.url}/oauth/v2/auth`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: '1000.BRAIDSANDBOXWEB',
      redirect_uri: 'http://127.0.0.1:3999/api/v1/oauth/callback',
      scope: 'ZohoBooks.fullaccess.all',
      access_type: 'offline',
      prompt: 'consent',
    });
    expect(url.searchParams.get('state')).toMatch(/^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
  });

  it('completes the code flow through the consent page, stores api_domain and lets the user pick the organisation', async () => {
    const started = await start();
    const redirect = await approveConsent(started.body.authorizeUrl);
    const callback = keep(await h.owner.client.get(`${redirect.pathname}${redirect.search}`));
    expect(callback.status).toBe(200);
    expect(callback.headers['content-security-policy']).toMatch(/script-src 'nonce-/);
    const outcome = readCallbackPage(callback.text);
    expect(outcome).toMatchObject({ status: 'connected' });
    expect(callback.text).toContain('postMessage');
    expect(callback.text).toContain('"targetOrigin":"http://127.0.0.1:3999"');

    const connection = keep(await h.owner.client.get(`${h.base}/${outcome.connectionId}`));
    expect(connection.body).toMatchObject({
      name: 'Acme Books',
      connectorKey: 'test-books',
      authKind: 'oauth2',
      target: 'sandbox',
      baseUrl: h.sandbox.url,
      dataCentre: 'us',
      accountsServer: h.sandbox.url,
      apiDomain: h.sandbox.url,
      status: 'connected',
      secrets: { refreshToken: 'set', accessToken: 'set' },
    });
    expect(connection.body.scopes).toContain('ZohoBooks.fullaccess.all');

    // The organisation picker: the demo user has two Books organisations.
    const orgs = keep(await h.owner.client.get(`${h.base}/${outcome.connectionId}/organizations`));
    expect(orgs.status).toBe(200);
    expect(orgs.body.options).toEqual(
      expect.arrayContaining([expect.objectContaining({ value: '10234695', label: 'Acme Inc' }), expect.objectContaining({ value: '10234696' })]),
    );
    const viaOptions = keep(await h.owner.client.get(`${h.base}/${outcome.connectionId}/options/organizations`));
    expect(viaOptions.body.options).toEqual(orgs.body.options);
    const picked = keep(await h.owner.client.patch(`${h.base}/${outcome.connectionId}`).send({ settings: { organizationId: '10234696' } }));
    expect(picked.body.settings).toEqual({ organizationId: '10234696' });
    const invalid = keep(await h.owner.client.patch(`${h.base}/${outcome.connectionId}`).send({ settings: { organizationId: 'abc' } }));
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('CONNECTION_INVALID_SETTINGS');

    const tested = keep(await h.owner.client.post(`${h.base}/${outcome.connectionId}/test`));
    expect(tested.body).toMatchObject({ ok: true, status: 'connected' });
    const { connection: forEngine } = await h.t.braid.app.get(ConnectionsService).contextFor(h.owner.workspace.id, outcome.connectionId as string);
    expect(forEngine.apiBaseUrl).toBe(`${h.sandbox.url}/books/v3`);
  });

  it('works with the real Zoho Books connector: organisation picker, settings, connection test', async () => {
    const connectors = h.t.braid.app.get(ConnectorsService);
    if (!connectors.registry.get(zohoBooksConnector.key)) connectors.register(zohoBooksConnector);
    const id = await connectViaOAuth(h, { connectorKey: 'zoho-books', name: 'Zoho Books – Acme' });
    const orgs = keep(await h.owner.client.get(`${h.base}/${id}/organizations`));
    expect(orgs.status).toBe(200);
    expect(orgs.body.options.map((o: { value: string }) => o.value)).toEqual(expect.arrayContaining(['10234695', '10234696']));
    const picked = keep(await h.owner.client.patch(`${h.base}/${id}`).send({ settings: { organizationId: '10234696' } }));
    expect(picked.status).toBe(200);
    const tested = keep(await h.owner.client.post(`${h.base}/${id}/test`));
    expect(tested.body).toMatchObject({ ok: true, status: 'connected', accountLabel: expect.stringContaining('10234696') });
    expect(keep(await h.owner.client.get(`${h.base}/${id}`)).body.scopes.length).toBeGreaterThan(0);
  });

  it('works with the real Zoho CRM connector (EU user): connection test names the organisation', async () => {
    const connectors = h.t.braid.app.get(ConnectorsService);
    if (!connectors.registry.get(zohoCrmConnector.key)) connectors.register(zohoCrmConnector);
    const id = await connectViaOAuth(h, { connectorKey: 'zoho-crm', name: 'CRM – Acme GmbH', userEmail: 'demo.eu@braid.local' });
    const tested = keep(await h.owner.client.post(`${h.base}/${id}/test`));
    expect(tested.body).toMatchObject({ ok: true, status: 'connected', accountLabel: expect.stringContaining('60005678') });
    expect(keep(await h.owner.client.get(`${h.base}/${id}`)).body).toMatchObject({ dataCentre: 'eu', apiDomain: `${h.sandbox.url}/dc/eu` });
  });

  it('exchanges at the accounts server the redirect names (EU user starting at com)', async () => {
    const id = await connectViaOAuth(h, { userEmail: 'demo.eu@braid.local', name: 'Acme GmbH' });
    const connection = keep(await h.owner.client.get(`${h.base}/${id}`));
    expect(connection.body).toMatchObject({ dataCentre: 'eu', accountsServer: `${h.sandbox.url}/dc/eu`, apiDomain: `${h.sandbox.url}/dc/eu` });
    const orgs = keep(await h.owner.client.get(`${h.base}/${id}/organizations`));
    expect(orgs.body.options.map((o: { value: string }) => o.value)).toEqual(['20234695']);
  });

  it('reconnecting a working connection keeps its id and settings and revokes the refresh token it replaces', async () => {
    const id = await connectViaOAuth(h, { name: 'To reconnect' });
    keep(await h.owner.client.patch(`${h.base}/${id}`).send({ settings: { organizationId: '10234695' } }));
    const vault = h.t.braid.app.get(VaultService);
    const secretsOf = async () => {
      const [row] = await h.t.query<{ secrets: string }>('SELECT secrets FROM connections WHERE id = $1', [id]);
      return vault.decrypt<{ refreshToken: string }>(row?.secrets as string, { workspaceId: h.owner.workspace.id, connectionId: id });
    };
    const before = await secretsOf();
    const reconnect = keep(await h.owner.client.post(`${h.base}/${id}/reconnect`).send({}));
    expect(new URL(reconnect.body.authorizeUrl).searchParams.get('prompt')).toBe('consent');
    const redirect = await approveConsent(reconnect.body.authorizeUrl);
    expect(readCallbackPage(keep(await h.owner.client.get(`${redirect.pathname}${redirect.search}`)).text)).toMatchObject({ status: 'connected', connectionId: id });
    const after = await secretsOf();
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(keep(await h.owner.client.get(`${h.base}/${id}`)).body).toMatchObject({ id, name: 'To reconnect', settings: { organizationId: '10234695' }, status: 'connected' });
    const oldOne = refreshZohoAccessToken({
      accountsServer: h.sandbox.url,
      allowedAccountsServers: [h.sandbox.url],
      clientId: '1000.BRAIDSANDBOXWEB',
      clientSecret: 'sandbox-web-client-secret',
      refreshToken: before.refreshToken,
    });
    await expect(oldOne).rejects.toMatchObject({ code: 'INVALID_CODE' });
  });

  it('refuses a replayed callback and a tampered state', async () => {
    const started = await start();
    const redirect = await approveConsent(started.body.authorizeUrl);
    const first = keep(await h.owner.client.get(`${redirect.pathname}${redirect.search}`));
    expect(readCallbackPage(first.text).status).toBe('connected');
    const replay = keep(await h.owner.client.get(`${redirect.pathname}${redirect.search}`));
    expect(replay.status).toBe(400);
    expect(readCallbackPage(replay.text).error).toMatchObject({ code: 'CONNECTION_OAUTH_STATE_INVALID', message: expect.stringMatching(/already used/) });

    const again = await approveConsent((await start()).body.authorizeUrl);
    const state = again.searchParams.get('state') as string;
    const [id, signature] = state.split('.') as [string, string];
    for (const forged of [`${id}.${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`, `${crypto.randomUUID()}.${signature}`, 'garbage', '']) {
      const tampered = new URL(again);
      tampered.searchParams.set('state', forged);
      const response = keep(await h.owner.client.get(`${tampered.pathname}${tampered.search}`));
      expect(response.status).toBe(400);
      expect(readCallbackPage(response.text).error?.code).toBe('CONNECTION_OAUTH_STATE_INVALID');
    }
    // The untampered one still works once (the forged attempts did not consume it).
    expect(readCallbackPage(keep(await h.owner.client.get(`${again.pathname}${again.search}`)).text).status).toBe('connected');
  });

  it('refuses a callback from another user, an untrusted accounts server, and a declined consent', async () => {
    const other = await h.t.signUpUser();
    const redirect = await approveConsent((await start()).body.authorizeUrl);
    const foreign = keep(await other.client.get(`${redirect.pathname}${redirect.search}`));
    expect(foreign.status).toBe(400);
    expect(readCallbackPage(foreign.text).error?.message).toMatch(/another user/);
    const anonymous = keep(await h.t.request().get(`${redirect.pathname}${redirect.search}`));
    expect(anonymous.status).toBe(400);
    // Neither attempt used up the user's authorisation: it still completes for them.
    expect(readCallbackPage(keep(await h.owner.client.get(`${redirect.pathname}${redirect.search}`)).text).status).toBe('connected');

    const evil = await approveConsent((await start()).body.authorizeUrl);
    evil.searchParams.set('accounts-server', 'https://accounts.evil.example');
    const refused = keep(await h.owner.client.get(`${evil.pathname}${evil.search}`));
    expect(refused.status).toBe(400);
    expect(readCallbackPage(refused.text).error?.message).toMatch(/not one of the allowed/);

    const declined = await approveConsent((await start()).body.authorizeUrl, { decision: 'reject' });
    const response = keep(await h.owner.client.get(`${declined.pathname}${declined.search}`));
    expect(response.status).toBe(400);
    expect(readCallbackPage(response.text).error?.code).toBe('CONNECTION_OAUTH_DENIED');
  });

  it('needs a configured Zoho client for production, naming the variables', async () => {
    const info = keep(await h.owner.client.get(`${h.base}/targets`));
    expect(info.body).toEqual({
      sandbox: { available: true, url: h.sandbox.url, dataCentres: [{ location: 'us', label: 'Sandbox (US)' }, { location: 'eu', label: 'Sandbox (EU)' }] },
      production: { zohoOAuthConfigured: false, dataCentres: expect.arrayContaining([{ location: 'us', label: 'United States' }]) },
    });
    const response = await start({ target: 'production' });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('CONNECTION_OAUTH_NOT_CONFIGURED');
    expect(response.body.error.message).toMatch(/ZOHO_CLIENT_ID and ZOHO_CLIENT_SECRET/);
    const unknownDc = await start({ dataCentre: 'jp' });
    expect(unknownDc.status).toBe(400);
    expect(unknownDc.body.error.message).toMatch(/us, eu/);
  });

  it('self client: exchanges the code at once and says clearly when it expired or was used', async () => {
    const admin = sandboxAdmin(h.sandbox.url);
    const call = async <T>(path: string, body: unknown): Promise<T> => {
      const response = await fetch(`${h.sandbox.url}/_admin${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return (await response.json()) as T;
    };
    const client = await call<{ clientId: string; clientSecret: string }>('/oauth/self-clients', {});
    const code = async (ttlMinutes?: number) =>
      (await call<{ code: string }>(`/oauth/self-clients/${client.clientId}/codes`, { scopes: ['ZohoBooks.fullaccess.all'], ...(ttlMinutes ? { ttlMinutes } : {}) })).code;

    const fresh = await code();
    const created = keep(
      await h.owner.client.post(h.base).send({ connectorKey: 'test-books-self-client', name: 'Self client', dataCentre: 'us', credentials: { clientId: client.clientId, clientSecret: client.clientSecret, code: fresh } }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ authKind: 'zoho-self-client', status: 'connected', apiDomain: h.sandbox.url, secrets: { clientId: 'set', clientSecret: 'set', refreshToken: 'set', accessToken: 'set' } });
    expect(keep(await h.owner.client.get(`${h.base}/${created.body.id}/organizations`)).body.options.length).toBeGreaterThan(0);

    // Reconnecting a Self Client connection takes a new code (and may take a new secret), in place.
    const reconnected = keep(
      await h.owner.client.post(`${h.base}/${created.body.id}/reconnect`).send({ credentials: { clientId: client.clientId, clientSecret: client.clientSecret, code: await code() } }),
    );
    expect(reconnected.status).toBe(200);
    expect(reconnected.body).toMatchObject({ id: created.body.id, status: 'connected' });
    const noCredentials = keep(await h.owner.client.post(`${h.base}/${created.body.id}/reconnect`).send({}));
    expect(noCredentials.status).toBe(400);
    expect(noCredentials.body.error.pointer).toBe('/credentials');

    const used = keep(
      await h.owner.client.post(h.base).send({ connectorKey: 'test-books-self-client', name: 'Again', credentials: { clientId: client.clientId, clientSecret: client.clientSecret, code: fresh } }),
    );
    expect(used.status).toBe(400);
    expect(used.body.error).toMatchObject({ code: 'CONNECTION_CODE_INVALID', pointer: '/credentials/code' });
    expect(used.body.error.message).toMatch(/expired .* or was already used/);

    const expiring = await code(3);
    await admin.advanceClock(4 * 60_000);
    const expired = keep(
      await h.owner.client.post(h.base).send({ connectorKey: 'test-books-self-client', name: 'Late', credentials: { clientId: client.clientId, clientSecret: client.clientSecret, code: expiring } }),
    );
    expect(expired.status).toBe(400);
    expect(expired.body.error.code).toBe('CONNECTION_CODE_INVALID');
    expect(expired.body.error.message).toMatch(/Generate a new code/);

    const badSecret = keep(
      await h.owner.client.post(h.base).send({ connectorKey: 'test-books-self-client', name: 'Bad', credentials: { clientId: client.clientId, clientSecret: 'wrong-secret', code: await code() } }),
    );
    expect(badSecret.status).toBe(400);
    expect(badSecret.body.error.code).toBe('CONNECTION_CREDENTIALS_REJECTED');
    // Zoho stops accepting the Self Client's secret (regenerated in the console): renewal → needs reconnect.
    const vault = h.t.braid.app.get(VaultService);
    const binding = { workspaceId: h.owner.workspace.id, connectionId: created.body.id as string };
    const [row] = await h.t.query<{ secrets: string }>('SELECT secrets FROM connections WHERE id = $1', [created.body.id]);
    const stored = vault.decrypt<Record<string, unknown>>(row?.secrets as string, binding);
    await h.t.query('UPDATE connections SET secrets = $1 WHERE id = $2', [vault.encrypt({ ...stored, clientSecret: 'regenerated-elsewhere' }, binding), created.body.id]);
    h.t.braid.app.get(ConnectionTokens).forget(created.body.id);
    const renewal = keep(await h.owner.client.post(`${h.base}/${created.body.id}/test`));
    expect(renewal.body).toMatchObject({ ok: false, status: 'needs_reconnect', message: expect.stringMatching(/client secret/) });
    expect(keep(await h.owner.client.get(`${h.base}/${created.body.id}`)).body.lastError).toBe(
      'Zoho refused the token renewal: Zoho rejected the client secret; check it in the API console',
    );

    for (const text of [...texts, ...h.t.logs]) expect(text).not.toContain(client.clientSecret);
  });

  it('a raw dump of every table contains no token or client secret', async () => {
    // Tokens the sandbox issued for this test's connections: decrypt them the way the runtime does, then grep the dump.
    const service = h.t.braid.app.get(ConnectionsService);
    const rows = await h.t.query<Record<string, unknown>>('SELECT * FROM connections');
    const tables = await h.t.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
    );
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['connections', 'oauth_states']));
    let dump = '';
    for (const table of tables) dump += JSON.stringify(await h.t.query(`SELECT * FROM "${table.schema}"."${table.name}"`));
    const secrets: string[] = [];
    const vault = h.t.braid.app.get(VaultService);
    for (const row of rows) {
      if (row.status === 'connected') {
        const { credentials } = await service.contextFor(row.workspace_id as string, row.id as string);
        secrets.push(await credentials.getAccessToken());
      }
      const stored = vault.decrypt<Record<string, unknown>>(row.secrets as string, { workspaceId: row.workspace_id as string, connectionId: row.id as string });
      secrets.push(...Object.values(stored).filter((v): v is string => typeof v === 'string'));
    }
    expect(secrets.length).toBeGreaterThan(10);
    for (const secret of secrets) {
      expect(dump).not.toContain(secret);
      for (const text of [...texts, ...h.t.logs]) expect(text).not.toContain(secret);
    }
  });
});
