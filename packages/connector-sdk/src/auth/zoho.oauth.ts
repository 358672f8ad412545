// Zoho OAuth 2.0 helpers for the runtime's connections feature (authorization code with multi-DC, self
// client, refresh, revoke). Zoho answers most grant errors with HTTP 200 and `{ "error": ... }`.
// Nothing here logs or puts tokens, codes or secrets into error messages.

export const OAuthErrorCode = {
  INVALID_CODE: 'INVALID_CODE',
  INVALID_CLIENT: 'INVALID_CLIENT',
  INVALID_CLIENT_SECRET: 'INVALID_CLIENT_SECRET',
  INVALID_REDIRECT_URI: 'INVALID_REDIRECT_URI',
  MISSING_ORG_INFO: 'MISSING_ORG_INFO',
  ACCESS_DENIED: 'ACCESS_DENIED',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  STATE_MISMATCH: 'STATE_MISMATCH',
  UNTRUSTED_ACCOUNTS_SERVER: 'UNTRUSTED_ACCOUNTS_SERVER',
  UNTRUSTED_API_DOMAIN: 'UNTRUSTED_API_DOMAIN',
  BAD_RESPONSE: 'BAD_RESPONSE',
  NETWORK: 'NETWORK',
  UNKNOWN: 'UNKNOWN',
} as const;
export type OAuthErrorCode = (typeof OAuthErrorCode)[keyof typeof OAuthErrorCode];

export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  readonly code: OAuthErrorCode;
  /** The raw `error` value Zoho returned (never a secret). */
  readonly providerError?: string;
  readonly retryable: boolean;
  constructor(code: OAuthErrorCode, message: string, options: { providerError?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.providerError !== undefined) this.providerError = options.providerError;
    this.retryable = code === 'TOO_MANY_REQUESTS' || code === 'NETWORK';
  }
}

export interface ZohoDataCenter {
  location: string;
  label: string;
  accountsServer: string;
  apiDomain: string;
}

/** apis.md A1. */
export const ZOHO_DATA_CENTERS: readonly ZohoDataCenter[] = [
  { location: 'us', label: 'United States', accountsServer: 'https://accounts.zoho.com', apiDomain: 'https://www.zohoapis.com' },
  { location: 'eu', label: 'Europe', accountsServer: 'https://accounts.zoho.eu', apiDomain: 'https://www.zohoapis.eu' },
  { location: 'in', label: 'India', accountsServer: 'https://accounts.zoho.in', apiDomain: 'https://www.zohoapis.in' },
  { location: 'au', label: 'Australia', accountsServer: 'https://accounts.zoho.com.au', apiDomain: 'https://www.zohoapis.com.au' },
  { location: 'jp', label: 'Japan', accountsServer: 'https://accounts.zoho.jp', apiDomain: 'https://www.zohoapis.jp' },
  { location: 'ca', label: 'Canada', accountsServer: 'https://accounts.zohocloud.ca', apiDomain: 'https://www.zohoapis.ca' },
  { location: 'cn', label: 'China', accountsServer: 'https://accounts.zoho.com.cn', apiDomain: 'https://www.zohoapis.com.cn' },
  { location: 'sa', label: 'Saudi Arabia', accountsServer: 'https://accounts.zoho.sa', apiDomain: 'https://www.zohoapis.sa' },
  { location: 'uk', label: 'United Kingdom', accountsServer: 'https://accounts.zoho.uk', apiDomain: 'https://www.zohoapis.uk' },
  { location: 'ae', label: 'United Arab Emirates', accountsServer: 'https://accounts.zoho.ae', apiDomain: 'https://www.zohoapis.ae' },
];

export const ZOHO_ACCOUNTS_SERVERS: readonly string[] = ZOHO_DATA_CENTERS.map((dc) => dc.accountsServer);

/**
 * The data centres of a Braid sandbox (CONTRACTS.md §3): "com" at the root, "eu" under `/dc/eu`. Add their
 * accounts servers to `allowedAccountsServers` when the runtime is configured with a sandbox.
 */
export function zohoSandboxDataCenters(sandboxUrl: string): ZohoDataCenter[] {
  const root = sandboxUrl.replace(/\/+$/, '');
  return [
    { location: 'us', label: 'Sandbox (US)', accountsServer: root, apiDomain: root },
    { location: 'eu', label: 'Sandbox (EU)', accountsServer: `${root}/dc/eu`, apiDomain: `${root}/dc/eu` },
  ];
}

export interface AccountsServerPolicy {
  /**
   * Accounts servers that may be used. Default: the Zoho data centres. Add custom ones (the sandbox:
   * `http://127.0.0.1:4010`, `http://127.0.0.1:4010/dc/eu`) explicitly.
   */
  allowedAccountsServers?: readonly string[];
}

function normaliseServer(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    if (url.search || url.hash || url.username || url.password) return undefined;
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return undefined;
  }
}

/** Returns the normalised accounts server, or throws UNTRUSTED_ACCOUNTS_SERVER when it is not in the list. */
export function assertAllowedAccountsServer(candidate: string, policy: AccountsServerPolicy = {}): string {
  const normalised = normaliseServer(candidate);
  const allowed = (policy.allowedAccountsServers ?? ZOHO_ACCOUNTS_SERVERS)
    .map(normaliseServer)
    .filter((v): v is string => v !== undefined);
  if (normalised === undefined || !allowed.includes(normalised)) {
    throw new OAuthError(
      'UNTRUSTED_ACCOUNTS_SERVER',
      `The Zoho accounts server "${candidate.slice(0, 200)}" is not one of the allowed data centres; ` +
        'add it to the allowed accounts servers if it is a legitimate (e.g. sandbox) server.',
    );
  }
  return normalised;
}

const ZOHO_API_HOST = /^(www|sandbox|developer)\.zohoapis\.(com|eu|in|com\.au|jp|ca|com\.cn|sa|uk|ae)$/;

/**
 * `api_domain` comes from the token response and decides where tokens go: for a Zoho data centre it must be a
 * `*.zohoapis.<tld>` https origin; for a custom (sandbox) accounts server it must share that server's origin.
 */
export function assertTrustedApiDomain(apiDomain: string, accountsServer: string): string {
  const fail = (): never => {
    throw new OAuthError('UNTRUSTED_API_DOMAIN', `Zoho returned an unexpected api_domain "${apiDomain.slice(0, 200)}".`);
  };
  let url: URL;
  try {
    url = new URL(apiDomain);
  } catch {
    return fail();
  }
  const accounts = new URL(accountsServer);
  const knownDc = ZOHO_ACCOUNTS_SERVERS.includes(`${accounts.origin}`);
  if (knownDc) {
    if (url.protocol !== 'https:' || !ZOHO_API_HOST.test(url.hostname)) fail();
  } else if (url.origin !== accounts.origin) {
    fail();
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export interface ZohoAuthorizeUrlInput {
  accountsServer: string;
  clientId: string;
  redirectUri: string;
  scopes: readonly string[];
  state: string;
}

/** The consent page URL (`access_type=offline` for a refresh token, `prompt=consent` to always get one). */
export function buildZohoAuthorizeUrl(input: ZohoAuthorizeUrlInput, policy: AccountsServerPolicy = {}): string {
  const server = assertAllowedAccountsServer(input.accountsServer, policy);
  const url = new URL(`${server}/oauth/v2/auth`);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', input.clientId);
  url.searchParams.set('redirect_uri', input.redirectUri);
  url.searchParams.set('scope', input.scopes.join(','));
  url.searchParams.set('access_type', 'offline');
  url.searchParams.set('prompt', 'consent');
  url.searchParams.set('state', input.state);
  return url.toString();
}

export interface ZohoAuthorizationRedirect {
  code: string;
  /** Where the token exchange and every later refresh must go (from `accounts-server`). */
  accountsServer: string;
  location?: string;
}

/**
 * Reads the redirect Zoho sent back: checks `state`, surfaces `error=access_denied`, and validates the
 * `accounts-server` parameter (falling back to `defaultAccountsServer` when absent).
 */
export function parseZohoAuthorizationRedirect(
  query: Record<string, string | string[] | undefined>,
  expected: { state: string; defaultAccountsServer: string },
  policy: AccountsServerPolicy = {},
): ZohoAuthorizationRedirect {
  const one = (name: string): string | undefined => {
    const value = query[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const error = one('error');
  if (error) {
    throw new OAuthError(
      error === 'access_denied' ? 'ACCESS_DENIED' : 'UNKNOWN',
      error === 'access_denied'
        ? 'The Zoho user declined access; start the connection again and accept the consent screen.'
        : `Zoho refused the authorization (${error.slice(0, 100)}).`,
      { providerError: error },
    );
  }
  if (one('state') !== expected.state) {
    throw new OAuthError('STATE_MISMATCH', 'The authorization response does not belong to this connection attempt; start again.');
  }
  const code = one('code');
  if (!code) throw new OAuthError('BAD_RESPONSE', 'The authorization response carries no code.');
  const accountsServer = assertAllowedAccountsServer(one('accounts-server') ?? expected.defaultAccountsServer, policy);
  const location = one('location');
  return { code, accountsServer, ...(location ? { location } : {}) };
}

export interface ZohoTokenSet {
  accessToken: string;
  refreshToken?: string;
  apiDomain: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  scope: string[];
  tokenType: string;
}

interface ClientCredentials extends AccountsServerPolicy {
  accountsServer: string;
  clientId: string;
  clientSecret: string;
  /** Default 15 s. */
  timeoutMs?: number;
  now?: () => number;
}

export interface ExchangeZohoCodeInput extends ClientCredentials {
  code: string;
  /** Omit for a Self Client code. */
  redirectUri?: string;
}

export interface RefreshZohoTokenInput extends ClientCredentials {
  refreshToken: string;
}

export interface ZohoClientCredentialsInput extends ClientCredentials {
  scopes: readonly string[];
  /** `{Service}.{orgId}`, e.g. `ZohoBooks.123456`. */
  soid: string;
}

const PROVIDER_ERRORS: Record<string, { code: OAuthErrorCode; message: string }> = {
  invalid_code: {
    code: 'INVALID_CODE',
    message: 'Zoho says the code or refresh token is invalid (expired, already used, or revoked). Reconnect.',
  },
  invalid_client: {
    code: 'INVALID_CLIENT',
    message: 'Zoho does not accept the client id (wrong id, or the client is not enabled for this data centre).',
  },
  invalid_client_secret: { code: 'INVALID_CLIENT_SECRET', message: 'Zoho rejected the client secret; check it in the API console.' },
  invalid_redirect_uri: {
    code: 'INVALID_REDIRECT_URI',
    message: 'The redirect URI does not exactly match one registered for this Zoho client.',
  },
  missing_org_info: { code: 'MISSING_ORG_INFO', message: 'Zoho needs the organisation (soid) for this grant.' },
  access_denied: { code: 'ACCESS_DENIED', message: 'Zoho denied access (too many grant codes for this client, or consent refused).' },
};

function toOAuthError(body: Record<string, unknown>): OAuthError {
  const raw = typeof body.error === 'string' ? body.error : 'unknown';
  const description = typeof body.error_description === 'string' ? body.error_description : undefined;
  if (raw === 'Access Denied' && description && /too many requests/i.test(description)) {
    return new OAuthError('TOO_MANY_REQUESTS', `Zoho is throttling token requests: ${description.slice(0, 200)}`, {
      providerError: raw,
    });
  }
  const known = PROVIDER_ERRORS[raw.toLowerCase()];
  if (known) return new OAuthError(known.code, known.message, { providerError: raw });
  return new OAuthError('UNKNOWN', `Zoho token request failed (${raw.slice(0, 100)}${description ? `: ${description.slice(0, 200)}` : ''}).`, {
    providerError: raw,
  });
}

async function postToAccounts(
  input: ClientCredentials,
  path: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> | undefined }> {
  const server = assertAllowedAccountsServer(input.accountsServer, input);
  let response: Response;
  try {
    response = await fetch(`${server}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
      body: new URLSearchParams(params).toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(input.timeoutMs ?? 15_000),
    });
  } catch (error) {
    throw new OAuthError('NETWORK', `Could not reach the Zoho accounts server ${new URL(server).host}.`, { cause: error });
  }
  const text = await response.text();
  let body: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    body = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, body };
}

async function requestToken(input: ClientCredentials, params: Record<string, string>): Promise<ZohoTokenSet> {
  const server = assertAllowedAccountsServer(input.accountsServer, input);
  const now = input.now ?? Date.now;
  const { status, body } = await postToAccounts(input, '/oauth/v2/token', {
    client_id: input.clientId,
    client_secret: input.clientSecret,
    ...params,
  });
  if (!body) {
    if (status === 429) throw new OAuthError('TOO_MANY_REQUESTS', 'Zoho is throttling token requests (HTTP 429).');
    throw new OAuthError('BAD_RESPONSE', `The Zoho accounts server answered HTTP ${status} without a JSON body.`);
  }
  // Success is decided by the presence of access_token, whatever the HTTP status.
  if (typeof body.access_token !== 'string' || body.access_token === '') throw toOAuthError(body);
  const apiDomain = assertTrustedApiDomain(typeof body.api_domain === 'string' ? body.api_domain : '', server);
  // Older responses: `expires_in_sec` in seconds while `expires_in` was milliseconds.
  let expiresInSec = 3600;
  if (typeof body.expires_in_sec === 'number') expiresInSec = body.expires_in_sec;
  else if (typeof body.expires_in === 'number') expiresInSec = body.expires_in > 86_400 ? body.expires_in / 1000 : body.expires_in;
  const scope = typeof body.scope === 'string' ? body.scope.split(/[\s,]+/).filter(Boolean) : [];
  return {
    accessToken: body.access_token,
    ...(typeof body.refresh_token === 'string' && body.refresh_token ? { refreshToken: body.refresh_token } : {}),
    apiDomain,
    expiresAt: now() + Math.round(expiresInSec * 1000),
    scope,
    tokenType: typeof body.token_type === 'string' ? body.token_type : 'Bearer',
  };
}

/** Exchanges an authorization (or Self Client) code for tokens at the accounts server of the redirect. */
export function exchangeZohoCode(input: ExchangeZohoCodeInput): Promise<ZohoTokenSet> {
  return requestToken(input, {
    grant_type: 'authorization_code',
    code: input.code,
    ...(input.redirectUri ? { redirect_uri: input.redirectUri } : {}),
  });
}

/** Self Client "Generate Code" exchange (no redirect URI). */
export function exchangeZohoSelfClientCode(input: Omit<ExchangeZohoCodeInput, 'redirectUri'>): Promise<ZohoTokenSet> {
  return exchangeZohoCode(input);
}

/** New access token from a refresh token (no new refresh token is returned). */
export function refreshZohoAccessToken(input: RefreshZohoTokenInput): Promise<ZohoTokenSet> {
  return requestToken(input, { grant_type: 'refresh_token', refresh_token: input.refreshToken });
}

/** Self Client client-credentials grant (access token only, for one organisation). */
export function requestZohoClientCredentialsToken(input: ZohoClientCredentialsInput): Promise<ZohoTokenSet> {
  return requestToken(input, { grant_type: 'client_credentials', scope: input.scopes.join(','), soid: input.soid });
}

/**
 * Revokes a refresh token (and the access tokens minted from it). Returns false when Zoho says the token was
 * already invalid, so disconnecting never gets stuck.
 */
export async function revokeZohoToken(
  input: AccountsServerPolicy & { accountsServer: string; token: string; timeoutMs?: number },
): Promise<{ revoked: boolean }> {
  const server = assertAllowedAccountsServer(input.accountsServer, input);
  let response: Response;
  try {
    const url = new URL(`${server}/oauth/v2/token/revoke`);
    url.searchParams.set('token', input.token);
    response = await fetch(url, {
      method: 'POST',
      headers: { accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(input.timeoutMs ?? 15_000),
    });
  } catch (error) {
    throw new OAuthError('NETWORK', `Could not reach the Zoho accounts server ${new URL(server).host}.`, { cause: error });
  }
  const text = await response.text();
  let body: Record<string, unknown> | undefined;
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    body = undefined;
  }
  if (response.ok && body?.status === 'success') return { revoked: true };
  if (response.status === 400 || (body && typeof body.error === 'string')) return { revoked: false };
  throw new OAuthError('BAD_RESPONSE', `Revoking the Zoho token failed (HTTP ${response.status}).`);
}

/** True when the access token should be refreshed before use (default: less than 60 s left). */
export function isAccessTokenExpiring(expiresAt: number, now: number = Date.now(), skewMs = 60_000): boolean {
  return expiresAt - skewMs <= now;
}
