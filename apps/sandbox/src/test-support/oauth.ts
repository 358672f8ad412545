/**
 * Test helper: gets Zoho tokens from a running sandbox through the real browser flow over HTTP — GET the consent
 * page, POST its form with "approve", read the redirect's Location (never fetched), exchange the code at the
 * accounts server the redirect names. Use it in Books/CRM/connector tests instead of minting tokens directly.
 */
import { wellKnown } from '../core/sandbox.tenants.js';

export interface ObtainZohoTokensOptions {
  /** sandbox user to sign in as; default: the first user listed for that DC (demo@braid.local / demo.eu@braid.local) */
  userEmail?: string;
  /** accounts server the flow starts at; default 'com' */
  dc?: 'com' | 'eu';
  scopes: string[];
  clientId?: string;
  clientSecret?: string;
  /** default http://127.0.0.1:9/oauth/callback (loopback URIs are accepted by the well-known web client) */
  redirectUri?: string;
  /** default offline, so a refresh token comes back */
  accessType?: 'online' | 'offline';
  /** org to pick on the consent page (Books organization_id or CRM org id); default the first one listed */
  booksOrgId?: string;
  crmOrgId?: string;
}

export interface ZohoTokens {
  accessToken: string;
  refreshToken: string;
  apiDomain: string;
  accountsServer: string;
  expiresIn: number;
  /** the redirect's `location` (us, eu) */
  location: string;
  scope: string;
}

const prefixOf = (dc: 'com' | 'eu') => (dc === 'eu' ? '/dc/eu' : '');

function unescapeHtml(value: string): string {
  return value
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Reads the consent form: action, hidden inputs and each select's selected (or first) option. */
export function readConsentForm(page: string): { action: string; fields: Record<string, string>; options: Record<string, string[]> } {
  const form = /<form[^>]*id="consent"[^>]*>([\s\S]*?)<\/form>/.exec(page);
  if (!form) throw new Error(`consent page has no consent form: ${page.slice(0, 300)}`);
  const action = unescapeHtml(/action="([^"]*)"/.exec(form[0])?.[1] ?? '');
  const fields: Record<string, string> = {};
  for (const m of form[1]!.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields[unescapeHtml(m[1]!)] = unescapeHtml(m[2]!);
  }
  const options: Record<string, string[]> = {};
  for (const m of form[1]!.matchAll(/<select[^>]*name="([^"]*)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const name = unescapeHtml(m[1]!);
    const values = [...m[2]!.matchAll(/<option value="([^"]*)"( selected)?/g)];
    options[name] = values.map((v) => unescapeHtml(v[1]!));
    const selected = values.find((v) => v[2]) ?? values[0];
    if (selected) fields[name] = unescapeHtml(selected[1]!);
  }
  return { action, fields, options };
}

export async function obtainZohoTokens(sandboxUrl: string, opts: ObtainZohoTokensOptions): Promise<ZohoTokens> {
  const dc = opts.dc ?? 'com';
  const clientId = opts.clientId ?? wellKnown.webClient.clientId;
  const clientSecret = opts.clientSecret ?? wellKnown.webClient.clientSecret;
  const redirectUri = opts.redirectUri ?? 'http://127.0.0.1:9/oauth/callback';
  const state = `st-${Math.random().toString(36).slice(2)}`;
  const authUrl = new URL(`${sandboxUrl}${prefixOf(dc)}/oauth/v2/auth`);
  authUrl.search = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: opts.scopes.join(','),
    access_type: opts.accessType ?? 'offline',
    prompt: 'consent',
    state,
  }).toString();
  if (opts.userEmail) authUrl.searchParams.set('sandbox_user', opts.userEmail);

  const consent = await fetch(authUrl);
  const page = await consent.text();
  if (consent.status !== 200) throw new Error(`consent page answered ${consent.status}: ${page.slice(0, 500)}`);
  const { action, fields, options } = readConsentForm(page);
  if (opts.userEmail && fields.user_email?.toLowerCase() !== opts.userEmail.toLowerCase()) {
    throw new Error(`user ${opts.userEmail} is not offered on the consent page (offered: ${options.user_email?.join(', ')})`);
  }
  if (opts.booksOrgId) fields.books_org = opts.booksOrgId;
  if (opts.crmOrgId) fields.crm_org = opts.crmOrgId;
  fields.decision = 'approve';

  const approved = await fetch(new URL(action, sandboxUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  const location = approved.headers.get('location');
  if (approved.status !== 302 || !location) {
    throw new Error(`consent form answered ${approved.status} without a redirect: ${(await approved.text()).slice(0, 500)}`);
  }
  const back = new URL(location);
  if (back.searchParams.get('state') !== state) throw new Error(`state did not round-trip: ${location}`);
  const code = back.searchParams.get('code');
  const accountsServer = back.searchParams.get('accounts-server');
  if (!code || !accountsServer) throw new Error(`redirect carries no code/accounts-server: ${location}`);

  const tokenResponse = await fetch(`${accountsServer}/oauth/v2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uri: redirectUri,
      code,
    }).toString(),
  });
  const body = (await tokenResponse.json()) as Record<string, unknown>;
  if (typeof body.access_token !== 'string') throw new Error(`token exchange failed: ${JSON.stringify(body)}`);
  return {
    accessToken: body.access_token,
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : '',
    apiDomain: String(body.api_domain),
    accountsServer,
    expiresIn: Number(body.expires_in),
    location: back.searchParams.get('location') ?? '',
    scope: String(body.scope ?? ''),
  };
}
