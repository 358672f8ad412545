import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxAdmin } from '../../../sandbox/src/test-support/index.js';
import { type ConnectionsHarness, SANDBOX_TOGAI_TOKEN, startConnectionsHarness } from '../connections/test-support/connections.fixtures.js';
import { createPublishedFlow, flowDefinition, type Json, startRun, waitForRun } from './test-support/engine.fixtures.js';

describe('engine with app connections: Togai steps through a sandbox connection', () => {
  let h: ConnectionsHarness;
  let ws: string;
  let connectionId: string;

  beforeAll(async () => {
    h = await startConnectionsHarness();
    ws = h.owner.workspace.id;
    const created = await h.owner.client.post(h.base).send({ connectorKey: 'togai', name: 'Togai sandbox', target: 'sandbox', credentials: { token: SANDBOX_TOGAI_TOKEN } });
    if (created.status !== 201) throw new Error(`connection: ${created.status} ${JSON.stringify(created.body)}`);
    connectionId = created.body.id;
  });
  afterAll(async () => {
    await h?.close();
  });

  const togaiFlow = (connectionRef: string) =>
    flowDefinition({
      create: {
        kind: 'action', id: 'create', connector: 'togai', action: 'create_customer', connectionRef,
        input: { id: { $expr: '$trigger.id' }, name: { $expr: '$trigger.name' }, primaryEmail: { $expr: '$trigger.email' } },
        next: 'read',
      },
      read: { kind: 'action', id: 'read', connector: 'togai', action: 'get_customer', connectionRef, input: { customerId: { $expr: '$steps.create.customer.id' } } },
    }, 'create');

  it('refuses to publish a step whose connection does not exist in the workspace', async () => {
    const created = await h.owner.client.post(`/api/v1/workspaces/${ws}/flows`).send({ definition: togaiFlow('00000000-0000-4000-8000-000000000000') }).expect(201);
    const refused = await h.owner.client.post(`/api/v1/workspaces/${ws}/flows/${created.body.id}/publish`).send({});
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.problems.map((p: Json) => [p.code, p.pointer])).toEqual(
      expect.arrayContaining([['MISSING_CONNECTION', '/draft/steps/create/connectionRef']]),
    );
  });

  it('runs write and read actions with the connection, and a dry-run preview changes nothing in Togai', async () => {
    const flowId = await createPublishedFlow(h.owner.client, ws, togaiFlow(connectionId));
    const admin = sandboxAdmin(h.sandbox.url);

    const dry = await h.owner.client.post(`/api/v1/workspaces/${ws}/flows/${flowId}/preview`)
      .send({ source: 'payload', payload: { id: 'cust-dry', name: 'Dry Run Co', email: 'dry@example.com' }, mode: 'dry-run' }).expect(200);
    // The write answered its sample; the read then really asked Togai for the sample's customer id.
    expect(dry.body.steps[0]).toMatchObject({ stepId: 'create', dryRun: true, status: 'succeeded' });
    expect(dry.body.steps[1]).toMatchObject({ stepId: 'read', dryRun: false });

    const runId = await startRun(h.t, ws, flowId, { id: 'cust-live', name: 'Live Co', email: 'live@example.com' });
    const run = await waitForRun(h.owner.client, ws, runId);
    expect(run.status).toBe('succeeded');
    expect((run.steps as Json[])[1]!.output).toMatchObject({ id: 'cust-live', name: 'Live Co' });
    expect(JSON.stringify(run)).not.toContain(SANDBOX_TOGAI_TOKEN);
    const after = Object.values(await admin.state('togai')).flat() as Json[];
    expect(after.some((c) => c.id === 'cust-live')).toBe(true);
    expect(after.some((c) => c.id === 'cust-dry')).toBe(false);

    // The connection is in use by a published flow.
    const { FlowsService } = await import('../flows/flows.service.js');
    expect(await h.t.braid.app.get(FlowsService).flowsUsingConnection(ws, connectionId)).toEqual([{ id: flowId, name: 'Test flow' }]);

    // A connection that needs reconnecting fails the run with that reason (no retry).
    const { ConnectionsService } = await import('../connections/connections.service.js');
    await h.t.braid.app.get(ConnectionsService).recordFailure(ws, connectionId, { message: 'refresh token revoked', needsReconnect: true });
    const failed = await waitForRun(h.owner.client, ws, await startRun(h.t, ws, flowId, { id: 'cust-later', name: 'Later Co', email: 'later@example.com' }));
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'CONNECTION_NEEDS_RECONNECT', needsReconnect: true, stepId: 'create' } });
  });
});
