import { afterEach, describe, expect, it } from 'vitest';
import { customerBody, relaxedLimits, startTogai, type TogaiHarness } from './test-support/togai-client.js';

const usage = (id: string | undefined, extra: Record<string, unknown> = {}) => ({
  schemaName: 'api_call',
  ...(id !== undefined ? { id } : {}),
  timestamp: '2024-01-15T10:00:00Z',
  accountId: 'c1-acct',
  attributes: [{ name: 'calls', value: '12.5', unit: 'count' }],
  dimensions: { region: 'eu-west-1' },
  ...extra,
});

describe('Togai event ingestion', () => {
  let t: TogaiHarness | undefined;
  afterEach(async () => {
    await t?.running.close();
    t = undefined;
  });

  it('accepts a single event with 202 and reports it in GET /events', async () => {
    t = await startTogai();
    await t.call('POST', '/customers', customerBody('c1', { account: { id: 'c1-acct', name: 'Account c1', aliases: ['c1-alias'] } }));
    const accepted = await t.call('POST', '/ingest', { event: usage('e1') });
    expect(accepted).toMatchObject({ status: 202, body: { success: true, statusCode: 202 } });
    expect((await t.call('POST', '/ingest', { event: usage('e2', { accountId: 'c1-alias' }) })).status).toBe(202);
    const single = await t.call('GET', '/events/e1');
    expect(single.body.events).toEqual([
      expect.objectContaining({
        referenceId: expect.any(String),
        customerId: 'c1',
        source: 'API',
        eventPayload: usage('e1'),
        ingestionStatus: expect.objectContaining({ status: 'INGESTION_COMPLETED_NO_MATCHING_METERS' }),
      }),
    ]);
    expect((await t.call('GET', '/events/e2')).body.events[0].customerId).toBe('c1');
    expect((await t.call('GET', '/events/nope')).status).toBe(404);
  });

  it('names the invalid field of an event', async () => {
    t = await startTogai();
    const cases: Array<[unknown, string]> = [
      [usage('e1', { schemaName: '' }), 'event.schemaName'],
      [usage('e1', { timestamp: 'yesterday' }), 'event.timestamp'],
      [usage('e1', { attributes: [{ name: 'calls', value: '1e3' }] }), 'event.attributes[0].value'],
      [usage('e1', { attributes: [{ name: 'calls', value: 12 }] }), 'event.attributes[0].value'],
      [usage('e1', { attributes: Array.from({ length: 11 }, () => ({ name: 'a', value: '1' })) }), 'event.attributes'],
      [usage('e1', { dimensions: { region: 'x'.repeat(201) } }), 'event.dimensions.region'],
      [usage('e1', { dimensions: undefined }), 'event.dimensions'],
      [usage('e1', { accountId: undefined }), 'event.accountId'],
    ];
    for (const [event, field] of cases) {
      const response = await t.call('POST', '/ingest', { event });
      expect(response.status, field).toBe(400);
      expect(response.body.message).toContain(field);
    }
  });

  it('takes batches of up to 500 events and refuses 501', async () => {
    t = await startTogai();
    await t.call('POST', '/customers', customerBody('c1'));
    const batch = Array.from({ length: 500 }, (_, i) => usage(`b-${i}`));
    const ok = await t.call('POST', '/ingestBatch', { events: batch });
    expect(ok.status).toBe(202);
    expect(ok.body.success).toBe(true);
    const tooMany = await t.call('POST', '/ingestBatch', { events: [...batch, usage('b-500')] });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toContain('at most 500');
    expect((await t.call('POST', '/ingestBatch', { events: [] })).status).toBe(400);
    const listed = await t.call('GET', '/events?pageSize=50');
    expect(listed.body.events).toHaveLength(50);
    expect(listed.body.nextToken).toEqual(expect.any(String));
    expect((await t.call('GET', '/events?status=INGESTION_COMPLETED_NO_MATCHING_METERS&pageSize=50')).body.events).toHaveLength(50);
  });

  it('answers 207 with the rejected events when part of a batch is invalid, 400 when all are', async () => {
    t = await startTogai();
    await t.call('POST', '/customers', customerBody('c1'));
    const partial = await t.call('POST', '/ingestBatch', { events: [usage('p1'), usage('p2', { attributes: [{ name: 'x', value: 'abc' }] }), usage('p3')] });
    expect(partial.status).toBe(207);
    expect(partial.body.errors).toEqual([
      { message: expect.stringContaining('events[1].attributes[0].value'), eventPayload: expect.objectContaining({ id: 'p2' }) },
    ]);
    expect((await t.call('GET', '/events/p3')).status).toBe(200);
    expect((await t.call('GET', '/events/p2')).status).toBe(404);
    const none = await t.call('POST', '/ingestBatch', { events: [usage('p4', { schemaName: '' })] });
    expect(none.status).toBe(400);
    expect(none.body.errors).toHaveLength(1);
  });

  it('drops an event id seen within the dedupe window, accepts it again after the window', async () => {
    t = await startTogai({ limits: { togai: { ...relaxedLimits.togai, eventDedupeWindowMs: 60_000 } } });
    await t.call('POST', '/customers', customerBody('c1'));
    expect((await t.call('POST', '/ingestBatch', { events: [usage('d1'), usage('d2'), usage('d1')] })).status).toBe(202);
    expect((await t.call('POST', '/ingest', { event: usage('d2') })).status).toBe(202);
    const duplicates = await t.call('GET', '/events?status=INGESTION_FAILED_DUPLICATE_EVENT');
    expect(duplicates.body.events.map((e: { eventPayload: { id: string } }) => e.eventPayload.id)).toEqual(['d1', 'd2']);
    const d1 = (await t.call('GET', '/events/d1')).body.events;
    expect(d1.map((e: { ingestionStatus: { status: string } }) => e.ingestionStatus.status)).toEqual([
      'INGESTION_COMPLETED_NO_MATCHING_METERS',
      'INGESTION_FAILED_DUPLICATE_EVENT',
    ]);
    t.clock.advance(60_001);
    await t.call('POST', '/ingest', { event: usage('d1') });
    const latest = (await t.call('GET', '/events/d1')).body.events;
    expect(latest.at(-1).ingestionStatus.status).toBe('INGESTION_COMPLETED_NO_MATCHING_METERS');
  });

  it('marks events of unknown accounts and events without id as failed; filters by account and schema', async () => {
    t = await startTogai();
    await t.call('POST', '/customers', customerBody('c1'));
    await t.call('POST', '/ingestBatch', {
      events: [usage('u1', { accountId: 'ghost' }), usage(undefined), usage('u2', { schemaName: 'storage' }), usage('u3', { timestamp: '2024-03-01T00:00:00Z' })],
    });
    const all = (await t.call('GET', '/events')).body.events;
    expect(all.map((e: { ingestionStatus: { status: string } }) => e.ingestionStatus.status)).toEqual([
      'INGESTION_FAILED_ACCOUNT_NOT_FOUND',
      'INGESTION_FAILED_NO_EVENT_ID',
      'INGESTION_COMPLETED_NO_MATCHING_METERS',
      'INGESTION_COMPLETED_NO_MATCHING_METERS',
    ]);
    expect((await t.call('GET', '/events?account_id=ghost')).body.events).toHaveLength(1);
    expect((await t.call('GET', '/events?schema_name=storage')).body.events[0].eventPayload.id).toBe('u2');
    const march = Date.parse('2024-02-15T00:00:00Z');
    expect((await t.call('GET', `/events?start_time=${march}`)).body.events.map((e: { eventPayload: { id: string } }) => e.eventPayload.id)).toEqual(['u3']);
    // after the account exists, the same id is accepted (failed ingestions do not reserve the id)
    await t.call('POST', '/accounts', { customerId: 'c1', id: 'ghost', name: 'Ghost account' });
    await t.call('POST', '/ingest', { event: usage('u1', { accountId: 'ghost' }) });
    expect((await t.call('GET', '/events/u1')).body.events.at(-1).ingestionStatus.status).toBe('INGESTION_COMPLETED_NO_MATCHING_METERS');
  });

  it('answers 422 to a body larger than Togai accepts', async () => {
    t = await startTogai();
    // the sandbox caps bodies at 2 MB (a full batch of 500 ordinary events is a few hundred KB)
    const huge = [usage('h1', { dimensions: { blob: 'x'.repeat(2_100_000) } })];
    const response = await t.call('POST', '/ingestBatch', { events: huge });
    expect(response.status).toBe(422);
    expect(response.body.message).toContain('too large');
  });
});
