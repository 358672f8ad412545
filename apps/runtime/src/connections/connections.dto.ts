import type { ConnectionTarget } from './connection.entity.js';

const name = { type: 'string', minLength: 1, maxLength: 200, example: 'Zoho Books – Acme EU' };
const target = { type: 'string', enum: ['sandbox', 'production'], default: 'sandbox', description: 'The real service, or the local sandbox' };
const dataCentre = { type: 'string', pattern: '^[a-z]{2,3}$', example: 'eu', description: 'Zoho data centre: us (com), eu, in, au, jp, ca, cn, sa, uk, ae; the sandbox has us and eu' };
const secretString = { type: 'string', minLength: 1, maxLength: 4096, writeOnly: true };

export const credentialsSchema = {
  type: 'object',
  description: 'Write-only. API-token connectors: `token`. Zoho Self Client: `clientId`, `clientSecret` and a freshly generated `code`.',
  properties: { token: secretString, clientId: secretString, clientSecret: secretString, code: secretString },
  additionalProperties: false,
};

export interface CreateConnectionBody {
  connectorKey: string;
  name: string;
  target?: ConnectionTarget;
  dataCentre?: string;
  settings?: Record<string, unknown>;
  credentials: { token?: string; clientId?: string; clientSecret?: string; code?: string };
}

export const createConnectionBodySchema = {
  type: 'object',
  required: ['connectorKey', 'name', 'credentials'],
  properties: {
    connectorKey: { type: 'string', minLength: 1, example: 'togai' },
    name,
    target,
    dataCentre,
    settings: { type: 'object' },
    credentials: credentialsSchema,
  },
  additionalProperties: false,
};

export interface StartOAuthBody {
  connectorKey: string;
  name: string;
  dataCentre?: string;
  target?: ConnectionTarget;
}

export const startOAuthBodySchema = {
  type: 'object',
  required: ['connectorKey', 'name'],
  properties: { connectorKey: { type: 'string', minLength: 1, example: 'zoho-books' }, name, dataCentre: { ...dataCentre, default: 'us' }, target },
  additionalProperties: false,
};

export const authorizeUrlSchema = {
  type: 'object',
  required: ['authorizeUrl'],
  properties: {
    authorizeUrl: { type: 'string', description: 'Open in a popup; the callback page posts {type:"braid:oauth", connectionId, status} to the opener' },
    expiresAt: { type: 'string', format: 'date-time' },
  },
};

export interface UpdateConnectionBody {
  name?: string;
  settings?: Record<string, unknown>;
}

export const updateConnectionBodySchema = {
  type: 'object',
  minProperties: 1,
  properties: { name, settings: { type: 'object', example: { organizationId: '10234695' }, description: 'Merged into the current settings' } },
  additionalProperties: false,
};

export interface ReconnectBody {
  dataCentre?: string;
  credentials?: CreateConnectionBody['credentials'];
}

export const reconnectBodySchema = {
  type: 'object',
  description: 'OAuth: optional dataCentre, answers an authorizeUrl. Self Client / API token: new credentials.',
  properties: { dataCentre, credentials: credentialsSchema },
  additionalProperties: false,
};

export const testResultSchema = {
  type: 'object',
  required: ['ok', 'status'],
  properties: {
    ok: { type: 'boolean' },
    status: { type: 'string', enum: ['connected', 'needs_reconnect', 'error'] },
    accountLabel: { type: 'string' },
    message: { type: 'string' },
  },
};

export const optionsSchema = {
  type: 'object',
  required: ['options'],
  properties: {
    options: {
      type: 'array',
      items: { type: 'object', required: ['value', 'label'], properties: { value: {}, label: { type: 'string' }, description: { type: 'string' } } },
    },
  },
};

const dataCentreList = { type: 'array', items: { type: 'object', properties: { location: { type: 'string', example: 'eu' }, label: { type: 'string', example: 'Europe' } } } };

export const targetsInfoSchema = {
  type: 'object',
  properties: {
    sandbox: { type: 'object', properties: { available: { type: 'boolean' }, url: { type: 'string', nullable: true }, dataCentres: dataCentreList } },
    production: { type: 'object', properties: { zohoOAuthConfigured: { type: 'boolean' }, dataCentres: dataCentreList } },
  },
};
