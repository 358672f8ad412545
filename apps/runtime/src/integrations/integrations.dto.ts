const KEY = '^[a-z][a-z0-9_-]{0,63}$';

export const createIntegrationBodySchema = {
  type: 'object',
  required: ['templateId', 'connections'],
  additionalProperties: false,
  properties: {
    templateId: { type: 'string', minLength: 1, maxLength: 100, example: 's1-platform-accounts-to-books' },
    name: { type: 'string', minLength: 1, maxLength: 200, example: 'Acme: Togai → Books customers' },
    connections: {
      type: 'object',
      description: 'Connection id per connection slot of the template',
      propertyNames: { pattern: KEY },
      additionalProperties: { type: 'string' },
      example: { togai: '6f1c…', books: '9a2e…' },
    },
    settings: { type: 'object', description: 'Values for the template\'s settings schema' },
    modules: { type: 'object', propertyNames: { pattern: KEY }, additionalProperties: { type: 'boolean' }, example: { 'automatic-sending': true } },
  },
};

export const updateIntegrationBodySchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    settings: { type: 'object', description: 'All settings (replaces them); the flows are rendered again and republished' },
    modules: { type: 'object', propertyNames: { pattern: KEY }, additionalProperties: { type: 'boolean' }, description: 'Module switches to change' },
  },
};

const backfillSchema = {
  type: 'object',
  nullable: true,
  properties: {
    id: { type: 'string' },
    flowId: { type: 'string' },
    status: { type: 'string', enum: ['running', 'succeeded', 'failed', 'cancelled'] },
    phase: { type: 'string', nullable: true },
    done: { type: 'integer' },
    total: { type: 'integer', nullable: true },
    failed: { type: 'integer' },
  },
};

export const initialSyncSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['not-started', 'running', 'succeeded', 'failed'] },
    startedAt: { type: 'string', nullable: true },
    done: { type: 'integer' },
    total: { type: 'integer', nullable: true },
    failed: { type: 'integer' },
    flows: { type: 'array', items: { type: 'object', properties: { flowKey: { type: 'string' }, flowId: { type: 'string' }, backfill: backfillSchema } } },
  },
};

export const integrationSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    templateId: { type: 'string' },
    name: { type: 'string' },
    status: { type: 'string', enum: ['pending-initial-sync', 'active', 'needs-attention'] },
    reasons: { type: 'array', items: { type: 'string' } },
    connections: {
      type: 'array',
      items: { type: 'object', properties: { slot: { type: 'string' }, title: { type: 'string' }, connectionId: { type: 'string' }, connector: { type: 'string' }, name: { type: 'string', nullable: true }, status: { type: 'string' } } },
    },
    settings: { type: 'object' },
    modules: { type: 'array', items: { type: 'object', properties: { key: { type: 'string' }, title: { type: 'string' }, enabled: { type: 'boolean' }, flows: { type: 'array', items: { type: 'string' } } } } },
    flows: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          key: { type: 'string' },
          flowId: { type: 'string' },
          name: { type: 'string', nullable: true },
          enabled: { type: 'boolean' },
          module: { type: 'string', nullable: true },
          publishedVersion: { type: 'integer', nullable: true },
          lastRun: { type: 'object', nullable: true },
          missing: { type: 'boolean' },
        },
      },
    },
    initialSync: initialSyncSchema,
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};

export const templateCardSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', example: 's1-platform-accounts-to-books' },
    title: { type: 'string' },
    name: { type: 'string', description: 'Same as title' },
    summary: { type: 'string' },
    description: { type: 'string', description: 'Same as summary' },
    whatItDoes: { type: 'array', items: { type: 'string' } },
    direction: { type: 'string', enum: ['inbound', 'outbound', 'two-way'] },
    apps: { type: 'array', items: { type: 'object', properties: { key: { type: 'string' }, title: { type: 'string' }, icon: { type: 'string', nullable: true } } } },
    connections: { type: 'array', items: { type: 'object', properties: { key: { type: 'string' }, connector: { type: 'string' }, title: { type: 'string' }, authKind: { type: 'string', nullable: true } } } },
    modules: { type: 'array', items: { type: 'object', properties: { key: { type: 'string' }, title: { type: 'string' }, description: { type: 'string' }, default: { type: 'boolean' }, flows: { type: 'array', items: { type: 'string' } } } } },
    settingsSchema: { type: 'object', description: 'JSON Schema of the settings form; `x-dynamic-options: {connection, optionsKey, dependsOn}` fills a dropdown from a connection' },
    flows: { type: 'array', items: { type: 'object', properties: { key: { type: 'string' }, name: { type: 'string' }, description: { type: 'string' }, trigger: { type: 'string' }, initialSync: { type: 'boolean' } } } },
    supportsInitialSync: { type: 'boolean' },
  },
};
