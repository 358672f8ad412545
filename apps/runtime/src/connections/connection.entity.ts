import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type ConnectionAuthKind = 'oauth2' | 'zoho-self-client' | 'api-token';
export type ConnectionTarget = 'sandbox' | 'production';
export type ConnectionStatus = 'connected' | 'needs_reconnect' | 'error';

/** Secrets of each auth kind, stored only inside the vault envelope (`secrets` column). */
export interface OAuthSecrets {
  refreshToken: string;
  accessToken?: string;
  /** Epoch ms. */
  accessTokenExpiresAt?: number;
  /** Epoch ms: renew from then on (5 minutes before expiry, at most half the lifetime). */
  accessTokenRefreshAt?: number;
}
export interface SelfClientSecrets extends OAuthSecrets {
  clientId: string;
  clientSecret: string;
}
export interface ApiTokenSecrets {
  token: string;
}
export type ConnectionSecrets = OAuthSecrets | SelfClientSecrets | ApiTokenSecrets;

@Entity({ name: 'connections' })
export class ConnectionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'connector_key', type: 'text' })
  connectorKey: string;

  @Column({ name: 'auth_kind', type: 'text' })
  authKind: ConnectionAuthKind;

  @Column({ type: 'text' })
  target: ConnectionTarget;

  /** The service the connection talks to: the sandbox URL, or the production service's base. */
  @Column({ name: 'base_url', type: 'text' })
  baseUrl: string;

  @Column({ name: 'data_centre', type: 'text', nullable: true })
  dataCentre: string | null;

  @Column({ name: 'accounts_server', type: 'text', nullable: true })
  accountsServer: string | null;

  @Column({ name: 'api_domain', type: 'text', nullable: true })
  apiDomain: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  scopes: string[];

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  settings: Record<string, unknown>;

  /** Vault envelope (src/vault): never leaves the service. */
  @Column({ type: 'text' })
  secrets: string;

  @Column({ type: 'text', default: 'connected' })
  status: ConnectionStatus;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'last_error_at', type: 'timestamptz', nullable: true })
  lastErrorAt: Date | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'last_refreshed_at', type: 'timestamptz', nullable: true })
  lastRefreshedAt: Date | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

@Entity({ name: 'oauth_states' })
export class OAuthStateEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'connector_key', type: 'text' })
  connectorKey: string;

  /** Set when reconnecting an existing connection. */
  @Column({ name: 'connection_id', type: 'uuid', nullable: true })
  connectionId: string | null;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'data_centre', type: 'text' })
  dataCentre: string;

  @Column({ type: 'text' })
  target: ConnectionTarget;

  @Column({ name: 'accounts_server', type: 'text' })
  accountsServer: string;

  @Column({ name: 'redirect_uri', type: 'text' })
  redirectUri: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
