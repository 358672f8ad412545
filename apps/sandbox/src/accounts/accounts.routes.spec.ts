import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../core/sandbox.server.js';
import { wellKnown } from '../core/sandbox.tenants.js';
import { obtainZohoTokens, readConsentForm } from '../test-support/oauth.js';

const web = wellKnown.webClient;
const redirectUri = 'http://127.0.0.1:9/cb';

async function tokenRequest(accountsServer: string, params: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${accountsServer}/oauth/v2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function authUrl(base: string, extra: Record<string, string> = {}): string {
  const url = new URL(`${base}/oauth/v2/auth`);
  url.search = new URLSearchParams({
    client_id: web.clientId, response_type: 'code', redirect_uri: redirectUri,
    scope: 'ZohoBooks.fullaccess.all,ZohoCRM.modules.ALL', access_type: 'offline', state: 'xyz<&>', ...extra,
  }).toString();
  return url.toString();
}

/** Consent page → approve → the redirect's query parameters. */
async function approve(base: string, extra: Record<string, string> = {}, decision = 'approve'): Promise<URLSearchParams> {
  const page = await (await fetch(authUrl(base, extra))).text();
  const { action, fields } = readConsentForm(page);
  const response = await fetch(new URL(action, base), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...fields, decision }).toString(),
    redirect: 'manual',
  });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get('location')!);
  expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
  return location.searchParams;
}

describe('Zoho Accounts: authorization code flow', () => {
  let running: RunningSandbox;
  beforeEach(async () => {
    running = await startSandbox({ port: 0 });
  });
  afterEach(async () => {
    await running.close();
  });

  it('shows a consent page with the app, scopes, user and org pickers, HTML-escaped', async () => {
    const response = await fetch(authUrl(running.url));
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('ZohoBooks.fullaccess.all');
    expect(page).toContain(wellKnown.user.email);
    expect(page).toContain('Acme UK Ltd');
    expect(page).toContain('value="xyz&lt;&amp;&gt;"');
    expect(page).not.toContain('xyz<&>');
    const form = readConsentForm(page);
    expect(form.options.books_org).toEqual([wellKnown.booksOrgs.acmeUs, wellKnown.booksOrgs.acmeUk]);
    expect(form.options.crm_org).toEqual([wellKnown.crmOrgs.acmeUs]);
  });

  it('refuses bad requests with an error page, never a redirect', async () => {
    for (const [extra, text] of [
      [{ client_id: 'nope' }, 'Invalid Client'],
      [{ redirect_uri: 'https://evil.example/cb' }, 'Invalid Redirect Uri'],
      [{ scope: 'ZohoBooks.nothing.READ' }, 'Invalid OAuth Scope'],
      [{ response_type: 'token' }, 'response_type'],
    ] as const) {
      const response = await fetch(authUrl(running.url, extra), { redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain(text);
    }
  });

  it('redirects with code, state, location and accounts-server, then exchanges the code once', async () => {
    const params = await approve(running.url);
    expect(params.get('state')).toBe('xyz<&>');
    expect(params.get('location')).toBe('us');
    expect(params.get('accounts-server')).toBe(running.url);
    const code = params.get('code')!;
    const first = await tokenRequest(running.url, {
      grant_type: 'authorization_code', client_id: web.clientId, client_secret: web.clientSecret, redirect_uri: redirectUri, code,
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      access_token: expect.stringMatching(/^1000\./),
      refresh_token: expect.stringMatching(/^1000\./),
      scope: 'ZohoBooks.fullaccess.all ZohoCRM.modules.ALL',
      api_domain: running.url,
      token_type: 'Bearer',
      expires_in: 3600,
    });
    const check = running.sandbox.context.auth.verifyAccessToken(String(first.body.access_token), 'com');
    expect(check).toMatchObject({ ok: true, userId: wellKnown.user.id, orgIds: { books: wellKnown.booksOrgs.acmeUs, crm: wellKnown.crmOrgs.acmeUs } });
    const again = await tokenRequest(running.url, {
      grant_type: 'authorization_code', client_id: web.clientId, client_secret: web.clientSecret, redirect_uri: redirectUri, code,
    });
    expect(again).toEqual({ status: 200, body: { error: 'invalid_code' } });
  });

  it('deny redirects with error=access_denied and the state', async () => {
    const params = await approve(running.url, {}, 'deny');
    expect(params.get('error')).toBe('access_denied');
    expect(params.get('state')).toBe('xyz<&>');
    expect(params.get('code')).toBeNull();
  });

  it('checks redirect_uri and client secret at the token endpoint', async () => {
    const code = (await approve(running.url)).get('code')!;
    const base = { grant_type: 'authorization_code', client_id: web.clientId, client_secret: web.clientSecret, code };
    expect((await tokenRequest(running.url, { ...base, redirect_uri: 'http://127.0.0.1:9/other' })).body).toEqual({ error: 'invalid_redirect_uri' });
    expect((await tokenRequest(running.url, { ...base, redirect_uri: redirectUri, client_secret: 'wrong' })).body).toEqual({ error: 'invalid_client_secret' });
    expect((await tokenRequest(running.url, { ...base, redirect_uri: redirectUri, client_id: 'nobody' })).body).toEqual({ error: 'invalid_client' });
  });

  it('expires web codes after 2 minutes (sandbox clock)', async () => {
    const code = (await approve(running.url)).get('code')!;
    running.sandbox.context.clock.advance(2 * 60_000 + 1);
    const result = await tokenRequest(running.url, {
      grant_type: 'authorization_code', client_id: web.clientId, client_secret: web.clientSecret, redirect_uri: redirectUri, code,
    });
    expect(result.body).toEqual({ error: 'invalid_code' });
  });

  it('online access gives no refresh token', async () => {
    const tokens = await obtainZohoTokens(running.url, { scopes: ['ZohoBooks.contacts.READ'], accessType: 'online' });
    expect(tokens.refreshToken).toBe('');
    expect(tokens.accessToken).toMatch(/^1000\./);
  });

  it('obtainZohoTokens drives the flow for an EU user: tokens live in the EU data centre only', async () => {
    const tokens = await obtainZohoTokens(running.url, { dc: 'eu', scopes: ['ZohoCRM.modules.ALL'] });
    expect(tokens).toMatchObject({ location: 'eu', accountsServer: `${running.url}/dc/eu`, apiDomain: `${running.url}/dc/eu`, expiresIn: 3600 });
    const auth = running.sandbox.context.auth;
    expect(auth.verifyAccessToken(tokens.accessToken, 'eu')).toMatchObject({ ok: true, userId: wellKnown.euUser.id, scopes: ['ZohoCRM.modules.ALL'] });
    expect(auth.verifyAccessToken(tokens.accessToken, 'com')).toEqual({ ok: false, reason: 'wrong-dc' });
    // refreshing at the wrong accounts server fails like Zoho: the token is unknown there
    const wrong = await tokenRequest(running.url, {
      grant_type: 'refresh_token', client_id: web.clientId, client_secret: web.clientSecret, refresh_token: tokens.refreshToken,
    });
    expect(wrong.body).toEqual({ error: 'invalid_code' });
  });

  it('an EU user signing in at the com accounts server is sent to the EU accounts server', async () => {
    const params = await approve(running.url, { sandbox_user: wellKnown.euUser.email, scope: 'ZohoBooks.fullaccess.all' });
    expect(params.get('location')).toBe('eu');
    expect(params.get('accounts-server')).toBe(`${running.url}/dc/eu`);
    const code = params.get('code')!;
    const base = { grant_type: 'authorization_code', client_id: web.clientId, client_secret: web.clientSecret, redirect_uri: redirectUri, code };
    expect((await tokenRequest(running.url, base)).body).toEqual({ error: 'invalid_code' });
    expect((await tokenRequest(`${running.url}/dc/eu`, base)).body).toMatchObject({ api_domain: `${running.url}/dc/eu` });
  });
  it('re-authorizing gets a new refresh token only with prompt=consent', async () => {
    const exchange = async (extra: Record<string, string>) => {
      const code = (await approve(running.url, extra)).get('code')!;
      return (await tokenRequest(running.url, {
        grant_type: 'authorization_code', client_id: web.clientId, client_secret: web.clientSecret, redirect_uri: redirectUri, code,
      })).body;
    };
    expect((await exchange({})).refresh_token).toEqual(expect.any(String));
    const second = await exchange({});
    expect(second.access_token).toEqual(expect.any(String));
    expect(second.refresh_token).toBeUndefined();
    expect((await exchange({ prompt: 'consent' })).refresh_token).toEqual(expect.any(String));
  });

  it('clients with registered redirect URIs need an exact match', async () => {
    const created = await fetch(`${running.url}/_admin/oauth/web-clients`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirectUris: ['https://braid.example/oauth/callback'] }),
    });
    const client = (await created.json()) as { clientId: string; clientSecret: string };
    const base = { client_id: client.clientId, response_type: 'code', scope: 'ZohoBooks.fullaccess.all' };
    const exact = await fetch(`${running.url}/oauth/v2/auth?${new URLSearchParams({ ...base, redirect_uri: 'https://braid.example/oauth/callback' })}`);
    expect(exact.status).toBe(200);
    const loopback = await fetch(`${running.url}/oauth/v2/auth?${new URLSearchParams({ ...base, redirect_uri: redirectUri })}`);
    expect(loopback.status).toBe(400);
    const bad = await fetch(`${running.url}/_admin/oauth/web-clients`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirectUris: ['ftp://x'] }),
    });
    expect(bad.status).toBe(400);
  });
});
