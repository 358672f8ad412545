// Field mapper pairs of an upsertWithLink step: a pair whose source yields nothing for this event is not mapped
// (left out of the write), while pairs that yield a value are written. Before, the pairs were evaluated as one list
// and an empty one was sent as null, which the target's input schema refuses (e.g. Togai's address object).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxAdmin } from '../../../sandbox/src/test-support/index.js';
import { type ConnectionsHarness, SANDBOX_TOGAI_TOKEN, startConnectionsHarness } from '../connections/test-support/connections.fixtures.js';
import { allowLoopback, createPublishedFlow, flowDefinition, type Json, startRun, waitForRun } from '../engine/test-support/engine.fixtures.js';

describe('upsertWithLink field mapper', () => {
  let h: ConnectionsHarness;
  let ws: string;
  let flowId: string;

  beforeAll(async () => {
    h = await startConnectionsHarness();
    allowLoopback(h.t);
    ws = h.owner.workspace.id;
    await sandboxAdmin(h.sandbox.url).reset({ name: 'empty' });
    const created = await h.owner.client.post(h.base).send({ connectorKey: 'togai', name: 'Togai', target: 'sandbox', credentials: { token: SANDBOX_TOGAI_TOKEN } });
    if (created.status !== 201) throw new Error(`togai connection: ${created.status} ${JSON.stringify(created.body)}`);
    const togai = created.body.id as string;
    flowId = await createPublishedFlow(
      h.owner.client,
      ws,
      flowDefinition(
        {
          upsert_customer: {
            kind: 'upsertWithLink', id: 'upsert_customer', connector: 'togai', connectionRef: togai,
            source: { app: 'shop', type: 'customer', id: { $expr: '$trigger.id' } },
            target: { type: 'customer' },
            create: { action: 'create_customer', input: { id: { $expr: "'shop-' & $trigger.id" } }, idPath: 'customer.id' },
            update: { action: 'update_customer', input: { customerId: { $expr: '$target.id' } } },
            mapping: {
              pairs: [
                { source: { $expr: '$trigger.name' }, target: 'name' },
                { source: { $expr: '$trigger.email' }, target: 'primaryEmail' },
                { source: { $expr: '$trigger.address' }, target: 'address' },
              ],
            },
          },
        },
        'upsert_customer',
      ),
    );
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  const customer = async (id: string): Promise<Json> => {
    const response = await fetch(`${h.sandbox.url}/togai/customers/${id}`, { headers: { authorization: `Bearer ${SANDBOX_TOGAI_TOKEN}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as Json;
  };

  it('leaves out a pair whose source yields nothing and writes the others', async () => {
    const runId = await startRun(h.t, ws, flowId, { id: 'c1', name: 'Mapper Without Address', email: 'noaddress@example.com' });
    const run = await waitForRun(h.owner.client, ws, runId);
    expect(run.error ?? null).toBeNull();
    expect(run.status).toBe('succeeded');
    expect(await customer('shop-c1')).toMatchObject({ name: 'Mapper Without Address', primaryEmail: 'noaddress@example.com' });
  });

  it('writes a pair whose source yields a value', async () => {
    const address = { line1: '1 Main Street', city: 'Chennai', country: 'IN' };
    const runId = await startRun(h.t, ws, flowId, { id: 'c2', name: 'Mapper With Address', email: 'address@example.com', address });
    const run = await waitForRun(h.owner.client, ws, runId);
    expect(run.status).toBe('succeeded');
    expect((await customer('shop-c2')).address).toMatchObject(address);
  });
});
