import { describe, expect, it } from 'vitest';
import { runConcurrency } from './run.dispatcher.js';

describe('runConcurrency (accepts first)', () => {
  it('runs every worker without a backlog, none during one, and ramps back up over half a second after it', () => {
    expect(runConcurrency(64, undefined)).toBe(64);
    expect(runConcurrency(64, { sinceMs: 0, lastedMs: 3000 })).toBe(0);
    expect(runConcurrency(64, { sinceMs: 49, lastedMs: 3000 })).toBe(0);
    expect(runConcurrency(64, { sinceMs: 50, lastedMs: 3000 })).toBe(0);
    expect(runConcurrency(64, { sinceMs: 51, lastedMs: 3000 })).toBe(1);
    expect(runConcurrency(64, { sinceMs: 300, lastedMs: 3000 })).toBe(32);
    expect(runConcurrency(64, { sinceMs: 549, lastedMs: 3000 })).toBe(64);
    expect(runConcurrency(64, { sinceMs: 60_000, lastedMs: 3000 })).toBe(64);
  });

  it('gives runs a quarter of the workers when the backlog has lasted over 10 s (an overload, not a burst)', () => {
    expect(runConcurrency(64, { sinceMs: 10, lastedMs: 9_999 })).toBe(0);
    expect(runConcurrency(64, { sinceMs: 10, lastedMs: 10_000 })).toBe(16);
    expect(runConcurrency(64, { sinceMs: 400, lastedMs: 10_000 })).toBe(45);
    expect(runConcurrency(1, { sinceMs: 10, lastedMs: 20_000 })).toBe(1);
  });
});
