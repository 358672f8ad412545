import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { wellKnown } from '../core/sandbox.tenants.js';
import { type BooksHarness, type Loose, startBooksHarness } from './test-support/books.harness.js';

/** Starts a POST whose body is only partly sent, so the call stays in flight until `finish()`. */
function openSlowPost(h: BooksHarness, path: string, body: unknown) {
  const payload = JSON.stringify(body);
  const url = new URL(`${h.url}/books/v3${path}?organization_id=${h.orgId}`);
  const req = http.request(url, {
    method: 'POST',
    headers: { Authorization: `Zoho-oauthtoken ${h.token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
  });
  const response = new Promise<{ status: number; body: Loose }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
  });
  req.write(payload.slice(0, 5));
  return { response, finish: () => req.end(payload.slice(5)) };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('Books v3 rate limits', () => {
  let h: BooksHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('refuses the 101st call within a minute with 429 code 44, per organisation, until the minute has passed', async () => {
    h = await startBooksHarness();
    for (let i = 1; i <= 100; i++) {
      const ok = await h.call('GET', '/settings/currencies');
      expect(ok.status, `call ${i}`).toBe(200);
      if (i === 100) {
        expect(ok.headers.get('x-rate-limit-limit')).toBe('5000'); // professional plan, daily quota
        expect(ok.headers.get('x-rate-limit-remaining')).toBe('4900');
        expect(Number(ok.headers.get('x-rate-limit-reset'))).toBeGreaterThan(0);
      }
    }
    const limited = await h.call('GET', '/contacts');
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe(44);
    expect(limited.body.message).toContain('API usage limit exceeded');
    expect(limited.headers.get('retry-after')).toBeNull();
    // another organisation has its own window
    expect((await h.call('GET', '/contacts', { orgId: wellKnown.booksOrgs.acmeUk })).status).toBe(200);

    h.running.sandbox.context.clock.advance(60_001);
    expect((await h.call('GET', '/contacts')).status).toBe(200);
  });

  it('enforces the daily quota of the organisation plan, changeable at runtime', async () => {
    h = await startBooksHarness();
    h.running.sandbox.context.limits.books.dailyRequestsByPlan.standard = 3; // Acme UK is on the standard plan
    const uk = { orgId: wellKnown.booksOrgs.acmeUk };
    for (let i = 0; i < 3; i++) expect((await h.call('GET', '/contacts', uk)).status).toBe(200);
    const refused = await h.call('GET', '/contacts', uk);
    expect(refused.status).toBe(429);
    expect(refused.body.message).toContain('per day');
    expect(refused.headers.get('x-rate-limit-remaining')).toBe('0');
    expect((await h.call('GET', '/contacts')).status).toBe(200); // Acme Inc (professional) is unaffected

    h.running.sandbox.context.clock.advance(24 * 3600_000);
    h.token = await h.tokenFor(['ZohoBooks.fullaccess.all']);
    expect((await h.call('GET', '/contacts', uk)).status).toBe(200);
  });

  it('refuses calls beyond the concurrency cap while others are in flight', async () => {
    h = await startBooksHarness({ limits: { books: { concurrentRequestsPerOrg: 2 } } });
    const limiter = h.service.limiter;
    const first = openSlowPost(h, '/contacts', { contact_name: 'Slow One' });
    const second = openSlowPost(h, '/contacts', { contact_name: 'Slow Two' });
    await until(() => limiter.usage(h!.orgId).inFlight === 2, 'two calls in flight');

    const third = await h.call('GET', '/contacts');
    expect(third.status).toBe(429);
    expect(third.body.code).toBe(44);
    expect(third.body.message).toContain('simultaneous');

    first.finish();
    second.finish();
    expect((await first.response).status).toBe(201);
    expect((await second.response).status).toBe(201);
    await until(() => limiter.usage(h!.orgId).inFlight === 0, 'slots released');
    expect((await h.call('GET', '/contacts')).status).toBe(200);
  });
});
