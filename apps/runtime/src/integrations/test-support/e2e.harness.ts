// End-to-end harness for the shipped templates: a sandbox, a runtime listening on a real port (the sandbox
// delivers Togai webhooks to it), a signed-in owner, a Togai connection (API token) and a Zoho Books
// connection made through the real OAuth code flow on the sandbox consent page.
import { startSandbox, type RunningSandbox, wellKnown } from '@braid/sandbox';
import { expect } from 'vitest';
import { sandboxAdmin, type SandboxAdmin } from '../../../../sandbox/src/test-support/index.js';
import { freePort } from '../../../test/free-port.js';
import { createTestApp, type SignedInUser, type TestApp } from '../../../test/test-app.js';
import { type ConnectionsHarness, connectViaOAuth } from '../../connections/test-support/connections.fixtures.js';
import { VaultService } from '../../vault/vault.service.js';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface E2eHarness {
  sandbox: RunningSandbox;
  admin: SandboxAdmin;
  t: TestApp;
  owner: SignedInUser;
  ws: string;
  togaiConnection: string;
  booksConnection: string;
  api: (path: string) => string;
  togai(path: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: Json }>;
  /** The sandbox's Books records of the connected organisation. */
  books(collection: 'contacts' | 'invoices'): Promise<Json[]>;
  createIntegration(templateId: string, body?: Json): Promise<Json>;
  /** Live runs of a flow, oldest first. */
  runs(flowId: string): Promise<Json[]>;
  /** Waits until the flow has `count` finished runs; returns them with their steps. */
  finishedRuns(flowId: string, count: number, timeoutMs?: number): Promise<Json[]>;
  /** Waits for the next `n` finished runs of the flow (after those already returned by nextRuns). */
  nextRuns(flowId: string, n?: number, timeoutMs?: number): Promise<Json[]>;
  run(runId: string): Promise<Json>;
  links(app: string, type: string, id: string): Promise<Json[]>;
  /** How many Books calls the sandbox answered with this status so far. */
  booksCallsWithStatus(status: number): Promise<number>;
  revokeBooks(): Promise<void>;
  reconnectBooks(): Promise<void>;
  close(): Promise<void>;
}

export const BOOKS_ORG: string = wellKnown.booksOrgs.acmeUs;

export async function startE2eHarness(): Promise<E2eHarness> {
  const sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  const admin = sandboxAdmin(sandbox.url);
  // Togai's 10 requests/s quota is not what these tests are about; faults are injected explicitly.
  await admin.patchLimits({ togai: { requestsPerSecond: 1000 } });
  const port = await freePort();
  const t = await createTestApp({ env: { BRAID_SANDBOX_URL: sandbox.url, BRAID_PUBLIC_URL: `http://127.0.0.1:${port}` } });
  await new Promise<void>((resolve) => t.server.listen(port, '127.0.0.1', resolve));
  const owner = await t.signUpOwner();
  const ws = owner.workspace.id;
  const api = (path: string) => `/api/v1/workspaces/${ws}${path}`;
  const client = owner.client;

  const togaiCreated = await client.post(api('/connections')).send({ connectorKey: 'togai', name: 'Togai sandbox', credentials: { token: wellKnown.togai.apiToken } });
  if (togaiCreated.status !== 201) throw new Error(`togai connection: ${togaiCreated.status} ${togaiCreated.text}`);
  const oauthHarness = { owner, base: api('/connections') } as unknown as ConnectionsHarness;
  const booksConnection = await connectViaOAuth(oauthHarness, { connectorKey: 'zoho-books', name: 'Acme Books' });
  const configured = await client.patch(api(`/connections/${booksConnection}`)).send({ settings: { organizationId: BOOKS_ORG } });
  if (configured.status !== 200) throw new Error(`books organisation: ${configured.status} ${configured.text}`);

  const seen = new Map<string, number>();
  const h: E2eHarness = {
    sandbox,
    admin,
    t,
    owner,
    ws,
    togaiConnection: togaiCreated.body.id,
    booksConnection,
    api,
    async togai(path, init = {}) {
      const response = await fetch(`${sandbox.url}/togai${path}`, {
        method: init.method ?? 'GET',
        headers: { authorization: `Bearer ${wellKnown.togai.apiToken}`, 'content-type': 'application/json' },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as Json) : {} };
    },
    async books(collection) {
      const state = await admin.state('books');
      return (state[collection] as Json[]).filter((r) => r.organization_id === BOOKS_ORG);
    },
    async createIntegration(templateId, body = {}) {
      const created = await client.post(api('/integrations')).send({ templateId, connections: { togai: h.togaiConnection, books: booksConnection }, ...body });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return created.body as Json;
    },
    async runs(flowId) {
      const response = await client.get(api(`/runs?flowId=${flowId}&limit=100`));
      return (response.body.runs as Json[]).slice().reverse();
    },
    async finishedRuns(flowId, count, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const runs = await h.runs(flowId);
        const finished = runs.filter((r) => ['succeeded', 'failed', 'cancelled'].includes(r.status as string));
        if (finished.length >= count && finished.length === runs.length) return Promise.all(finished.map((r) => h.run(r.id as string)));
        if (Date.now() > deadline) throw new Error(`flow ${flowId}: ${finished.length}/${runs.length} runs finished, expected ${count}: ${JSON.stringify(runs.map((r) => [r.status, r.source]))}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async nextRuns(flowId, n = 1, timeoutMs = 30_000) {
      const before = seen.get(flowId) ?? 0;
      const runs = await h.finishedRuns(flowId, before + n, timeoutMs);
      seen.set(flowId, runs.length);
      return runs.slice(before);
    },
    async run(runId) {
      return (await client.get(api(`/runs/${runId}`))).body as Json;
    },
    async links(app, type, id) {
      const response = await client.get(api(`/links?app=${encodeURIComponent(app)}&type=${encodeURIComponent(type)}&id=${encodeURIComponent(id)}`));
      return response.body.links as Json[];
    },
    async booksCallsWithStatus(status) {
      const body = (await (await fetch(`${sandbox.url}/_admin/calls?service=books`)).json()) as { calls: Array<{ status: number }> };
      return body.calls.filter((c) => c.status === status).length;
    },
    async revokeBooks() {
      const [row] = await t.query<{ secrets: string }>('SELECT secrets FROM connections WHERE id = $1', [booksConnection]);
      const { refreshToken } = t.braid.app.get(VaultService).decrypt<{ refreshToken: string }>(row!.secrets, { workspaceId: ws, connectionId: booksConnection });
      await admin.revokeRefreshToken(refreshToken);
      await admin.expireAccessTokens();
    },
    async reconnectBooks() {
      const { approveConsent, readCallbackPage } = await import('../../connections/test-support/connections.fixtures.js');
      const reconnect = await client.post(api(`/connections/${booksConnection}/reconnect`)).send({});
      const redirect = await approveConsent(reconnect.body.authorizeUrl as string);
      const outcome = readCallbackPage((await client.get(`${redirect.pathname}${redirect.search}`)).text);
      expect(outcome).toMatchObject({ status: 'connected', connectionId: booksConnection });
    },
    async close() {
      await t.close();
      await sandbox.close();
    },
  };
  return h;
}

/** The output of a step (top-level path) of a run. */
export function stepOutput(run: Json, stepId: string): Json | undefined {
  return (run.steps as Json[]).find((s) => s.stepId === stepId && s.path === stepId)?.output as Json | undefined;
}
