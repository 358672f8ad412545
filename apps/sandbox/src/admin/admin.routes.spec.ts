import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../core/sandbox.server.js';
import { wellKnown } from '../core/sandbox.tenants.js';
import { obtainZohoTokens } from '../test-support/oauth.js';

async function admin(running: RunningSandbox, method: string, path: string, body?: unknown) {
  const response = await fetch(`${running.url}/_admin${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('admin API', () => {
  let running: RunningSandbox;
  beforeEach(async () => {
    running = await startSandbox({ port: 0 });
  });
  afterEach(async () => {
    await running.close();
  });

  it('injects 429 with and without Retry-After, 500 and 503, each for the requested number of calls', async () => {
    expect((await admin(running, 'POST', '/faults', { service: 'bin', kind: 'rate-limit', count: 2, retryAfterSeconds: 7, pathContains: '/erp' })).status).toBe(201);
    await admin(running, 'POST', '/faults', { service: 'bin', kind: 'rate-limit', pathContains: '/other' });
    await admin(running, 'POST', '/faults', { service: 'bin', kind: 'server-error', method: 'put' });
    await admin(running, 'POST', '/faults', { service: 'bin', kind: 'unavailable', method: 'DELETE' });
    expect(((await admin(running, 'GET', '/faults')).body.faults as unknown[]).length).toBe(4);

    const first = await fetch(`${running.url}/bin/erp`, { method: 'POST' });
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('7');
    expect((await fetch(`${running.url}/bin/erp`)).status).toBe(429);
    expect((await fetch(`${running.url}/bin/erp`)).status).toBe(200);
    const noHeader = await fetch(`${running.url}/bin/other`);
    expect(noHeader.status).toBe(429);
    expect(noHeader.headers.get('retry-after')).toBeNull();
    expect((await fetch(`${running.url}/bin/x`, { method: 'PUT' })).status).toBe(500);
    expect((await fetch(`${running.url}/bin/x`, { method: 'DELETE' })).status).toBe(503);
    expect((await fetch(`${running.url}/bin/x`, { method: 'PUT' })).status).toBe(200);
    expect((await admin(running, 'GET', '/faults')).body.faults).toEqual([]);
  });

  it('slow faults delay the real answer; timeout faults drop the connection', async () => {
    await admin(running, 'POST', '/faults', { service: 'bin', kind: 'slow', delayMs: 300 });
    const started = Date.now();
    const slow = await fetch(`${running.url}/bin/slow`);
    expect(slow.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);

    await admin(running, 'POST', '/faults', { service: 'bin', kind: 'timeout', delayMs: 100 });
    await expect(fetch(`${running.url}/bin/dead`)).rejects.toThrow();
    // the dropped request reached no handler: the bin did not record it
    expect((await admin(running, 'GET', '/bins/dead')).body.requests).toEqual([]);
  });

  it('faults also hit the accounts server', async () => {
    await admin(running, 'POST', '/faults', { service: 'accounts', kind: 'server-error', pathContains: '/oauth/v2/token' });
    const response = await fetch(`${running.url}/oauth/v2/token`, { method: 'POST' });
    expect(response.status).toBe(500);
  });

  it('validates fault bodies with clear 400 errors', async () => {
    const bad = await admin(running, 'POST', '/faults', { service: 'nope', kind: 'slow' });
    expect(bad).toMatchObject({ status: 400, body: { error: 'invalid_body', message: expect.stringContaining('"service" must be one of') } });
    expect((await admin(running, 'POST', '/faults', { service: 'bin', kind: 'explode' })).body.message).toContain('"kind" must be one of');
    expect((await admin(running, 'POST', '/faults', { service: 'bin', kind: 'slow', count: 0 })).status).toBe(400);
    expect((await admin(running, 'POST', '/faults', '{not json')).body).toMatchObject({ error: 'invalid_body', message: expect.stringContaining('not valid JSON') });
    expect((await admin(running, 'GET', '/nothing')).status).toBe(404);
  });

  it('counts calls per endpoint and resets them', async () => {
    for (let i = 0; i < 3; i++) await fetch(`${running.url}/bin/erp/orders`, { method: 'POST', body: '{}' });
    await fetch(`${running.url}/oauth/serverinfo`);
    const calls = await admin(running, 'GET', '/calls?service=bin');
    expect(calls.body.total).toBe(3);
    expect(Object.values(calls.body.counts as Record<string, number>)).toEqual([3]);
    const all = await admin(running, 'GET', '/calls');
    expect(all.body.total).toBe(4);
    expect(all.body.counts).toMatchObject({ 'GET /oauth/serverinfo': 1 });
    await admin(running, 'DELETE', '/calls');
    expect((await admin(running, 'GET', '/calls')).body.total).toBe(0);
    expect((await admin(running, 'GET', '/calls?service=martian')).status).toBe(404);
  });

  it('revokes refresh tokens and expires access tokens', async () => {
    const auth = running.sandbox.context.auth;
    const a = await obtainZohoTokens(running.url, { scopes: ['ZohoBooks.fullaccess.all'] });
    expect((await admin(running, 'POST', '/oauth/expire-access-tokens', {})).body).toEqual({ expired: 1 });
    expect(auth.verifyAccessToken(a.accessToken, 'com')).toEqual({ ok: false, reason: 'expired' });
    expect((await admin(running, 'POST', '/oauth/revoke', { refreshToken: a.refreshToken })).body).toEqual({ revoked: 1 });
    const b = await obtainZohoTokens(running.url, { scopes: ['ZohoBooks.fullaccess.all'] });
    expect((await admin(running, 'POST', '/oauth/revoke', { userEmail: wellKnown.user.email })).body).toEqual({ revoked: 1 });
    expect(auth.verifyAccessToken(b.accessToken, 'com')).toEqual({ ok: false, reason: 'invalid' });
    expect((await admin(running, 'POST', '/oauth/revoke', {})).status).toBe(400);
  });

  it('creates self clients and codes for the token endpoint', async () => {
    const client = await admin(running, 'POST', '/oauth/self-clients', { userEmail: wellKnown.euUser.email });
    const clientId = String(client.body.clientId);
    const code = await admin(running, 'POST', `/oauth/self-clients/${clientId}/codes`, {
      scopes: ['ZohoCRM.modules.ALL'], ttlMinutes: 7, orgId: wellKnown.crmOrgs.acmeEu,
    });
    expect(code.body).toMatchObject({ dc: 'eu', accountsServer: `${running.url}/dc/eu`, expiresInSeconds: 420 });
    const tokens = await fetch(`${running.url}/dc/eu/oauth/v2/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, client_secret: String(client.body.clientSecret), code: String(code.body.code) }),
    });
    expect(((await tokens.json()) as Record<string, unknown>).api_domain).toBe(`${running.url}/dc/eu`);
    const wrongOrg = await admin(running, 'POST', `/oauth/self-clients/${clientId}/codes`, { scopes: 'ZohoCRM.modules.ALL', orgId: wellKnown.crmOrgs.acmeUs });
    expect(wrongOrg).toMatchObject({ status: 400, body: { message: expect.stringContaining('is not a Books or CRM org') } });
    expect((await admin(running, 'POST', `/oauth/self-clients/${clientId}/codes`, { scopes: 'Bad.scope' })).status).toBe(400);
  });

  it('advances the clock, patches limits in place, and validates them', async () => {
    const before = running.sandbox.context.clock.now();
    const advanced = await admin(running, 'POST', '/clock/advance', { ms: 60_000 });
    expect(Number(advanced.body.now) - before).toBeGreaterThanOrEqual(60_000);
    expect((await admin(running, 'POST', '/clock/advance', { ms: -5 })).status).toBe(400);
    const limitsObject = running.sandbox.context.limits;
    const patched = await admin(running, 'PATCH', '/limits', { oauth: { accessTokenTtlSeconds: 60 }, books: { dailyRequestsByPlan: { free: 3 } } });
    expect(patched.status).toBe(200);
    expect(running.sandbox.context.limits).toBe(limitsObject);
    expect(limitsObject.oauth.accessTokenTtlSeconds).toBe(60);
    expect(limitsObject.books.dailyRequestsByPlan.free).toBe(3);
    expect(limitsObject.books.dailyRequestsByPlan.standard).toBe(2000);
    const bad = await admin(running, 'PATCH', '/limits', { oauth: { accessTokenTtlSeconds: 30, nonsense: 1 } });
    expect(bad).toMatchObject({ status: 400, body: { message: expect.stringContaining('oauth.nonsense') } });
    expect(limitsObject.oauth.accessTokenTtlSeconds).toBe(60); // nothing applied from a rejected patch
    const tokens = await obtainZohoTokens(running.url, { scopes: ['ZohoBooks.fullaccess.all'] });
    expect(tokens.expiresIn).toBe(60);
  });

  it('resets to a seed, clearing tokens, faults and calls; inspects state', async () => {
    const tokens = await obtainZohoTokens(running.url, { scopes: ['ZohoBooks.fullaccess.all'] });
    await admin(running, 'POST', '/faults', { service: 'bin', kind: 'slow' });
    const state = await admin(running, 'GET', '/state?service=accounts');
    expect((state.body.refreshTokens as unknown[]).length).toBe(1);
    expect(JSON.stringify(state.body)).not.toContain(tokens.refreshToken);
    expect((await admin(running, 'POST', '/reset', { seed: 'demo' })).body).toEqual({ reset: true, seed: 'demo' });
    expect(running.sandbox.context.auth.verifyAccessToken(tokens.accessToken, 'com').ok).toBe(false);
    expect((await admin(running, 'GET', '/faults')).body.faults).toEqual([]);
    const all = await admin(running, 'GET', '/state');
    expect(Object.keys(all.body.services as object)).toEqual(expect.arrayContaining(['accounts', 'bin']));
    expect((await admin(running, 'POST', '/reset', { seed: 42 })).status).toBe(400);
    expect((await admin(running, 'POST', '/seed', { name: 'demo', books: { customers: 'many' } })).status).toBe(400);
    expect((await admin(running, 'POST', '/seed', { name: 'demo' })).body).toEqual({ seeded: true, seed: 'demo' });
  });

  it('runs console actions and reports their errors', async () => {
    const created = await admin(running, 'POST', '/console/accounts/create-self-client', { values: { userEmail: wellKnown.user.email } });
    expect(created.body).toMatchObject({ ok: true, result: { clientId: expect.stringMatching(/^1000\./) } });
    expect((await admin(running, 'POST', '/console/accounts/create-self-client', { values: {} })).status).toBe(400);
    expect((await admin(running, 'POST', '/console/accounts/nope', {})).status).toBe(404);
    const failing = await admin(running, 'POST', '/console/bin/set-status', { values: { name: 'erp', status: '42' } });
    expect(failing).toMatchObject({ status: 400, body: { error: 'action_failed', message: expect.stringContaining('status must be 100-599') } });
  });
});
