import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../connector.errors.js';
import { startEchoServer, type EchoServer } from '../test-support/echo.server.js';
import { createHttpClient } from './http.client.js';
import { LimiterRegistry, Semaphore, TokenBucket, type LimiterClock } from './rate-limit.js';

/** A manual clock: sleeping advances time instantly. */
function manualClock(): LimiterClock & { t: number; slept: number[] } {
  const clock = {
    t: 0,
    slept: [] as number[],
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.slept.push(ms);
      clock.t += ms;
    },
  };
  return clock;
}

describe('TokenBucket', () => {
  it('lets a burst through and delays the requests over the limit', async () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ requests: 100, perMs: 60_000 }, clock);
    const startTimes: number[] = [];
    await Promise.all(
      Array.from({ length: 103 }, () => bucket.acquire().then(() => startTimes.push(clock.t))),
    );
    expect(startTimes.slice(0, 100).every((t) => t === 0)).toBe(true);
    // 100/min refills one token every 600 ms.
    expect(startTimes.slice(100)).toEqual([600, 1200, 1800]);
  });

  it('refills over time', async () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ requests: 2, perMs: 1000 }, clock);
    await bucket.acquire();
    await bucket.acquire();
    clock.t += 1000;
    await bucket.acquire();
    await bucket.acquire();
    expect(clock.slept).toEqual([]);
  });

  it('is abortable', async () => {
    const bucket = new TokenBucket({ requests: 1, perMs: 60_000 });
    await bucket.acquire();
    const controller = new AbortController();
    const waiting = bucket.acquire(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('Semaphore', () => {
  it('caps concurrency and hands slots over in order', async () => {
    const semaphore = new Semaphore(2);
    const a = await semaphore.acquire();
    const b = await semaphore.acquire();
    const order: string[] = [];
    const c = semaphore.acquire().then((release) => {
      order.push('c');
      return release;
    });
    const d = semaphore.acquire().then((release) => {
      order.push('d');
      return release;
    });
    await Promise.resolve();
    expect(semaphore.inUse).toBe(2);
    expect(order).toEqual([]);
    a();
    (await c)();
    b();
    (await d)();
    expect(order).toEqual(['c', 'd']);
    expect(semaphore.inUse).toBe(0);
  });

  it('removes an aborted waiter', async () => {
    const semaphore = new Semaphore(1);
    const release = await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(ConnectorError);
    release();
    expect(semaphore.inUse).toBe(0);
  });
});

describe('limits on real requests', () => {
  let server: EchoServer;
  beforeAll(async () => {
    server = await startEchoServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('never has more than the concurrency cap in flight, across clients sharing a key', async () => {
    const registry = new LimiterRegistry();
    const make = () =>
      createHttpClient({ baseUrl: server.url, semaphore: registry.semaphore('echo:acme', 2), ssrf: { allowPrivate: true } });
    for (let i = 0; i < 6; i += 1) server.script('GET /slow', { status: 200, delayMs: 40, body: { i } });
    await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? make() : make()).get('/slow')));
    expect(server.maxInFlight()).toBe(2);
  });

  it('delays requests over the rate limit (token bucket shared through the registry)', async () => {
    const registry = new LimiterRegistry();
    const spec = { requests: 3, perMs: 150 };
    const ssrf = { allowPrivate: true };
    const clientA = createHttpClient({ baseUrl: server.url, bucket: registry.bucket('echo:rate', spec), ssrf });
    const clientB = createHttpClient({ baseUrl: server.url, bucket: registry.bucket('echo:rate', spec), ssrf });
    server.requests.length = 0;
    const started = Date.now();
    await Promise.all(Array.from({ length: 5 }, (_, i) => (i % 2 ? clientA : clientB).get('/items/item-1')));
    const offsets = server.requests.map((r) => r.at - started).sort((x, y) => x - y);
    expect(offsets).toHaveLength(5);
    // 3 per 150 ms → one token every 50 ms: the burst of 3 goes at once, the 4th and 5th wait ≈50 and ≈100 ms.
    expect(offsets[3]!).toBeGreaterThanOrEqual(45);
    expect(offsets[4]!).toBeGreaterThanOrEqual(95);
  });
});
