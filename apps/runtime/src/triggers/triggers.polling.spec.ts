// Polling controls against a real sandbox (Togai customers through the test-feed connector): the interval
// setting, "poll now" through the API, and resync generations of the poll dedupe.
import { startSandbox, type RunningSandbox } from '@braid/sandbox';
import { sandboxAdmin, type SandboxAdmin } from '../../../sandbox/src/test-support/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedInUser, type TestApp } from '../../test/test-app.js';
import { ConnectorsService } from '../connectors/connectors.service.js';
import { feedConnector, SANDBOX_TOGAI_TOKEN } from './test-support/feed.connector.js';
import { eventually, flowDefinition } from './test-support/triggers.fixtures.js';
import { POLL_QUEUE } from './triggers.service.js';

describe('polling controls: interval setting, poll now, resync generations', () => {
  let sandbox: RunningSandbox;
  let admin: SandboxAdmin;
  let t: TestApp;
  let owner: SignedInUser;
  let ws: string;

  const togai = (path: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${sandbox.url}/togai${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${SANDBOX_TOGAI_TOKEN}`, 'content-type': 'application/json' },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  const createCustomer = async (id: string) => {
    const response = await togai('/customers', {
      method: 'POST',
      body: { id, name: `Customer ${id}`, primaryEmail: `${id}@example.com`, address: { country: 'DE' } },
    });
    if (response.status !== 201) throw new Error(`customer ${id}: ${response.status} ${await response.text()}`);
  };
  const api = (path: string) => `/api/v1/workspaces/${ws}${path}`;
  const feedTrigger = (config: Record<string, unknown>) => ({ connector: 'test-feed', trigger: 'customers', config: config as never });
  const waitingPolls = (flowId: string) =>
    t.query<{ start_after: Date }>(`SELECT start_after FROM pgboss.job WHERE name = $1 AND singleton_key = $2 AND state = 'created'`, [POLL_QUEUE, flowId]);
  const stateOf = async (flowId: string) =>
    (await t.query<{ next_run_at: Date | null; cursor: unknown; last_run_at: Date | null }>(`SELECT next_run_at, cursor, last_run_at FROM trigger_states WHERE flow_id = $1`, [flowId]))[0]!;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    admin = sandboxAdmin(sandbox.url);
    await admin.patchLimits({ togai: { requestsPerSecond: 1000 } });
    t = await createTestApp({ env: { BRAID_SANDBOX_URL: sandbox.url } });
    t.braid.app.get(ConnectorsService).register(feedConnector(sandbox.url));
    owner = await t.signUpOwner();
    ws = owner.workspace.id;
    for (const id of ['ctl-a', 'ctl-b', 'ctl-c']) await createCustomer(id);
  });
  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  it('intervalMinutes is the interval setting: 60 schedules the next poll an hour later; invalid values are refused with a pointer', async () => {
    const definition = flowDefinition(feedTrigger({ pageSize: 100, intervalMinutes: 60 }));
    const created = await owner.client.post(api('/flows')).send({ definition });
    expect(created.status).toBe(201);
    const flowId = created.body.id as string;
    expect(created.body.problems).toEqual([]);
    expect((await owner.client.post(api(`/flows/${flowId}/publish`))).status).toBe(200);
    const before = Date.now();
    expect((await owner.client.post(api(`/flows/${flowId}/enable`))).status).toBe(200);

    // Enabling polls at once (the arming poll); each poll then schedules the next one 60 minutes later.
    const hour = 60 * 60_000;
    await eventually(async () => (await waitingPolls(flowId)).some((job) => job.start_after.getTime() > Date.now() + hour / 2));
    const state = await stateOf(flowId);
    expect(state.last_run_at).not.toBeNull();
    expect(state.next_run_at!.getTime()).toBeGreaterThanOrEqual(before + hour - 5_000);
    expect(state.next_run_at!.getTime()).toBeLessThanOrEqual(Date.now() + hour + 5_000);
    const waiting = await waitingPolls(flowId);
    expect(waiting).toHaveLength(1); // one waiting poll per flow
    expect(waiting[0]!.start_after.getTime()).toBeGreaterThanOrEqual(before + hour - 5_000);
    expect(waiting[0]!.start_after.getTime()).toBeLessThanOrEqual(Date.now() + hour + 5_000);

    // The descriptor the editor renders carries the setting with its bounds.
    const catalog = await owner.client.get('/api/v1/connectors/test-feed');
    expect(catalog.status).toBe(200);
    const trigger = (catalog.body.triggers as Array<{ key: string; configSchema: { properties: Record<string, unknown> } }>).find((x) => x.key === 'customers')!;
    expect(trigger.configSchema.properties.intervalMinutes).toMatchObject({ type: 'integer', minimum: 1, maximum: 1440, title: expect.any(String) });

    for (const [value, pointer] of [[0, '/trigger/config/intervalMinutes'], [1441, '/trigger/config/intervalMinutes'], [1.5, '/trigger/config/intervalMinutes']] as const) {
      const bad = await owner.client.put(api(`/flows/${flowId}/draft`)).send({ definition: flowDefinition(feedTrigger({ pageSize: 100, intervalMinutes: value })) });
      expect(bad.status).toBe(200);
      const validated = await owner.client.post(api(`/flows/${flowId}/validate`));
      expect(validated.body.valid).toBe(false);
      expect(validated.body.problems).toEqual([expect.objectContaining({ pointer })]);
      expect((await owner.client.post(api(`/flows/${flowId}/publish`))).status).toBe(400);
    }
    await owner.client.post(api(`/flows/${flowId}/disable`));
  });
});
