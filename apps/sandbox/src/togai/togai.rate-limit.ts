import type { SandboxClock } from '../core/sandbox.clock.js';

export type TogaiRateBucket = 'api' | 'ingest' | 'ingestBatch';

/**
 * Togai's per-organisation quotas: 10 requests/s for the APIs, 50/s each for `/ingest` and
 * `/ingestBatch` (apis.md D7). A sliding one-second window on the sandbox clock, so a test can hit the
 * limit and then `clock.advance(1000)` instead of sleeping. Only admitted requests count.
 */
export class TogaiRateLimiter {
  private windows = new Map<string, number[]>();

  constructor(
    private readonly clock: SandboxClock,
    private readonly limitFor: (bucket: TogaiRateBucket) => number,
  ) {}

  /** true when the request may proceed (and is counted) */
  admit(orgId: string, bucket: TogaiRateBucket): boolean {
    const now = this.clock.now();
    const key = `${orgId}:${bucket}`;
    const recent = (this.windows.get(key) ?? []).filter((at) => now - at < 1000);
    if (recent.length >= this.limitFor(bucket)) {
      this.windows.set(key, recent);
      return false;
    }
    recent.push(now);
    this.windows.set(key, recent);
    return true;
  }

  reset(): void {
    this.windows.clear();
  }
}
