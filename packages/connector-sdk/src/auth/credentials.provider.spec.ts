import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../http/http.client.js';
import { startEchoServer, type EchoServer } from '../test-support/echo.server.js';
import { createRefreshingCredentialProvider, type AccessTokenState } from './credentials.provider.js';
import { zohoSandboxDataCenters } from './zoho.oauth.js';

let server: EchoServer;
beforeAll(async () => {
  server = await startEchoServer();
});
afterAll(async () => {
  await server.close();
});

function provider(stored: AccessTokenState, t = { now: 1_000_000 }) {
  const refreshes: Array<string | undefined> = [];
  let counter = 0;
  const credentials = createRefreshingCredentialProvider({
    load: async () => stored,
    refresh: async (stale) => {
      refreshes.push(stale);
      counter += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return { accessToken: `fresh-${counter}`, expiresAt: t.now + 3_600_000 };
    },
    now: () => t.now,
  });
  return { credentials, refreshes, t };
}

describe('createRefreshingCredentialProvider', () => {
  it('uses the stored token while it is valid and refreshes shortly before expiry', async () => {
    const { credentials, refreshes, t } = provider({ accessToken: 'stored', expiresAt: 1_000_000 + 120_000 });
    expect(await credentials.getAccessToken()).toBe('stored');
    t.now += 70_000; // 50 s left < 60 s skew
    expect(await credentials.getAccessToken()).toBe('fresh-1');
    expect(refreshes).toEqual(['stored']);
  });

  it('collapses concurrent refreshes into one', async () => {
    const { credentials, refreshes } = provider({ accessToken: 'stored', expiresAt: 0 });
    const tokens = await Promise.all([credentials.getAccessToken(), credentials.getAccessToken(), credentials.getAccessToken()]);
    expect(tokens).toEqual(['fresh-1', 'fresh-1', 'fresh-1']);
    expect(refreshes).toHaveLength(1);
    // A request that still holds the old token and got a 401 reuses the new one instead of refreshing again.
    expect(await credentials.refreshAccessToken!('stored')).toBe('fresh-1');
    expect(refreshes).toHaveLength(1);
    expect(await credentials.refreshAccessToken!('fresh-1')).toBe('fresh-2');
  });

  it('drives the HTTP client: one refresh for many parallel 401s', async () => {
    server.setValidToken('fresh-1');
    const { credentials, refreshes } = provider({ accessToken: 'revoked' });
    const client = createHttpClient({ baseUrl: server.url, credentials, ssrf: { allowPrivate: true } });
    const responses = await Promise.all([1, 2, 3].map(() => client.get('/items/item-1')));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(refreshes).toEqual(['revoked']);
  });
});

describe('zohoSandboxDataCenters', () => {
  it('maps the sandbox layout', () => {
    expect(zohoSandboxDataCenters('http://127.0.0.1:4010/').map((dc) => dc.accountsServer)).toEqual([
      'http://127.0.0.1:4010',
      'http://127.0.0.1:4010/dc/eu',
    ]);
  });
});
