import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { InjectRepository } from '@nestjs/typeorm';
import {
  type ConnectionRecord,
  type ConnectorDefinition,
  ConnectorError,
  createConnectorContext,
  type CredentialProvider,
  type DynamicOption,
  type SsrfOptions,
  exchangeZohoSelfClientCode,
  loadDynamicOptions,
  OAuthError,
  revokeZohoToken,
  type TestConnectionResult,
  type ZohoTokenSet,
} from '@braid/connector-sdk';
import type { Repository } from 'typeorm';
import { createAjv } from '../common/ajv.js';
import { ConnectorsService } from '../connectors/connectors.service.js';
import { VaultService } from '../vault/vault.service.js';
import {
  type ApiTokenSecrets,
  type ConnectionAuthKind,
  ConnectionEntity,
  type ConnectionSecrets,
  type ConnectionTarget,
  type OAuthSecrets,
  type SelfClientSecrets,
} from './connection.entity.js';
import { ConnectionsError, ConnectionsErrorCode } from './connections.errors.js';
import { ConnectionTargets } from './connections.targets.js';
import { ConnectionTokens, refreshMomentOf } from './connections.tokens.js';
import { type ConnectionView, toConnectionView } from './connections.view.js';

/** The connection as the engine sees it (ConnectionRecord for `createConnectorContext`, plus its API base). */
export interface ConnectionForEngine extends ConnectionRecord {
  connectorKey: string;
  target: ConnectionTarget;
  apiBaseUrl: string;
}

export interface ConnectionContext {
  connection: ConnectionForEngine;
  credentials: CredentialProvider;
  /** SSRF policy for this connection: sandbox connections may reach the (loopback) sandbox host. */
  ssrf: SsrfOptions;
}

export interface CreateConnectionInput {
  connectorKey: string;
  name: string;
  target: ConnectionTarget;
  dataCentre?: string;
  settings?: Record<string, unknown>;
  credentials: { token?: string; clientId?: string; clientSecret?: string; code?: string };
}

export interface TargetsInfo {
  sandbox: { available: boolean; url: string | null; dataCentres: Array<{ location: string; label: string }> };
  production: { zohoOAuthConfigured: boolean; dataCentres: Array<{ location: string; label: string }> };
}

/** What a flow-side service answers about a connection in use (FlowsService.flowsUsingConnection). */
interface FlowsUsingConnection {
  flowsUsingConnection(workspaceId: string, connectionId: string): Promise<Array<{ id: string; name: string }>>;
}

const ajv = createAjv();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Column changes for `update` (jsonb settings need the cast TypeORM's deep-partial type cannot infer). */
type ConnectionChanges = Parameters<Repository<ConnectionEntity>['update']>[1];

@Injectable()
export class ConnectionsService {
  private readonly logger = new Logger('Connections');

  constructor(
    @InjectRepository(ConnectionEntity) private readonly connections: Repository<ConnectionEntity>,
    private readonly connectors: ConnectorsService,
    private readonly vault: VaultService,
    private readonly targets: ConnectionTargets,
    private readonly tokens: ConnectionTokens,
    private readonly discovery: DiscoveryService,
  ) {}

  // ---------------------------------------------------------------------------------------------------------
  // Engine-facing interface (RUNTIME-CONTRACTS.md)

  /** Everything the engine needs to call a connector for one connection. */
  async contextFor(workspaceId: string, connectionId: string): Promise<ConnectionContext> {
    const row = await this.find(workspaceId, connectionId);
    if (row.status === 'needs_reconnect') throw ConnectionsError.needsReconnect(row.name, row.lastError);
    const connector = this.connectors.definition(row.connectorKey);
    return { connection: this.engineRecord(row, connector), credentials: this.tokens.providerFor(row), ssrf: this.ssrfFor(row) };
  }

  /** A successful call: records when, and clears an "error" status (a "needs reconnect" stays until reconnected). */
  async markUsed(workspaceId: string, connectionId: string): Promise<void> {
    if (!UUID.test(connectionId)) return;
    await this.connections.query(
      `UPDATE connections SET last_used_at = now(), status = CASE WHEN status = 'error' THEN 'connected' ELSE status END
        WHERE id = $1 AND workspace_id = $2`,
      [connectionId, workspaceId],
    );
  }

  /** What the editor offers when connecting: targets, whether each works here, and the Zoho data centres. */
  targetsInfo(): TargetsInfo {
    let sandboxUrl: string | undefined;
    try {
      sandboxUrl = this.targets.sandboxUrl();
    } catch {
      sandboxUrl = undefined;
    }
    const centres = (target: ConnectionTarget) => this.targets.zohoDataCentres(target).map((dc) => ({ location: dc.location, label: dc.label }));
    return {
      sandbox: { available: sandboxUrl !== undefined, url: sandboxUrl ?? null, dataCentres: sandboxUrl ? centres('sandbox') : [] },
      production: { zohoOAuthConfigured: this.targets.zohoOAuthConfigured(), dataCentres: centres('production') },
    };
  }

  async listIds(workspaceId: string): Promise<Set<string>> {
    const rows = await this.connections.find({ where: { workspaceId }, select: { id: true } });
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Records a failure the engine saw (e.g. a 401 the connector could not recover from). `needsReconnect`
   * marks the connection so; other errors set status "error" until the next success.
   */
  async recordFailure(workspaceId: string, connectionId: string, error: { message: string; needsReconnect?: boolean }): Promise<void> {
    if (!UUID.test(connectionId)) return;
    // A connection already marked "needs reconnect" keeps the precise reason recorded when it was marked.
    await this.connections.query(
      `UPDATE connections SET status = $3, last_error = $4, last_error_at = now()
        WHERE id = $1 AND workspace_id = $2 AND status <> 'needs_reconnect'`,
      [connectionId, workspaceId, error.needsReconnect ? 'needs_reconnect' : 'error', error.message.slice(0, 500)],
    );
  }

  // ---------------------------------------------------------------------------------------------------------
  // API

  async list(workspaceId: string): Promise<ConnectionView[]> {
    const rows = await this.connections.find({ where: { workspaceId }, order: { createdAt: 'ASC' } });
    return rows.map(toConnectionView);
  }

  async get(workspaceId: string, connectionId: string): Promise<ConnectionView> {
    return toConnectionView(await this.find(workspaceId, connectionId));
  }

  /** API-token and self-client connections (OAuth ones are created by the OAuth callback). */
  async create(workspaceId: string, userId: string, input: CreateConnectionInput): Promise<ConnectionView> {
    const connector = this.connectors.definition(input.connectorKey);
    const authKind = this.authKindOf(connector);
    if (authKind === 'oauth2') {
      throw new ConnectionsError(
        ConnectionsErrorCode.WRONG_AUTH_KIND,
        `${connector.title} connects with Zoho OAuth: use POST /api/v1/workspaces/:workspaceId/connections/oauth/start to get the authorisation URL.`,
      );
    }
    const settings = this.validSettings(
      connector,
      authKind === 'api-token' ? this.targets.apiTokenSettings(connector.key, input.target, input.settings ?? {}) : (input.settings ?? {}),
    );
    const row = this.connections.create({
      workspaceId,
      name: input.name.trim(),
      connectorKey: connector.key,
      authKind,
      target: input.target,
      baseUrl: this.targets.baseUrl(input.target, { connectorKey: connector.key }),
      settings,
      scopes: [],
      status: 'connected',
      createdBy: userId,
      secrets: '',
    });
    row.id = randomUUID();
    const secrets = await this.obtainSecrets(row, connector, input);
    row.secrets = this.vault.encrypt(secrets, { workspaceId, connectionId: row.id });
    await this.connections.save(row);
    this.logger.log(`Connection ${row.id} ("${row.name}", ${connector.key}, ${input.target}) created.`);
    return this.get(workspaceId, row.id);
  }

  /** Renames and/or replaces settings (validated against the connector's connectionSettingsSchema). */
  async update(workspaceId: string, connectionId: string, patch: { name?: string; settings?: Record<string, unknown> }): Promise<ConnectionView> {
    const row = await this.find(workspaceId, connectionId);
    const changes: Partial<ConnectionEntity> = {};
    if (patch.name !== undefined) changes.name = patch.name.trim();
    if (patch.settings !== undefined) {
      changes.settings = this.validSettings(this.connectors.definition(row.connectorKey), { ...row.settings, ...patch.settings });
    }
    if (Object.keys(changes).length > 0) await this.connections.update({ id: row.id, workspaceId }, changes as ConnectionChanges);
    return this.get(workspaceId, connectionId);
  }

  /** New credentials for a self-client or api-token connection, in place (flows keep their connection id). */
  async reconnectWithSecrets(workspaceId: string, connectionId: string, credentials: CreateConnectionInput['credentials']): Promise<ConnectionView> {
    const row = await this.find(workspaceId, connectionId);
    const connector = this.connectors.definition(row.connectorKey);
    if (row.authKind === 'oauth2') {
      throw new ConnectionsError(ConnectionsErrorCode.WRONG_AUTH_KIND, 'This connection uses OAuth: reconnecting returns an authorisation URL (send no credentials).');
    }
    const secrets = await this.obtainSecrets(row, connector, {
      connectorKey: row.connectorKey,
      name: row.name,
      target: row.target,
      ...(row.dataCentre ? { dataCentre: row.dataCentre } : {}),
      credentials,
    });
    await this.storeReconnected(row, secrets);
    return this.get(workspaceId, connectionId);
  }

  /** Stores fresh secrets and clears the error state (used by every way of reconnecting). */
  async storeReconnected(row: ConnectionEntity, secrets: ConnectionSecrets, fields: Partial<ConnectionEntity> = {}): Promise<void> {
    await this.connections.update(
      { id: row.id, workspaceId: row.workspaceId },
      {
        ...fields,
        secrets: this.vault.encrypt(secrets, { workspaceId: row.workspaceId, connectionId: row.id }),
        status: 'connected',
        lastError: null,
        lastErrorAt: null,
        ...(row.authKind !== 'api-token' ? { lastRefreshedAt: new Date() } : {}),
      } as ConnectionChanges,
    );
    this.tokens.forget(row.id);
    this.logger.log(`Connection ${row.id} ("${row.name}") reconnected.`);
  }

  /** Refused while a published flow uses the connection; revokes a Zoho refresh token best-effort. */
  async delete(workspaceId: string, connectionId: string): Promise<void> {
    const row = await this.find(workspaceId, connectionId);
    const flows = await this.flowsUsing(workspaceId, connectionId);
    if (flows.length > 0) {
      throw new ConnectionsError(
        ConnectionsErrorCode.IN_USE,
        `The connection "${row.name}" is used by published flow(s) ${flows.map((f) => `"${f.name}"`).join(', ')}. ` +
          'Switch those flows to another connection (or unpublish them) first.',
        { details: { flows } },
      );
    }
    await this.connections.delete({ id: row.id, workspaceId });
    this.tokens.forget(row.id);
    if (row.authKind !== 'api-token' && row.accountsServer) {
      try {
        const secrets = this.vault.decrypt<OAuthSecrets>(row.secrets, { workspaceId, connectionId });
        await revokeZohoToken({
          accountsServer: row.accountsServer,
          allowedAccountsServers: this.targets.allowedAccountsServers(row.target),
          token: secrets.refreshToken,
          timeoutMs: 5_000,
        });
      } catch (error) {
        this.logger.warn(`Connection ${row.id} deleted; revoking its Zoho token failed (${(error as Error).message}).`);
      }
    }
    this.logger.log(`Connection ${row.id} ("${row.name}") deleted.`);
  }

  /** Checks the stored credentials against the service; updates the status. */
  async test(workspaceId: string, connectionId: string): Promise<TestConnectionResult & { status: ConnectionView['status'] }> {
    const row = await this.find(workspaceId, connectionId);
    const connector = this.connectors.definition(row.connectorKey);
    let result: TestConnectionResult;
    try {
      if (row.status === 'needs_reconnect') throw new ConnectorError('AUTH', ConnectionsError.needsReconnect(row.name, row.lastError).message, { needsReconnect: true });
      const credentials = this.tokens.providerFor(row);
      if (connector.testConnection) {
        result = await connector.testConnection(this.connectorContext(row, connector, credentials));
      } else if (row.authKind !== 'api-token') {
        // No test in the connector: a successful token renewal proves the authorisation is alive.
        await credentials.refreshAccessToken?.(await credentials.getAccessToken());
        result = { ok: true, message: 'Zoho renewed the access token.' };
      } else {
        throw new ConnectionsError(ConnectionsErrorCode.NOT_TESTABLE, `The ${connector.title} connector offers no connection test.`);
      }
    } catch (error) {
      if (error instanceof ConnectionsError) throw error;
      if (!(error instanceof ConnectorError)) throw error;
      const needsReconnect = error.needsReconnect === true;
      // The token layer may have recorded the precise reason already (e.g. the refresh token was revoked).
      const current = await this.find(workspaceId, connectionId);
      if (!(needsReconnect && current.status === 'needs_reconnect' && current.lastError)) {
        await this.connections.update(
          { id: row.id, workspaceId },
          { status: needsReconnect ? 'needs_reconnect' : 'error', lastError: error.message.slice(0, 500), lastErrorAt: new Date() },
        );
      }
      return { ok: false, message: error.message, status: needsReconnect ? 'needs_reconnect' : 'error' };
    }
    if (result.ok) {
      await this.connections.update({ id: row.id, workspaceId }, { status: 'connected', lastError: null, lastErrorAt: null, lastUsedAt: new Date() });
    } else {
      await this.connections.update({ id: row.id, workspaceId }, { status: 'error', lastError: (result.message ?? 'The test failed.').slice(0, 500), lastErrorAt: new Date() });
    }
    return { ...result, status: result.ok ? 'connected' : 'error' };
  }

  /** Choices from the connected account (the connector's dynamic options, e.g. Books organisations). */
  async options(workspaceId: string, connectionId: string, optionsKey: string, dependsOn: Record<string, unknown>): Promise<DynamicOption[]> {
    const { connection, credentials } = await this.contextFor(workspaceId, connectionId);
    const connector = this.connectors.definition(connection.connectorKey);
    if (!connector.dynamicOptions?.[optionsKey]) {
      throw new ConnectionsError(
        ConnectionsErrorCode.NOT_FOUND,
        `The ${connector.title} connector has no options "${optionsKey}"; it offers ${Object.keys(connector.dynamicOptions ?? {}).join(', ') || 'none'}.`,
      );
    }
    const row = await this.find(workspaceId, connectionId);
    try {
      const options = await loadDynamicOptions(connector, optionsKey, this.connectorContext(row, connector, credentials), dependsOn);
      await this.markUsed(workspaceId, connectionId);
      return options;
    } catch (error) {
      if (!(error instanceof ConnectorError)) throw error;
      if (error.needsReconnect) {
        await this.recordFailure(workspaceId, connectionId, { message: error.message, needsReconnect: true });
        throw ConnectionsError.needsReconnect(row.name, error.message);
      }
      throw new ConnectionsError(
        error.code === 'RATE_LIMITED' ? ConnectionsErrorCode.RATE_LIMITED : ConnectionsErrorCode.OPTIONS_FAILED,
        `Loading "${optionsKey}" from ${connector.title} failed: ${error.message}`,
      );
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Internals shared with the OAuth flow

  async find(workspaceId: string, connectionId: string): Promise<ConnectionEntity> {
    if (!UUID.test(connectionId)) throw ConnectionsError.notFound();
    const row = await this.connections.findOneBy({ id: connectionId, workspaceId });
    if (!row) throw ConnectionsError.notFound();
    return row;
  }

  authKindOf(connector: ConnectorDefinition): ConnectionAuthKind {
    if (connector.auth.kind === 'none') {
      throw new ConnectionsError(ConnectionsErrorCode.NO_AUTH, `The ${connector.title} connector needs no connection.`);
    }
    return connector.auth.kind;
  }

  validSettings(connector: ConnectorDefinition, settings: Record<string, unknown>): Record<string, unknown> {
    const schema = connector.connectionSettingsSchema;
    if (!schema) return settings;
    const validate = ajv.compile(schema);
    if (!validate(settings)) {
      const first = validate.errors?.[0];
      throw new ConnectionsError(
        ConnectionsErrorCode.INVALID_SETTINGS,
        `The settings do not fit the ${connector.title} connector: ${first?.instancePath || '(settings)'} ${first?.message ?? 'is invalid'}.`,
        { pointer: `/settings${first?.instancePath ?? ''}` },
      );
    }
    return settings;
  }

  engineRecord(row: ConnectionEntity, connector: ConnectorDefinition): ConnectionForEngine {
    const apiDomain = row.apiDomain ?? this.targets.apiTokenBase(row.connectorKey, row.target);
    const record: ConnectionRecord = { id: row.id, name: row.name, settings: row.settings, ...(apiDomain ? { apiDomain } : {}) };
    const apiBaseUrl = connector.http ? connector.http.baseUrl(record) : (apiDomain ?? '');
    return { ...record, connectorKey: row.connectorKey, target: row.target, apiBaseUrl };
  }

  private connectorContext(row: ConnectionEntity, connector: ConnectorDefinition, credentials: CredentialProvider) {
    const record = this.engineRecord(row, connector);
    return createConnectorContext({
      connector,
      connection: { id: record.id, name: record.name, settings: record.settings, ...(record.apiDomain ? { apiDomain: record.apiDomain } : {}) },
      credentials,
      ssrf: this.ssrfFor(row),
    });
  }

  /** The sandbox usually lives on loopback: its host (recorded on the connection) is allowed for sandbox connections only. */
  ssrfFor(row: ConnectionEntity): SsrfOptions {
    return row.target === 'sandbox' ? { allowHosts: [new URL(row.baseUrl).hostname] } : {};
  }

  private async obtainSecrets(row: ConnectionEntity, connector: ConnectorDefinition, input: CreateConnectionInput): Promise<ConnectionSecrets> {
    const credentials = input.credentials;
    if (row.authKind === 'api-token') {
      if (!credentials.token) {
        throw new ConnectionsError(ConnectionsErrorCode.WRONG_AUTH_KIND, `${connector.title} connects with an API token: send credentials.token.`, {
          pointer: '/credentials/token',
        });
      }
      row.apiDomain = this.targets.apiTokenBase(connector.key, row.target) ?? null;
      return { token: credentials.token } satisfies ApiTokenSecrets;
    }
    // zoho-self-client: exchange the generated code at once (it lives 3–10 minutes and works once).
    const missing = (['clientId', 'clientSecret', 'code'] as const).find((name) => !credentials[name]);
    if (missing) {
      throw new ConnectionsError(
        ConnectionsErrorCode.WRONG_AUTH_KIND,
        `${connector.title} connects with a Zoho Self Client: send credentials.clientId, credentials.clientSecret and a freshly generated credentials.code.`,
        { pointer: `/credentials/${missing}` },
      );
    }
    const dc = this.targets.zohoDataCentre(row.target, input.dataCentre ?? 'us');
    let tokens: ZohoTokenSet;
    try {
      tokens = await exchangeZohoSelfClientCode({
        accountsServer: dc.accountsServer,
        allowedAccountsServers: this.targets.allowedAccountsServers(row.target),
        clientId: credentials.clientId as string,
        clientSecret: credentials.clientSecret as string,
        code: credentials.code as string,
      });
    } catch (error) {
      throw this.exchangeError(error, 'self-client');
    }
    if (!tokens.refreshToken) {
      throw new ConnectionsError(ConnectionsErrorCode.PROVIDER_FAILED, 'Zoho returned no refresh token for the Self Client code; generate a new code and try again.');
    }
    row.dataCentre = dc.location;
    row.accountsServer = dc.accountsServer;
    row.baseUrl = this.targets.baseUrl(row.target, { connectorKey: row.connectorKey, accountsServer: dc.accountsServer });
    row.apiDomain = tokens.apiDomain;
    row.scopes = tokens.scope;
    row.lastRefreshedAt = new Date();
    return {
      clientId: credentials.clientId as string,
      clientSecret: credentials.clientSecret as string,
      refreshToken: tokens.refreshToken,
      accessToken: tokens.accessToken,
      accessTokenExpiresAt: tokens.expiresAt,
      accessTokenRefreshAt: refreshMomentOf(tokens.expiresAt, Date.now()),
    } satisfies SelfClientSecrets;
  }

  /** Maps a code exchange failure to a clear API error. */
  exchangeError(error: unknown, flow: 'self-client' | 'oauth'): ConnectionsError {
    if (!(error instanceof OAuthError)) throw error;
    switch (error.code) {
      case 'INVALID_CODE':
        return new ConnectionsError(
          ConnectionsErrorCode.CODE_INVALID,
          flow === 'self-client'
            ? 'Zoho refused the code: it has expired (codes live 3–10 minutes) or was already used. Generate a new code in the Zoho API console (Self Client → Generate Code) and send it right away.'
            : 'Zoho refused the authorisation code: it expired or was already used. Start connecting again.',
          { pointer: flow === 'self-client' ? '/credentials/code' : '' },
        );
      case 'INVALID_CLIENT':
      case 'INVALID_CLIENT_SECRET':
        return new ConnectionsError(ConnectionsErrorCode.CREDENTIALS_REJECTED, error.message, {
          pointer: flow === 'self-client' ? `/credentials/${error.code === 'INVALID_CLIENT' ? 'clientId' : 'clientSecret'}` : '',
        });
      case 'TOO_MANY_REQUESTS':
        return new ConnectionsError(ConnectionsErrorCode.RATE_LIMITED, error.message);
      case 'ACCESS_DENIED':
        return new ConnectionsError(ConnectionsErrorCode.OAUTH_DENIED, error.message);
      default:
        return new ConnectionsError(ConnectionsErrorCode.PROVIDER_FAILED, error.message);
    }
  }

  private async flowsUsing(workspaceId: string, connectionId: string): Promise<Array<{ id: string; name: string }>> {
    // FlowsService belongs to the flows feature; it is looked up by name so neither module imports the other.
    const wrapper = this.discovery.getProviders().find((p) => p.name === 'FlowsService' && p.instance);
    const flows = wrapper?.instance as Partial<FlowsUsingConnection> | undefined;
    if (!flows?.flowsUsingConnection) return [];
    return flows.flowsUsingConnection(workspaceId, connectionId);
  }
}
