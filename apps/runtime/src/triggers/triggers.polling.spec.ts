// Polling controls against a real sandbox (Togai customers through the test-feed connector): the interval
// setting, "poll now" through the API, and resync generations of the poll dedupe.
import { startSandbox, type RunningSandbox } from '@braid/sandbox';
import { sandboxAdmin, type SandboxAdmin } from '../../../sandbox/src/test-support/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedInUser, type TestApp } from '../../test/test-app.js';
import { ConnectorsService } from '../connectors/connectors.service.js';
import { feedConnector, SANDBOX_TOGAI_TOKEN } from './test-support/feed.connector.js';
import { disableFlow, eventsOf, eventually, flowDefinition, publishFlow, runsOf, sandboxTogai } from './test-support/triggers.fixtures.js';
import { DataSource } from 'typeorm';
import { POLL_QUEUE, TriggersService } from './triggers.service.js';

describe('polling controls: interval setting, poll now, resync generations', () => {
  let sandbox: RunningSandbox;
  let admin: SandboxAdmin;
  let t: TestApp;
  let owner: SignedInUser;
  let ws: string;
  let triggers: TriggersService;

  const { createCustomer } = sandboxTogai(() => sandbox.url, SANDBOX_TOGAI_TOKEN);
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
    triggers = t.braid.app.get(TriggersService);
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
    await eventually(async () => (await stateOf(flowId)).next_run_at!.getTime() > Date.now() + hour / 2);
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

  it('poll now: one poll at once through the scheduled path (same lock, same cursor), answering how many runs it enqueued', async () => {
    const definition = flowDefinition(feedTrigger({ pageSize: 100, intervalMinutes: 60 }));
    const { flowId } = await publishFlow(t, ws, definition);
    const hour = 60 * 60_000;
    await eventually(async () => (await waitingPolls(flowId)).some((job) => job.start_after.getTime() > Date.now() + hour / 2));
    const [scheduled] = await waitingPolls(flowId);
    const seen = (await eventsOf(t, flowId)).length;
    expect(seen).toBeGreaterThanOrEqual(3);
    const pollNow = (id = flowId) => owner.client.post(api(`/flows/${id}/trigger/poll`)).send({});

    await createCustomer('now-1');
    await createCustomer('now-2');
    const first = await pollNow();
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ enqueued: 2, pages: 1, hasMore: false });
    const events = await eventsOf(t, flowId);
    expect(events.slice(seen).map((e) => e.provider_event_id)).toEqual(['now-1', 'now-2']);
    expect(await runsOf(t, flowId)).toHaveLength(seen + 2);
    expect((await pollNow()).body).toEqual({ enqueued: 0, pages: 1, hasMore: false }); // same dedupe as the scheduled poll
    // The regular schedule goes on: still one waiting poll, an hour after the last scheduled one.
    expect((await waitingPolls(flowId)).map((job) => job.start_after.getTime())).toEqual([scheduled!.start_after.getTime()]);

    // While another poller holds the flow's poll lock, poll now does not poll beside it.
    const runner = t.braid.app.get(DataSource).createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 7302))`, [`poll:${flowId}`]);
      await createCustomer('now-3');
      const busy = await pollNow();
      expect(busy.status).toBe(409);
      expect(busy.body.error).toMatchObject({ code: 'TRIGGER_POLL_IN_PROGRESS' });
      await runner.rollbackTransaction();
    } finally {
      await runner.release();
    }
    expect((await pollNow()).body).toMatchObject({ enqueued: 1 });

    // The app failing: 502 with the reason; the position is kept, so the next poll reads the page again.
    await createCustomer('now-4');
    await admin.armFault({ service: 'togai', kind: 'server-error', count: 4, pathContains: '/customers' });
    const failed = await pollNow();
    expect(failed.status).toBe(502);
    expect(failed.body.error).toMatchObject({ code: 'TRIGGER_POLL_FAILED', message: expect.stringMatching(/position is kept/) });
    await admin.clearFaults();
    expect((await pollNow()).body).toMatchObject({ enqueued: 1 });

    // Refused with a coded 409 when there is nothing to poll.
    await disableFlow(t, ws, flowId);
    const disabled = await pollNow();
    expect(disabled.status).toBe(409);
    expect(disabled.body.error).toMatchObject({ code: 'TRIGGER_FLOW_DISABLED', message: expect.stringMatching(/enable it/) });
    const schedule = await publishFlow(t, ws, flowDefinition({ connector: 'core', trigger: 'schedule', config: { cron: '0 * * * *', timezone: 'UTC' } as never }));
    const notPolling = await pollNow(schedule.flowId);
    expect(notPolling.status).toBe(409);
    expect(notPolling.body.error).toMatchObject({ code: 'TRIGGER_NOT_POLLING' });
    await disableFlow(t, ws, schedule.flowId);
    const draft = await owner.client.post(api('/flows')).send({ definition });
    const unpublished = await pollNow(draft.body.id as string);
    expect(unpublished.status).toBe(409);
    expect(unpublished.body.error).toMatchObject({ code: 'TRIGGER_FLOW_NOT_PUBLISHED' });
    const stranger = await t.signUpUser();
    expect((await stranger.client.post(`/api/v1/workspaces/${stranger.workspace.id}/flows/${flowId}/trigger/poll`).send({})).status).toBe(404);
  });

  it('resync from date starts a new dedupe generation: records already run run again once; overlapping polls still dedupe', async () => {
    const created = await owner.client.post(api('/connections')).send({ connectorKey: 'togai', name: 'Togai sandbox', credentials: { token: SANDBOX_TOGAI_TOKEN } });
    expect(created.status).toBe(201);
    const definition = flowDefinition({ connector: 'togai', trigger: 'accounts_polling', connectionRef: created.body.id as string, config: { record: 'customer', intervalMinutes: 60 } as never });
    const { flowId } = await publishFlow(t, ws, definition);
    const hour = 60 * 60_000;
    // The arming poll only sets the starting point (changes from now on).
    await eventually(async () => (await waitingPolls(flowId)).some((job) => job.start_after.getTime() > Date.now() + hour / 2));
    expect(await eventsOf(t, flowId)).toHaveLength(0);
    const from = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await createCustomer('gen-1');
    await createCustomer('gen-2');
    const ids = async () => (await eventsOf(t, flowId)).map((e) => (e.payload as { objectId: string }).objectId);

    const outcome = await triggers.pollFlow(flowId);
    const debug = JSON.stringify({ outcome, state: await t.query(`SELECT cursor, last_error, poll_generation FROM trigger_states WHERE flow_id = $1`, [flowId]) });
    expect(await ids(), debug).toEqual(['gen-1', 'gen-2']);
    expect((await owner.client.post(api(`/flows/${flowId}/trigger/poll`)).send({})).body).toMatchObject({ enqueued: 0 });

    for (const round of [1, 2]) {
      const reset = await owner.client.post(api(`/flows/${flowId}/resync`)).send({ from });
      expect(reset.status).toBe(200);
      // The resync makes the flow due now: the minute tick brings the waiting poll forward, and that poll runs
      // both records again, once.
      await triggers.resumeStalledPolls();
      await eventually(async () => (await ids()).length === 2 + 2 * round);
      expect((await owner.client.post(api(`/flows/${flowId}/trigger/poll`)).send({})).body).toMatchObject({ enqueued: 0 });
      await triggers.pollFlow(flowId);
      expect((await ids()).sort()).toEqual(Array.from({ length: round + 1 }, () => ['gen-1', 'gen-2']).flat().sort());
      expect(await runsOf(t, flowId)).toHaveLength(2 + 2 * round);
    }
    const [state] = await t.query<{ poll_generation: number }>(`SELECT poll_generation FROM trigger_states WHERE flow_id = $1`, [flowId]);
    expect(state!.poll_generation).toBe(2);

    // A resync that lands while a poll runs (after it read the state) finds that poll's job in the queue, so its
    // own immediate poll is dropped: the running poll then schedules the next one at once, not an hour later.
    await eventually(async () => (await waitingPolls(flowId)).some((job) => job.start_after.getTime() > Date.now() + hour / 2));
    await t.query(`UPDATE trigger_states SET poll_generation = poll_generation + 1 WHERE flow_id = $1`, [flowId]);
    const scheduleNextPoll = (triggers as unknown as { scheduleNextPoll(flowId: string, delayMs: number, generationSeen?: number): Promise<void> }).scheduleNextPoll.bind(triggers);
    const [{ now: called }] = (await t.query<{ now: Date }>(`SELECT now()`)) as [{ now: Date }];
    await scheduleNextPoll(flowId, hour, 2);
    await eventually(async () => ((await stateOf(flowId)).last_run_at?.getTime() ?? 0) > called.getTime()); // polled within seconds
    await disableFlow(t, ws, flowId);
  });
});
