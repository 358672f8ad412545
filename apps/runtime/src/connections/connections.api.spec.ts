import { createConnectorContext } from '@braid/connector-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoConnector } from '../../../../packages/connector-sdk/src/test-support/echo.connector.js';
import { startEchoServer } from '../../../../packages/connector-sdk/src/test-support/echo.server.js';
import { ConnectorsService } from '../connectors/connectors.service.js';
import { ConnectionsService } from './connections.service.js';
import { type ConnectionsHarness, SANDBOX_TOGAI_TOKEN, startConnectionsHarness } from './test-support/connections.fixtures.js';

describe('connections API (api-token connections)', () => {
  let h: ConnectionsHarness;
  const bodies: string[] = [];

  beforeAll(async () => {
    h = await startConnectionsHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const record = <R extends { text: string }>(response: R): R => {
    bodies.push(response.text);
    return response;
  };

  it('creates a Togai connection, tests it with a cheap read and shows the secret only as "set"', async () => {
    const created = record(
      await h.owner.client.post(h.base).send({ connectorKey: 'togai', name: 'Togai sandbox', target: 'sandbox', credentials: { token: SANDBOX_TOGAI_TOKEN } }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Togai sandbox',
      connectorKey: 'togai',
      authKind: 'api-token',
      target: 'sandbox',
      baseUrl: h.sandbox.url,
      apiDomain: `${h.sandbox.url}/togai`,
      status: 'connected',
      secrets: { token: 'set' },
      lastError: null,
    });
    const tested = record(await h.owner.client.post(`${h.base}/${created.body.id}/test`));
    expect(tested.status).toBe(200);
    expect(tested.body).toMatchObject({ ok: true, status: 'connected' });
    const got = record(await h.owner.client.get(`${h.base}/${created.body.id}`));
    expect(got.body.lastUsedAt).not.toBeNull();
  });

  it('reports a rejected token as a failed test with status "error" and the reason', async () => {
    const created = record(await h.owner.client.post(h.base).send({ connectorKey: 'togai', name: 'Bad token', credentials: { token: 'togai_wrong_token' } }));
    expect(created.status).toBe(201);
    const tested = record(await h.owner.client.post(`${h.base}/${created.body.id}/test`));
    expect(tested.body.ok).toBe(false);
    expect(tested.body.status).toBe('error');
    const got = record(await h.owner.client.get(`${h.base}/${created.body.id}`));
    expect(got.body.status).toBe('error');
    expect(got.body.lastError).toMatch(/401|auth|token/i);
    // Reconnect with the right token fixes it in place.
    const fixed = record(await h.owner.client.post(`${h.base}/${created.body.id}/reconnect`).send({ credentials: { token: SANDBOX_TOGAI_TOKEN } }));
    expect(fixed.status).toBe(200);
    expect(fixed.body).toMatchObject({ id: created.body.id, status: 'connected', lastError: null });
    expect((record(await h.owner.client.post(`${h.base}/${created.body.id}/test`))).body.ok).toBe(true);
  });

  it('lists, renames, deletes; validates bodies; hides other workspaces\' connections', async () => {
    const created = record(await h.owner.client.post(h.base).send({ connectorKey: 'togai', name: 'To rename', credentials: { token: SANDBOX_TOGAI_TOKEN } }));
    const renamed = record(await h.owner.client.patch(`${h.base}/${created.body.id}`).send({ name: 'Renamed' }));
    expect(renamed.body.name).toBe('Renamed');
    const list = record(await h.owner.client.get(h.base));
    expect(list.body.connections.map((c: { name: string }) => c.name)).toContain('Renamed');

    const missing = record(await h.owner.client.post(h.base).send({ connectorKey: 'togai', name: 'x', credentials: {} }));
    expect(missing.status).toBe(400);
    expect(missing.body.error.pointer).toBe('/credentials/token');
    const unknown = record(await h.owner.client.post(h.base).send({ connectorKey: 'nope', name: 'x', credentials: { token: 'a' } }));
    expect(unknown.status).toBe(404);
    const oauthViaCreate = record(await h.owner.client.post(h.base).send({ connectorKey: 'test-books', name: 'x', credentials: { token: 'a' } }));
    expect(oauthViaCreate.status).toBe(400);
    expect(oauthViaCreate.body.error.message).toMatch(/oauth\/start/);

    const other = await h.t.signUpUser();
    const foreign = record(await other.client.get(`/api/v1/workspaces/${other.workspace.id}/connections/${created.body.id}`));
    expect(foreign.status).toBe(404);
    expect(record(await other.client.get(`/api/v1/workspaces/${h.owner.workspace.id}/connections`)).status).toBe(404);
    await expect(h.t.braid.app.get(ConnectionsService).contextFor(other.workspace.id, created.body.id)).rejects.toMatchObject({ code: 'CONNECTION_NOT_FOUND' });

    expect(record(await h.owner.client.delete(`${h.base}/${created.body.id}`)).status).toBe(204);
    expect(record(await h.owner.client.get(`${h.base}/${created.body.id}`)).status).toBe(404);
  });

  it('contextFor gives the engine a working connection context', async () => {
    const created = record(await h.owner.client.post(h.base).send({ connectorKey: 'togai', name: 'For the engine', credentials: { token: SANDBOX_TOGAI_TOKEN } }));
    const service = h.t.braid.app.get(ConnectionsService);
    const { connection, credentials, ssrf } = await service.contextFor(h.owner.workspace.id, created.body.id);
    expect(connection).toMatchObject({ id: created.body.id, name: 'For the engine', connectorKey: 'togai', apiBaseUrl: `${h.sandbox.url}/togai` });
    const ctx = createConnectorContext({ connector: h.t.braid.app.get(ConnectorsService).definition('togai'), connection, credentials, ssrf });
    const response = await ctx.http.get<{ data: unknown[] }>('/customers', { pageSize: 1 });
    expect(response.status).toBe(200);
    expect((await service.listIds(h.owner.workspace.id)).has(created.body.id)).toBe(true);
    await service.markUsed(h.owner.workspace.id, created.body.id);
    expect((record(await h.owner.client.get(`${h.base}/${created.body.id}`))).body.lastUsedAt).not.toBeNull();

    // Health: an engine-reported failure shows on the connection; a later success clears "error" but never "needs reconnect".
    await service.recordFailure(h.owner.workspace.id, created.body.id, { message: 'Togai answered 503 three times' });
    expect(record(await h.owner.client.get(`${h.base}/${created.body.id}`)).body).toMatchObject({ status: 'error', lastError: 'Togai answered 503 three times' });
    await service.markUsed(h.owner.workspace.id, created.body.id);
    expect(record(await h.owner.client.get(`${h.base}/${created.body.id}`)).body.status).toBe('connected');
    await service.recordFailure(h.owner.workspace.id, created.body.id, { message: 'token revoked', needsReconnect: true });
    await service.markUsed(h.owner.workspace.id, created.body.id);
    expect(record(await h.owner.client.get(`${h.base}/${created.body.id}`)).body.status).toBe('needs_reconnect');
    await expect(service.contextFor(h.owner.workspace.id, created.body.id)).rejects.toMatchObject({ code: 'CONNECTION_NEEDS_RECONNECT', needsReconnect: true });
  });

  it('viewers see connections (status included) but cannot create, change, test or delete them', async () => {
    const created = record(await h.owner.client.post(h.base).send({ connectorKey: 'togai', name: 'Viewed', credentials: { token: SANDBOX_TOGAI_TOKEN } }));
    const added = await h.owner.client.post(`/api/v1/workspaces/${h.owner.workspace.id}/members`).send({ email: 'viewer@example.com', role: 'viewer', password: 'viewer-password-1' });
    expect(added.status).toBe(201);
    const viewer = h.t.agent();
    expect((await viewer.login('viewer@example.com', 'viewer-password-1')).status).toBe(200);
    const listed = record(await viewer.get(h.base));
    expect(listed.status).toBe(200);
    expect(listed.body.connections.find((c: { id: string }) => c.id === created.body.id)).toMatchObject({ status: 'connected', secrets: { token: 'set' } });
    expect(record(await viewer.post(h.base).send({ connectorKey: 'togai', name: 'x', credentials: { token: 'y' } })).status).toBe(403);
    expect(record(await viewer.patch(`${h.base}/${created.body.id}`).send({ name: 'x' })).status).toBe(403);
    expect(record(await viewer.post(`${h.base}/${created.body.id}/test`)).status).toBe(403);
    expect(record(await viewer.post(`${h.base}/${created.body.id}/reconnect`).send({})).status).toBe(403);
    expect(record(await viewer.delete(`${h.base}/${created.body.id}`)).status).toBe(403);
  });

  it('dynamic options work for any connector, with dependsOn values from the query', async () => {
    const connectors = h.t.braid.app.get(ConnectorsService);
    if (!connectors.registry.get(echoConnector.key)) connectors.register(echoConnector);
    const echo = await startEchoServer();
    try {
      echo.setValidToken('echo-secret-token');
      const created = record(
        await h.owner.client.post(h.base).send({ connectorKey: 'echo', name: 'Echo', settings: { baseUrl: echo.url }, credentials: { token: 'echo-secret-token' } }),
      );
      expect(created.status).toBe(201);
      const cool = record(await h.owner.client.get(`${h.base}/${created.body.id}/options/colors?palette=cool`));
      expect(cool.body.options).toEqual([{ value: 'blue', label: 'BLUE' }, { value: 'green', label: 'GREEN' }]);
      const warm = record(await h.owner.client.get(`${h.base}/${created.body.id}/options/colors`));
      expect(warm.body.options.map((o: { value: string }) => o.value)).toEqual(['red', 'orange', 'yellow']);
      const unknown = record(await h.owner.client.get(`${h.base}/${created.body.id}/options/sizes`));
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.message).toMatch(/offers colors/);
      const invalidSettings = record(await h.owner.client.patch(`${h.base}/${created.body.id}`).send({ settings: { baseUrl: 'not a url' } }));
      expect(invalidSettings.status).toBe(400);

      // The service stops accepting the token: the picker says so and the connection is marked.
      echo.setValidToken('another-token');
      const rejected = record(await h.owner.client.get(`${h.base}/${created.body.id}/options/colors`));
      expect(rejected.status).toBe(409);
      expect(rejected.body.error.code).toBe('CONNECTION_NEEDS_RECONNECT');
      expect(record(await h.owner.client.get(`${h.base}/${created.body.id}`)).body.status).toBe('needs_reconnect');
      const fixed = record(await h.owner.client.post(`${h.base}/${created.body.id}/reconnect`).send({ credentials: { token: 'another-token' } }));
      expect(fixed.body.status).toBe('connected');
      expect(record(await h.owner.client.get(`${h.base}/${created.body.id}/options/colors?palette=cool`)).status).toBe(200);
    } finally {
      await echo.close();
    }
  });

  it('a ciphertext copied onto another connection\'s row does not decrypt', async () => {
    const a = record(await h.owner.client.post(h.base).send({ connectorKey: 'togai', name: 'A', credentials: { token: SANDBOX_TOGAI_TOKEN } }));
    const b = record(await h.owner.client.post(h.base).send({ connectorKey: 'togai', name: 'B', credentials: { token: 'togai_other_token' } }));
    await h.t.query('UPDATE connections SET secrets = (SELECT secrets FROM connections WHERE id = $1) WHERE id = $2', [a.body.id, b.body.id]);
    const { credentials } = await h.t.braid.app.get(ConnectionsService).contextFor(h.owner.workspace.id, b.body.id);
    await expect(credentials.getAccessToken()).rejects.toMatchObject({ code: 'VAULT_DECRYPT_FAILED', message: expect.stringMatching(/belongs to another connection/) });
    const { credentials: original } = await h.t.braid.app.get(ConnectionsService).contextFor(h.owner.workspace.id, a.body.id);
    expect(await original.getAccessToken()).toBe(SANDBOX_TOGAI_TOKEN);
  });

  it('never puts the token into a response or a log line', async () => {
    const rows = await h.t.query<{ secrets: string }>('SELECT secrets FROM connections');
    expect(rows.length).toBeGreaterThan(0);
    for (const text of [...bodies, ...h.t.logs, JSON.stringify(rows)]) {
      expect(text).not.toContain(SANDBOX_TOGAI_TOKEN);
      expect(text).not.toContain('togai_wrong_token');
      expect(text).not.toContain('togai_other_token');
      expect(text).not.toContain('echo-secret-token');
      expect(text).not.toContain('another-token');
    }
  });
});
