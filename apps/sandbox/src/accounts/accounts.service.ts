import type { Express } from 'express';
import type { ConsoleAction, SandboxContext, SandboxService, SeedRequest } from '../core/sandbox.service.js';
import type { DataCentre, DataCentreKey, OAuthClient, ZohoUser } from '../core/sandbox.tenants.js';
import { AccountsInputError, OAuthError, OAuthErrorCode } from './accounts.errors.js';
import { createAccountsRouter } from './accounts.routes.js';
import { parseScopeList } from './accounts.scopes.js';
import { AccountsStore, type GrantOrgs } from './accounts.store.js';

/**
 * Zoho Accounts: OAuth consent, token endpoint, revoke, Self Clients — mounted once per data centre at
 * `${dc.prefix}/oauth/...`. Installs itself as `ctx.auth`, the access-token verifier Books and CRM use.
 */
export class AccountsService implements SandboxService {
  readonly name = 'accounts' as const;
  readonly title = 'Zoho Accounts (OAuth)';
  private ctx: SandboxContext | undefined;
  private storeInstance: AccountsStore | undefined;

  get store(): AccountsStore {
    if (!this.storeInstance) throw new Error('accounts service is not mounted yet');
    return this.storeInstance;
  }

  get context(): SandboxContext {
    if (!this.ctx) throw new Error('accounts service is not mounted yet');
    return this.ctx;
  }

  mount(app: Express, ctx: SandboxContext): void {
    this.ctx = ctx;
    this.storeInstance = new AccountsStore(ctx.clock, () => ctx.limits, ctx.tenants);
    ctx.auth = { verifyAccessToken: (token, dc) => this.store.verifyAccessToken(token, dc) };
    for (const dc of ctx.dataCentres) app.use(`${dc.prefix}/oauth`, createAccountsRouter(this, dc));
  }

  reset(): void {
    this.storeInstance?.reset();
  }

  seed(_request: SeedRequest, _ctx: SandboxContext): void {
    // Tenants (users, the well-known web client) come from seedTenants; no tokens exist after a seed.
  }

  snapshot(): unknown {
    return this.store.snapshot();
  }

  restore(data: unknown): void {
    this.store.restore(data);
  }

  inspect(): Record<string, unknown[]> {
    return this.store.inspect();
  }

  /** Console buttons: make a connected app hit token expiry or revocation on demand. */
  get consoleActions(): ConsoleAction[] {
    const userOptions = this.ctx ? this.users().map((u) => ({ value: u.email, label: `${u.email} (${u.dc})` })) : [];
    return [
      {
        key: 'expire-access-tokens',
        title: 'Expire access tokens now',
        fields: [{ name: 'userEmail', label: 'User (empty: everyone)', type: 'select', options: [{ value: '', label: '(everyone)' }, ...userOptions] }],
        run: (_ctx, values) => {
          const user = values.userEmail ? this.userByEmail(values.userEmail) : undefined;
          if (values.userEmail && !user) throw new AccountsInputError(`No sandbox user "${values.userEmail}".`);
          return { expired: this.store.expireAccessTokens({ userId: user?.id }) };
        },
      },
      {
        key: 'revoke-user-tokens',
        title: "Revoke a user's refresh tokens",
        fields: [{ name: 'userEmail', label: 'User', type: 'select', options: userOptions, required: true }],
        run: (_ctx, values) => ({ revoked: this.adminRevoke({ userEmail: values.userEmail }) }),
      },
      {
        key: 'create-self-client',
        title: 'Create a Self Client',
        fields: [{ name: 'userEmail', label: 'Owner', type: 'select', options: userOptions, required: true }],
        run: (_ctx, values) => {
          const client = this.createSelfClient(values.userEmail);
          return { clientId: client.clientId, clientSecret: client.clientSecret };
        },
      },
    ];
  }

  // ---- helpers shared by routes, pages and the admin API -------------------------------------------------------

  dataCentre(key: DataCentreKey): DataCentre {
    const dc = this.context.dataCentres.find((d) => d.key === key);
    if (!dc) throw new Error(`unknown data centre ${key}`);
    return dc;
  }

  /** `${baseUrl}${prefix}`: both the accounts server and the api_domain of a DC. */
  dcUrl(key: DataCentreKey): string {
    return `${this.context.baseUrl()}${this.dataCentre(key).prefix}`;
  }

  users(): ZohoUser[] {
    return [...this.context.tenants.zohoUsers.values()];
  }

  userByEmail(email: string | undefined): ZohoUser | undefined {
    if (!email) return undefined;
    return this.users().find((u) => u.email.toLowerCase() === email.toLowerCase());
  }

  /** Checks an org id belongs to the user in the user's DC and says which product it is. */
  resolveOrg(user: ZohoUser, orgId: string | undefined): GrantOrgs {
    if (!orgId) return {};
    const tenants = this.context.tenants;
    const books = tenants.booksOrgs.get(orgId);
    if (books && books.dc === user.dc && books.userIds.includes(user.id)) return { books: books.organization_id };
    const crm = tenants.crmOrgs.get(orgId);
    if (crm && crm.dc === user.dc && crm.userIds.includes(user.id)) return { crm: crm.id };
    throw new AccountsInputError(`Org "${orgId}" is not a Books or CRM org of ${user.email} in data centre ${user.dc}.`);
  }

  createSelfClient(userEmail: string | undefined): OAuthClient {
    const user = userEmail ? this.userByEmail(userEmail) : this.users()[0];
    if (!user) throw new AccountsInputError(`No sandbox user "${userEmail ?? ''}". Known: ${this.users().map((u) => u.email).join(', ')}`);
    return this.store.createSelfClient(user.id);
  }

  /** A server-based (web) client with exact redirect URIs, e.g. to test redirect_uri matching. */
  createWebClient(redirectUris: string[]): OAuthClient {
    for (const uri of redirectUris) {
      let parsed: URL;
      try {
        parsed = new URL(uri);
      } catch {
        throw new AccountsInputError(`Redirect URI "${uri}" is not an absolute URL.`);
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new AccountsInputError(`Redirect URI "${uri}" must be http(s).`);
    }
    if (redirectUris.length === 0) throw new AccountsInputError('Give at least one redirect URI.');
    return this.store.createWebClient(redirectUris);
  }

  /** "Generate Code" of a Self Client: a code for the client's user (or another user, admin only). */
  generateSelfClientCode(input: { clientId: string; scopes: string | string[]; ttlMinutes?: number; userEmail?: string; orgId?: string }): {
    code: string;
    dc: DataCentreKey;
    accountsServer: string;
    expiresInSeconds: number;
  } {
    const client = this.context.tenants.oauthClients.get(input.clientId);
    if (!client || client.kind !== 'self') throw new AccountsInputError(`"${input.clientId}" is not a Self Client.`);
    const user = input.userEmail ? this.userByEmail(input.userEmail) : this.users().find((u) => u.id === client.userId);
    if (!user) throw new AccountsInputError(`No sandbox user "${input.userEmail ?? client.userId ?? ''}".`);
    const scopeParam = Array.isArray(input.scopes) ? input.scopes.join(',') : input.scopes;
    const scopes = parseScopeList(scopeParam);
    if (!scopes.ok) throw new AccountsInputError(`Invalid scope "${scopes.invalid}": use Service.scope.OPERATION, e.g. ZohoBooks.fullaccess.all.`);
    if (input.ttlMinutes !== undefined && !(Number.isInteger(input.ttlMinutes) && input.ttlMinutes >= 1 && input.ttlMinutes <= 10)) {
      throw new AccountsInputError('ttlMinutes must be a whole number of minutes from 1 to 10 (the console offers 3, 5, 7, 10).');
    }
    const orgIds = this.resolveOrg(user, input.orgId);
    const ttlMs = input.ttlMinutes !== undefined ? input.ttlMinutes * 60_000 : undefined;
    const code = this.store.issueCode({
      kind: 'self', clientId: client.clientId, userId: user.id, dc: user.dc, scopes: scopes.scopes,
      accessType: 'offline', orgIds, ttlMs,
    });
    const expiresInSeconds = Math.round((ttlMs ?? this.context.limits.oauth.selfClientCodeTtlMs) / 1000);
    return { code, dc: user.dc, accountsServer: this.dcUrl(user.dc), expiresInSeconds };
  }

  /** Admin: revoke a refresh token, or all of a user's. */
  adminRevoke(input: { refreshToken?: string; userEmail?: string }): number {
    if (input.refreshToken) return this.store.revokeToken(input.refreshToken, { type: 'refresh_token' }) ? 1 : 0;
    const user = this.userByEmail(input.userEmail);
    if (!user) throw new AccountsInputError('Give refreshToken or the userEmail of a sandbox user.');
    return this.store.revokeUserTokens(user.id);
  }
}

export { AccountsInputError, OAuthError, OAuthErrorCode };
