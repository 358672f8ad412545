import type { ConnectorError } from '@braid/connector-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTogaiHarness, type TogaiHarness } from '../test-support/togai.harness.js';
import { ingestEventsAction, toDecimalString } from './events.action.js';

const usage = (i: number, accountId = 'globex-main') => ({
  id: `evt-${String(i).padStart(5, '0')}`,
  schemaName: 'api_calls',
  timestamp: '2026-03-10T12:00:00Z',
  accountId,
  attributes: [{ name: 'calls', value: i % 2 === 0 ? 1.5 : '2' }],
  dimensions: { region: 'eu' },
});

describe('Togai usage-event ingestion against the sandbox', () => {
  let t: TogaiHarness;
  beforeAll(async () => {
    t = await startTogaiHarness('demo');
  });
  afterAll(async () => {
    await t.close();
  });

  const completed = () => t.state().events.filter((e) => e.ingestionStatus.status === 'INGESTION_COMPLETED_NO_MATCHING_METERS');
  const duplicates = () => t.state().events.filter((e) => e.ingestionStatus.status === 'INGESTION_FAILED_DUPLICATE_EVENT');

  it('sends 1200 events in 3 batches of at most 500 and never counts an id twice', async () => {
    const events = Array.from({ length: 1200 }, (_, i) => usage(i + 1));
    await t.admin.clearCalls();
    const first = await t.run('ingest_events', { events });
    expect(first).toEqual({ received: 1200, accepted: 1200, rejected: [], duplicatesInInput: 0, batches: 3 });
    expect(await t.callCount('POST /togai/ingestBatch')).toBe(3);
    expect(completed()).toHaveLength(1200);
    expect(completed()[0]!.eventPayload.attributes).toEqual([{ name: 'calls', value: '2' }]);

    // The same events again (a replayed flow): Togai drops every id it has seen; usage stays 1200.
    const again = await t.run('ingest_events', { events: events.slice(0, 600) });
    expect(again).toMatchObject({ accepted: 600, batches: 2 });
    expect(completed()).toHaveLength(1200);
    expect(duplicates()).toHaveLength(600);
  });

  it('drops ids repeated within one input before sending, honours a smaller batch size', async () => {
    await t.admin.clearCalls();
    const events = [usage(5001), usage(5002), usage(5001), usage(5003)];
    const result = await t.run('ingest_events', { events, batchSize: 2 });
    expect(result).toMatchObject({ received: 4, accepted: 3, duplicatesInInput: 1, batches: 2 });
    expect(await t.callCount('POST /togai/ingestBatch')).toBe(2);
    expect(completed().filter((e) => e.eventPayload.id === 'evt-05001')).toHaveLength(1);
  });

  it('reports events Togai rejects (207) and validates input before sending', async () => {
    const before = t.state().events.length;
    // Call run() directly: Braid's own schema would refuse this event before Togai saw it.
    const result = await ingestEventsAction.run(t.context(), {
      events: [usage(6001), { ...usage(6002), dimensions: { region: 'x'.repeat(300) } }],
      batchSize: 500,
    });
    expect(result.accepted).toBe(1);
    expect(result.rejected).toEqual([{ id: 'evt-06002', message: expect.stringContaining('events[1].dimensions.region') }]);
    expect(t.state().events.length).toBe(before + 1);

    const invalid = (await t.run('ingest_events', { events: [{ ...usage(1), attributes: [{ name: 'calls', value: 'lots' }] }] }).catch((e: unknown) => e)) as ConnectorError;
    expect(invalid.code).toBe('INVALID_INPUT');
    expect(invalid.issues?.some((i) => i.pointer === '/events/0/attributes/0/value')).toBe(true);
  });

  it('writes numbers as decimal strings', () => {
    expect(toDecimalString(12)).toBe('12');
    expect(toDecimalString(0.5)).toBe('0.5');
    expect(toDecimalString(1e-7)).toBe('0.0000001');
    expect(toDecimalString(' 3.25 ')).toBe('3.25');
  });
});
