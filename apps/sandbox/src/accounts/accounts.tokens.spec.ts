import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../core/sandbox.server.js';
import { wellKnown } from '../core/sandbox.tenants.js';
import { obtainZohoTokens } from '../test-support/oauth.js';
import { AccountsService } from './accounts.service.js';

const web = wellKnown.webClient;

async function post(url: string, params: Record<string, string>, init: RequestInit = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(init.headers as Record<string, string>) },
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const refresh = (url: string, refreshToken: string) =>
  post(`${url}/oauth/v2/token`, { grant_type: 'refresh_token', client_id: web.clientId, client_secret: web.clientSecret, refresh_token: refreshToken });

describe('Zoho Accounts: tokens and limits', () => {
  let running: RunningSandbox;
  beforeEach(async () => {
    running = await startSandbox({ port: 0 });
  });
  afterEach(async () => {
    await running.close();
  });

  it('refreshes 10 times in 10 minutes, refuses the 11th in Zoho format, and allows again after the window', async () => {
    const tokens = await obtainZohoTokens(running.url, { scopes: ['ZohoBooks.fullaccess.all'] });
    for (let i = 0; i < 10; i++) {
      const ok = await refresh(running.url, tokens.refreshToken);
      expect(ok.body).toMatchObject({ access_token: expect.stringMatching(/^1000\./), api_domain: running.url, expires_in: 3600 });
      expect(ok.body.refresh_token).toBeUndefined();
    }
    const refused = await refresh(running.url, tokens.refreshToken);
    expect(refused).toEqual({
      status: 400,
      body: {
        error_description: 'You have made too many requests continuously. Please try again after some time.',
        error: 'Access Denied',
        status: 'failure',
      },
    });
    running.sandbox.context.clock.advance(10 * 60_000 + 1);
    expect((await refresh(running.url, tokens.refreshToken)).body.access_token).toBeDefined();
  });

  it('throttle status and access-token lifetime are configurable limits', async () => {
    const limits = running.sandbox.context.limits;
    limits.oauth.throttleHttpStatus = 200;
    limits.oauth.refreshesPerWindow = 1;
    limits.oauth.accessTokenTtlSeconds = 5;
    const tokens = await obtainZohoTokens(running.url, { scopes: ['ZohoBooks.fullaccess.all'] });
    expect(tokens.expiresIn).toBe(5);
    expect((await refresh(running.url, tokens.refreshToken)).body.expires_in).toBe(5);
    expect(await refresh(running.url, tokens.refreshToken)).toMatchObject({ status: 200, body: { error: 'Access Denied' } });
  });

  it('rejects expired access tokens', async () => {
    const tokens = await obtainZohoTokens(running.url, { scopes: ['ZohoBooks.fullaccess.all'] });
    const auth = running.sandbox.context.auth;
    expect(auth.verifyAccessToken(tokens.accessToken, 'com').ok).toBe(true);
    running.sandbox.context.clock.advance(3600_000);
    expect(auth.verifyAccessToken(tokens.accessToken, 'com')).toEqual({ ok: false, reason: 'expired' });
    expect(auth.verifyAccessToken('', 'com')).toEqual({ ok: false, reason: 'missing' });
    expect(auth.verifyAccessToken('1000.abc.def', 'com')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('invalidates the oldest access token beyond the active limit per refresh token', async () => {
    running.sandbox.context.limits.oauth.activeAccessTokensPerRefreshToken = 3;
    const tokens = await obtainZohoTokens(running.url, { scopes: ['ZohoBooks.fullaccess.all'] });
    const minted = [tokens.accessToken];
    for (let i = 0; i < 3; i++) minted.push(String((await refresh(running.url, tokens.refreshToken)).body.access_token));
    const auth = running.sandbox.context.auth;
    expect(minted.map((t) => auth.verifyAccessToken(t, 'com').ok)).toEqual([false, true, true, true]);
  });

  it('the 21st refresh token of a user and client deletes the oldest', async () => {
    running.sandbox.context.limits.oauth.refreshTokensPerUserClient = 2;
    const a = await obtainZohoTokens(running.url, { scopes: ['ZohoBooks.fullaccess.all'] });
    const b = await obtainZohoTokens(running.url, { scopes: ['ZohoBooks.fullaccess.all'] });
    const c = await obtainZohoTokens(running.url, { scopes: ['ZohoBooks.fullaccess.all'] });
    expect((await refresh(running.url, a.refreshToken)).body).toEqual({ error: 'invalid_code' });
    expect((await refresh(running.url, b.refreshToken)).body.access_token).toBeDefined();
    expect((await refresh(running.url, c.refreshToken)).body.access_token).toBeDefined();
    expect(running.sandbox.context.auth.verifyAccessToken(a.accessToken, 'com').ok).toBe(false);
  });

  it('revoking a refresh token (both documented endpoints) invalidates its access tokens', async () => {
    const auth = running.sandbox.context.auth;
    const first = await obtainZohoTokens(running.url, { scopes: ['ZohoCRM.modules.ALL'] });
    const revoked = await post(`${running.url}/oauth/v2/token/revoke?token=${encodeURIComponent(first.refreshToken)}`, {});
    expect(revoked).toEqual({ status: 200, body: { status: 'success' } });
    expect(auth.verifyAccessToken(first.accessToken, 'com')).toEqual({ ok: false, reason: 'invalid' });
    expect((await refresh(running.url, first.refreshToken)).body).toEqual({ error: 'invalid_code' });
    expect((await post(`${running.url}/oauth/v2/token/revoke?token=${encodeURIComponent(first.refreshToken)}`, {})).status).toBe(400);

    const second = await obtainZohoTokens(running.url, { scopes: ['ZohoCRM.modules.ALL'] });
    const url = `${running.url}/oauth/v2/revoke/token?token=${encodeURIComponent(second.refreshToken)}&token_type=refresh_token`;
    const noAuth = await post(url, {});
    expect(noAuth.status).toBe(401);
    const basic = `Basic ${Buffer.from(`${web.clientId}:${web.clientSecret}`).toString('base64')}`;
    expect(await post(url, {}, { headers: { authorization: basic } })).toEqual({ status: 200, body: { status: 'success' } });
    expect(auth.verifyAccessToken(second.accessToken, 'com').ok).toBe(false);
  });

  it('accepts token requests as query string and as multipart/form-data', async () => {
    const tokens = await obtainZohoTokens(running.url, { scopes: ['ZohoBooks.fullaccess.all'] });
    const query = new URLSearchParams({ grant_type: 'refresh_token', client_id: web.clientId, client_secret: web.clientSecret, refresh_token: tokens.refreshToken });
    const viaQuery = await fetch(`${running.url}/oauth/v2/token?${query}`, { method: 'POST' });
    expect(((await viaQuery.json()) as Record<string, unknown>).access_token).toBeDefined();
    const form = new FormData();
    for (const [k, v] of query) form.append(k, v);
    const viaMultipart = await fetch(`${running.url}/oauth/v2/token`, { method: 'POST', body: form });
    expect(((await viaMultipart.json()) as Record<string, unknown>).access_token).toBeDefined();
  });

  it('self client: code without redirect_uri, 3-minute default TTL, client_credentials needs soid', async () => {
    const accounts = running.sandbox.service('accounts') as AccountsService;
    const client = accounts.createSelfClient(wellKnown.user.email);
    const params = { client_id: client.clientId, client_secret: client.clientSecret };
    const issued = accounts.generateSelfClientCode({ clientId: client.clientId, scopes: ['ZohoBooks.invoices.READ'] });
    expect(issued.expiresInSeconds).toBe(180);
    running.sandbox.context.clock.advance(2 * 60_000 + 30_000); // past a web code's 2 minutes, within 3
    const exchanged = await post(`${running.url}/oauth/v2/token`, { ...params, grant_type: 'authorization_code', code: issued.code });
    expect(exchanged.body).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String), scope: 'ZohoBooks.invoices.READ' });

    const late = accounts.generateSelfClientCode({ clientId: client.clientId, scopes: 'ZohoBooks.invoices.READ', ttlMinutes: 5 });
    running.sandbox.context.clock.advance(5 * 60_000);
    expect((await post(`${running.url}/oauth/v2/token`, { ...params, grant_type: 'authorization_code', code: late.code })).body).toEqual({ error: 'invalid_code' });

    const cc = { ...params, grant_type: 'client_credentials', scope: 'ZohoBooks.fullaccess.all' };
    expect((await post(`${running.url}/oauth/v2/token`, cc)).body).toEqual({ error: 'missing_org_info' });
    const ok = await post(`${running.url}/oauth/v2/token`, { ...cc, soid: `ZohoBooks.${wellKnown.booksOrgs.acmeUk}` });
    expect(ok.body.refresh_token).toBeUndefined();
    expect(running.sandbox.context.auth.verifyAccessToken(String(ok.body.access_token), 'com')).toMatchObject({
      ok: true, orgIds: { books: wellKnown.booksOrgs.acmeUk },
    });
    // the web client may not use client_credentials
    const webCc = await post(`${running.url}/oauth/v2/token`, { ...cc, client_id: web.clientId, client_secret: web.clientSecret, soid: 'ZohoBooks.1' });
    expect(webCc.body).toEqual({ error: 'invalid_client' });
  });

  it('self client HTML page creates a client and generates a code', async () => {
    const created = await fetch(`${running.url}/oauth/selfclient/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user_email: wellKnown.user.email }).toString(),
    });
    const page = await created.text();
    const clientId = /data-client-id>([^<]+)</.exec(page)![1]!;
    const clientSecret = /data-client-secret>([^<]+)</.exec(page)![1]!;
    const codePage = await (
      await fetch(`${running.url}/oauth/selfclient/codes`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: clientId, scope: 'ZohoCRM.modules.ALL', ttl_minutes: '10', org_id: wellKnown.crmOrgs.acmeUs }).toString(),
      })
    ).text();
    const code = /data-code>([^<]+)</.exec(codePage)![1]!;
    const tokens = await post(`${running.url}/oauth/v2/token`, { grant_type: 'authorization_code', client_id: clientId, client_secret: clientSecret, code });
    expect(running.sandbox.context.auth.verifyAccessToken(String(tokens.body.access_token), 'com')).toMatchObject({
      ok: true, orgIds: { crm: wellKnown.crmOrgs.acmeUs }, scopes: ['ZohoCRM.modules.ALL'],
    });
  });

  it('serverinfo maps locations to accounts servers', async () => {
    const info = (await (await fetch(`${running.url}/oauth/serverinfo`)).json()) as Record<string, unknown>;
    expect(info).toEqual({ result: 'success', locations: { us: running.url, eu: `${running.url}/dc/eu` } });
  });
  it('keeps tokens across a restart with a snapshot file, storing only hashes', async () => {
    await running.close();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-accounts-')), 'state.json');
    running = await startSandbox({ port: 0, snapshotFile: file });
    const tokens = await obtainZohoTokens(running.url, { scopes: ['ZohoBooks.fullaccess.all'] });
    await running.close();
    const saved = fs.readFileSync(file, 'utf8');
    expect(saved).not.toContain(tokens.refreshToken);
    expect(saved).not.toContain(tokens.accessToken);
    running = await startSandbox({ port: 0, snapshotFile: file });
    expect(running.sandbox.context.auth.verifyAccessToken(tokens.accessToken, 'com').ok).toBe(true);
    expect((await refresh(running.url, tokens.refreshToken)).body.access_token).toEqual(expect.any(String));
  });
});
