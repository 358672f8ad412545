/**
 * Test helpers for the CRM specs: a sandbox on a random port, tokens from the sandbox's real OAuth flow,
 * and a small client that speaks `Authorization: Zoho-oauthtoken`.
 */
import { wellKnown } from '../../core/sandbox.tenants.js';
import { type RunningSandbox, type SandboxOptions, startSandbox } from '../../core/sandbox.server.js';
import { obtainZohoTokens, type ZohoTokens } from '../../test-support/oauth.js';
import type { CrmService } from '../crm.service.js';

export interface CrmResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export interface CrmHarness {
  running: RunningSandbox;
  tokens: ZohoTokens;
  crm: CrmService;
  base: string;
  call<T = Record<string, unknown>>(method: string, path: string, opts?: { body?: unknown; headers?: Record<string, string>; token?: string }): Promise<CrmResponse<T>>;
  /** new access token from the refresh token (after advancing the clock past the token's lifetime) */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

export const allCrmScopes = ['ZohoCRM.modules.ALL', 'ZohoCRM.settings.ALL', 'ZohoCRM.notifications.ALL', 'ZohoCRM.users.READ', 'ZohoCRM.org.READ', 'ZohoCRM.coql.READ'];

export async function startCrmHarness(
  options: SandboxOptions = {},
  auth: { scopes?: string[]; dc?: 'com' | 'eu' } = {},
): Promise<CrmHarness> {
  const running = await startSandbox({ port: 0, ...options });
  const tokens = await obtainZohoTokens(running.url, { scopes: auth.scopes ?? allCrmScopes, dc: auth.dc });
  const crm = running.sandbox.service('crm') as CrmService;
  const base = `${tokens.apiDomain}/crm/v8`;
  return {
    running,
    tokens,
    crm,
    base,
    async call(method, path, opts = {}) {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Zoho-oauthtoken ${opts.token ?? tokens.accessToken}`,
          ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...opts.headers,
        },
        body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as never };
    },
    async refresh() {
      const response = await fetch(`${tokens.accountsServer}/oauth/v2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token', client_id: wellKnown.webClient.clientId,
          client_secret: wellKnown.webClient.clientSecret, refresh_token: tokens.refreshToken,
        }).toString(),
      });
      const body = (await response.json()) as { access_token?: string };
      if (!body.access_token) throw new Error(`refresh failed: ${JSON.stringify(body)}`);
      tokens.accessToken = body.access_token;
    },
    close: () => running.close(),
  };
}
