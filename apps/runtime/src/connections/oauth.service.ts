import { createHmac, timingSafeEqual } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { buildZohoAuthorizeUrl, exchangeZohoCode, OAuthError, parseZohoAuthorizationRedirect, revokeZohoToken, type ZohoTokenSet } from '@braid/connector-sdk';
import { DataSource } from 'typeorm';
import { ConnectorsService } from '../connectors/connectors.service.js';
import { roleAtLeast, WorkspacesService } from '../workspaces/workspaces.service.js';
import { VaultService } from '../vault/vault.service.js';
import { ConnectionEntity, type ConnectionTarget, OAuthStateEntity, type OAuthSecrets } from './connection.entity.js';
import { ConnectionsError, ConnectionsErrorCode } from './connections.errors.js';
import { ConnectionsService } from './connections.service.js';
import { ConnectionTargets } from './connections.targets.js';
import { refreshMomentOf } from './connections.tokens.js';

/** How long an authorisation attempt may take (consent page → callback). */
export const OAUTH_STATE_TTL_MS = 10 * 60_000;

export interface StartOAuthInput {
  connectorKey: string;
  name: string;
  dataCentre: string;
  target: ConnectionTarget;
}

function stateInvalid(message: string): ConnectionsError {
  return new ConnectionsError(ConnectionsErrorCode.OAUTH_STATE_INVALID, message);
}

/**
 * Zoho authorization-code flow. `state` = `<nonce id>.<HMAC>`: the HMAC (key derived from the vault key) refuses
 * forged or altered states before the database is asked; the nonce row binds the attempt to the user, workspace,
 * connector, data centre and target, expires after 10 minutes and is consumed on first use.
 */
@Injectable()
export class OAuthFlowService {
  private readonly logger = new Logger('OAuth');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly connections: ConnectionsService,
    private readonly targets: ConnectionTargets,
    private readonly vault: VaultService,
    private readonly workspaces: WorkspacesService,
    private readonly connectors: ConnectorsService,
  ) {}

  private sign(stateId: string): string {
    return createHmac('sha256', this.vault.deriveKey('oauth-state')).update(stateId).digest('base64url');
  }

  /** The consent page URL for a new connection, or (with `connectionId`) for reconnecting one in place. */
  async start(
    workspaceId: string,
    userId: string,
    input: StartOAuthInput,
    options: { connectionId?: string; requestOrigin?: string } = {},
  ): Promise<{ authorizeUrl: string; expiresAt: string }> {
    const connectionId = options.connectionId;
    const connector = this.connectors.definition(input.connectorKey);
    if (connector.auth.kind !== 'oauth2') {
      throw new ConnectionsError(
        ConnectionsErrorCode.WRONG_AUTH_KIND,
        `${connector.title} does not connect with OAuth (${connector.auth.kind}); create the connection with POST /api/v1/workspaces/:workspaceId/connections.`,
      );
    }
    const dc = this.targets.zohoDataCentre(input.target, input.dataCentre);
    const client = await this.targets.zohoWebClient(input.target, dc.location);
    const redirectUri = this.targets.redirectUri(options.requestOrigin);
    const expiresAt = new Date(Date.now() + OAUTH_STATE_TTL_MS);
    const stateRow = this.dataSource.getRepository(OAuthStateEntity).create({
      id: randomUUID(),
      workspaceId,
      userId,
      connectorKey: connector.key,
      connectionId: connectionId ?? null,
      name: input.name.trim(),
      dataCentre: dc.location,
      target: input.target,
      accountsServer: dc.accountsServer,
      redirectUri,
      expiresAt,
      usedAt: null,
    });
    await this.dataSource.getRepository(OAuthStateEntity).insert(stateRow);
    const authorizeUrl = buildZohoAuthorizeUrl(
      { accountsServer: dc.accountsServer, clientId: client.clientId, redirectUri, scopes: connector.auth.scopes, state: `${stateRow.id}.${this.sign(stateRow.id)}` },
      { allowedAccountsServers: this.targets.allowedAccountsServers(input.target) },
    );
    return { authorizeUrl, expiresAt: expiresAt.toISOString() };
  }

  /** Consumes the state: valid signature, known, unused, unexpired, same user, still an editor there. */
  private async consumeState(state: string | undefined, sessionUserId: string | undefined): Promise<OAuthStateEntity> {
    const [id, signature, extra] = (state ?? '').split('.');
    if (!id || !signature || extra !== undefined || !/^[0-9a-f-]{36}$/.test(id)) {
      throw stateInvalid('The authorisation response carries no valid state. Start connecting again from Braid.');
    }
    const expected = Buffer.from(this.sign(id));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw stateInvalid('The authorisation response\'s state was altered or not issued by this Braid. Start connecting again from Braid.');
    }
    const row = await this.dataSource.getRepository(OAuthStateEntity).findOneBy({ id });
    if (!row) throw stateInvalid('This authorisation attempt is unknown. Start connecting again from Braid.');
    if (row.usedAt) throw stateInvalid('This authorisation response was already used. Start connecting again from Braid.');
    if (row.expiresAt.getTime() <= Date.now()) throw stateInvalid('This authorisation attempt expired (10 minutes). Start connecting again from Braid.');
    // Checked before consuming: someone else opening the link must not burn the user's attempt.
    if (!sessionUserId || sessionUserId !== row.userId) {
      throw stateInvalid('This authorisation was started by another user or in another browser. Sign in to Braid as that user, or start connecting again.');
    }
    const access = await this.workspaces.accessFor(row.userId, row.workspaceId);
    if (!access || !roleAtLeast(access.role, 'editor')) {
      throw stateInvalid('You can no longer edit connections of that workspace.');
    }
    const consumed: Array<Record<string, unknown>> = await this.dataSource.query(
      // A CTE so the driver answers plain rows (a bare UPDATE … RETURNING gives [rows, count]).
      `WITH consumed AS (UPDATE oauth_states SET used_at = now() WHERE id = $1 AND used_at IS NULL RETURNING id) SELECT id FROM consumed`,
      [id],
    );
    if (consumed.length === 0) throw stateInvalid('This authorisation response was already used. Start connecting again from Braid.');
    return row;
  }

  /** Handles Zoho's redirect; returns the connection created or reconnected. */
  async complete(query: Record<string, string | string[] | undefined>, sessionUserId: string | undefined): Promise<{ connectionId: string; workspaceId: string }> {
    const one = (name: string) => (Array.isArray(query[name]) ? (query[name] as string[])[0] : (query[name] as string | undefined));
    const state = await this.consumeState(one('state'), sessionUserId);
    const allowed = { allowedAccountsServers: this.targets.allowedAccountsServers(state.target) };
    let tokens: ZohoTokenSet;
    let accountsServer: string;
    let location: string;
    try {
      const redirect = parseZohoAuthorizationRedirect(query, { state: one('state') as string, defaultAccountsServer: state.accountsServer }, allowed);
      accountsServer = redirect.accountsServer;
      location = redirect.location ?? this.targets.zohoDataCentres(state.target).find((dc) => dc.accountsServer === accountsServer)?.location ?? state.dataCentre;
      const client = await this.targets.zohoWebClient(state.target, location);
      tokens = await exchangeZohoCode({ ...allowed, accountsServer, clientId: client.clientId, clientSecret: client.clientSecret, code: redirect.code, redirectUri: state.redirectUri });
    } catch (error) {
      if (error instanceof OAuthError && error.code === 'UNTRUSTED_ACCOUNTS_SERVER') {
        throw new ConnectionsError(ConnectionsErrorCode.OAUTH_STATE_INVALID, `${error.message} Braid refused to send the code there.`);
      }
      throw this.connections.exchangeError(error, 'oauth');
    }
    if (!tokens.refreshToken) {
      throw new ConnectionsError(ConnectionsErrorCode.PROVIDER_FAILED, 'Zoho returned no refresh token (offline access was not granted). Start connecting again and accept the consent screen.');
    }
    const secrets: OAuthSecrets = {
      refreshToken: tokens.refreshToken,
      accessToken: tokens.accessToken,
      accessTokenExpiresAt: tokens.expiresAt,
      accessTokenRefreshAt: refreshMomentOf(tokens.expiresAt, Date.now()),
    };
    const fields = { accountsServer, dataCentre: location, apiDomain: tokens.apiDomain, scopes: tokens.scope };
    if (state.connectionId) {
      const row = await this.connections.find(state.workspaceId, state.connectionId);
      const replaced = this.replacedRefreshToken(row, tokens.refreshToken);
      await this.connections.storeReconnected(row, secrets, fields);
      if (replaced && row.accountsServer) await this.revokeQuietly(row.id, row.accountsServer, state.target, replaced);
      return { connectionId: row.id, workspaceId: row.workspaceId };
    }
    const repository = this.dataSource.getRepository(ConnectionEntity);
    const row = repository.create({
      id: randomUUID(),
      workspaceId: state.workspaceId,
      name: state.name,
      connectorKey: state.connectorKey,
      authKind: 'oauth2',
      target: state.target,
      baseUrl: this.targets.baseUrl(state.target, { connectorKey: state.connectorKey, accountsServer }),
      settings: {},
      status: 'connected',
      createdBy: state.userId,
      lastRefreshedAt: new Date(),
      ...fields,
      secrets: '',
    });
    row.secrets = this.vault.encrypt(secrets, { workspaceId: row.workspaceId, connectionId: row.id });
    await repository.save(row);
    this.logger.log(`Connection ${row.id} ("${row.name}", ${row.connectorKey}, ${row.target}, dc ${location}) created through OAuth.`);
    return { connectionId: row.id, workspaceId: row.workspaceId };
  }

  /** The refresh token a reconnect replaces (Zoho keeps only 20 per user and client: the old one is revoked). */
  private replacedRefreshToken(row: ConnectionEntity, next: string): string | undefined {
    try {
      const old = this.vault.decrypt<OAuthSecrets>(row.secrets, { workspaceId: row.workspaceId, connectionId: row.id }).refreshToken;
      return old && old !== next ? old : undefined;
    } catch {
      return undefined;
    }
  }

  private async revokeQuietly(connectionId: string, accountsServer: string, target: ConnectionTarget, token: string): Promise<void> {
    try {
      await revokeZohoToken({ accountsServer, allowedAccountsServers: this.targets.allowedAccountsServers(target), token, timeoutMs: 5_000 });
    } catch (error) {
      this.logger.warn(`Connection ${connectionId} reconnected; revoking its previous Zoho refresh token failed (${(error as Error).message}).`);
    }
  }

  /** Drops attempts older than a day (housekeeping, called on start). */
  async deleteOldStates(): Promise<void> {
    await this.dataSource.query(`DELETE FROM oauth_states WHERE expires_at < now() - interval '1 day'`);
  }
}
