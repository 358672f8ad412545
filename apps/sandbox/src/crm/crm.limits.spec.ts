import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { creditCost } from './crm.limits.js';
import { type CrmHarness, startCrmHarness } from './test-support/crm.harness.js';

/** Starts a POST whose body is held back, so the call stays in flight (occupies a concurrency slot). */
function holdOpenRequest(url: string, token: string): { finish(): Promise<number> } {
  const target = new URL(url);
  const body = JSON.stringify({ data: [{ Account_Name: `Held ${Math.random()}` }] });
  let resolveStatus: (status: number) => void = () => {};
  const status = new Promise<number>((resolve) => (resolveStatus = resolve));
  const req = http.request({
    host: target.hostname, port: target.port, path: target.pathname, method: 'POST',
    headers: { authorization: `Zoho-oauthtoken ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  }, (res) => {
    res.resume();
    res.on('end', () => resolveStatus(res.statusCode ?? 0));
  });
  req.write(body.slice(0, 5));
  req.flushHeaders();
  return {
    finish() {
      req.end(body.slice(5));
      return status;
    },
  };
}

describe('CRM credit costs (apis.md C9)', () => {
  it('charges writes 1 per 10 records up to 10, COQL by LIMIT, cvid 3, deleted 2', () => {
    expect([1, 10, 11, 100, 250].map((n) => creditCost('write', n))).toEqual([1, 1, 2, 10, 10]);
    expect([200, 201, 1000, 1001, 2000].map((l) => creditCost('coql', 0, l))).toEqual([1, 2, 2, 3, 3]);
    expect([creditCost('read'), creditCost('cvid'), creditCost('deleted')]).toEqual([1, 3, 2]);
  });
});

describe('CRM API limits', () => {
  let h: CrmHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('spends credits per rolling 24 h by edition, reports the remainder past 50%, then answers 429', async () => {
    h = await startCrmHarness();
    const limits = h.running.sandbox.context.limits.crm;
    limits.creditsPer24hByEdition.enterprise = 20; // acmeUs is an enterprise org
    const first = await h.call('GET', '/Accounts?fields=Account_Name');
    expect(first.headers.get('x-api-credits-remaining')).toBeNull();
    // a 100-record insert costs 10 credits (1 per 10 records)
    const data = Array.from({ length: 100 }, (_, i) => ({ Account_Name: `Credit ${i}` }));
    const insert = await h.call('POST', '/Accounts', { body: { data } });
    expect(insert.status).toBe(201);
    expect(insert.headers.get('x-api-credits-remaining')).toBe('9');
    for (let i = 0; i < 9; i++) expect((await h.call('GET', '/Accounts/actions/count')).status).toBe(200);
    const refused = await h.call('GET', '/Accounts/actions/count');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 'error' });
    h.running.sandbox.context.clock.advance(24 * 3600_000);
    await h.refresh();
    expect((await h.call('GET', '/Accounts/actions/count')).status).toBe(200);
  });

  it('answers 429 when the org has as many calls in flight as its edition allows', async () => {
    h = await startCrmHarness();
    h.running.sandbox.context.limits.crm.concurrencyByEdition.enterprise = 2;
    const url = `${h.base}/Accounts`;
    const a = holdOpenRequest(url, h.tokens.accessToken);
    const b = holdOpenRequest(url, h.tokens.accessToken);
    // wait until both held calls have reached the sandbox (bounded)
    for (let i = 0; i < 50; i++) {
      const probe = await h.call('GET', '/Accounts/actions/count');
      if (probe.status === 429) {
        expect(probe.body).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
        break;
      }
      if (i === 49) throw new Error('held calls never filled the concurrency slots');
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await a.finish()).toBe(201);
    expect(await b.finish()).toBe(201);
    expect((await h.call('GET', '/Accounts/actions/count')).status).toBe(200);
  });

  it('serves injected faults in the CRM error envelope', async () => {
    h = await startCrmHarness();
    h.running.sandbox.context.faults.arm({ service: 'crm', kind: 'rate-limit', pathContains: '/Accounts' });
    const limited = await h.call('GET', '/Accounts?fields=Account_Name');
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 'error', details: {} });
    expect((await h.call('GET', '/Accounts?fields=Account_Name')).status).toBe(200);
    const calls = h.running.sandbox.context.calls.counts({ service: 'crm' });
    expect(calls['GET /crm/v8/:module']).toBe(1);
  });
});
