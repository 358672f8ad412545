// Per-key token buckets and concurrency semaphores, shared by every HTTP client of the process.
// One key per vendor quota (a connection, or e.g. `zoho-books:<orgId>` when the quota is per organisation).
// Scope is one process: with several runtime replicas each replica enforces the limit on its own traffic.
import type { RateLimitSpec } from '../connector.types.js';
import { abortError, realSleep, type Sleep } from './clock.js';

export interface LimiterClock {
  now(): number;
  sleep: Sleep;
}

const systemClock: LimiterClock = { now: () => Date.now(), sleep: realSleep };

export class TokenBucket {
  private tokens: number;
  private lastRefill: number;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private spec: RateLimitSpec,
    private readonly clock: LimiterClock = systemClock,
  ) {
    if (!(spec.requests > 0) || !(spec.perMs > 0)) {
      throw new RangeError(`Rate limit needs requests > 0 and perMs > 0 (got ${spec.requests}/${spec.perMs}).`);
    }
    this.tokens = spec.requests;
    this.lastRefill = clock.now();
  }

  get currentSpec(): RateLimitSpec {
    return this.spec;
  }

  updateSpec(spec: RateLimitSpec): void {
    if (spec.requests === this.spec.requests && spec.perMs === this.spec.perMs) return;
    this.refill();
    this.spec = spec;
    this.tokens = Math.min(this.tokens, spec.requests);
  }

  /** Waits (FIFO) until one request may start. */
  acquire(signal?: AbortSignal): Promise<void> {
    const turn = this.tail.then(() => this.take(signal));
    // The queue continues even when a waiter is aborted.
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = now - this.lastRefill;
    if (elapsed > 0) {
      this.tokens = Math.min(this.spec.requests, this.tokens + (elapsed * this.spec.requests) / this.spec.perMs);
      this.lastRefill = now;
    }
  }

  private async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      const waitMs = Math.ceil(((1 - this.tokens) * this.spec.perMs) / this.spec.requests);
      await this.clock.sleep(Math.max(1, waitMs), signal);
    }
  }
}

export class Semaphore {
  private active = 0;
  private readonly waiters: Array<{ grant: () => void }> = [];

  constructor(private max: number) {
    if (!(max >= 1)) throw new RangeError(`Concurrency must be >= 1 (got ${max}).`);
  }

  get inUse(): number {
    return this.active;
  }

  setMax(max: number): void {
    if (max >= 1) this.max = max;
    this.drain();
  }

  /** Resolves with a release function once a slot is free. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        this.active -= 1;
        this.drain();
      };
      const waiter = {
        grant: (): void => {
          signal?.removeEventListener('abort', onAbort);
          this.active += 1;
          resolve(release);
        },
      };
      const onAbort = (): void => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(abortError(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.drain();
    });
  }

  private drain(): void {
    while (this.active < this.max && this.waiters.length > 0) {
      this.waiters.shift()!.grant();
    }
  }
}

/** Registry of limiters by key. The runtime keeps one per process (or uses `defaultLimiterRegistry`). */
export class LimiterRegistry {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly semaphores = new Map<string, Semaphore>();

  constructor(private readonly clock: LimiterClock = systemClock) {}

  bucket(key: string, spec: RateLimitSpec): TokenBucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(spec, this.clock);
      this.buckets.set(key, bucket);
    } else {
      bucket.updateSpec(spec);
    }
    return bucket;
  }

  semaphore(key: string, max: number): Semaphore {
    let semaphore = this.semaphores.get(key);
    if (!semaphore) {
      semaphore = new Semaphore(max);
      this.semaphores.set(key, semaphore);
    } else {
      semaphore.setMax(max);
    }
    return semaphore;
  }
}

export const defaultLimiterRegistry = new LimiterRegistry();
