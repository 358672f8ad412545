import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BraidConfig } from '../config/config.service.js';
import type { DatabaseConnection } from '../database/database.module.js';
import { QueueService } from './queue.service.js';

// The ingress backlog signal the run dispatcher holds runs back on (no database needed: pg-boss is not started).
describe('QueueService ingress backlog', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('tells for how long deliveries have been piling up, while reports keep coming, and forgets after a pause', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-11-21T12:00:00Z'));
    const queue = new QueueService({ url: 'postgres://unused', kind: 'external' } as DatabaseConnection, {} as BraidConfig);
    expect(queue.ingressBacklogFor(50)).toBeUndefined();

    queue.reportIngressBacklog();
    expect(queue.ingressBacklogFor(50)).toBe(0);
    // Reports 40 ms apart for 6 s: one backlog period.
    for (let i = 0; i < 150; i += 1) {
      vi.advanceTimersByTime(40);
      queue.reportIngressBacklog();
    }
    expect(queue.ingressBacklogFor(50)).toBe(6000);
    vi.advanceTimersByTime(49);
    expect(queue.ingressBacklogFor(50)).toBe(6049);
    // No report within the window: no backlog.
    vi.advanceTimersByTime(1);
    expect(queue.ingressBacklogFor(50)).toBeUndefined();
    // A report after a pause of a second or more starts a new period.
    vi.advanceTimersByTime(1000);
    queue.reportIngressBacklog();
    expect(queue.ingressBacklogFor(50)).toBe(0);
  });
});
