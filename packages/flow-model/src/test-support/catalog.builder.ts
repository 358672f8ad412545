// Test-only helpers (excluded from the build): a small connector catalog and a flow builder.
import type { ActionDescriptor, ConnectorDescriptor, JsonSchema, TriggerDescriptor } from '../connector.types.js';
import type { FlowDefinition, Step } from '../flow.types.js';

export function action(key: string, title: string, inputSchema: JsonSchema, extra: Partial<ActionDescriptor> = {}): ActionDescriptor {
  return {
    key,
    title,
    description: `${title}.`,
    inputSchema,
    outputSchema: { type: 'object' },
    sampleOutput: {},
    classification: 'write',
    idempotent: false,
    requiresConnection: true,
    ...extra,
  };
}

export function trigger(key: string, title: string, configSchema: JsonSchema, extra: Partial<TriggerDescriptor> = {}): TriggerDescriptor {
  return {
    key,
    title,
    description: `${title}.`,
    kind: 'webhook',
    configSchema,
    outputSchema: { type: 'object' },
    sampleOutput: {},
    requiresConnection: true,
    canListExisting: false,
    ...extra,
  };
}

export function connector(
  key: string,
  title: string,
  parts: { actions?: ActionDescriptor[]; triggers?: TriggerDescriptor[]; auth?: ConnectorDescriptor['auth'] } = {},
): ConnectorDescriptor {
  return {
    key,
    title,
    description: `${title} connector.`,
    icon: '<svg xmlns="http://www.w3.org/2000/svg"/>',
    auth: parts.auth ?? { kind: 'api-token', headerName: 'Authorization', scheme: 'Bearer' },
    actions: parts.actions ?? [],
    triggers: parts.triggers ?? [],
  };
}

/** A catalog shaped like the real one: Togai, Zoho Books, Zoho CRM (field mapper) and core. */
export function buildTestCatalog(): ConnectorDescriptor[] {
  return [
    connector('togai', 'Togai', {
      triggers: [
        trigger('account_updated', 'Account created or updated', {
          type: 'object',
          properties: { events: { type: 'array', items: { enum: ['created', 'updated'] }, minItems: 1 } },
          required: ['events'],
          additionalProperties: false,
        }),
      ],
      actions: [
        action('archive_account', 'Archive account', {
          type: 'object',
          properties: { account_id: { type: 'string', minLength: 1 } },
          required: ['account_id'],
        }),
      ],
    }),
    connector('zoho-books', 'Zoho Books', {
      auth: { kind: 'oauth2', provider: 'zoho', scopes: ['ZohoBooks.fullaccess.all'] },
      actions: [
        action(
          'find_contact',
          'Find contact',
          {
            type: 'object',
            properties: { email: { type: 'string', format: 'email' }, name: { type: 'string' } },
            additionalProperties: false,
          },
          { classification: 'read', idempotent: true },
        ),
        action('create_invoice', 'Create invoice', {
          type: 'object',
          properties: {
            customer_id: { type: 'string', minLength: 1 },
            status: { enum: ['draft', 'sent'] },
            reference_number: { type: 'string' },
            line_items: {
              type: 'array',
              minItems: 1,
              items: {
                type: 'object',
                properties: {
                  description: { type: 'string' },
                  quantity: { type: 'number', minimum: 0 },
                  rate: { type: 'number' },
                },
                required: ['rate'],
              },
            },
          },
          required: ['customer_id', 'line_items'],
          additionalProperties: false,
        }),
        action('create_contact', 'Create contact', {
          type: 'object',
          properties: {
            contact_name: { type: 'string', minLength: 1 },
            email: { type: 'string', format: 'email' },
          },
          required: ['contact_name'],
        }),
      ],
    }),
    connector('zoho-crm', 'Zoho CRM', {
      auth: { kind: 'oauth2', provider: 'zoho', scopes: ['ZohoCRM.modules.ALL'] },
      actions: [
        action('sync_account', 'Sync account', {
          type: 'object',
          properties: {
            record_id: { type: 'string' },
            fields: {
              type: 'object',
              'x-braid-widget': 'field-mapper',
              'x-braid-mandatory-targets': ['Account_Name', 'Currency'],
            },
          },
          required: ['fields'],
        }),
      ],
    }),
    connector('core', 'Core', {
      auth: { kind: 'none' },
      triggers: [trigger('manual', 'Run manually', { type: 'object' }, { kind: 'manual', requiresConnection: false })],
      actions: [
        action(
          'delay',
          'Delay',
          { type: 'object', properties: { seconds: { type: 'integer', minimum: 0 } }, required: ['seconds'] },
          { requiresConnection: false, classification: 'read', idempotent: true },
        ),
        action(
          'http_request',
          'HTTP request',
          {
            type: 'object',
            properties: { url: { type: 'string', format: 'uri' }, method: { enum: ['GET', 'POST', 'PUT', 'DELETE'] }, body: {} },
            required: ['url', 'method'],
          },
          { requiresConnection: false },
        ),
      ],
    }),
  ];
}

/** A flow triggered manually with the given steps chained in the given order (no `next` needed). */
export function chainFlow(steps: Step[], overrides: Partial<FlowDefinition> = {}): FlowDefinition {
  const record: Record<string, Step> = {};
  steps.forEach((s, i) => {
    const next = steps[i + 1];
    record[s.id] = next && s.next === undefined ? { ...s, next: next.id } : s;
  });
  return {
    schemaVersion: 1,
    name: 'Test flow',
    direction: 'outbound',
    trigger: { connector: 'core', trigger: 'manual', config: {} },
    start: steps[0]?.id ?? null,
    steps: record,
    ...overrides,
  };
}

export function delayStep(id: string, extra: Partial<Step> = {}): Step {
  return { kind: 'action', id, connector: 'core', action: 'delay', input: { seconds: 1 }, ...extra } as Step;
}

/** Deep-freezes a value so a test fails if a function mutates it. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** A manually triggered flow holding exactly these steps (edges as written), starting at `start`. */
export function flowOf(steps: Step[], start: string | null, overrides: Partial<FlowDefinition> = {}): FlowDefinition {
  return {
    schemaVersion: 1,
    name: 'Test flow',
    direction: 'outbound',
    trigger: { connector: 'core', trigger: 'manual', config: {} },
    start,
    steps: Object.fromEntries(steps.map((s) => [s.id, s])),
    ...overrides,
  };
}
