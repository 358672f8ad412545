import type { ConnectionEntity } from './connection.entity.js';

/** A connection as the API shows it: every secret only as "set". */
export interface ConnectionView {
  id: string;
  name: string;
  connectorKey: string;
  authKind: ConnectionEntity['authKind'];
  target: ConnectionEntity['target'];
  /** The service it talks to: the sandbox URL, or the production service (Togai API, Zoho accounts server). */
  baseUrl: string;
  dataCentre: string | null;
  accountsServer: string | null;
  apiDomain: string | null;
  scopes: string[];
  settings: Record<string, unknown>;
  secrets: Record<string, 'set'>;
  status: ConnectionEntity['status'];
  lastError: string | null;
  lastErrorAt: string | null;
  lastUsedAt: string | null;
  lastRefreshedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

const secretNames: Record<ConnectionEntity['authKind'], string[]> = {
  oauth2: ['refreshToken', 'accessToken'],
  'zoho-self-client': ['clientId', 'clientSecret', 'refreshToken', 'accessToken'],
  'api-token': ['token'],
};

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function toConnectionView(row: ConnectionEntity): ConnectionView {
  return {
    id: row.id,
    name: row.name,
    connectorKey: row.connectorKey,
    authKind: row.authKind,
    target: row.target,
    baseUrl: row.baseUrl,
    dataCentre: row.dataCentre,
    accountsServer: row.accountsServer,
    apiDomain: row.apiDomain,
    scopes: row.scopes,
    settings: row.settings,
    secrets: Object.fromEntries(secretNames[row.authKind].map((name) => [name, 'set' as const])),
    status: row.status,
    lastError: row.lastError,
    lastErrorAt: iso(row.lastErrorAt),
    lastUsedAt: iso(row.lastUsedAt),
    lastRefreshedAt: iso(row.lastRefreshedAt),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export const connectionViewSchema = {
  type: 'object',
  required: ['id', 'name', 'connectorKey', 'authKind', 'target', 'status', 'secrets'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string', example: 'Zoho Books – Acme EU' },
    connectorKey: { type: 'string', example: 'zoho-books' },
    authKind: { type: 'string', enum: ['oauth2', 'zoho-self-client', 'api-token'] },
    target: { type: 'string', enum: ['sandbox', 'production'] },
    baseUrl: { type: 'string', description: 'The service it talks to: the sandbox URL, or the production service (e.g. https://api.togai.com, https://accounts.zoho.eu)' },
    dataCentre: { type: 'string', nullable: true, example: 'eu' },
    accountsServer: { type: 'string', nullable: true, example: 'https://accounts.zoho.eu' },
    apiDomain: { type: 'string', nullable: true, example: 'https://www.zohoapis.eu' },
    scopes: { type: 'array', items: { type: 'string' } },
    settings: { type: 'object', example: { organizationId: '10234695' } },
    secrets: { type: 'object', description: 'Write-only: each stored secret shows as "set"', example: { refreshToken: 'set', accessToken: 'set' } },
    status: { type: 'string', enum: ['connected', 'needs_reconnect', 'error'] },
    lastError: { type: 'string', nullable: true },
    lastErrorAt: { type: 'string', format: 'date-time', nullable: true },
    lastUsedAt: { type: 'string', format: 'date-time', nullable: true },
    lastRefreshedAt: { type: 'string', format: 'date-time', nullable: true },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};
