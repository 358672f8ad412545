import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  OAuthError,
  ZOHO_DATA_CENTERS,
  assertAllowedAccountsServer,
  assertTrustedApiDomain,
  buildZohoAuthorizeUrl,
  exchangeZohoCode,
  exchangeZohoSelfClientCode,
  isAccessTokenExpiring,
  parseZohoAuthorizationRedirect,
  refreshZohoAccessToken,
  requestZohoClientCredentialsToken,
  revokeZohoToken,
} from './zoho.oauth.js';

/** Answers like Zoho Accounts: grant errors are HTTP 200 with `{ "error": ... }`. */
interface Seen {
  path: string;
  query: Record<string, string>;
  form: Record<string, string>;
}
let server: http.Server;
let base: string;
const seen: Seen[] = [];
let throttled = false;
let legacyExpiry = false;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      seen.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), form });
      const json = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const prefix = url.pathname.startsWith('/dc/eu/') ? '/dc/eu' : '';
      const path = url.pathname.slice(prefix.length);
      if (path === '/oauth/v2/token') {
        if (throttled) {
          json(200, {
            error_description: 'You have made too many requests continuously. Please try again after some time.',
            error: 'Access Denied',
            status: 'failure',
          });
          return;
        }
        if (form.client_id !== 'cid') return json(200, { error: 'invalid_client' });
        if (form.client_secret !== 'secret') return json(200, { error: 'invalid_client_secret' });
        const apiDomain = `${base}${prefix}`;
        const expiry = legacyExpiry ? { expires_in: 3_600_000, expires_in_sec: 1800 } : { expires_in: 3600 };
        if (form.grant_type === 'authorization_code') {
          if (form.code !== 'good-code') return json(200, { error: 'invalid_code' });
          if (form.redirect_uri !== undefined && form.redirect_uri !== 'https://braid.test/cb')
            return json(200, { error: 'invalid_redirect_uri' });
          return json(200, {
            access_token: '1000.access',
            refresh_token: '1000.refresh',
            scope: 'ZohoBooks.fullaccess.all ZohoCRM.modules.ALL',
            api_domain: apiDomain,
            token_type: 'Bearer',
            ...expiry,
          });
        }
        if (form.grant_type === 'refresh_token') {
          if (form.refresh_token !== '1000.refresh') return json(200, { error: 'invalid_code' });
          return json(200, { access_token: '1000.access2', api_domain: apiDomain, token_type: 'Bearer', ...expiry });
        }
        if (form.grant_type === 'client_credentials') {
          if (!form.soid) return json(200, { error: 'missing_org_info' });
          return json(200, { access_token: '1000.cc', api_domain: apiDomain, token_type: 'Bearer', expires_in: 3600 });
        }
        return json(200, { error: 'unsupported_grant_type' });
      }
      if (path === '/oauth/v2/token/revoke') {
        if (url.searchParams.get('token') === '1000.refresh') return json(200, { status: 'success' });
        return json(400, { status: 'failure', error: 'invalid_token' });
      }
      if (path === '/evil/oauth/v2/token') {
        return json(200, { access_token: 'x', api_domain: 'https://attacker.example', expires_in: 3600 });
      }
      json(404, { error: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  seen.length = 0;
  throttled = false;
  legacyExpiry = false;
});

const policy = () => ({ allowedAccountsServers: [base, `${base}/dc/eu`] });
const creds = () => ({ accountsServer: base, clientId: 'cid', clientSecret: 'secret', ...policy(), now: () => 1_000_000 });

async function oauthError(promise: Promise<unknown>): Promise<OAuthError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(OAuthError);
    return error as OAuthError;
  }
  throw new Error('expected an OAuthError');
}

describe('Zoho authorization', () => {
  it('builds the consent URL for an allowed data centre', () => {
    const url = new URL(
      buildZohoAuthorizeUrl({
        accountsServer: 'https://accounts.zoho.eu/',
        clientId: 'cid',
        redirectUri: 'https://braid.test/cb',
        scopes: ['ZohoBooks.fullaccess.all', 'ZohoCRM.modules.ALL'],
        state: 'st-1',
      }),
    );
    expect(url.origin + url.pathname).toBe('https://accounts.zoho.eu/oauth/v2/auth');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'cid',
      redirect_uri: 'https://braid.test/cb',
      scope: 'ZohoBooks.fullaccess.all,ZohoCRM.modules.ALL',
      access_type: 'offline',
      prompt: 'consent',
      state: 'st-1',
    });
  });

  it('knows the data centres and refuses unknown accounts servers', () => {
    expect(ZOHO_DATA_CENTERS.find((dc) => dc.location === 'ca')?.accountsServer).toBe('https://accounts.zohocloud.ca');
    expect(assertAllowedAccountsServer('https://accounts.zoho.com')).toBe('https://accounts.zoho.com');
    expect(() => assertAllowedAccountsServer('https://accounts.zoho.evil.com')).toThrow(OAuthError);
    expect(() => assertAllowedAccountsServer('http://accounts.zoho.com')).toThrow(/not one of the allowed/);
    expect(() => assertAllowedAccountsServer(base)).toThrow(OAuthError);
    expect(assertAllowedAccountsServer(`${base}/dc/eu/`, policy())).toBe(`${base}/dc/eu`);
  });

  it('reads the redirect: state, accounts-server, access_denied', () => {
    const ok = parseZohoAuthorizationRedirect(
      { code: 'c', state: 's', location: 'eu', 'accounts-server': 'https://accounts.zoho.eu' },
      { state: 's', defaultAccountsServer: 'https://accounts.zoho.com' },
    );
    expect(ok).toEqual({ code: 'c', accountsServer: 'https://accounts.zoho.eu', location: 'eu' });
    expect(
      parseZohoAuthorizationRedirect({ code: 'c', state: 's' }, { state: 's', defaultAccountsServer: 'https://accounts.zoho.com' })
        .accountsServer,
    ).toBe('https://accounts.zoho.com');
    const expected = { state: 's', defaultAccountsServer: 'https://accounts.zoho.com' };
    expect(() => parseZohoAuthorizationRedirect({ code: 'c', state: 'other' }, expected)).toThrow(
      expect.objectContaining({ code: 'STATE_MISMATCH' }),
    );
    expect(() => parseZohoAuthorizationRedirect({ error: 'access_denied', state: 's' }, expected)).toThrow(
      expect.objectContaining({ code: 'ACCESS_DENIED' }),
    );
    expect(() =>
      parseZohoAuthorizationRedirect({ code: 'c', state: 's', 'accounts-server': 'https://evil.example' }, expected),
    ).toThrow(expect.objectContaining({ code: 'UNTRUSTED_ACCOUNTS_SERVER' }));
  });

  it('validates api_domain against the accounts server', () => {
    expect(assertTrustedApiDomain('https://www.zohoapis.eu', 'https://accounts.zoho.eu')).toBe('https://www.zohoapis.eu');
    expect(() => assertTrustedApiDomain('https://www.attacker.com', 'https://accounts.zoho.eu')).toThrow(OAuthError);
    expect(() => assertTrustedApiDomain('http://www.zohoapis.com', 'https://accounts.zoho.com')).toThrow(OAuthError);
    expect(assertTrustedApiDomain(`${base}/dc/eu`, `${base}/dc/eu`)).toBe(`${base}/dc/eu`);
  });
});

describe('Zoho token endpoint', () => {
  it('exchanges a code with a form body and returns the token set', async () => {
    const tokens = await exchangeZohoCode({ ...creds(), code: 'good-code', redirectUri: 'https://braid.test/cb' });
    expect(tokens).toEqual({
      accessToken: '1000.access',
      refreshToken: '1000.refresh',
      apiDomain: base,
      expiresAt: 1_000_000 + 3_600_000,
      scope: ['ZohoBooks.fullaccess.all', 'ZohoCRM.modules.ALL'],
      tokenType: 'Bearer',
    });
    expect(seen[0]).toMatchObject({
      path: '/oauth/v2/token',
      query: {},
      form: { grant_type: 'authorization_code', code: 'good-code', client_id: 'cid', client_secret: 'secret' },
    });
  });

  it('uses the accounts server of the redirect (EU under a path prefix)', async () => {
    const tokens = await exchangeZohoSelfClientCode({ ...creds(), accountsServer: `${base}/dc/eu`, code: 'good-code' });
    expect(tokens.apiDomain).toBe(`${base}/dc/eu`);
    expect(seen[0]!.path).toBe('/dc/eu/oauth/v2/token');
    expect(seen[0]!.form.redirect_uri).toBeUndefined();
  });

  it('turns HTTP 200 error bodies into coded errors without leaking secrets', async () => {
    const bad = await oauthError(exchangeZohoCode({ ...creds(), code: 'used-code' }));
    expect(bad).toMatchObject({ code: 'INVALID_CODE', providerError: 'invalid_code', retryable: false });
    expect(bad.message).not.toContain('used-code');
    expect((await oauthError(exchangeZohoCode({ ...creds(), clientId: 'nope', code: 'good-code' }))).code).toBe('INVALID_CLIENT');
    const secret = await oauthError(exchangeZohoCode({ ...creds(), clientSecret: 'hunter2', code: 'good-code' }));
    expect(secret.code).toBe('INVALID_CLIENT_SECRET');
    expect(secret.message).not.toContain('hunter2');
    expect(
      (await oauthError(exchangeZohoCode({ ...creds(), code: 'good-code', redirectUri: 'https://other/cb' }))).code,
    ).toBe('INVALID_REDIRECT_URI');
  });

  it('recognises the "Access Denied" throttle as TOO_MANY_REQUESTS (retryable)', async () => {
    throttled = true;
    const error = await oauthError(refreshZohoAccessToken({ ...creds(), refreshToken: '1000.refresh' }));
    expect(error).toMatchObject({ code: 'TOO_MANY_REQUESTS', retryable: true });
    expect(error.message).toContain('too many requests');
  });

  it('refreshes an access token and tolerates expires_in_sec', async () => {
    legacyExpiry = true;
    const tokens = await refreshZohoAccessToken({ ...creds(), refreshToken: '1000.refresh' });
    expect(tokens).toMatchObject({ accessToken: '1000.access2', expiresAt: 1_000_000 + 1_800_000, apiDomain: base });
    expect(tokens.refreshToken).toBeUndefined();
    expect(seen[0]!.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: '1000.refresh' });
    expect((await oauthError(refreshZohoAccessToken({ ...creds(), refreshToken: 'revoked' }))).code).toBe('INVALID_CODE');
  });

  it('supports the self-client client-credentials grant', async () => {
    const tokens = await requestZohoClientCredentialsToken({ ...creds(), scopes: ['ZohoBooks.fullaccess.all'], soid: 'ZohoBooks.42' });
    expect(tokens.accessToken).toBe('1000.cc');
    expect(
      (await oauthError(requestZohoClientCredentialsToken({ ...creds(), scopes: ['a'], soid: '' }))).code,
    ).toBe('MISSING_ORG_INFO');
  });

  it('refuses an untrusted accounts server before sending anything, and an untrusted api_domain', async () => {
    const error = await oauthError(
      exchangeZohoCode({ ...creds(), allowedAccountsServers: ['https://accounts.zoho.com'], code: 'good-code' }),
    );
    expect(error.code).toBe('UNTRUSTED_ACCOUNTS_SERVER');
    expect(seen).toHaveLength(0);
    const evil = await oauthError(
      exchangeZohoCode({ ...creds(), accountsServer: `${base}/evil`, allowedAccountsServers: [`${base}/evil`], code: 'x' }),
    );
    expect(evil.code).toBe('UNTRUSTED_API_DOMAIN');
  });

  it('revokes tokens and treats an already-invalid token as done', async () => {
    expect(await revokeZohoToken({ accountsServer: base, token: '1000.refresh', ...policy() })).toEqual({ revoked: true });
    expect(await revokeZohoToken({ accountsServer: base, token: 'gone', ...policy() })).toEqual({ revoked: false });
  });

  it('reports network failures as retryable', async () => {
    const error = await oauthError(
      exchangeZohoCode({ ...creds(), accountsServer: 'http://127.0.0.1:1', allowedAccountsServers: ['http://127.0.0.1:1'], code: 'c' }),
    );
    expect(error).toMatchObject({ code: 'NETWORK', retryable: true });
  });

  it('says when an access token should be refreshed', () => {
    expect(isAccessTokenExpiring(80_000, 30_000)).toBe(true); // 50 s left < 60 s skew
    expect(isAccessTokenExpiring(200_000, 30_000)).toBe(false);
  });
});
