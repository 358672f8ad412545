import { createHash, randomBytes } from 'node:crypto';
import type { AccessTokenCheck } from '../core/sandbox.service.js';
import type { SandboxClock } from '../core/sandbox.clock.js';
import type { SandboxLimits } from '../core/sandbox.config.js';
import type { DataCentreKey, OAuthClient, TenantRegistry } from '../core/sandbox.tenants.js';
import { OAuthError, OAuthErrorCode } from './accounts.errors.js';

export interface GrantOrgs {
  books?: string;
  crm?: string;
}

/** A grant (authorization) code. Stored by hash only: the sandbox never keeps token material it could leak. */
export interface GrantCodeRecord {
  hash: string;
  kind: 'web' | 'self';
  clientId: string;
  userId: string;
  dc: DataCentreKey;
  scopes: string[];
  redirectUri?: string;
  accessType: 'online' | 'offline';
  /** `prompt=consent` was sent: only then does a re-authorization get a new refresh token */
  promptConsent?: boolean;
  orgIds: GrantOrgs;
  createdAt: number;
  expiresAt: number;
  usedAt?: number;
}

export interface RefreshTokenRecord {
  id: string;
  hash: string;
  clientId: string;
  userId: string;
  dc: DataCentreKey;
  scopes: string[];
  orgIds: GrantOrgs;
  createdAt: number;
  revokedAt?: number;
  /** when access tokens were requested with it (for the per-window throttle) */
  refreshTimes: number[];
}

export interface AccessTokenRecord {
  id: string;
  hash: string;
  clientId: string;
  userId: string;
  dc: DataCentreKey;
  scopes: string[];
  orgIds: GrantOrgs;
  refreshTokenId?: string;
  issuedAt: number;
  expiresAt: number;
  /** why it stopped working before expiry */
  invalidated?: 'revoked' | 'superseded';
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken?: string;
  scopes: string[];
  dc: DataCentreKey;
  expiresInSeconds: number;
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Zoho-looking opaque token: "1000." + two hex groups. */
const newTokenValue = (): string => `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;

/**
 * Zoho Accounts' state and rules: grant codes, refresh and access tokens, token limits (apis.md A2–A6).
 * All time comes from the sandbox clock; all limits from `limits.oauth` (read on every call, so
 * PATCH /_admin/limits takes effect at once).
 */
export class AccountsStore {
  private codes = new Map<string, GrantCodeRecord>();
  private refreshTokens = new Map<string, RefreshTokenRecord>();
  private accessTokens = new Map<string, AccessTokenRecord>();
  private seq = 0;

  constructor(
    private readonly clock: SandboxClock,
    private readonly limits: () => SandboxLimits,
    private readonly tenants: TenantRegistry,
  ) {}

  reset(): void {
    this.codes.clear();
    this.refreshTokens.clear();
    this.accessTokens.clear();
    this.seq = 0;
  }

  private nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}-${this.seq}`;
  }

  // ---- clients -------------------------------------------------------------------------------------------------

  /** Checks client id and secret the way the token endpoint does. */
  authenticateClient(clientId: string | undefined, clientSecret: string | undefined): OAuthClient {
    const client = clientId ? this.tenants.oauthClients.get(clientId) : undefined;
    if (!client) throw new OAuthError(OAuthErrorCode.InvalidClient, `Unknown client_id "${clientId ?? ''}".`);
    if (!clientSecret || clientSecret !== client.clientSecret) {
      throw new OAuthError(OAuthErrorCode.InvalidClientSecret, `Wrong client_secret for client ${client.clientId}.`);
    }
    return client;
  }

  createWebClient(redirectUris: string[]): OAuthClient {
    const client: OAuthClient = {
      clientId: `1000.${randomBytes(15).toString('hex').toUpperCase()}`,
      clientSecret: randomBytes(21).toString('hex'),
      kind: 'web',
      redirectUris,
      allowLoopbackRedirects: false,
    };
    this.tenants.oauthClients.set(client.clientId, client);
    return client;
  }

  createSelfClient(userId: string): OAuthClient {
    const client: OAuthClient = {
      clientId: `1000.${randomBytes(15).toString('hex').toUpperCase()}`,
      clientSecret: randomBytes(21).toString('hex'),
      kind: 'self',
      redirectUris: [],
      allowLoopbackRedirects: false,
      userId,
    };
    this.tenants.oauthClients.set(client.clientId, client);
    return client;
  }

  // ---- grant codes ---------------------------------------------------------------------------------------------

  issueCode(input: Omit<GrantCodeRecord, 'hash' | 'createdAt' | 'expiresAt' | 'usedAt'> & { ttlMs?: number }): string {
    const code = newTokenValue();
    const now = this.clock.now();
    const limits = this.limits().oauth;
    const ttlMs = input.ttlMs ?? (input.kind === 'web' ? limits.webCodeTtlMs : limits.selfClientCodeTtlMs);
    const { ttlMs: _ttl, ...rest } = input;
    this.codes.set(hashToken(code), { ...rest, hash: hashToken(code), createdAt: now, expiresAt: now + ttlMs });
    this.pruneCodes(now);
    return code;
  }

  private pruneCodes(now: number): void {
    for (const [hash, code] of this.codes) if (code.expiresAt + 3600_000 < now) this.codes.delete(hash);
  }

  /** grant_type=authorization_code, at the accounts server of `dc`. */
  exchangeCode(params: { client: OAuthClient; code: string | undefined; redirectUri: string | undefined; dc: DataCentreKey }): IssuedTokens {
    const now = this.clock.now();
    const record = params.code ? this.codes.get(hashToken(params.code)) : undefined;
    // Zoho answers invalid_code for unknown, expired, reused, other-client and other-DC codes alike.
    if (!record || record.dc !== params.dc || record.clientId !== params.client.clientId) {
      throw new OAuthError(OAuthErrorCode.InvalidCode, 'The code is unknown here (other client or data centre?).');
    }
    if (record.usedAt !== undefined) throw new OAuthError(OAuthErrorCode.InvalidCode, 'The code was already used.');
    if (now >= record.expiresAt) throw new OAuthError(OAuthErrorCode.InvalidCode, 'The code has expired.');
    if (record.kind === 'web' && params.redirectUri !== record.redirectUri) {
      throw new OAuthError(OAuthErrorCode.InvalidRedirectUri, 'redirect_uri differs from the one used to get the code.');
    }
    record.usedAt = now;
    let refresh: { record: RefreshTokenRecord; token: string } | undefined;
    // Zoho issues a refresh token on the first offline authorization of a user+client; later ones get a new
    // one only with prompt=consent (apis.md A2). Self Client codes always get one.
    const hasRefreshToken = [...this.refreshTokens.values()].some(
      (r) => r.userId === record.userId && r.clientId === record.clientId && r.revokedAt === undefined,
    );
    if (record.accessType === 'offline' && (record.kind === 'self' || record.promptConsent || !hasRefreshToken)) {
      refresh = this.issueRefreshToken(record);
    }
    const access = this.issueAccessToken({ ...record, refreshTokenId: refresh?.record.id });
    return {
      accessToken: access,
      refreshToken: refresh?.token,
      scopes: record.scopes,
      dc: record.dc,
      expiresInSeconds: this.limits().oauth.accessTokenTtlSeconds,
    };
  }

  private issueRefreshToken(from: GrantCodeRecord): { record: RefreshTokenRecord; token: string } {
    const token = newTokenValue();
    const record: RefreshTokenRecord = {
      id: this.nextId('rt'),
      hash: hashToken(token),
      clientId: from.clientId,
      userId: from.userId,
      dc: from.dc,
      scopes: from.scopes,
      orgIds: from.orgIds,
      createdAt: this.clock.now(),
      refreshTimes: [],
    };
    this.refreshTokens.set(record.hash, record);
    // The 21st refresh token of a user+client silently deletes the oldest (apis.md A5).
    const live = [...this.refreshTokens.values()]
      .filter((r) => r.userId === record.userId && r.clientId === record.clientId && r.revokedAt === undefined)
      .sort((a, b) => a.createdAt - b.createdAt || Number(a.id.slice(3)) - Number(b.id.slice(3)));
    const excess = live.length - this.limits().oauth.refreshTokensPerUserClient;
    for (const old of live.slice(0, Math.max(0, excess))) this.deleteRefreshToken(old);
    return { record, token };
  }

  private deleteRefreshToken(record: RefreshTokenRecord): void {
    this.refreshTokens.delete(record.hash);
    for (const access of this.accessTokens.values()) {
      if (access.refreshTokenId === record.id && !access.invalidated) access.invalidated = 'revoked';
    }
  }

  private issueAccessToken(from: {
    clientId: string;
    userId: string;
    dc: DataCentreKey;
    scopes: string[];
    orgIds: GrantOrgs;
    refreshTokenId?: string;
  }): string {
    const token = newTokenValue();
    const now = this.clock.now();
    const record: AccessTokenRecord = {
      id: this.nextId('at'),
      hash: hashToken(token),
      clientId: from.clientId,
      userId: from.userId,
      dc: from.dc,
      scopes: from.scopes,
      orgIds: from.orgIds,
      refreshTokenId: from.refreshTokenId,
      issuedAt: now,
      expiresAt: now + this.limits().oauth.accessTokenTtlSeconds * 1000,
    };
    this.accessTokens.set(record.hash, record);
    this.pruneAccessTokens(now);
    if (from.refreshTokenId) {
      // Beyond the active-token limit per refresh token the oldest stops working (apis.md A5).
      const active = [...this.accessTokens.values()]
        .filter((a) => a.refreshTokenId === from.refreshTokenId && !a.invalidated && a.expiresAt > now)
        .sort((a, b) => a.issuedAt - b.issuedAt || Number(a.id.slice(3)) - Number(b.id.slice(3)));
      const excess = active.length - this.limits().oauth.activeAccessTokensPerRefreshToken;
      for (const old of active.slice(0, Math.max(0, excess))) old.invalidated = 'superseded';
    }
    return token;
  }

  private pruneAccessTokens(now: number): void {
    // Keep expired tokens for a day so verification can say "expired" rather than "invalid".
    for (const [hash, a] of this.accessTokens) if (a.expiresAt + 24 * 3600_000 < now) this.accessTokens.delete(hash);
  }

  /** grant_type=refresh_token, at the accounts server of `dc`. */
  refresh(params: { client: OAuthClient; refreshToken: string | undefined; dc: DataCentreKey }): IssuedTokens {
    const record = params.refreshToken ? this.refreshTokens.get(hashToken(params.refreshToken)) : undefined;
    if (!record || record.revokedAt !== undefined || record.dc !== params.dc || record.clientId !== params.client.clientId) {
      throw new OAuthError(OAuthErrorCode.InvalidCode, 'The refresh token is unknown, revoked, or from another client or data centre.');
    }
    const now = this.clock.now();
    const { refreshesPerWindow, refreshWindowMs } = this.limits().oauth;
    record.refreshTimes = record.refreshTimes.filter((t) => t > now - refreshWindowMs);
    if (record.refreshTimes.length >= refreshesPerWindow) {
      throw new OAuthError(
        OAuthErrorCode.TooManyRequests,
        'You have made too many requests continuously. Please try again after some time.',
      );
    }
    record.refreshTimes.push(now);
    const accessToken = this.issueAccessToken({ ...record, refreshTokenId: record.id });
    return { accessToken, scopes: record.scopes, dc: record.dc, expiresInSeconds: this.limits().oauth.accessTokenTtlSeconds };
  }

  /** grant_type=client_credentials (self clients only): an access token for the org named by `soid`. */
  clientCredentials(params: { client: OAuthClient; scopes: string[]; soid: string | undefined; dc: DataCentreKey }): IssuedTokens {
    if (params.client.kind !== 'self' || !params.client.userId) {
      throw new OAuthError(OAuthErrorCode.InvalidClient, 'client_credentials is only available to Self Clients.');
    }
    if (!params.soid) throw new OAuthError(OAuthErrorCode.MissingOrgInfo, 'soid (e.g. ZohoBooks.123456) is required.');
    const match = /^(ZohoBooks|ZohoCRM)\.(\d+)$/i.exec(params.soid);
    const orgIds: GrantOrgs = {};
    const userId = params.client.userId;
    if (match && match[1]!.toLowerCase() === 'zohobooks') {
      const org = this.tenants.booksOrgs.get(match[2]!);
      if (org && org.dc === params.dc && org.userIds.includes(userId)) orgIds.books = org.organization_id;
    } else if (match) {
      const org = this.tenants.crmOrgs.get(match[2]!);
      if (org && org.dc === params.dc && org.userIds.includes(userId)) orgIds.crm = org.id;
    }
    if (!orgIds.books && !orgIds.crm) {
      throw new OAuthError(OAuthErrorCode.MissingOrgInfo, `soid "${params.soid}" names no org of this client's user in this data centre.`);
    }
    const accessToken = this.issueAccessToken({ clientId: params.client.clientId, userId, dc: params.dc, scopes: params.scopes, orgIds });
    return { accessToken, scopes: params.scopes, dc: params.dc, expiresInSeconds: this.limits().oauth.accessTokenTtlSeconds };
  }

  // ---- revoke, expire, verify ----------------------------------------------------------------------------------

  /** Revokes a refresh token (and every access token minted from it) or a single access token. */
  revokeToken(token: string, opts: { clientId?: string; type?: 'refresh_token' | 'access_token' } = {}): boolean {
    const hash = hashToken(token);
    const refresh = opts.type === 'access_token' ? undefined : this.refreshTokens.get(hash);
    if (refresh && (!opts.clientId || refresh.clientId === opts.clientId)) {
      refresh.revokedAt = this.clock.now();
      this.deleteRefreshToken(refresh);
      return true;
    }
    const access = opts.type === 'refresh_token' ? undefined : this.accessTokens.get(hash);
    if (access && !access.invalidated && (!opts.clientId || access.clientId === opts.clientId)) {
      access.invalidated = 'revoked';
      return true;
    }
    return false;
  }

  /** Admin: revoke every refresh token of a user; returns how many. */
  revokeUserTokens(userId: string): number {
    let count = 0;
    for (const r of [...this.refreshTokens.values()]) {
      if (r.userId === userId) {
        this.deleteRefreshToken(r);
        count += 1;
      }
    }
    for (const a of this.accessTokens.values()) {
      if (a.userId === userId && !a.invalidated) a.invalidated = 'revoked';
    }
    return count;
  }

  /** Admin: make access tokens expire now (all, or a user's); returns how many were still valid. */
  expireAccessTokens(filter: { userId?: string } = {}): number {
    const now = this.clock.now();
    let count = 0;
    for (const a of this.accessTokens.values()) {
      if (filter.userId && a.userId !== filter.userId) continue;
      if (!a.invalidated && a.expiresAt > now) {
        a.expiresAt = now;
        count += 1;
      }
    }
    return count;
  }

  verifyAccessToken(token: string, dc: DataCentreKey): AccessTokenCheck {
    if (!token) return { ok: false, reason: 'missing' };
    const record = this.accessTokens.get(hashToken(token));
    if (!record || record.invalidated) return { ok: false, reason: 'invalid' };
    if (record.dc !== dc) return { ok: false, reason: 'wrong-dc' };
    if (this.clock.now() >= record.expiresAt) return { ok: false, reason: 'expired' };
    return { ok: true, userId: record.userId, clientId: record.clientId, scopes: [...record.scopes], orgIds: { ...record.orgIds } };
  }

  // ---- persistence and inspection ------------------------------------------------------------------------------

  snapshot(): unknown {
    return {
      seq: this.seq,
      codes: [...this.codes.values()],
      refreshTokens: [...this.refreshTokens.values()],
      accessTokens: [...this.accessTokens.values()],
    };
  }

  restore(data: unknown): void {
    const d = data as { seq?: number; codes?: GrantCodeRecord[]; refreshTokens?: RefreshTokenRecord[]; accessTokens?: AccessTokenRecord[] };
    this.reset();
    this.seq = d.seq ?? 0;
    for (const c of d.codes ?? []) this.codes.set(c.hash, c);
    for (const r of d.refreshTokens ?? []) this.refreshTokens.set(r.hash, r);
    for (const a of d.accessTokens ?? []) this.accessTokens.set(a.hash, a);
  }

  /** For the console: token metadata without hashes. */
  inspect(): Record<string, unknown[]> {
    const now = this.clock.now();
    const user = (id: string) => this.tenants.zohoUsers.get(id)?.email ?? id;
    return {
      clients: [...this.tenants.oauthClients.values()].map((c) => ({
        clientId: c.clientId,
        kind: c.kind,
        user: c.userId ? user(c.userId) : '',
        redirectUris: c.redirectUris.join(' '),
        loopbackRedirects: c.allowLoopbackRedirects,
      })),
      refreshTokens: [...this.refreshTokens.values()].map((r) => ({
        id: r.id, user: user(r.userId), clientId: r.clientId, dc: r.dc, scopes: r.scopes.join(' '),
        createdAt: new Date(r.createdAt).toISOString(), refreshesInWindow: r.refreshTimes.length,
      })),
      accessTokens: [...this.accessTokens.values()].map((a) => ({
        id: a.id, user: user(a.userId), clientId: a.clientId, dc: a.dc, refreshTokenId: a.refreshTokenId ?? '',
        state: a.invalidated ?? (a.expiresAt > now ? 'active' : 'expired'),
        expiresAt: new Date(a.expiresAt).toISOString(),
      })),
      codes: [...this.codes.values()].map((c) => ({
        kind: c.kind, user: user(c.userId), clientId: c.clientId, dc: c.dc, scopes: c.scopes.join(' '),
        state: c.usedAt !== undefined ? 'used' : c.expiresAt > now ? 'valid' : 'expired',
      })),
    };
  }
}
