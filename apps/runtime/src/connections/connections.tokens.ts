import { Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  type AccessTokenState,
  ConnectorError,
  createRefreshingCredentialProvider,
  type CredentialProvider,
  OAuthError,
  refreshZohoAccessToken,
} from '@braid/connector-sdk';
import { DataSource, type EntityManager } from 'typeorm';
import { MetricsService } from '../metrics/metrics.service.js';
import { VaultService } from '../vault/vault.service.js';
import { ConnectionEntity, type ApiTokenSecrets, type OAuthSecrets, type SelfClientSecrets } from './connection.entity.js';
import { ConnectionTargets, type ZohoClient } from './connections.targets.js';

/** Renew access tokens this long before they expire (at most half their lifetime). */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/** When a token that expires at `expiresAt` (received at `now`) should be renewed. */
export function refreshMomentOf(expiresAt: number, now: number): number {
  return expiresAt - Math.min(REFRESH_BEFORE_EXPIRY_MS, Math.max(0, (expiresAt - now) / 2));
}

type RefreshOutcome =
  | { kind: 'token'; state: AccessTokenState }
  | { kind: 'failed'; error: ConnectorError };

/**
 * Access tokens of OAuth and self-client connections. Each process keeps one provider per connection (cached
 * token, single-flight refresh). Across processes a refresh runs under `SELECT … FOR UPDATE` of the connection
 * row and re-reads the row first: when another process already replaced the rejected token, that token is used
 * and Zoho is not asked again (it allows only 10 refreshes per 10 minutes).
 */
@Injectable()
export class ConnectionTokens {
  private readonly logger = new Logger('ConnectionTokens');
  private readonly providers = new Map<string, CredentialProvider>();
  /** The clock deciding when a token is due for renewal (tests move it). */
  now: () => number = () => Date.now();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly vault: VaultService,
    private readonly targets: ConnectionTargets,
    // braid_token_refresh_failures_total (global MetricsModule; optional so connections work without it).
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  /** The credential provider of a connection (shared by every caller in this process). */
  providerFor(row: ConnectionEntity): CredentialProvider {
    const cached = this.providers.get(row.id);
    if (cached) return cached;
    let provider: CredentialProvider;
    if (row.authKind === 'api-token') {
      const { workspaceId, id } = row;
      provider = { getAccessToken: async () => (await this.readSecrets<ApiTokenSecrets>(workspaceId, id)).token };
    } else {
      const { workspaceId, id } = row;
      // The provider sees the renewal moment as "expiry": it refreshes from then on.
      provider = createRefreshingCredentialProvider({
        skewMs: 0,
        now: () => this.now(),
        load: async () => {
          const secrets = await this.readSecrets<OAuthSecrets>(workspaceId, id);
          return { accessToken: secrets.accessToken ?? '', expiresAt: secrets.accessTokenRefreshAt ?? 0 };
        },
        refresh: (staleToken) => this.refreshAccessToken(workspaceId, id, staleToken),
      });
    }
    this.providers.set(row.id, provider);
    return provider;
  }

  /** Forget the cached provider (reconnect, delete). */
  forget(connectionId: string): void {
    this.providers.delete(connectionId);
  }

  private async readSecrets<T>(workspaceId: string, connectionId: string): Promise<T> {
    const row = await this.dataSource.getRepository(ConnectionEntity).findOneBy({ id: connectionId, workspaceId });
    if (!row) throw new ConnectorError('AUTH', 'The connection was deleted; choose another one.', { retryable: false, needsReconnect: true });
    return this.vault.decrypt<T>(row.secrets, { workspaceId, connectionId });
  }

  private async clientFor(row: ConnectionEntity, secrets: OAuthSecrets): Promise<ZohoClient> {
    if (row.authKind === 'zoho-self-client') {
      const self = secrets as SelfClientSecrets;
      return { clientId: self.clientId, clientSecret: self.clientSecret };
    }
    return this.targets.zohoWebClient(row.target, row.dataCentre);
  }

  /**
   * One refresh at a time per connection across all processes. `staleToken`: the token that expired or was
   * rejected; a different, still valid stored token means another process refreshed already.
   */
  async refreshAccessToken(workspaceId: string, connectionId: string, staleToken: string | undefined): Promise<AccessTokenState> {
    const outcome = await this.dataSource.transaction(async (manager) => this.refreshLocked(manager, workspaceId, connectionId, staleToken));
    if (outcome.kind === 'failed') throw outcome.error;
    return outcome.state;
  }

  private async refreshLocked(
    manager: EntityManager,
    workspaceId: string,
    connectionId: string,
    staleToken: string | undefined,
  ): Promise<RefreshOutcome> {
    const repository = manager.getRepository(ConnectionEntity);
    const row = await repository.findOne({ where: { id: connectionId, workspaceId }, lock: { mode: 'pessimistic_write' } });
    if (!row) {
      return { kind: 'failed', error: new ConnectorError('AUTH', 'The connection was deleted; choose another one.', { retryable: false, needsReconnect: true }) };
    }
    if (row.status === 'needs_reconnect') {
      return {
        kind: 'failed',
        error: new ConnectorError('AUTH', `The connection "${row.name}" needs to be reconnected${row.lastError ? ` (${row.lastError})` : ''}.`, {
          retryable: false,
          needsReconnect: true,
        }),
      };
    }
    const binding = { workspaceId, connectionId };
    const secrets = this.vault.decrypt<OAuthSecrets>(row.secrets, binding);
    const stored = secrets.accessToken;
    const storedRefreshAt = secrets.accessTokenRefreshAt ?? 0;
    if (stored && stored !== staleToken && storedRefreshAt > this.now()) {
      // Another process (or an earlier call) renewed it meanwhile: that counts as success.
      return { kind: 'token', state: { accessToken: stored, expiresAt: storedRefreshAt } };
    }
    const client = await this.clientFor(row, secrets);
    try {
      const tokens = await refreshZohoAccessToken({
        accountsServer: row.accountsServer ?? '',
        allowedAccountsServers: this.targets.allowedAccountsServers(row.target),
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        refreshToken: secrets.refreshToken,
        now: () => this.now(),
      });
      const refreshAt = refreshMomentOf(tokens.expiresAt, this.now());
      row.secrets = this.vault.encrypt({ ...secrets, accessToken: tokens.accessToken, accessTokenExpiresAt: tokens.expiresAt, accessTokenRefreshAt: refreshAt }, binding);
      row.apiDomain = tokens.apiDomain;
      row.lastRefreshedAt = new Date();
      if (row.status === 'error') {
        row.status = 'connected';
        row.lastError = null;
      }
      await repository.save(row);
      this.logger.log(`Renewed the access token of connection ${row.id} ("${row.name}").`);
      return { kind: 'token', state: { accessToken: tokens.accessToken, expiresAt: refreshAt } };
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      return { kind: 'failed', error: await this.recordRefreshFailure(repository, row, error) };
    }
  }

  /** Revoked/invalid refresh token → needs reconnect; throttling and network → retryable, status unchanged. */
  private async recordRefreshFailure(
    repository: ReturnType<EntityManager['getRepository']>,
    row: ConnectionEntity,
    error: OAuthError,
  ): Promise<ConnectorError> {
    this.metrics?.tokenRefreshFailed(row.connectorKey);
    if (error.code === 'TOO_MANY_REQUESTS') {
      this.logger.warn(`Zoho throttled the token renewal of connection ${row.id}; retrying later.`);
      return new ConnectorError('RATE_LIMITED', `Zoho is throttling token renewals for "${row.name}"; the step is retried later.`, {
        retryable: true,
        retryAfterMs: 60_000,
      });
    }
    if (error.code === 'NETWORK' || error.code === 'BAD_RESPONSE') {
      return new ConnectorError('RETRYABLE', `Could not renew the access token of "${row.name}": ${error.message}`, { retryable: true });
    }
    // A revoked refresh token, or a Self Client whose id/secret Zoho no longer accepts: the user fixes both by
    // reconnecting. A rejected web client (ZOHO_CLIENT_ID/SECRET) is the operator's to fix: status "error".
    const clientRejected = error.code === 'INVALID_CLIENT' || error.code === 'INVALID_CLIENT_SECRET';
    const needsReconnect = error.code === 'INVALID_CODE' || (clientRejected && row.authKind === 'zoho-self-client');
    const reason =
      error.code === 'INVALID_CODE'
        ? 'Zoho refused the refresh token (revoked, or replaced by a newer authorisation)'
        : clientRejected && row.authKind === 'oauth2'
          ? `Zoho refused Braid's client (${error.message.replace(/\.$/, '')}); check ZOHO_CLIENT_ID and ZOHO_CLIENT_SECRET`
          : `Zoho refused the token renewal: ${error.message.replace(/\.$/, '')}`;
    row.status = needsReconnect ? 'needs_reconnect' : 'error';
    row.lastError = reason;
    row.lastErrorAt = new Date();
    await repository.save(row);
    this.logger.warn(`Connection ${row.id} ("${row.name}") ${needsReconnect ? 'needs reconnect' : 'failed'}: ${reason}`);
    return new ConnectorError('AUTH', `The connection "${row.name}" ${needsReconnect ? 'needs to be reconnected' : 'failed'}: ${reason}.`, {
      retryable: false,
      needsReconnect,
    });
  }
}
