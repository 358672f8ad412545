import { ConnectorError } from '@braid/connector-sdk';
import { sandboxAdmin } from '../../../sandbox/src/test-support/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsService } from '../metrics/metrics.service.js';
import { VaultService } from '../vault/vault.service.js';
import { ConnectionsService } from './connections.service.js';
import { ConnectionTokens } from './connections.tokens.js';
import {
  approveConsent,
  type ConnectionsHarness,
  connectViaOAuth,
  readCallbackPage,
  runBooksStep,
  startConnectionsHarness,
  startSecondRuntime,
  tokenRequests,
} from './test-support/connections.fixtures.js';

describe('token renewal', () => {
  let h: ConnectionsHarness;
  let second: Awaited<ReturnType<typeof startSecondRuntime>>;
  let connectionId: string;
  let workspaceId: string;

  beforeAll(async () => {
    // Hundreds of Books calls in a minute: lift the per-organisation limit (the token limits stay Zoho's).
    h = await startConnectionsHarness({}, { limits: { books: { requestsPerMinutePerOrg: 100_000 } } });
    second = await startSecondRuntime(h);
    workspaceId = h.owner.workspace.id;
    connectionId = await connectViaOAuth(h, { name: 'Acme Books' });
    await h.owner.client.patch(`${h.base}/${connectionId}`).send({ settings: { organizationId: '10234695' } });
  });
  afterAll(async () => {
    await second?.close();
    await h?.close();
  });

  const admin = () => sandboxAdmin(h.sandbox.url);
  const storedSecrets = async () => {
    const [row] = await h.t.query<{ secrets: string }>('SELECT secrets FROM connections WHERE id = $1', [connectionId]);
    return h.t.braid.app.get(VaultService).decrypt<{ refreshToken: string; accessToken: string }>(row?.secrets as string, { workspaceId, connectionId });
  };

  it('50 concurrent calls with an access token the API rejects cause exactly one refresh', async () => {
    expect(await runBooksStep(h.t.braid.app, workspaceId, connectionId)).toEqual({ count: expect.any(Number) });
    const before = (await storedSecrets()).accessToken;
    await admin().expireAccessTokens();
    await admin().clearCalls();
    const results = await Promise.all(Array.from({ length: 50 }, () => runBooksStep(h.t.braid.app, workspaceId, connectionId)));
    expect(results).toHaveLength(50);
    expect(await tokenRequests(h.sandbox.url)).toBe(1);
    expect((await storedSecrets()).accessToken).not.toBe(before);
    const view = await h.owner.client.get(`${h.base}/${connectionId}`);
    expect(view.body.lastRefreshedAt).not.toBeNull();
  });

  it('… also with two runtimes on the same database (row lock, re-read, the other one\'s token counts)', async () => {
    await runBooksStep(second.app.app, workspaceId, connectionId); // the second runtime has a cached token too
    await admin().expireAccessTokens();
    await admin().clearCalls();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => runBooksStep(i % 2 === 0 ? h.t.braid.app : second.app.app, workspaceId, connectionId)),
    );
    expect(results).toHaveLength(50);
    expect(await tokenRequests(h.sandbox.url)).toBe(1);
  });

  it('renews before expiry: with the clock 58 minutes on, 50 calls over both runtimes refresh once', async () => {
    const later = () => Date.now() + 58 * 60_000;
    h.t.braid.app.get(ConnectionTokens).now = later;
    second.app.app.get(ConnectionTokens).now = later;
    try {
      await admin().clearCalls();
      await Promise.all(Array.from({ length: 50 }, (_, i) => runBooksStep(i % 2 === 0 ? h.t.braid.app : second.app.app, workspaceId, connectionId)));
      expect(await tokenRequests(h.sandbox.url)).toBe(1);
      // The renewed token is good for another hour on that clock: no further refresh.
      await admin().clearCalls();
      await Promise.all(Array.from({ length: 10 }, () => runBooksStep(second.app.app, workspaceId, connectionId)));
      expect(await tokenRequests(h.sandbox.url)).toBe(0);
    } finally {
      h.t.braid.app.get(ConnectionTokens).now = () => Date.now();
      second.app.app.get(ConnectionTokens).now = () => Date.now();
    }
  });

  it('a revoked refresh token marks the connection "needs reconnect"; reconnecting fixes it in place', async () => {
    const { refreshToken } = await storedSecrets();
    expect(await admin().revokeRefreshToken(refreshToken)).toBe(1);
    await admin().expireAccessTokens();

    const failure = await runBooksStep(h.t.braid.app, workspaceId, connectionId).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConnectorError);
    expect(failure).toMatchObject({ code: 'AUTH', needsReconnect: true, retryable: false });
    expect((failure as Error).message).toMatch(/"Acme Books" needs to be reconnected/);

    const view = await h.owner.client.get(`${h.base}/${connectionId}`);
    expect(view.body).toMatchObject({ status: 'needs_reconnect', lastError: expect.stringMatching(/refresh token/) });
    expect(view.body.lastErrorAt).not.toBeNull();
    // Other processes and later runs are refused up front, with the reason.
    await expect(second.app.app.get(ConnectionsService).contextFor(workspaceId, connectionId)).rejects.toMatchObject({
      code: 'CONNECTION_NEEDS_RECONNECT',
      message: expect.stringMatching(/Acme Books.*needs to be reconnected/),
    });
    const list = await h.owner.client.get(h.base);
    expect(list.body.connections.find((c: { id: string }) => c.id === connectionId).status).toBe('needs_reconnect');

    const reconnect = await h.owner.client.post(`${h.base}/${connectionId}/reconnect`).send({});
    expect(reconnect.status).toBe(200);
    const redirect = await approveConsent(reconnect.body.authorizeUrl);
    const callback = await h.owner.client.get(`${redirect.pathname}${redirect.search}`);
    expect(readCallbackPage(callback.text)).toMatchObject({ status: 'connected', connectionId });

    // The reconnect's new refresh token replaced the revoked one in the vault.
    expect((await storedSecrets()).refreshToken).not.toBe(refreshToken);
    const after = await h.owner.client.get(`${h.base}/${connectionId}`);
    expect(after.body).toMatchObject({ id: connectionId, status: 'connected', lastError: null, settings: { organizationId: '10234695' } });
    expect((await h.owner.client.get(h.base)).body.connections.filter((c: { name: string }) => c.name === 'Acme Books')).toHaveLength(1);
    // Both runtimes run again (the second one still had the revoked token cached: a 401 then the stored new one).
    expect(await runBooksStep(h.t.braid.app, workspaceId, connectionId)).toEqual({ count: expect.any(Number) });
    expect(await runBooksStep(second.app.app, workspaceId, connectionId)).toEqual({ count: expect.any(Number) });
  });

  it('Zoho throttling a renewal is retryable and does not mark the connection', async () => {
    await admin().patchLimits({ oauth: { refreshesPerWindow: 0 } });
    try {
      await admin().expireAccessTokens();
      const failure = await runBooksStep(h.t.braid.app, workspaceId, connectionId).catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
      expect((await h.owner.client.get(`${h.base}/${connectionId}`)).body.status).toBe('connected');
      const metrics = await h.t.braid.app.get(MetricsService).registry.metrics();
      expect(metrics).toMatch(/braid_token_refresh_failures_total\{connector="test-books"\} [1-9]/);
    } finally {
      await admin().patchLimits({ oauth: { refreshesPerWindow: 10 } });
    }
  });

  it('no token appears in either runtime\'s logs', async () => {
    const secrets = await storedSecrets();
    for (const line of [...h.t.logs, ...second.logs]) {
      expect(line).not.toContain(secrets.refreshToken);
      expect(line).not.toContain(secrets.accessToken);
    }
    expect(h.t.logs.join('\n')).toMatch(/Renewed the access token/);
  });
});
