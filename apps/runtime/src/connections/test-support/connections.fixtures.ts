// Test connectors for the connections tests: real connectors (SDK definitions) that talk to the sandbox.
import type { INestApplication } from '@nestjs/common';
import { type ConnectorDefinition, createConnectorContext, defineAction, defineConnector, runAction } from '@braid/connector-sdk';
import { type RunningSandbox, type SandboxOptions, startSandbox } from '@braid/sandbox';
import { readConsentForm, sandboxAdmin } from '../../../../sandbox/src/test-support/index.js';
import { type BraidApp, createBraidApp } from '../../bootstrap.js';
import { loadConfig } from '../../config/config.service.js';
import { createTestApp, type SignedInUser, type TestApp } from '../../../test/test-app.js';
import { ConnectorsService } from '../../connectors/connectors.service.js';
import { ConnectionsService } from '../connections.service.js';

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

export const SANDBOX_TOGAI_TOKEN = 'togai_sandbox_api_token_0001';

export interface ConnectionsHarness {
  sandbox: RunningSandbox;
  t: TestApp;
  owner: SignedInUser;
  base: string;
  close(): Promise<void>;
}

/** Registers the test connectors (Togai is an installed connector). */
export function registerTestConnectors(app: INestApplication): void {
  const connectors = app.get(ConnectorsService);
  for (const connector of [testBooksConnector, testBooksSelfClientConnector]) {
    if (!connectors.registry.get(connector.key)) connectors.register(connector);
  }
}

/** A sandbox of its own (BRAID_SANDBOX_URL) and a runtime with the test connectors and a signed-in owner. */
export async function startConnectionsHarness(env: Record<string, string> = {}, sandboxOptions: SandboxOptions = {}): Promise<ConnectionsHarness> {
  const sandbox = await startSandbox({ port: 0, host: '127.0.0.1', ...sandboxOptions });
  const t = await createTestApp({ env: { BRAID_SANDBOX_URL: sandbox.url, BRAID_PUBLIC_URL: 'http://127.0.0.1:3999', ...env } });
  registerTestConnectors(t.braid.app);
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

/**
 * Plays the user on the sandbox consent page of `authorizeUrl` (as a browser would): picks the user, accepts,
 * and returns the redirect URL Zoho would send the popup to (not followed).
 */
export async function approveConsent(authorizeUrl: string, options: { userEmail?: string; decision?: 'approve' | 'reject' } = {}): Promise<URL> {
  const url = new URL(authorizeUrl);
  if (options.userEmail) url.searchParams.set('sandbox_user', options.userEmail);
  const consent = await fetch(url);
  const page = await consent.text();
  if (consent.status !== 200) throw new Error(`consent page answered ${consent.status}: ${page.slice(0, 300)}`);
  const { action, fields } = readConsentForm(page);
  fields.decision = options.decision ?? 'approve';
  const answered = await fetch(new URL(action, url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  const location = answered.headers.get('location');
  if (answered.status !== 302 || !location) throw new Error(`consent form answered ${answered.status} without a redirect`);
  return new URL(location);
}

/** The connection id the callback page reports to the opener, or its error. */
export function readCallbackPage(html: string): { status: string; connectionId?: string; error?: { code: string; message: string } } {
  const match = /var data = (\{.*\});/.exec(html);
  if (!match) throw new Error(`not a callback page: ${html.slice(0, 200)}`);
  return (JSON.parse(match[1] as string) as { outcome: { status: string; connectionId?: string; error?: { code: string; message: string } } }).outcome;
}

/** Full OAuth connect through the API, the sandbox consent page and the callback; returns the connection id. */
export async function connectViaOAuth(
  h: ConnectionsHarness,
  input: { connectorKey?: string; name?: string; dataCentre?: string; userEmail?: string; client?: SignedInUser['client']; base?: string } = {},
): Promise<string> {
  const client = input.client ?? h.owner.client;
  const started = await client.post(`${input.base ?? h.base}/oauth/start`).send({
    connectorKey: input.connectorKey ?? 'test-books',
    name: input.name ?? 'Books',
    dataCentre: input.dataCentre ?? 'us',
    target: 'sandbox',
  });
  if (started.status !== 200) throw new Error(`oauth/start answered ${started.status}: ${started.text}`);
  const redirect = await approveConsent(started.body.authorizeUrl, input.userEmail ? { userEmail: input.userEmail } : {});
  const callback = await client.get(`${redirect.pathname}${redirect.search}`);
  const outcome = readCallbackPage(callback.text);
  if (callback.status !== 200 || !outcome.connectionId) throw new Error(`callback answered ${callback.status}: ${JSON.stringify(outcome)}`);
  return outcome.connectionId;
}

/**
 * A second runtime on the same database (separate Nest app, pool and token caches: what another replica has in
 * common with the first is only PostgreSQL and the sandbox).
 */
export async function startSecondRuntime(h: ConnectionsHarness): Promise<{ app: BraidApp; logs: string[]; close(): Promise<void> }> {
  const config = loadConfig({
    DATABASE_URL: h.t.config.databaseUrl as string,
    BRAID_SANDBOX: 'off',
    BRAID_SANDBOX_URL: h.sandbox.url,
    BRAID_PUBLIC_URL: 'http://127.0.0.1:3999',
    BRAID_ENCRYPTION_KEY: h.t.config.encryption.key as string,
    BRAID_LOG_LEVEL: 'info',
  });
  const logs: string[] = [];
  const app = await createBraidApp(config, { logDestination: { write: (line: string) => void logs.push(line) } });
  await app.app.init();
  registerTestConnectors(app.app);
  return { app, logs, close: () => app.close() };
}

/** Token requests (`POST …/oauth/v2/token`, any data centre) the sandbox served since its calls were cleared. */
export async function tokenRequests(sandboxUrl: string): Promise<number> {
  const { counts } = await sandboxAdmin(sandboxUrl).calls();
  return Object.entries(counts)
    .filter(([key]) => /^POST .*\/oauth\/v2\/token$/.test(key))
    .reduce((sum, [, n]) => sum + Number(n), 0);
}

/** What a flow step does: get the connection's context from the runtime and run the test Books action. */
export async function runBooksStep(app: INestApplication, workspaceId: string, connectionId: string): Promise<unknown> {
  const { connection, credentials, ssrf } = await app.get(ConnectionsService).contextFor(workspaceId, connectionId);
  const connector = app.get(ConnectorsService).definition(connection.connectorKey);
  return runAction(connector, 'count_contacts', createConnectorContext({ connector, connection, credentials, ssrf }), {});
}
