// Test connectors for the connections tests: real connectors (SDK definitions) that talk to the sandbox.
import { defineAction, defineConnector, type ConnectorDefinition } from '@braid/connector-sdk';
import { startSandbox, type RunningSandbox } from '@braid/sandbox';
import { createTestApp, type SignedInUser, type TestApp } from '../../../test/test-app.js';
import { ConnectorsService } from '../../connectors/connectors.service.js';

const icon = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16"/></svg>';

/** Zoho Books through OAuth: organisations as dynamic options, a read action, and a connection test. */
export const testBooksConnector: ConnectorDefinition = defineConnector({
  key: 'test-books',
  title: 'Test Books',
  description: 'Zoho Books (sandbox) for the connections tests.',
  icon,
  auth: { kind: 'oauth2', provider: 'zoho', scopes: ['ZohoBooks.fullaccess.all'] },
  connectionSettingsSchema: { type: 'object', properties: { organizationId: { type: 'string', pattern: '^[0-9]+$' } } },
  http: {
    baseUrl: (connection) => `${connection.apiDomain}/books/v3`,
    defaultQuery: (connection): Record<string, string> =>
      typeof connection.settings.organizationId === 'string' ? { organization_id: connection.settings.organizationId } : {},
    concurrency: 5,
    retry: { baseDelayMs: 10, maxDelayMs: 100 },
  },
  dynamicOptions: {
    organizations: async (ctx) => {
      const response = await ctx.http.get<{ organizations: Array<{ organization_id: string; name: string }> }>('/organizations');
      return response.body.organizations.map((o) => ({ value: o.organization_id, label: o.name }));
    },
  },
  actions: [
    defineAction<Record<string, never>, { count: number }>({
      key: 'count_contacts',
      title: 'Count contacts',
      description: 'Reads the first page of contacts.',
      input: { type: 'object', properties: {} },
      output: { type: 'object', properties: { count: { type: 'integer' } }, required: ['count'] },
      sampleOutput: { count: 1 },
      classification: 'read',
      idempotent: true,
      run: async (ctx) => ({ count: (await ctx.http.get<{ contacts: unknown[] }>('/contacts')).body.contacts.length }),
    }),
  ],
  triggers: [],
});

/** The same, connected through a Zoho Self Client. */
export const testBooksSelfClientConnector: ConnectorDefinition = {
  ...testBooksConnector,
  key: 'test-books-self-client',
  title: 'Test Books (Self Client)',
  auth: { kind: 'zoho-self-client', scopes: ['ZohoBooks.fullaccess.all'] },
};

/** Togai with an API token (used only when the real Togai connector is not installed). */
export const testTogaiConnector: ConnectorDefinition = defineConnector({
  key: 'togai',
  title: 'Togai',
  description: 'Togai (sandbox) for the connections tests.',
  icon,
  auth: { kind: 'api-token', headerName: 'Authorization', scheme: 'Bearer' },
  http: { baseUrl: (connection) => String(connection.apiDomain), retry: { baseDelayMs: 10, maxDelayMs: 100 } },
  actions: [],
  triggers: [],
});

export const SANDBOX_TOGAI_TOKEN = 'togai_sandbox_api_token_0001';

export interface ConnectionsHarness {
  sandbox: RunningSandbox;
  t: TestApp;
  owner: SignedInUser;
  base: string;
  close(): Promise<void>;
}

/** Registers the test connectors that are not installed yet. */
export function registerTestConnectors(t: TestApp): void {
  const connectors = t.braid.app.get(ConnectorsService);
  for (const connector of [testBooksConnector, testBooksSelfClientConnector, testTogaiConnector]) {
    if (!connectors.registry.get(connector.key)) connectors.register(connector);
  }
}

/** A sandbox of its own (BRAID_SANDBOX_URL) and a runtime with the test connectors and a signed-in owner. */
export async function startConnectionsHarness(env: Record<string, string> = {}): Promise<ConnectionsHarness> {
  const sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  const t = await createTestApp({ env: { BRAID_SANDBOX_URL: sandbox.url, BRAID_PUBLIC_URL: 'http://127.0.0.1:3999', ...env } });
  registerTestConnectors(t);
  const owner = await t.signUpOwner();
  return {
    sandbox,
    t,
    owner,
    base: `/api/v1/workspaces/${owner.workspace.id}/connections`,
    async close() {
      await t.close();
      await sandbox.close();
    },
  };
}
