import { startSandbox, type RunningSandbox } from '@braid/sandbox';
import { sandboxAdmin, type SandboxAdmin } from '../../../sandbox/src/test-support/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../test/free-port.js';
import { createTestApp, type SignedInUser, type TestApp } from '../../test/test-app.js';
import { ConnectorsService } from '../connectors/connectors.service.js';
import { feedConnector, SANDBOX_TOGAI_TOKEN, type FeedHooks } from './test-support/feed.connector.js';
import { disableFlow, eventsOf, eventually, flowDefinition, hookPath, publishFlow, runsOf, sandboxTogai } from './test-support/triggers.fixtures.js';
import { TICK_QUEUE, TriggersService } from './triggers.service.js';

describe('triggers against a real sandbox: webhooks, app webhooks, polling, schedules, manual runs', () => {
  let sandbox: RunningSandbox;
  let admin: SandboxAdmin;
  let t: TestApp;
  let owner: SignedInUser;
  let ws: string;
  let triggers: TriggersService;
  const hooks: FeedHooks = {};

  const { request: togai, createCustomer } = sandboxTogai(() => sandbox.url, SANDBOX_TOGAI_TOKEN);
  const binStep = (bin: string) => ({
    kind: 'action' as const,
    id: 'notify',
    connector: 'core',
    action: 'http_request',
    input: { method: 'POST', url: `${sandbox.url}/bin/${bin}`, bodyType: 'json', body: { $expr: '$trigger' } },
  });

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    admin = sandboxAdmin(sandbox.url);
    // Togai's 10 requests/s is not what these tests are about (polls page quickly, tests call the API too).
    await admin.patchLimits({ togai: { requestsPerSecond: 1000 } });
    const port = await freePort();
    t = await createTestApp({ env: { BRAID_SANDBOX_URL: sandbox.url, BRAID_PUBLIC_URL: `http://127.0.0.1:${port}` } });
    await new Promise<void>((resolve) => t.server.listen(port, '127.0.0.1', resolve));
    t.braid.app.get(ConnectorsService).register(feedConnector(sandbox.url, hooks));
    owner = await t.signUpOwner();
    ws = owner.workspace.id;
    triggers = t.braid.app.get(TriggersService);
  });
  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  it('a published flow fires from a real sandbox webhook delivery and its action reaches the sandbox', async () => {
    const definition = flowDefinition({ connector: 'core', trigger: 'webhook', config: { eventIdHeader: 'webhook-id' } }, [binStep('from-webhook')]);
    const { flowId } = await publishFlow(t, ws, definition);
    const url = `${t.config.publicUrl}${await hookPath(t, flowId)}`;
    const subscribed = await togai('/_sandbox/webhooks', { method: 'POST', body: { url, events: ['customer.created'] } });
    expect(subscribed.status).toBe(201);
    await createCustomer('hook-1');
    const received = await eventually(async () => {
      const requests = await admin.binRequests('from-webhook');
      return requests.length > 0 ? requests : undefined;
    });
    expect(received).toHaveLength(1);
    expect(received[0]!.json).toMatchObject({ method: 'POST', body: { type: 'customer.created', data: { id: 'hook-1' } } });
    const [event] = await eventsOf(t, flowId);
    expect(event!.provider_event_id).toMatch(/^msg_/);
    const runs = await runsOf(t, flowId);
    expect(runs).toHaveLength(1);
    await eventually(async () => (await runsOf(t, flowId))[0]!.status === 'succeeded');
  });

  it('registers an app webhook on arm, runs from its deliveries, and removes it on disable', async () => {
    const definition = flowDefinition({ connector: 'test-feed', trigger: 'events', config: { events: ['customer.created'] } }, [binStep('from-app-webhook')]);
    const { flowId } = await publishFlow(t, ws, definition);
    const url = `${t.config.publicUrl}${await hookPath(t, flowId)}`;
    const listed = async () => ((await (await togai('/_sandbox/webhooks')).json()) as { data?: Array<{ url: string }> } | Array<{ url: string }>);
    const subscriptions = async () => {
      const body = await listed();
      return (Array.isArray(body) ? body : (body.data ?? [])).filter((s) => s.url === url);
    };
    expect(await subscriptions()).toHaveLength(1);
    const [state] = await t.query<{ registration_ciphertext: string; registration_external_id: string }>(
      `SELECT registration_ciphertext, registration_external_id FROM trigger_states WHERE flow_id = $1`,
      [flowId],
    );
    expect(state!.registration_external_id).toBeTruthy();
    expect(state!.registration_ciphertext).not.toContain('whsec_'); // the subscription secret is encrypted

    await createCustomer('app-1');
    const received = await eventually(async () => {
      const requests = await admin.binRequests('from-app-webhook');
      return requests.length > 0 ? requests : undefined;
    });
    expect(received[0]!.json).toMatchObject({ type: 'customer.created', data: { id: 'app-1' } });
    const [event] = await eventsOf(t, flowId);
    expect(event).toMatchObject({ source: 'app-webhook', signature_verified: true });

    // A forged delivery (no signature) is refused.
    const forged = await t.request().post(await hookPath(t, flowId)).send({ type: 'customer.created', data: { id: 'x' } });
    expect(forged.status).toBe(401);

    // A registration about to expire (within the trigger's renewBeforeMs) is renewed by the minute tick: this
    // trigger has no renew(), so it is registered again and the old subscription removed.
    await t.query(`UPDATE trigger_states SET registration_expires_at = now() + interval '30 seconds' WHERE flow_id = $1`, [flowId]);
    expect(await triggers.renewRegistrations(new Date(Date.now() - 3_600_000))).toBe(0); // not due an hour ago
    expect(await triggers.renewRegistrations()).toBe(1);
    const [renewed] = await t.query<{ registration_external_id: string }>(`SELECT registration_external_id FROM trigger_states WHERE flow_id = $1`, [flowId]);
    expect(renewed!.registration_external_id).not.toBe(state!.registration_external_id);
    expect(await subscriptions()).toHaveLength(1);
    await createCustomer('app-2');
    await eventually(async () => (await admin.binRequests('from-app-webhook')).length === 2);

    await disableFlow(t, ws, flowId);
    expect(await subscriptions()).toHaveLength(0);
  });

  it('polls page by page; a poll that fails mid-way keeps its cursor, so nothing is skipped or repeated', async () => {
    for (const id of ['poll-a', 'poll-b', 'poll-c', 'poll-d', 'poll-e']) await createCustomer(id);
    const all = (await (await togai('/customers?pageSize=100')).json()) as { data: Array<{ id: string }> };
    const expected = all.data.map((c) => c.id).sort();
    expect(expected.length).toBeGreaterThanOrEqual(5);

    // The second page fails (sandbox 500s, as many as the connector's attempts) the first time.
    let crashArmed = true;
    hooks.beforePage = async (cursor) => {
      if (cursor && crashArmed) {
        crashArmed = false;
        await admin.armFault({ service: 'togai', kind: 'server-error', count: 4, pathContains: '/customers' });
      }
    };
    const definition = flowDefinition({ connector: 'test-feed', trigger: 'customers', config: { pageSize: 2, intervalMinutes: 60 } }, [binStep('from-poll')]);
    const { flowId } = await publishFlow(t, ws, definition); // arming starts the first poll at once
    const [failed] = await eventually(async () => {
      const rows = await t.query<{ last_error: string | null; cursor: unknown }>(`SELECT last_error, cursor FROM trigger_states WHERE flow_id = $1`, [flowId]);
      return rows[0]?.last_error ? rows : undefined;
    });
    expect(failed!.cursor).toMatchObject({ nextToken: expect.any(String) }); // page 1 committed with its cursor
    expect(await eventsOf(t, flowId)).toHaveLength(2);

    // The sandbox recovers; the next interval resumes from the saved cursor.
    await admin.clearFaults();
    await triggers.pollFlow(flowId);
    const events = await eventsOf(t, flowId);
    const ids = events.map((e) => e.provider_event_id!).sort();
    const diagnostics = JSON.stringify(await t.query(`SELECT cursor, last_error FROM trigger_states WHERE flow_id = $1`, [flowId]));
    expect(ids, diagnostics).toEqual(expected); // every customer once: none skipped, none repeated
    expect(await runsOf(t, flowId)).toHaveLength(expected.length);
    const [state] = await t.query<{ last_error: string | null }>(`SELECT last_error FROM trigger_states WHERE flow_id = $1`, [flowId]);
    expect(state!.last_error).toBeNull();

    // Polling again finds nothing new; a changed record fires again.
    await triggers.pollFlow(flowId);
    expect(await eventsOf(t, flowId)).toHaveLength(expected.length);
    const renamed = await togai('/customers/poll-c', { method: 'PATCH', body: { name: 'Customer poll-c renamed' } });
    expect(renamed.status).toBe(200);
    await triggers.pollFlow(flowId);
    expect(await eventsOf(t, flowId)).toHaveLength(expected.length + 1);

    const received = await eventually(async () => {
      const requests = await admin.binRequests('from-poll');
      return requests.length === expected.length + 1 ? requests : undefined;
    }, 20_000);
    expect(received.map((r) => (r.json as { id: string }).id).sort()).toEqual([...expected, 'poll-c'].sort());
    hooks.beforePage = undefined;

    // Publishing again polls at once, although the next interval is an hour away.
    const [waiting] = await t.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'trigger.poll' AND singleton_key = $1 AND state = 'created' AND start_after > now() + interval '30 minutes'`,
      [flowId],
    );
    expect(waiting!.n).toBe(1);
    await createCustomer('poll-f');
    const [version] = await t.query<{ id: string }>(`SELECT published_version_id AS id FROM flows WHERE id = $1`, [flowId]);
    await triggers.arm(ws, flowId, { id: version!.id, definition });
    await eventually(async () => (await eventsOf(t, flowId)).some((e) => e.provider_event_id === 'poll-f'));
    await disableFlow(t, ws, flowId);
  });

  it('runs the real Togai connector\'s triggers through a Togai connection: instant events (subscription) and polling', async () => {
    const created = await owner.client.post(`/api/v1/workspaces/${ws}/connections`).send({ connectorKey: 'togai', name: 'Togai sandbox', credentials: { token: SANDBOX_TOGAI_TOKEN } });
    expect(created.status).toBe(201);
    const connectionRef = created.body.id as string;

    // Instant events: publishing subscribes through the sandbox's subscription API, disabling removes it.
    const instant = flowDefinition({ connector: 'togai', trigger: 'events', connectionRef, config: { events: ['customer.created'] } }, [binStep('togai-events')]);
    const { flowId: instantFlow } = await publishFlow(t, ws, instant);
    const url = `${t.config.publicUrl}${await hookPath(t, instantFlow)}`;
    const subscribed = async () => {
      const body = (await (await togai('/_sandbox/webhooks')).json()) as { data?: Array<{ url: string }> } | Array<{ url: string }>;
      return (Array.isArray(body) ? body : (body.data ?? [])).filter((s) => s.url === url).length;
    };
    expect(await subscribed()).toBe(1);
    await createCustomer('togai-1');
    const delivered = await eventually(async () => {
      const requests = await admin.binRequests('togai-events');
      return requests.length > 0 ? requests : undefined;
    });
    expect(JSON.stringify(delivered[0]!.json)).toContain('togai-1');
    await disableFlow(t, ws, instantFlow);
    expect(await subscribed()).toBe(0);

    // Polling through the connection's credentials: the first poll sets the watermark (changes from now on),
    // later polls fire for each created or changed customer once.
    const polling = flowDefinition({ connector: 'togai', trigger: 'accounts_polling', connectionRef, config: { record: 'customer' } }, [binStep('togai-poll')]);
    const { flowId: pollFlow } = await publishFlow(t, ws, polling);
    await eventually(async () => {
      const rows = await t.query<{ cursor: unknown }>(`SELECT cursor FROM trigger_states WHERE flow_id = $1`, [pollFlow]);
      return rows[0]?.cursor ? rows : undefined;
    });
    expect(await eventsOf(t, pollFlow)).toHaveLength(0);
    await createCustomer('togai-2');
    expect((await togai('/customers/togai-1', { method: 'PATCH', body: { name: 'Customer togai-1 renamed' } })).status).toBe(200);
    await triggers.pollFlow(pollFlow);
    const events = await eventsOf(t, pollFlow);
    expect(events.map((e) => (e.payload as { type: string; objectId: string })).map((p) => `${p.type} ${p.objectId}`)).toEqual([
      'customer.created togai-2',
      'customer.updated togai-1',
    ]);
    await triggers.pollFlow(pollFlow);
    expect(await eventsOf(t, pollFlow)).toHaveLength(2);
    const polled = await eventually(async () => {
      const requests = await admin.binRequests('togai-poll');
      return requests.length === 2 ? requests : undefined;
    });
    expect(polled).toHaveLength(2);
    await disableFlow(t, ws, pollFlow);
  });

  it('arms a schedule (shared pg-boss minute tick), fires each due tick once, and stops when disarmed', async () => {
    const [tick] = await t.query<{ name: string; cron: string }>(`SELECT name, cron FROM pgboss.schedule WHERE name = $1`, [TICK_QUEUE]);
    expect(tick).toEqual({ name: TICK_QUEUE, cron: '* * * * *' });

    const definition = flowDefinition({ connector: 'core', trigger: 'schedule', config: { cron: '*/5 * * * *', timezone: 'Europe/Berlin' } });
    const { flowId } = await publishFlow(t, ws, definition);
    const [state] = await t.query<{ next_run_at: Date }>(`SELECT next_run_at FROM trigger_states WHERE flow_id = $1`, [flowId]);
    const due = state!.next_run_at;
    expect(due.getUTCMinutes() % 5).toBe(0);
    expect(due.getTime()).toBeGreaterThan(Date.now());

    expect(await triggers.fireDueSchedules(new Date(due.getTime() - 1000))).toBe(0);
    expect(await triggers.fireDueSchedules(new Date(due.getTime() + 1000))).toBe(1);
    expect(await triggers.fireDueSchedules(new Date(due.getTime() + 2000))).toBe(0);
    const runs = await runsOf(t, flowId);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ source: 'schedule', trigger_output: { scheduledAt: due.toISOString(), timezone: 'Europe/Berlin' } });
    const [next] = await t.query<{ next_run_at: Date }>(`SELECT next_run_at FROM trigger_states WHERE flow_id = $1`, [flowId]);
    expect(next!.next_run_at.getTime()).toBe(due.getTime() + 5 * 60_000);

    await disableFlow(t, ws, flowId);
    expect(await triggers.fireDueSchedules(new Date(due.getTime() + 3_600_000))).toBe(0);
    expect(await runsOf(t, flowId)).toHaveLength(1);

    // Events older than the run retention (30 days by default) are deleted by the tick.
    expect(await triggers.pruneEvents(new Date(Date.now() + 30 * 86_400_000))).toBe(0);
    expect(await triggers.pruneEvents(new Date(due.getTime() + 32 * 86_400_000))).toBeGreaterThanOrEqual(1);
    expect(await eventsOf(t, flowId)).toHaveLength(0);
  });

  it('runs a flow manually with a payload checked against the manual trigger\'s schema', async () => {
    const definition = flowDefinition({
      connector: 'core',
      trigger: 'manual',
      config: { payloadSchema: { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] } } as never,
    });
    const { flowId } = await publishFlow(t, ws, definition);
    const base = `/api/v1/workspaces/${ws}/flows/${flowId}`;
    const started = await owner.client.post(`${base}/runs`).send({ payload: { orderId: 'SO-7' } });
    expect(started.status).toBe(202);
    expect(started.body).toEqual({ eventId: expect.any(String), runId: expect.any(String) });
    const runs = await runsOf(t, flowId);
    expect(runs).toEqual([expect.objectContaining({ id: started.body.runId, event_id: started.body.eventId, source: 'manual', trigger_output: { orderId: 'SO-7' } })]);
    expect(await triggers.lastEvent(ws, flowId)).toEqual({ id: started.body.eventId, payload: { orderId: 'SO-7' } });

    const invalid = await owner.client.post(`${base}/runs`).send({ payload: {} });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toMatchObject({ code: 'TRIGGER_INVALID_PAYLOAD', pointer: '/payload/orderId' });

    const events = await owner.client.get(`${base}/events`);
    expect(events.status).toBe(200);
    expect(events.body.events.map((e: { id: string }) => e.id)).toEqual([started.body.eventId]);

    const stranger = await t.signUpUser();
    expect((await stranger.client.post(`/api/v1/workspaces/${stranger.workspace.id}/flows/${flowId}/runs`).send({ payload: { orderId: 'x' } })).status).toBe(404);
    const unpublished = await publishFlow(t, ws, definition, { arm: false });
    await t.query(`UPDATE flows SET published_version_id = NULL WHERE id = $1`, [unpublished.flowId]);
    const refused = await owner.client.post(`/api/v1/workspaces/${ws}/flows/${unpublished.flowId}/runs`).send({ payload: { orderId: 'x' } });
    expect(refused.status).toBe(409);
  });
});
