import { LimiterRegistry } from '@braid/connector-sdk';
import { wellKnown } from '@braid/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AcceleratedClock,
  connectBooks,
  records,
  startBooksSandbox,
  type BooksSandbox,
} from './test-support/books.fixture.js';

function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

describe('Books per-organisation rate limit', () => {
  it('keeps a burst of 130 calls under the sandbox\'s 100 calls per minute per organisation', async () => {
    const clock = new AcceleratedClock();
    const sandbox = await startBooksSandbox('demo', clock);
    try {
      const books = await connectBooks(sandbox, { limiters: new LimiterRegistry(clock.limiterClock()) });
      await sandbox.admin.clearCalls();
      // Three real seconds are a minute for both the limiter and the sandbox (slow enough that request latency
      // on a busy machine stays small against the limiter's 10-calls-per-minute margin).
      clock.accelerate(20);
      const started = clock.now();
      const results = await Promise.all(
        Array.from({ length: 130 }, () => books.run('get_organization', { organization_id: wellKnown.booksOrgs.acmeUs })),
      );
      const elapsed = clock.now() - started;
      clock.normal();
      expect(results).toHaveLength(130);
      const calls = sandbox.running.sandbox.context.calls.list({ service: 'books' });
      expect(calls.map((c) => c.status).filter((s) => s !== 200)).toEqual([]);
      expect(calls).toHaveLength(130);
      // 18 at once, then 72 per minute: the burst is spread over more than a minute (of sandbox time).
      expect(elapsed).toBeGreaterThan(60_000);
      const times = calls.map((c) => c.at);
      for (const t of times) expect(times.filter((u) => u > t - 60_000 && u <= t).length).toBeLessThanOrEqual(100);
    } finally {
      await sandbox.close();
    }
  });
});

describe('Books daily quota', () => {
  it('ends in RATE_LIMITED with the time until the quota resets', async () => {
    const sandbox = await startBooksSandbox('empty');
    try {
      await sandbox.admin.patchLimits({ books: { dailyRequestsByPlan: { professional: 3 } } });
      const clock = recordingSleep();
      const books = await connectBooks(sandbox, { sleep: clock.sleep });
      for (let i = 0; i < 3; i++) await books.run('list_taxes', {});
      const error = await books.run('list_taxes', {}).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
      expect((error as Error).message).toContain('daily API quota');
      const retryAfterMs = (error as { retryAfterMs: number }).retryAfterMs;
      expect(retryAfterMs).toBeGreaterThan(0);
      expect(retryAfterMs).toBeLessThanOrEqual(24 * 3600_000);
    } finally {
      await sandbox.close();
    }
  });
});

describe('Books HTTP behaviour: throttling, retries, auth, data centres', () => {
  let sandbox: BooksSandbox;
  beforeAll(async () => {
    sandbox = await startBooksSandbox('demo');
  });
  afterAll(async () => sandbox?.close());
  beforeEach(async () => {
    await sandbox.admin.clearFaults();
    await sandbox.admin.clearCalls();
  });

  const statuses = () => sandbox.running.sandbox.context.calls.list({ service: 'books' }).map((c) => c.status);

  it('waits out a 429 with Retry-After and one without (backoff), then succeeds', async () => {
    const clock = recordingSleep();
    const books = await connectBooks(sandbox, { sleep: clock.sleep });
    await sandbox.admin.armFault({ service: 'books', kind: 'rate-limit', count: 1, retryAfterSeconds: 2 });
    const taxes = await books.run('list_taxes', {});
    expect(taxes.count).toBeGreaterThan(0);
    expect(clock.waits).toEqual([2000]);
    expect(statuses()).toEqual([429, 200]);

    await sandbox.admin.clearCalls();
    await sandbox.admin.armFault({ service: 'books', kind: 'rate-limit', count: 2 });
    const created = await books.run('create_contact', { contact_name: 'Throttled Inc' });
    expect(created.contact_id).toMatch(/^\d+$/);
    // No Retry-After from Books: full-jitter backoff from 1 s, doubling.
    expect(clock.waits).toHaveLength(3);
    expect(clock.waits[1]).toBeLessThanOrEqual(1000);
    expect(clock.waits[2]).toBeLessThanOrEqual(2000);
    expect(statuses()).toEqual([429, 429, 201]);
    // A POST refused with 429 was not processed: retrying it created exactly one contact.
    expect(records(sandbox, 'contacts').filter((c) => c.contact_name === 'Throttled Inc')).toHaveLength(1);
  });

  it('gives up after the retry budget with RATE_LIMITED and a time to come back', async () => {
    const clock = recordingSleep();
    const books = await connectBooks(sandbox, { sleep: clock.sleep });
    await sandbox.admin.armFault({ service: 'books', kind: 'rate-limit', count: 10 });
    const error = await books.run('list_currencies', {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryable: true, status: 429 });
    expect((error as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    expect(statuses()).toEqual([429, 429, 429, 429, 429]);
  });

  it('does not repeat a create after a server error, but repeats a read', async () => {
    const clock = recordingSleep();
    const books = await connectBooks(sandbox, { sleep: clock.sleep });
    await sandbox.admin.armFault({ service: 'books', kind: 'server-error', count: 1, method: 'POST', pathContains: '/contacts' });
    await expect(books.run('create_contact', { contact_name: 'Maybe Created Ltd' })).rejects.toMatchObject({ code: 'RETRYABLE' });
    expect(statuses()).toEqual([500]);
    await sandbox.admin.armFault({ service: 'books', kind: 'unavailable', count: 1, method: 'GET' });
    expect((await books.run('list_items', {})).count).toBeGreaterThan(0);
  });

  it('renews an expired access token once, unnoticed', async () => {
    const books = await connectBooks(sandbox);
    await sandbox.admin.expireAccessTokens();
    expect((await books.run('list_taxes', {})).count).toBeGreaterThan(0);
    expect(books.refreshes).toBe(1);
  });

  it('a revoked refresh token ends in AUTH naming the connection', async () => {
    const books = await connectBooks(sandbox, { name: 'Books – Acme revoked' });
    await sandbox.admin.revokeRefreshToken(books.tokens.refreshToken);
    const error = await books.run('list_taxes', {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AUTH', needsReconnect: true, retryable: false });
    expect((error as Error).message).toContain('"Books – Acme revoked"');
    expect((error as Error).message).not.toContain(books.tokens.refreshToken);
  });

  it('a token without the module scope ends in AUTH (code 57) after one refresh attempt', async () => {
    const books = await connectBooks(sandbox, { scopes: ['ZohoBooks.contacts.READ'], name: 'Books – read-only' });
    expect((await books.run('list_contacts', { limit: 1 })).count).toBe(1);
    const error = await books.run('list_taxes', {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AUTH', vendorCode: 57, needsReconnect: true });
    expect((error as Error).message).toContain('"Books – read-only"');
    expect((error as Error).message).toContain('scope');
    expect(books.refreshes).toBe(1);
  });

  it('works with an EU connection: API domain from the token, EU organisation', async () => {
    const books = await connectBooks(sandbox, { dc: 'eu' });
    expect(books.tokens.apiDomain).toBe(`${sandbox.url}/dc/eu`);
    expect(books.ctx.connection?.apiBaseUrl).toBe(`${sandbox.url}/dc/eu/books/v3`);
    const orgs = await books.run('list_organizations', {});
    expect(orgs.organizations.map((o: { name: string }) => o.name)).toEqual(['Acme GmbH']);
    const contact = await books.run('create_contact', { contact_name: 'Berliner Kunde GmbH', email: 'buchhaltung@kunde.example' });
    expect(records(sandbox, 'contacts', wellKnown.booksOrgs.acmeEu).some((c) => c.contact_id === contact.contact_id)).toBe(true);
    expect(records(sandbox, 'contacts').some((c) => c.contact_id === contact.contact_id)).toBe(false);
    expect((await books.run('find_tax_by_rate', { percentage: 19 })).tax_percentage).toBe(19);
  });
});
