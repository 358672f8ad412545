import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxAdmin } from '../../../sandbox/src/test-support/index.js';
import { createPublishedFlow, flowDefinition, type Json, startRun, waitForRun } from '../engine/test-support/engine.fixtures.js';
import { VaultService } from '../vault/vault.service.js';
import { approveConsent, type ConnectionsHarness, connectViaOAuth, readCallbackPage, startConnectionsHarness } from './test-support/connections.fixtures.js';

describe('connections in published flows', () => {
  let h: ConnectionsHarness;
  let ws: string;
  let connectionId: string;
  let flowId: string;

  beforeAll(async () => {
    h = await startConnectionsHarness();
    ws = h.owner.workspace.id;
    connectionId = await connectViaOAuth(h, { name: 'Acme Books' });
    await h.owner.client.patch(`${h.base}/${connectionId}`).send({ settings: { organizationId: '10234695' } });
    flowId = await createPublishedFlow(
      h.owner.client,
      ws,
      flowDefinition({ count: { kind: 'action', id: 'count', connector: 'test-books', action: 'count_contacts', connectionRef: connectionId, input: {} } }, 'count', {
        name: 'Count Books contacts',
      }),
    );
  });
  afterAll(async () => {
    await h?.close();
  });

  const run = async () => waitForRun(h.owner.client, ws, await startRun(h.t, ws, flowId, {}));

  it('refuses to delete a connection a published flow uses, naming the flows', async () => {
    const refused = await h.owner.client.delete(`${h.base}/${connectionId}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('CONNECTION_IN_USE');
    expect(refused.body.error.message).toMatch(/"Acme Books" is used by published flow\(s\) "Count Books contacts"/);
    expect(refused.body.error.details).toEqual({ flows: [{ id: flowId, name: 'Count Books contacts' }] });
    expect((await h.owner.client.get(`${h.base}/${connectionId}`)).status).toBe(200);
  });

  it('runs succeed, a revoked refresh token fails them with "needs reconnect", reconnecting makes them succeed again', async () => {
    const ok = await run();
    expect(ok.status).toBe('succeeded');
    expect((await h.owner.client.get(`${h.base}/${connectionId}`)).body.lastUsedAt).not.toBeNull();

    const [row] = await h.t.query<{ secrets: string }>('SELECT secrets FROM connections WHERE id = $1', [connectionId]);
    const { refreshToken } = h.t.braid.app.get(VaultService).decrypt<{ refreshToken: string }>(row?.secrets as string, { workspaceId: ws, connectionId });
    await sandboxAdmin(h.sandbox.url).revokeRefreshToken(refreshToken);
    await sandboxAdmin(h.sandbox.url).expireAccessTokens();

    const failed = await run();
    expect(failed.status).toBe('failed');
    expect(JSON.stringify(failed)).toMatch(/Acme Books.{0,10} needs to be reconnected/);
    const view = (await h.owner.client.get(`${h.base}/${connectionId}`)).body as Json;
    expect(view).toMatchObject({ status: 'needs_reconnect', lastError: expect.stringMatching(/refresh token/) });

    const refusedUpFront = await run();
    expect(refusedUpFront.status).toBe('failed');
    expect(JSON.stringify(refusedUpFront)).toMatch(/needs to be reconnected/);

    const reconnect = await h.owner.client.post(`${h.base}/${connectionId}/reconnect`).send({});
    const redirect = await approveConsent(reconnect.body.authorizeUrl);
    expect(readCallbackPage((await h.owner.client.get(`${redirect.pathname}${redirect.search}`)).text)).toMatchObject({ status: 'connected', connectionId });

    const again = await run();
    expect(again.status).toBe('succeeded');
    const runSteps = again.steps as Json[];
    expect(runSteps[0]?.output).toEqual({ count: expect.any(Number) });
  });
});
