import { describe, expect, it, vi } from 'vitest';
import type { DataSource } from 'typeorm';
import type { QueueService } from '../queue/queue.service.js';
import { type AcceptedEvent, AcceptBatcher } from './accept.batcher.js';

/** A database whose accept calls answer only when the test says so (each stores every event it was given). */
function heldDatabase() {
  const calls: Array<() => void> = [];
  const pool = {
    query: (query: { values: unknown[] }) =>
      new Promise((resolve) => {
        const eventIds = (JSON.parse(query.values[0] as string) as Array<{ event_id: string }>).map((row) => row.event_id);
        calls.push(() => resolve({ rows: [{ stored: eventIds }] }));
      }),
  };
  return { dataSource: { driver: { master: pool } } as unknown as DataSource, calls };
}

const event = (n: number): AcceptedEvent => ({
  workspaceId: 'w', flowId: 'f', flowVersionId: 'v', source: 'webhook', payload: { n }, bodyHash: `hash-${n}`, dedupeWindowSeconds: 60,
  rawBody: Buffer.from(String(n)), contentType: 'text/plain', headers: {}, signatureVerified: false,
});

describe('AcceptBatcher', () => {
  it('writes one batch at a time, the deliveries that arrive meanwhile together, and reports a burst from 6 waiting', async () => {
    const { dataSource, calls } = heldDatabase();
    const reportIngressBacklog = vi.fn();
    const queue = { ensureQueue: async () => undefined, localConsumer: () => undefined, wakeLocal: () => undefined, reportIngressBacklog };
    const batcher = new AcceptBatcher(dataSource, queue as unknown as QueueService);
    const first = batcher.submit([event(0)]);
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    const waiting = [1, 2, 3, 4, 5].map((n) => batcher.submit([event(n)]));
    expect(reportIngressBacklog).not.toHaveBeenCalled();
    waiting.push(batcher.submit([event(6)]));
    expect(reportIngressBacklog).toHaveBeenCalledTimes(1);

    calls[0]!();
    expect(await first).toEqual([{ id: expect.any(String), duplicate: false }]);
    // The six that waited are written in one call.
    await vi.waitFor(() => expect(calls).toHaveLength(2));
    calls[1]!();
    const refs = await Promise.all(waiting);
    expect(refs.every(([ref]) => ref!.duplicate === false)).toBe(true);
    expect(calls).toHaveLength(2);
  });
});
