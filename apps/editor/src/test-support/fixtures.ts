// Shared test data for the editor's unit tests: a small connector catalog and flows of every shape.
import type { ConnectorDescriptor, FlowDefinition, Step } from '@braid/flow-model';

const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7"/></svg>';

export const catalog: ConnectorDescriptor[] = [
  {
    key: 'togai',
    title: 'Togai',
    description: 'Billing platform',
    icon: svg,
    auth: { kind: 'api-token', headerName: 'Authorization', scheme: 'Bearer' },
    actions: [],
    triggers: [
      {
        key: 'account_updated',
        title: 'Account created or updated',
        description: 'A customer account changes',
        kind: 'webhook',
        configSchema: { type: 'object', properties: {} },
        outputSchema: { type: 'object' },
        sampleOutput: { account: { id: 'A-17', name: 'Acme', primaryEmail: 'billing@acme.test', lines: [{ amount: 5 }, { amount: 7 }] } },
        requiresConnection: true,
        canListExisting: false,
      },
    ],
  },
  {
    key: 'zoho-books',
    title: 'Zoho Books',
    description: 'Accounting',
    icon: svg,
    auth: { kind: 'oauth2', provider: 'zoho', scopes: [] },
    triggers: [],
    actions: [
      {
        key: 'find_contact',
        title: 'Find contact',
        description: 'Finds a contact by email',
        inputSchema: { type: 'object', properties: { email: { type: 'string', title: 'Email' } }, required: ['email'] },
        outputSchema: { type: 'object', properties: { contact_id: { type: 'string' } } },
        sampleOutput: { contact_id: '4600000123', contact: { name: 'Acme' } },
        classification: 'read',
        idempotent: true,
        requiresConnection: true,
      },
      {
        key: 'create_invoice',
        title: 'Create invoice',
        description: 'Creates a draft invoice',
        inputSchema: {
          type: 'object',
          properties: { customer_id: { type: 'string' }, tax_id: { type: 'string' } },
          required: ['customer_id'],
        },
        outputSchema: { type: 'object' },
        sampleOutput: { invoice_id: '1' },
        classification: 'write',
        idempotent: false,
        requiresConnection: true,
        dynamicOptions: { '/tax_id': { optionsKey: 'taxes', dependsOn: [] } },
      },
    ],
  },
  {
    key: 'zoho-crm',
    title: 'Zoho CRM',
    description: 'CRM',
    icon: svg,
    auth: { kind: 'oauth2', provider: 'zoho', scopes: [] },
    triggers: [],
    actions: [
      {
        key: 'sync_account',
        title: 'Sync account',
        description: 'Upserts an account',
        inputSchema: {
          type: 'object',
          properties: { fields: { type: 'object', 'x-braid-widget': 'field-mapper', 'x-braid-mandatory-targets': ['Account_Name', 'Currency'] } },
          required: ['fields'],
        },
        outputSchema: { type: 'object' },
        sampleOutput: { id: '5725' },
        classification: 'write',
        idempotent: true,
        requiresConnection: true,
      },
    ],
  },
  {
    key: 'core',
    title: 'Core',
    description: 'Built-in steps',
    icon: svg,
    auth: { kind: 'none' },
    triggers: [
      {
        key: 'manual',
        title: 'Run manually',
        description: 'Started by hand',
        kind: 'manual',
        configSchema: { type: 'object' },
        outputSchema: { type: 'object' },
        sampleOutput: {},
        requiresConnection: false,
        canListExisting: false,
      },
    ],
    actions: [
      {
        key: 'delay',
        title: 'Delay',
        description: 'Waits',
        inputSchema: { type: 'object', properties: { seconds: { type: 'integer', minimum: 0 } }, required: ['seconds'] },
        outputSchema: { type: 'object' },
        sampleOutput: {},
        classification: 'read',
        idempotent: true,
        requiresConnection: false,
      },
    ],
  },
];

/** find_contact → found? (yes: use_it | else: create) → lines (for each: line) */
export function branchyFlow(): FlowDefinition {
  return {
    schemaVersion: 1,
    name: 'Accounts to Books',
    direction: 'outbound',
    trigger: { connector: 'togai', trigger: 'account_updated', connectionRef: 'c-togai', config: {} },
    start: 'find_contact',
    steps: {
      find_contact: { kind: 'action', id: 'find_contact', title: 'Find contact', connector: 'zoho-books', action: 'find_contact', connectionRef: 'c-books', input: { email: { $expr: '$trigger.account.primaryEmail' } }, next: 'found' },
      found: {
        kind: 'branch',
        id: 'found',
        branches: [{ id: 'yes', label: 'Found', condition: { $expr: '$exists($steps.find_contact.contact_id)' }, start: 'use_it' }],
        else: { start: 'create' },
        next: 'lines',
      },
      use_it: { kind: 'map', id: 'use_it', output: { id: { $expr: '$steps.find_contact.contact_id' } } },
      create: { kind: 'action', id: 'create', connector: 'zoho-books', action: 'create_invoice', connectionRef: 'c-books', input: { customer_id: 'x' } },
      lines: { kind: 'forEach', id: 'lines', items: { $expr: '$trigger.account.lines' }, bodyStart: 'line' },
      line: { kind: 'map', id: 'line', output: { rate: { $expr: '$item.amount' } } },
    },
  };
}

export function emptyFlow(): FlowDefinition {
  return { schemaVersion: 1, name: 'Empty', direction: 'inbound', trigger: { connector: 'core', trigger: 'manual', config: {} }, start: null, steps: {} };
}

/** A long flow: `count` steps, every tenth a branch with a step on each path, the rest delays. */
export function longFlow(count: number): FlowDefinition {
  const steps: Record<string, Step> = {};
  const chain: string[] = [];
  let made = 0;
  let i = 0;
  while (made < count) {
    const id = `s${i++}`;
    if (i % 10 === 0 && made + 3 <= count) {
      const yes = `${id}_yes`;
      const no = `${id}_no`;
      steps[id] = { kind: 'branch', id, branches: [{ id: 'p', label: 'Path', condition: { $expr: 'true' }, start: yes }], else: { start: no } };
      steps[yes] = { kind: 'action', id: yes, connector: 'core', action: 'delay', input: { seconds: 1 } };
      steps[no] = { kind: 'action', id: no, connector: 'core', action: 'delay', input: { seconds: 2 } };
      made += 3;
    } else {
      steps[id] = { kind: 'action', id, connector: 'core', action: 'delay', input: { seconds: 1 } };
      made += 1;
    }
    chain.push(id);
  }
  chain.forEach((id, index) => {
    const next = chain[index + 1];
    if (next) steps[id] = { ...steps[id]!, next };
  });
  return { schemaVersion: 1, name: 'Long', direction: 'outbound', trigger: { connector: 'core', trigger: 'manual', config: {} }, start: chain[0] ?? null, steps };
}
