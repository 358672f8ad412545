import { createHash, createHmac, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type SignedInUser, type TestApp } from '../../test/test-app.js';
import { EngineSettings } from '../engine/engine.settings.js';
import { RunDispatcher } from '../engine/run.dispatcher.js';
import { QueueService, WAKE_CHANNEL } from '../queue/queue.service.js';
import { RUN_QUEUE } from '../runs/runs.queue.js';
import { disableFlow, eventsOf, eventually, flowDefinition, hookPath, publishFlow, runsOf } from './test-support/triggers.fixtures.js';

describe('webhook ingress (/hooks/:token)', () => {
  let t: TestApp;
  let owner: SignedInUser;
  let ws: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { BRAID_WEBHOOK_MAX_BYTES: '4096', BRAID_WEBHOOK_DEDUPE_WINDOW_SECONDS: '300' } });
    owner = await t.signUpOwner();
    ws = owner.workspace.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const webhookFlow = (config: Record<string, unknown> = { eventIdHeader: 'x-event-id' }) =>
    flowDefinition({ connector: 'core', trigger: 'webhook', config: config as never });

  it('stores the delivery with its raw body and enqueues its run in one go, answering 202 with the event id', async () => {
    const { flowId, versionId } = await publishFlow(t, ws, webhookFlow());
    const path = await hookPath(t, flowId);
    const body = '{"order":"SO-1",  "total": 12.5}';
    const response = await t
      .request()
      .post(`${path}?source=shop`)
      .set('content-type', 'application/json')
      .set('x-event-id', 'evt-1')
      .set('authorization', 'Bearer should-not-be-stored')
      .send(body);
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ eventId: expect.any(String), eventIds: [response.body.eventId], duplicate: false });

    const [event] = await eventsOf(t, flowId);
    expect(event).toMatchObject({ id: response.body.eventId, source: 'webhook', provider_event_id: 'evt-1', content_type: 'application/json' });
    expect(event!.raw_body!.toString('utf8')).toBe(body); // exact bytes, for replay and signatures
    expect(event!.payload).toMatchObject({ method: 'POST', body: { order: 'SO-1', total: 12.5 }, query: { source: 'shop' } });
    expect(event!.headers).not.toHaveProperty('authorization');
    const runs = await runsOf(t, flowId);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ event_id: event!.id, source: 'webhook' });
    const [run] = await t.query<{ flow_version_id: string }>(`SELECT flow_version_id FROM runs WHERE id = $1`, [runs[0]!.id]);
    expect(run!.flow_version_id).toBe(versionId);
    // No request log line per accepted delivery (at info level): it would cost every accept a log write, and
    // the URL carries the token, which is the webhook's credential.
    expect(t.logs.some((line) => line.includes(path.split('/').pop()!))).toBe(false);
  });

  it('acknowledges a redelivery with the same provider event id without running it twice', async () => {
    const { flowId } = await publishFlow(t, ws, webhookFlow());
    const path = await hookPath(t, flowId);
    const send = (body: object) => t.request().post(path).set('x-event-id', 'evt-42').send(body);
    const first = await send({ n: 1 });
    const again = await send({ n: 1, retried: true });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ eventId: first.body.eventId, duplicate: true });
    // Concurrent redeliveries too.
    const burst = await Promise.all([1, 2, 3, 4, 5].map(() => send({ n: 1 })));
    expect(burst.every((r) => r.status === 202 && r.body.duplicate === true)).toBe(true);
    expect(await runsOf(t, flowId)).toHaveLength(1);
    expect(await eventsOf(t, flowId)).toHaveLength(1);
  });

  it('treats the same body without an event id as a duplicate within the window, also when sent concurrently', async () => {
    const { flowId } = await publishFlow(t, ws, webhookFlow({}));
    const path = await hookPath(t, flowId);
    const results = await Promise.all(
      Array.from({ length: 6 }, () => t.request().post(path).set('content-type', 'text/plain').send('ping 1')),
    );
    expect(results.map((r) => r.status)).toEqual([202, 202, 202, 202, 202, 202]);
    expect(results.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    const other = await t.request().post(path).set('content-type', 'text/plain').send('ping 2');
    expect(other.body.duplicate).toBe(false);
    expect(await runsOf(t, flowId)).toHaveLength(2);
    // Outside the window the same body is a new event.
    await t.query(`UPDATE trigger_events SET received_at = received_at - interval '301 seconds' WHERE flow_id = $1`, [flowId]);
    const later = await t.request().post(path).set('content-type', 'text/plain').send('ping 1');
    expect(later.body.duplicate).toBe(false);
    expect(await runsOf(t, flowId)).toHaveLength(3);
  });

  it('a delivery waiting for the lock of an identical one still being stored sees it once it commits (one run)', async () => {
    const { flowId, versionId } = await publishFlow(t, ws, webhookFlow({}));
    const path = await hookPath(t, flowId);
    const body = 'ping race';
    const bodyHash = createHash('sha256').update(body).digest('hex');
    // Another accept (another batch or replica) holds the body's lock and has stored the event, not yet committed.
    const other = new pg.Client({ connectionString: t.config.databaseUrl });
    await other.connect();
    try {
      await other.query('BEGIN');
      const otherEventId = randomUUID();
      const event = {
        event_id: otherEventId, run_id: randomUUID(), job_id: randomUUID(), workspace_id: ws, flow_id: flowId, flow_version_id: versionId,
        source: 'webhook', body_hash: bodyHash, window_seconds: 300, payload: { body }, body_index: 1, content_type: 'text/plain', headers: {},
        signature_verified: false,
      };
      await other.query(`SELECT braid_accept_events($1::jsonb, $2::bytea[], $3::text[], $4, $5, false, 0, 0)`, [
        JSON.stringify([event]), [Buffer.from(body)], [`${flowId}:${bodyHash}`], WAKE_CHANNEL, RUN_QUEUE,
      ]);
      let answered = false;
      const delivery = t.request().post(path).set('content-type', 'text/plain').send(body).then((response) => {
        answered = true;
        return response;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(answered).toBe(false); // waiting for the lock
      await other.query('COMMIT');
      const response = await delivery;
      // The check after the lock sees the committed event: with the snapshot from before the wait it would not.
      expect(response.body).toMatchObject({ eventId: otherEventId, duplicate: true });
      expect(await eventsOf(t, flowId)).toHaveLength(1);
      expect(await runsOf(t, flowId)).toHaveLength(1);
    } finally {
      await other.end();
    }
  });

  it('refuses to store a run without its job: a missing queue fails the whole accept call and stores nothing', async () => {
    const { flowId, versionId } = await publishFlow(t, ws, webhookFlow({}));
    const event = {
      event_id: randomUUID(), run_id: randomUUID(), job_id: randomUUID(), workspace_id: ws, flow_id: flowId, flow_version_id: versionId,
      source: 'webhook', body_hash: 'x', window_seconds: 300, payload: null, body_index: 1, content_type: 'text/plain', headers: {},
      signature_verified: false,
    };
    await expect(
      t.query(`SELECT braid_accept_events($1::jsonb, $2::bytea[], $3::text[], $4, 'no-such-queue', false, 0, 0)`, [
        JSON.stringify([event]), [Buffer.from('x')], [], WAKE_CHANNEL,
      ]),
    ).rejects.toThrow('no pg-boss queue no-such-queue');
    expect(await eventsOf(t, flowId)).toHaveLength(0);
    expect(await runsOf(t, flowId)).toHaveLength(0);
  });

  it('accepts form bodies and refuses other content types (415), large bodies (413), unknown URLs (404), disabled flows (410)', async () => {
    const { flowId } = await publishFlow(t, ws, webhookFlow({}));
    const path = await hookPath(t, flowId);
    const form = await t.request().post(path).set('content-type', 'application/x-www-form-urlencoded').send('a=1&b=2');
    expect(form.status).toBe(202);
    const [event] = await eventsOf(t, flowId);
    expect(event!.payload).toMatchObject({ body: { a: '1', b: '2' } });

    const xml = await t.request().post(path).set('content-type', 'application/xml').send('<a/>');
    expect(xml.status).toBe(415);
    expect(xml.body.error).toMatchObject({ code: 'WEBHOOK_UNSUPPORTED_MEDIA_TYPE', message: expect.stringContaining('application/json') });

    const large = await t.request().post(path).set('content-type', 'application/json').send(JSON.stringify({ pad: 'x'.repeat(5000) }));
    expect(large.status).toBe(413);
    expect(large.body.error.code).toBe('WEBHOOK_BODY_TOO_LARGE');

    const unknown = await t.request().post('/hooks/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA').send({ a: 1 });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('WEBHOOK_NOT_FOUND');

    await disableFlow(t, ws, flowId);
    const disabled = await t.request().post(path).send({ a: 2 });
    expect(disabled.status).toBe(410);
    expect(disabled.body.error.code).toBe('WEBHOOK_FLOW_DISABLED');
    expect(await runsOf(t, flowId)).toHaveLength(1);
  });

  it('checks HMAC signatures with the flow secret (created once through the API) and refuses tampered bodies', async () => {
    const { flowId } = await publishFlow(
      t,
      ws,
      webhookFlow({ signature: { type: 'hmac-sha256', header: 'x-signature', prefix: 'sha256=' } }),
    );
    const path = await hookPath(t, flowId);
    const base = `/api/v1/workspaces/${ws}/flows/${flowId}`;
    const unsigned = await t.request().post(path).send({ a: 1 });
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.error.code).toBe('WEBHOOK_SIGNATURE_INVALID');

    const created = await owner.client.post(`${base}/webhook/secret`);
    expect(created.status).toBe(200);
    const secret = created.body.secret as string;
    const info = await owner.client.get(`${base}/webhook`);
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ url: expect.stringContaining(path), method: 'POST', secretHint: 'set' });
    expect(info.body.instructions.join(' ')).toContain('HMAC-SHA256');
    expect(JSON.stringify(info.body)).not.toContain(secret);

    const body = JSON.stringify({ invoice: 'INV-9' });
    const sign = (content: string) => `sha256=${createHmac('sha256', secret).update(content).digest('hex')}`;
    const ok = await t.request().post(path).set('content-type', 'application/json').set('x-signature', sign(body)).send(body);
    expect(ok.status).toBe(202);
    const tampered = await t
      .request()
      .post(path)
      .set('content-type', 'application/json')
      .set('x-signature', sign(body))
      .send(body.replace('INV-9', 'INV-8'));
    expect(tampered.status).toBe(401);
    const events = await eventsOf(t, flowId);
    expect(events).toHaveLength(1);
    expect(events[0]!.signature_verified).toBe(true);
    expect(events[0]!.headers).not.toHaveProperty('x-signature');
    expect(t.logs.join('\n')).not.toContain(secret);

    // Another workspace cannot read or rotate it.
    const stranger = await t.signUpUser();
    const foreign = await stranger.client.post(`/api/v1/workspaces/${stranger.workspace.id}/flows/${flowId}/webhook/secret`);
    expect(foreign.status).toBe(404);
  });

  it('hands a new run straight to a local worker; a run handed over but never run is run from the queue after the fallback delay', async () => {
    const { flowId } = await publishFlow(t, ws, webhookFlow());
    const path = await hookPath(t, flowId);
    const jobsOf = (runId: string) =>
      t.query<{ id: string; state: string; delayed: boolean }>(
        `SELECT id, state, start_after > created_on + interval '100 milliseconds' AS delayed FROM pgboss.job WHERE name = $1 AND data->>'runId' = $2`,
        [RUN_QUEUE, runId],
      );

    // Handed over: the run succeeds and its fallback job is removed from the queue.
    expect((await t.request().post(path).set('x-event-id', 'handed-1').send({ n: 1 })).status).toBe(202);
    const [first] = await runsOf(t, flowId);
    await eventually(async () => (await runsOf(t, flowId))[0]!.status === 'succeeded');
    await eventually(async () => (await jobsOf(first!.id)).length === 0);

    // A worker that takes the run and never runs it (as if the process died right after the commit).
    const queue = t.braid.app.get(QueueService);
    const taken: string[] = [];
    queue.registerLocalConsumer(RUN_QUEUE, { fallbackDelayMs: 500, reserve: (count) => count, release: () => undefined, overflowed: () => undefined, take: (jobs) => void taken.push(...jobs.map((job) => job.id)) });
    try {
      expect((await t.request().post(path).set('x-event-id', 'handed-2').send({ n: 2 })).status).toBe(202);
      expect(taken).toHaveLength(1);
      const second = (await runsOf(t, flowId))[1]!;
      const [job] = await jobsOf(second.id);
      expect(job).toMatchObject({ id: taken[0], state: 'created', delayed: true });
      expect(second.status).toBe('queued');
      // The dispatcher's poll finds the job once its start time has come; the run executes once.
      await eventually(async () => (await runsOf(t, flowId))[1]!.status === 'succeeded', 10_000);
      const [attempts] = await t.query<{ attempt: number }>(`SELECT attempt FROM runs WHERE id = $1`, [second.id]);
      expect(attempts!.attempt).toBe(1);
    } finally {
      queue.registerLocalConsumer(RUN_QUEUE, t.braid.app.get(RunDispatcher));
    }
  });

  it('does not look in the queue after every handed-over run, only when woken or on its poll', async () => {
    const { flowId } = await publishFlow(t, ws, webhookFlow());
    const path = await hookPath(t, flowId);
    const fetch = vi.spyOn(t.braid.app.get(QueueService), 'fetch');
    try {
      const sent = await Promise.all(Array.from({ length: 30 }, (_, n) => t.request().post(path).set('x-event-id', `quiet-${n}`).send({ n })));
      expect(sent.every((r) => r.status === 202)).toBe(true);
      await eventually(async () => (await runsOf(t, flowId)).filter((run) => run.status === 'succeeded').length === 30);
      // The 1 s poll may look once or twice meanwhile; a fetch after each finished run would make about 30.
      expect(fetch.mock.calls.length).toBeLessThan(5);
    } finally {
      fetch.mockRestore();
    }
  });

  it('keeps handed-over runs waiting in line while every worker is busy (up to as many as run), then runs them', async () => {
    const { flowId } = await publishFlow(t, ws, webhookFlow());
    const path = await hookPath(t, flowId);
    const settings = t.braid.app.get(EngineSettings);
    const concurrency = settings.workerConcurrency;
    settings.workerConcurrency = 1;
    try {
      const sent = await Promise.all([1, 2, 3].map((n) => t.request().post(path).set('x-event-id', `line-${n}`).send({ n })));
      expect(sent.every((r) => r.status === 202)).toBe(true);
      await eventually(async () => (await runsOf(t, flowId)).filter((run) => run.status === 'succeeded').length === 3);
      // Two were handed over (one running, one in line), the third went through the queue; no job is left over.
      const runIds = (await runsOf(t, flowId)).map((run) => run.id);
      const jobs = () => t.query<{ state: string }>(`SELECT state FROM pgboss.job WHERE name = $1 AND data->>'runId' = ANY($2::text[])`, [RUN_QUEUE, runIds]);
      await eventually(async () => (await jobs()).every((job) => job.state === 'completed'));
      expect((await jobs()).length).toBeLessThan(3);
    } finally {
      settings.workerConcurrency = concurrency;
    }
  });

  it('rotating the token retires the old URL', async () => {
    const { flowId } = await publishFlow(t, ws, webhookFlow({}));
    const oldPath = await hookPath(t, flowId);
    const rotated = await owner.client.post(`/api/v1/workspaces/${ws}/flows/${flowId}/webhook/token`);
    expect(rotated.status).toBe(200);
    const newPath = new URL(rotated.body.url).pathname;
    expect(newPath).not.toBe(oldPath);
    expect((await t.request().post(oldPath).send({ a: 1 })).status).toBe(404);
    expect((await t.request().post(newPath).send({ a: 1 })).status).toBe(202);
  });
});
