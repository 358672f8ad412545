import { api, ApiClient, ApiError } from './client';

/** The auth kinds of a connector (CONTRACTS.md §1). */
export type AuthDescriptor =
  | { kind: 'none' }
  | { kind: 'oauth2'; provider: 'zoho'; scopes: string[] }
  | { kind: 'zoho-self-client'; scopes: string[] }
  | { kind: 'api-token'; headerName: string; scheme?: string };

/** The part of a connector descriptor the connections page needs. */
export interface ConnectorSummary {
  key: string;
  title: string;
  description: string;
  icon: string;
  auth: AuthDescriptor;
}

export type ConnectionStatus = 'connected' | 'needs_reconnect' | 'error';
export type ConnectionTarget = 'sandbox' | 'production';

/** A connection as the runtime shows it (secrets only as "set"). */
export interface Connection {
  id: string;
  name: string;
  connectorKey: string;
  authKind: 'oauth2' | 'zoho-self-client' | 'api-token';
  target: ConnectionTarget;
  baseUrl: string;
  dataCentre: string | null;
  accountsServer: string | null;
  apiDomain: string | null;
  scopes: string[];
  settings: Record<string, unknown>;
  secrets: Record<string, 'set'>;
  status: ConnectionStatus;
  lastError: string | null;
  lastErrorAt: string | null;
  lastUsedAt: string | null;
  lastRefreshedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DataCentre {
  location: string;
  label: string;
}

/** Where connections can point (GET …/connections/targets). */
export interface TargetsInfo {
  sandbox: { available: boolean; url: string | null; dataCentres: DataCentre[] };
  production: { zohoOAuthConfigured: boolean; dataCentres: DataCentre[] };
}

export interface ConnectionTestResult {
  ok: boolean;
  status: ConnectionStatus;
  accountLabel?: string;
  message?: string;
}

export interface DynamicOption {
  value: unknown;
  label: string;
  description?: string;
}

/** Credentials of the forms (write-only; never read back). */
export interface ConnectionCredentials {
  token?: string;
  clientId?: string;
  clientSecret?: string;
  code?: string;
}

export interface AuthorizeUrl {
  authorizeUrl: string;
  expiresAt?: string;
}

/** What the OAuth callback page posts to its opener (apps/runtime/src/connections/oauth.page.ts). */
export interface OAuthMessage {
  type: 'braid:oauth';
  status: 'connected' | 'error';
  connectionId?: string;
  error?: { code: string; message: string };
}

export function isOAuthMessage(data: unknown): data is OAuthMessage {
  if (typeof data !== 'object' || data === null) return false;
  const message = data as Record<string, unknown>;
  return message.type === 'braid:oauth' && (message.status === 'connected' || message.status === 'error');
}

/** A delete refused because published flows use the connection: the flows to change first. */
export class ConnectionInUseError extends Error {
  constructor(
    message: string,
    readonly flows: Array<{ id: string; name: string }>,
  ) {
    super(message);
    this.name = 'ConnectionInUseError';
  }
}

/** The form a connector's auth kind needs when adding a connection. */
export type ConnectionForm = 'oauth' | 'self-client' | 'api-token' | 'none';

export function formForAuth(auth: AuthDescriptor): ConnectionForm {
  switch (auth.kind) {
    case 'oauth2':
      return 'oauth';
    case 'zoho-self-client':
      return 'self-client';
    case 'api-token':
      return 'api-token';
    default:
      return 'none';
  }
}

/** Connectors a user can add a connection for (those that need one). */
export function connectableConnectors(connectors: ConnectorSummary[]): ConnectorSummary[] {
  return connectors.filter((connector) => connector.auth.kind !== 'none').sort((a, b) => a.title.localeCompare(b.title));
}

/** Status pill text: "Connected", "Needs reconnect: <reason>", "Error: <reason>". */
export function connectionStatusText(connection: Pick<Connection, 'status' | 'lastError'>): string {
  if (connection.status === 'connected') return 'Connected';
  const label = connection.status === 'needs_reconnect' ? 'Needs reconnect' : 'Error';
  return connection.lastError ? `${label}: ${connection.lastError}` : label;
}

/** Connector icons are SVG strings; shown through an <img> data URL so no markup from them runs in the page. */
export function iconDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** Books connections need an organisation (settings.organizationId) before actions can run. */
export function needsOrganisation(connection: Pick<Connection, 'connectorKey' | 'settings' | 'status'>): boolean {
  return connection.connectorKey === 'zoho-books' && connection.status === 'connected' && typeof connection.settings.organizationId !== 'string';
}

/** The connection an OAuth sign-in just created: not there before, same connector and name (newest first). */
export function findNewConnection(before: ReadonlySet<string>, now: Connection[], connectorKey: string, name: string): Connection | undefined {
  return now
    .filter((c) => !before.has(c.id) && c.connectorKey === connectorKey && c.name === name)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
}

/** True when a reconnect in place has completed: new tokens stored (the row changed) and connected. */
export function wasReconnected(before: Pick<Connection, 'updatedAt' | 'lastRefreshedAt'>, now: Pick<Connection, 'updatedAt' | 'lastRefreshedAt' | 'status'>): boolean {
  return now.status === 'connected' && (now.updatedAt !== before.updatedAt || now.lastRefreshedAt !== before.lastRefreshedAt);
}

/** The /api/v1 calls of the connections page. */
export class ConnectionsApi {
  constructor(private readonly client: ApiClient = api) {}

  private base(workspaceId: string): string {
    return `/api/v1/workspaces/${encodeURIComponent(workspaceId)}/connections`;
  }

  async listConnectors(): Promise<ConnectorSummary[]> {
    return (await this.client.request<{ connectors: ConnectorSummary[] }>('GET', '/api/v1/connectors')).connectors;
  }

  async list(workspaceId: string): Promise<Connection[]> {
    return (await this.client.request<{ connections: Connection[] }>('GET', this.base(workspaceId))).connections;
  }

  get(workspaceId: string, connectionId: string): Promise<Connection> {
    return this.client.request('GET', `${this.base(workspaceId)}/${encodeURIComponent(connectionId)}`);
  }

  targets(workspaceId: string): Promise<TargetsInfo> {
    return this.client.request('GET', `${this.base(workspaceId)}/targets`);
  }

  startOAuth(workspaceId: string, input: { connectorKey: string; name: string; dataCentre: string; target: ConnectionTarget }): Promise<AuthorizeUrl> {
    return this.client.request('POST', `${this.base(workspaceId)}/oauth/start`, input);
  }

  /** API-token and Zoho Self Client connections (the Self Client code is exchanged at once). */
  create(
    workspaceId: string,
    input: { connectorKey: string; name: string; target: ConnectionTarget; dataCentre?: string; credentials: ConnectionCredentials },
  ): Promise<Connection> {
    return this.client.request('POST', this.base(workspaceId), input);
  }

  update(workspaceId: string, connectionId: string, changes: { name?: string; settings?: Record<string, unknown> }): Promise<Connection> {
    return this.client.request('PATCH', `${this.base(workspaceId)}/${encodeURIComponent(connectionId)}`, changes);
  }

  test(workspaceId: string, connectionId: string): Promise<ConnectionTestResult> {
    return this.client.request('POST', `${this.base(workspaceId)}/${encodeURIComponent(connectionId)}/test`);
  }

  /** OAuth connections answer a new authorise URL (open it in the popup); the others take new credentials. */
  reconnect(workspaceId: string, connectionId: string, body: { dataCentre?: string; credentials?: ConnectionCredentials } = {}): Promise<AuthorizeUrl | Connection> {
    return this.client.request('POST', `${this.base(workspaceId)}/${encodeURIComponent(connectionId)}/reconnect`, body);
  }

  /** Throws ConnectionInUseError (with the flows) when published flows still use the connection. */
  async delete(workspaceId: string, connectionId: string): Promise<void> {
    try {
      await this.client.request('DELETE', `${this.base(workspaceId)}/${encodeURIComponent(connectionId)}`);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'CONNECTION_IN_USE') {
        const flows = (error.details as { flows?: Array<{ id: string; name: string }> } | undefined)?.flows ?? [];
        throw new ConnectionInUseError(error.message, flows);
      }
      throw error;
    }
  }

  async options(workspaceId: string, connectionId: string, optionsKey: string, dependsOn: Record<string, unknown> = {}): Promise<DynamicOption[]> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(dependsOn)) {
      if (value === undefined) continue;
      query.set(key, typeof value === 'string' ? value : JSON.stringify(value));
    }
    const suffix = query.toString() ? `?${query.toString()}` : '';
    const path = `${this.base(workspaceId)}/${encodeURIComponent(connectionId)}/options/${encodeURIComponent(optionsKey)}${suffix}`;
    return (await this.client.request<{ options: DynamicOption[] }>('GET', path)).options;
  }
}

export const connectionsApi = new ConnectionsApi();

/**
 * Opens the sign-in popup. Call it synchronously in the click handler (browsers block pop-ups opened after an
 * await), then point it at the authorise URL with `waitForOAuth`.
 */
export function openOAuthPopup(): Window {
  const popup = window.open('about:blank', 'braid-oauth', 'popup=yes,width=520,height=720');
  if (!popup) throw new Error('The browser blocked the sign-in window: allow pop-ups for Braid and try again.');
  return popup;
}

export interface WaitForOAuthOptions {
  timeoutMs?: number;
  /** Cancels the wait (the dialog's Cancel button). */
  signal?: AbortSignal;
  /**
   * Asks the runtime whether the connection was made (a connection id, or undefined). Polled every second as a
   * second way to learn the outcome: when the popup loses its opener (a Cross-Origin-Opener-Policy on the way,
   * or a browser that severs it) the callback page cannot post its message, and the opener also sees the popup
   * as closed although the user is still signing in.
   */
  detect?: () => Promise<string | undefined>;
}

/**
 * Sends the popup to the authorise URL and resolves with the callback page's message (only messages from this
 * page's own origin count: the callback is served by the runtime), or with what `detect` finds. Rejects on
 * cancel, after `timeoutMs`, or, without `detect`, when the popup is closed before it answered.
 */
export function waitForOAuth(popup: Window, authorizeUrl: string, options: WaitForOAuthOptions = {}): Promise<OAuthMessage> {
  popup.location.href = authorizeUrl;
  const { detect, signal } = options;
  return new Promise<OAuthMessage>((resolve, reject) => {
    const started = Date.now();
    const timeoutMs = options.timeoutMs ?? 10 * 60_000;
    let settled = false;
    let detecting = false;
    let closedSeen = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      window.removeEventListener('message', onMessage);
      signal?.removeEventListener('abort', onAbort);
      window.clearInterval(watch);
      outcome();
    };
    const onMessage = (event: MessageEvent) => {
      if (event.origin !== window.location.origin || !isOAuthMessage(event.data)) return;
      const data = event.data;
      finish(() => resolve(data));
    };
    const onAbort = () => {
      popup.close();
      finish(() => reject(new Error('Cancelled.')));
    };
    const watch = window.setInterval(() => {
      if (Date.now() - started > timeoutMs) {
        popup.close();
        finish(() => reject(new Error('The sign-in took too long; try again.')));
        return;
      }
      if (detect) {
        if (detecting) return;
        detecting = true;
        detect().then(
          (connectionId) => {
            detecting = false;
            if (!connectionId) return;
            popup.close();
            finish(() => resolve({ type: 'braid:oauth', status: 'connected', connectionId }));
          },
          () => {
            detecting = false;
          },
        );
        return;
      }
      // Without detect, a closed popup means the user gave up. One more tick after seeing it closed, so a
      // message posted just before closing is still delivered.
      if (popup.closed && closedSeen) finish(() => reject(new Error('The sign-in window was closed before the connection was made.')));
      else if (popup.closed) closedSeen = true;
    }, 1000);
    window.addEventListener('message', onMessage);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort);
  });
}
