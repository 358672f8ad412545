import express, { type Request, type Response, Router } from 'express';
import type { DataCentre, OAuthClient, ZohoUser } from '../core/sandbox.tenants.js';
import { AccountsInputError, OAuthError, OAuthErrorCode } from './accounts.errors.js';
import { parseMultipartFields } from './accounts.multipart.js';
import { renderConsentPage, renderErrorPage, renderSelfClientPage } from './accounts.pages.js';
import { parseScopeList } from './accounts.scopes.js';
import type { AccountsService } from './accounts.service.js';
import type { IssuedTokens } from './accounts.store.js';

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const isLoopback = (uri: URL): boolean =>
  ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(uri.hostname) && (uri.protocol === 'http:' || uri.protocol === 'https:');

interface ValidAuthRequest {
  client: OAuthClient;
  redirectUri: string;
  scopes: string[];
  accessType: 'online' | 'offline';
  /** the request's own parameters, round-tripped through the consent form */
  request: Record<string, string>;
}

/** Validates `/oauth/v2/auth` parameters. Failures are shown as an error page, never redirected (the URI may be hostile). */
function validateAuthRequest(
  service: AccountsService,
  params: Record<string, unknown>,
): { ok: true; value: ValidAuthRequest } | { ok: false; title: string; message: string } {
  const clientId = str(params.client_id);
  const client = clientId ? service.context.tenants.oauthClients.get(clientId) : undefined;
  if (!client) return { ok: false, title: 'Invalid Client', message: `No client with client_id "${clientId ?? ''}" exists.` };
  if (client.kind !== 'web') {
    return { ok: false, title: 'Invalid Client', message: 'Self Clients cannot use the browser flow; generate a code on the Self Client page.' };
  }
  if (str(params.response_type) !== 'code') {
    return { ok: false, title: 'Invalid response_type', message: 'response_type must be "code".' };
  }
  const redirectUri = str(params.redirect_uri) ?? '';
  let parsed: URL | undefined;
  try {
    parsed = new URL(redirectUri);
  } catch {
    parsed = undefined;
  }
  const allowed =
    parsed !== undefined &&
    (client.redirectUris.includes(redirectUri) || (client.allowLoopbackRedirects && isLoopback(parsed)));
  if (!allowed) {
    return {
      ok: false,
      title: 'Invalid Redirect Uri',
      message: `redirect_uri "${redirectUri}" is not registered for this client${client.allowLoopbackRedirects ? ' (this client accepts any http://127.0.0.1 or http://localhost URI)' : ''}.`,
    };
  }
  const scopes = parseScopeList(str(params.scope));
  if (!scopes.ok) {
    return {
      ok: false,
      title: 'Invalid OAuth Scope',
      message: scopes.invalid
        ? `Scope "${scopes.invalid}" does not exist. Use Service.scope.OPERATION, e.g. ZohoBooks.fullaccess.all or ZohoCRM.modules.ALL.`
        : 'The scope parameter is missing.',
    };
  }
  const accessType = str(params.access_type) ?? 'online';
  if (accessType !== 'online' && accessType !== 'offline') {
    return { ok: false, title: 'Invalid access_type', message: 'access_type must be "online" or "offline".' };
  }
  const request: Record<string, string> = {
    client_id: client.clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: str(params.scope) ?? '',
    access_type: accessType,
  };
  for (const key of ['state', 'prompt']) {
    const value = str(params[key]);
    if (value !== undefined) request[key] = value;
  }
  return { ok: true, value: { client, redirectUri, scopes: scopes.scopes, accessType, request } };
}

function appName(client: OAuthClient): string {
  return client.allowLoopbackRedirects ? 'Braid (sandbox web client)' : `Client ${client.clientId}`;
}

function tokenResponse(service: AccountsService, issued: IssuedTokens): Record<string, unknown> {
  return {
    access_token: issued.accessToken,
    ...(issued.refreshToken ? { refresh_token: issued.refreshToken } : {}),
    scope: issued.scopes.join(' '),
    api_domain: service.dcUrl(issued.dc),
    token_type: 'Bearer',
    expires_in: issued.expiresInSeconds,
  };
}

/** Zoho reports grant errors with HTTP 200 and `{"error": code}`; the throttle has its own shape. */
function sendOAuthError(service: AccountsService, res: Response, error: OAuthError): void {
  if (error.code === OAuthErrorCode.TooManyRequests) {
    res.status(service.context.limits.oauth.throttleHttpStatus).json({
      error_description: 'You have made too many requests continuously. Please try again after some time.',
      error: 'Access Denied',
      status: 'failure',
    });
    return;
  }
  res.status(200).json({ error: error.code });
}

function tokenParams(req: Request): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.query)) out[k] = str(v);
  const contentType = req.headers['content-type'] ?? '';
  if (Buffer.isBuffer(req.body) && /multipart\/form-data/i.test(contentType)) {
    Object.assign(out, parseMultipartFields(req.body, contentType));
  } else if (req.body && typeof req.body === 'object' && !Buffer.isBuffer(req.body)) {
    for (const [k, v] of Object.entries(req.body as Record<string, unknown>)) if (str(v) !== undefined) out[k] = str(v);
  }
  return out;
}

function basicAuth(req: Request): { clientId?: string; clientSecret?: string } {
  const header = req.headers.authorization ?? '';
  const match = /^Basic\s+(.+)$/i.exec(header);
  if (!match) return {};
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return {};
  return { clientId: decodeURIComponent(decoded.slice(0, colon)), clientSecret: decodeURIComponent(decoded.slice(colon + 1)) };
}

/** One data centre's accounts server: `${dc.prefix}/oauth/...`. */
export function createAccountsRouter(service: AccountsService, dc: DataCentre): Router {
  const ctx = service.context;
  const router = Router();
  router.use(ctx.calls.middleware('accounts', () => ctx.clock.now()));
  router.use(
    ctx.faults.middleware('accounts', (status) =>
      status === 429
        ? { error_description: 'You have made too many requests continuously. Please try again after some time.', error: 'Access Denied', status: 'failure' }
        : { error: 'internal_error', status: 'failure' },
    ),
  );
  router.use(express.urlencoded({ extended: false, limit: '1mb' }));
  router.use(express.raw({ type: 'multipart/form-data', limit: '1mb' }));
  const basePath = dc.prefix;

  const usersForConsent = (): ZohoUser[] =>
    // users of this DC first: a connector starting here most likely signs in one of them
    [...service.users()].sort((a, b) => Number(b.dc === dc.key) - Number(a.dc === dc.key));

  const consentView = (valid: ValidAuthRequest, selectedEmail: string | undefined) => {
    const users = usersForConsent();
    const selectedUser = service.userByEmail(selectedEmail) ?? users[0];
    if (!selectedUser) return undefined;
    const wantsBooks = valid.scopes.some((s) => s.toLowerCase().startsWith('zohobooks.'));
    const wantsCrm = valid.scopes.some((s) => s.toLowerCase().startsWith('zohocrm.'));
    const tenants = ctx.tenants;
    return renderConsentPage({
      dc,
      formAction: `${basePath}/oauth/v2/auth`,
      appName: appName(valid.client),
      request: valid.request,
      scopes: valid.scopes,
      users,
      selectedUser,
      booksOrgs: wantsBooks
        ? tenants.booksOrgsForUser(selectedUser.id, selectedUser.dc).map((o) => ({ id: o.organization_id, name: o.name }))
        : undefined,
      crmOrgs: wantsCrm
        ? [...tenants.crmOrgs.values()]
            .filter((o) => o.userIds.includes(selectedUser.id) && o.dc === selectedUser.dc)
            .map((o) => ({ id: o.id, name: o.name }))
        : undefined,
    });
  };

  router.get('/v2/auth', (req, res) => {
    const valid = validateAuthRequest(service, req.query as Record<string, unknown>);
    if (!valid.ok) {
      res.status(400).type('html').send(renderErrorPage(valid.title, valid.message));
      return;
    }
    const page = consentView(valid.value, str(req.query.sandbox_user));
    if (!page) {
      res.status(400).type('html').send(renderErrorPage('No users', 'The sandbox has no Zoho users; reset it with a seed.'));
      return;
    }
    res.type('html').send(page);
  });

  router.post('/v2/auth', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const valid = validateAuthRequest(service, body);
    if (!valid.ok) {
      res.status(400).type('html').send(renderErrorPage(valid.title, valid.message));
      return;
    }
    const { redirectUri, request } = valid.value;
    const target = new URL(redirectUri);
    if (str(body.decision) !== 'approve') {
      target.searchParams.set('error', 'access_denied');
      if (request.state !== undefined) target.searchParams.set('state', request.state);
      res.redirect(302, target.toString());
      return;
    }
    const user = service.userByEmail(str(body.user_email));
    if (!user) {
      res.status(400).type('html').send(renderErrorPage('Unknown user', `No sandbox user "${str(body.user_email) ?? ''}".`));
      return;
    }
    let orgIds;
    try {
      orgIds = {
        ...service.resolveOrg(user, str(body.books_org) || undefined),
        ...service.resolveOrg(user, str(body.crm_org) || undefined),
      };
    } catch (error) {
      res.status(400).type('html').send(renderErrorPage('Invalid organization', (error as Error).message));
      return;
    }
    // The grant belongs to the user's data centre, which may differ from the one the flow started in.
    const code = service.store.issueCode({
      kind: 'web', clientId: valid.value.client.clientId, userId: user.id, dc: user.dc, scopes: valid.value.scopes,
      redirectUri, accessType: valid.value.accessType, promptConsent: request.prompt === 'consent', orgIds,
    });
    const userDc = service.dataCentre(user.dc);
    if (request.state !== undefined) target.searchParams.set('state', request.state);
    target.searchParams.set('code', code);
    target.searchParams.set('location', userDc.location);
    target.searchParams.set('accounts-server', service.dcUrl(user.dc));
    res.redirect(302, target.toString());
  });

  router.post('/v2/token', (req, res) => {
    const p = tokenParams(req);
    try {
      const client = service.store.authenticateClient(p.client_id, p.client_secret);
      let issued: IssuedTokens;
      switch (p.grant_type) {
        case 'authorization_code':
          issued = service.store.exchangeCode({ client, code: p.code, redirectUri: p.redirect_uri, dc: dc.key });
          break;
        case 'refresh_token':
          issued = service.store.refresh({ client, refreshToken: p.refresh_token, dc: dc.key });
          break;
        case 'client_credentials': {
          const scopes = parseScopeList(p.scope);
          if (!scopes.ok) throw new OAuthError(OAuthErrorCode.InvalidScope, `invalid scope "${scopes.invalid}"`);
          issued = service.store.clientCredentials({ client, scopes: scopes.scopes, soid: p.soid, dc: dc.key });
          break;
        }
        default:
          throw new OAuthError(OAuthErrorCode.UnsupportedGrantType, `grant_type "${p.grant_type ?? ''}" is not supported.`);
      }
      res.status(200).json(tokenResponse(service, issued));
    } catch (error) {
      if (error instanceof OAuthError) return sendOAuthError(service, res, error);
      throw error;
    }
  });

  // Older documented form: token (refresh or access) in the query, no client authentication.
  router.post('/v2/token/revoke', (req, res) => {
    const token = tokenParams(req).token;
    if (token && service.store.revokeToken(token)) {
      res.status(200).json({ status: 'success' });
      return;
    }
    res.status(400).json({ status: 'failure', error: 'invalid_token' });
  });

  // Newer documented form: Basic client authentication and an explicit token_type.
  router.post('/v2/revoke/token', (req, res) => {
    const p = tokenParams(req);
    const auth = basicAuth(req);
    try {
      service.store.authenticateClient(auth.clientId ?? p.client_id, auth.clientSecret ?? p.client_secret);
    } catch (error) {
      res.status(401).json({ status: 'failure', error: (error as OAuthError).code });
      return;
    }
    const type = p.token_type ?? 'refresh_token';
    if (type !== 'refresh_token' && type !== 'access_token') {
      res.status(400).json({ status: 'failure', error: 'invalid_token_type' });
      return;
    }
    if (p.token && service.store.revokeToken(p.token, { clientId: auth.clientId ?? p.client_id, type })) {
      res.status(200).json({ status: 'success' });
      return;
    }
    res.status(400).json({ status: 'failure', error: 'invalid_token' });
  });

  router.get('/serverinfo', (_req, res) => {
    res.json({
      result: 'success',
      locations: Object.fromEntries(ctx.dataCentres.map((d) => [d.location, service.dcUrl(d.key)])),
    });
  });

  // ---- Self Client (API console) --------------------------------------------------------------------------------

  const selfClientPage = (extra: { created?: { clientId: string; clientSecret: string }; code?: { value: string; ttlMinutes: number; scopes: string[] }; error?: string }) => {
    const users = service.users().filter((u) => u.dc === dc.key);
    const emailOf = (id: string | undefined) => service.users().find((u) => u.id === id)?.email ?? '';
    const clients = [...ctx.tenants.oauthClients.values()]
      .filter((c) => c.kind === 'self' && users.some((u) => u.id === c.userId))
      .map((c) => ({ ...c, userEmail: emailOf(c.userId) }));
    const orgs = [
      ...[...ctx.tenants.booksOrgs.values()].filter((o) => o.dc === dc.key).flatMap((o) =>
        o.userIds.map((uid) => ({ id: o.organization_id, name: o.name, service: 'ZohoBooks' as const, userEmail: emailOf(uid) })),
      ),
      ...[...ctx.tenants.crmOrgs.values()].filter((o) => o.dc === dc.key).flatMap((o) =>
        o.userIds.map((uid) => ({ id: o.id, name: o.name, service: 'ZohoCRM' as const, userEmail: emailOf(uid) })),
      ),
    ];
    return renderSelfClientPage({ dc, basePath, users, clients, orgs, ...extra });
  };

  router.get('/selfclient', (_req, res) => {
    res.type('html').send(selfClientPage({}));
  });

  router.post('/selfclient/clients', (req, res) => {
    try {
      const email = str((req.body as Record<string, unknown> | undefined)?.user_email);
      const user = service.userByEmail(email);
      if (!user || user.dc !== dc.key) throw new AccountsInputError(`No sandbox user "${email ?? ''}" in this data centre.`);
      const client = service.createSelfClient(user.email);
      res.type('html').send(selfClientPage({ created: { clientId: client.clientId, clientSecret: client.clientSecret } }));
    } catch (error) {
      if (!(error instanceof AccountsInputError)) throw error;
      res.status(400).type('html').send(selfClientPage({ error: error.message }));
    }
  });

  router.post('/selfclient/codes', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      const ttlMinutes = Number(str(body.ttl_minutes) ?? '3');
      const result = service.generateSelfClientCode({
        clientId: str(body.client_id) ?? '',
        scopes: str(body.scope) ?? '',
        ttlMinutes,
        orgId: str(body.org_id) || undefined,
      });
      const scopes = parseScopeList(str(body.scope));
      res.type('html').send(selfClientPage({ code: { value: result.code, ttlMinutes, scopes: scopes.ok ? scopes.scopes : [] } }));
    } catch (error) {
      if (!(error instanceof AccountsInputError)) throw error;
      res.status(400).type('html').send(selfClientPage({ error: error.message }));
    }
  });

  return router;
}
