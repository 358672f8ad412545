import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BraidConfig } from '../config/config.service.js';
import type { DatabaseConnection } from '../database/database.module.js';
import { QueueService } from './queue.service.js';

// The ingress backlog signal the run dispatcher holds runs back on (no database needed: pg-boss is not started).
describe('QueueService ingress backlog', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('tells how long ago deliveries last piled up and for how long they had been, a new period after a pause', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-11-21T12:00:00Z'));
    const queue = new QueueService({ url: 'postgres://unused', kind: 'external' } as DatabaseConnection, {} as BraidConfig);
    expect(queue.ingressBacklog()).toBeUndefined();

    queue.reportIngressBacklog();
    expect(queue.ingressBacklog()).toEqual({ sinceMs: 0, lastedMs: 0 });
    // Reports 40 ms apart for 6 s: one period.
    for (let i = 0; i < 150; i += 1) {
      vi.advanceTimersByTime(40);
      queue.reportIngressBacklog();
    }
    vi.advanceTimersByTime(49);
    expect(queue.ingressBacklog()).toEqual({ sinceMs: 49, lastedMs: 6000 });
    // A report a second or more after the last one starts a new period.
    vi.advanceTimersByTime(951);
    queue.reportIngressBacklog();
    expect(queue.ingressBacklog()).toEqual({ sinceMs: 0, lastedMs: 0 });
  });
});
