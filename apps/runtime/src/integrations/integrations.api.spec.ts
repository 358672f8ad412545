import { startSandbox, type RunningSandbox } from '@braid/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedInUser, type TestApp } from '../../test/test-app.js';
import { SANDBOX_TOGAI_TOKEN } from '../connections/test-support/connections.fixtures.js';
import { waitForRun } from '../engine/test-support/engine.fixtures.js';
import { TemplatesCatalog } from './templates.catalog.js';
import { fixtureManifest, fixtureTemplate, type Json, writeTemplates } from './test-support/integrations.fixtures.js';

describe('integrations API: templates gallery, create from a template, settings, module switches, status, delete', () => {
  let sandbox: RunningSandbox;
  let t: TestApp;
  let owner: SignedInUser;
  let ws: string;
  let base: string;
  let togaiConnection: string;
  let templatesRoot: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    t = await createTestApp({ env: { BRAID_SANDBOX_URL: sandbox.url } });
    const root = (templatesRoot = await writeTemplates({
      echo: fixtureTemplate(),
      // a template whose second slot wants Zoho Books: given a Togai connection it is refused
      'two-apps': fixtureTemplate({ ...fixtureManifest, id: 'fixture-two-apps', connections: [...(fixtureManifest.connections as Json[]), { key: 'books', connector: 'zoho-books', title: 'Books' }] }),
    }));
    t.braid.app.get(TemplatesCatalog).load(root);
    owner = await t.signUpOwner();
    ws = owner.workspace.id;
    base = `/api/v1/workspaces/${ws}/integrations`;
    const created = await owner.client.post(`/api/v1/workspaces/${ws}/connections`).send({ connectorKey: 'togai', name: 'Togai sandbox', credentials: { token: SANDBOX_TOGAI_TOKEN } });
    expect(created.status).toBe(201);
    togaiConnection = created.body.id;
  });
  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  const flowOf = async (flowId: string) => (await owner.client.get(`/api/v1/workspaces/${ws}/flows/${flowId}`)).body as Json;
  const runFlow = async (flowId: string, payload: unknown) => {
    const started = await owner.client.post(`/api/v1/workspaces/${ws}/flows/${flowId}/runs`).send({ payload });
    expect(started.status).toBe(202);
    return waitForRun(owner.client, ws, started.body.runId);
  };
  const stepOutput = (run: Json, id: string) => (run.steps as Json[]).find((s) => s.stepId === id)?.output as Json;

  it('lists template cards (apps, connections, modules, settings form) and one template with its README', async () => {
    const list = await owner.client.get('/api/v1/templates');
    expect(list.status).toBe(200);
    const card = (list.body.templates as Json[]).find((c) => c.id === 'fixture-echo');
    expect(card).toMatchObject({
      title: 'Echo fixture',
      name: 'Echo fixture',
      summary: 'Reads a Togai customer and echoes the settings.',
      apps: [{ key: 'togai', title: expect.any(String) }, { key: 'core', title: expect.any(String) }],
      connections: [{ key: 'togai', connector: 'togai', title: 'Togai', authKind: 'api-token' }],
      modules: [{ key: 'echo', default: true, flows: ['echo'] }, { key: 'nightly', default: false, flows: ['nightly'] }],
      settingsSchema: { required: ['greeting'] },
      flows: [{ key: 'echo', name: 'Echo the settings', trigger: 'core.manual' }, { key: 'nightly', name: 'Nightly', trigger: 'core.schedule' }],
    });
    expect((await owner.client.get(`/api/v1/workspaces/${ws}/templates`)).body.templates).toEqual(list.body.templates);
    const one = await owner.client.get('/api/v1/templates/fixture-echo');
    expect(one.body.readme).toContain('# Echo fixture');
    expect((await owner.client.get('/api/v1/templates/nope')).body.error.code).toBe('UNKNOWN_TEMPLATE');
  });

  it('refuses bad settings, connections and modules with pointers, creating nothing', async () => {
    const attempt = (body: Json) => owner.client.post(base).send({ templateId: 'fixture-echo', connections: { togai: togaiConnection }, settings: { greeting: 'Hello' }, ...body });
    const badSettings = await attempt({ settings: { greeting: 'H', extra: 1 } });
    expect(badSettings.status).toBe(400);
    expect(badSettings.body.error).toMatchObject({ code: 'INVALID_SETTINGS', pointer: expect.stringMatching(/^\/settings\//) });
    expect(badSettings.body.error.details.problems.map((p: Json) => p.pointer).sort()).toEqual(['/settings/extra', '/settings/greeting']);
    expect((await attempt({ settings: {} })).body.error).toMatchObject({ code: 'INVALID_SETTINGS', pointer: '/settings/greeting' });
    expect((await attempt({ connections: {} })).body.error).toMatchObject({ code: 'INVALID_CONNECTIONS', pointer: '/connections/togai' });
    expect((await attempt({ connections: { togai: '00000000-0000-4000-8000-000000000000' } })).body.error).toMatchObject({ code: 'INVALID_CONNECTIONS', pointer: '/connections/togai' });
    expect((await attempt({ modules: { nope: true } })).body.error).toMatchObject({ code: 'UNKNOWN_MODULE', pointer: '/modules/nope' });
    const mismatch = await owner.client.post(base).send({ templateId: 'fixture-two-apps', connections: { togai: togaiConnection, books: togaiConnection }, settings: { greeting: 'Hello' } });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error).toMatchObject({ code: 'INVALID_CONNECTIONS', pointer: '/connections/books', message: expect.stringContaining('needs a zoho-books connection; "Togai sandbox" is a togai connection') });
    expect((await owner.client.post(base).send({ templateId: 'nope', connections: {} })).body.error).toMatchObject({ code: 'UNKNOWN_TEMPLATE', pointer: '/templateId' });
    expect((await owner.client.get(`/api/v1/workspaces/${ws}/flows`)).body.flows).toEqual([]);
    expect((await owner.client.get(base)).body.integrations).toEqual([]);
  });

  it('creates editable flows with the chosen connections and settings, switches modules, re-renders on settings, deletes', async () => {
    const created = await owner.client.post(base).send({ templateId: 'fixture-echo', name: 'Acme echo', connections: { togai: togaiConnection }, settings: { greeting: 'Hello' } });
    expect(created.status).toBe(201);
    const integration = created.body as Json;
    expect(integration).toMatchObject({
      templateId: 'fixture-echo',
      name: 'Acme echo',
      status: 'active',
      reasons: [],
      settings: { greeting: 'Hello', count: 3 },
      connections: [{ slot: 'togai', connectionId: togaiConnection, connector: 'togai', name: 'Togai sandbox', status: 'connected' }],
      modules: [{ key: 'echo', enabled: true }, { key: 'nightly', enabled: false }],
      initialSync: { status: 'not-started' },
    });
    const flows = Object.fromEntries((integration.flows as Json[]).map((f) => [f.key, f]));
    expect(flows.echo).toMatchObject({ name: 'Acme echo · Echo the settings', enabled: true, publishedVersion: 1, module: 'echo' });
    expect(flows.nightly).toMatchObject({ enabled: false, publishedVersion: 1, module: 'nightly' });

    // An ordinary flow: the connection id is in place of the slot, the settings are written in.
    const echo = await flowOf(flows.echo!.flowId as string);
    const draft = echo.draft as { steps: Record<string, Json> };
    expect(draft.steps.customer!.connectionRef).toBe(togaiConnection);
    expect(echo.problems).toEqual([]);

    const customer = await fetch(`${sandbox.url}/togai/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SANDBOX_TOGAI_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'echo-1', name: 'Echo Corp', primaryEmail: 'echo@example.com', address: { country: 'DE' } }),
    });
    expect(customer.status).toBe(201);
    const run = await runFlow(flows.echo!.flowId as string, { customerId: 'echo-1' });
    expect(run.status).toBe('succeeded');
    expect(stepOutput(run, 'echo')).toEqual({ greeting: 'Hello, Echo Corp', count: 3 });

    // Module switch on: its flow is enabled (armed); settings change: flows rendered again and republished.
    const patched = await owner.client.patch(`${base}/${integration.id}`).send({ modules: { nightly: true }, settings: { greeting: 'Servus', count: 5 } });
    expect(patched.status).toBe(200);
    expect(patched.body.modules).toEqual([expect.objectContaining({ key: 'echo', enabled: true }), expect.objectContaining({ key: 'nightly', enabled: true })]);
    expect((patched.body.flows as Json[]).map((f) => [f.key, f.enabled, f.publishedVersion])).toEqual([
      ['echo', true, 2],
      ['nightly', true, 2],
    ]);
    expect(stepOutput(await runFlow(flows.echo!.flowId as string, { customerId: 'echo-1' }), 'echo')).toEqual({ greeting: 'Servus, Echo Corp', count: 5 });
    expect((await owner.client.patch(`${base}/${integration.id}`).send({ settings: { greeting: 'x' } })).body.error.code).toBe('INVALID_SETTINGS');

    const off = await owner.client.patch(`${base}/${integration.id}`).send({ modules: { echo: false } });
    expect((off.body.flows as Json[]).find((f) => f.key === 'echo')!.enabled).toBe(false);
    expect((await flowOf(flows.echo!.flowId as string)).enabled).toBe(false);

    // No flow of this template can import existing records.
    const sync = await owner.client.post(`${base}/${integration.id}/initial-sync`).send({});
    expect(sync.status).toBe(409);
    expect(sync.body.error.code).toBe('INITIAL_SYNC_UNAVAILABLE');

    // Status: a connection that needs reconnecting, or a failed last run, needs attention (with the reason).
    await t.query(`UPDATE connections SET status = 'needs_reconnect' WHERE id = $1`, [togaiConnection]);
    const attention = (await owner.client.get(`${base}/${integration.id}`)).body as Json;
    expect(attention.status).toBe('needs-attention');
    expect(attention.reasons).toEqual([expect.stringContaining('"Togai sandbox" needs to be reconnected')]);
    await t.query(`UPDATE connections SET status = 'connected' WHERE id = $1`, [togaiConnection]);
    await owner.client.patch(`${base}/${integration.id}`).send({ modules: { echo: true } });
    const failed = await runFlow(flows.echo!.flowId as string, { customerId: 'no-such-customer' });
    expect(failed.status).toBe('failed');
    const afterFailure = (await owner.client.get(`${base}/${integration.id}`)).body as Json;
    expect(afterFailure.status).toBe('needs-attention');
    expect(afterFailure.reasons).toEqual([expect.stringContaining(`last run of "Acme echo · Echo the settings" failed (run ${failed.id})`)]);

    // Another workspace sees nothing.
    const stranger = await t.signUpUser();
    expect((await stranger.client.get(`/api/v1/workspaces/${stranger.workspace.id}/integrations/${integration.id}`)).status).toBe(404);
    expect((await stranger.client.get(`/api/v1/workspaces/${ws}/integrations/${integration.id}`)).status).toBe(404);

    const deleted = await owner.client.delete(`${base}/${integration.id}`);
    expect(deleted.status).toBe(204);
    expect((await owner.client.get(`${base}/${integration.id}`)).status).toBe(404);
    expect((await owner.client.get(`/api/v1/workspaces/${ws}/flows`)).body.flows).toEqual([]);
  });
  it('an integration whose template was removed still shows (needs attention, flows listed) and can be deleted', async () => {
    const created = await owner.client.post(base).send({ templateId: 'fixture-echo', connections: { togai: togaiConnection }, settings: { greeting: 'Hi there' } });
    expect(created.status).toBe(201);
    const catalog = t.braid.app.get(TemplatesCatalog);
    catalog.load(await writeTemplates({}));
    try {
      const orphan = (await owner.client.get(`${base}/${created.body.id}`)).body as Json;
      expect(orphan).toMatchObject({ status: 'needs-attention', reasons: [expect.stringContaining('"fixture-echo" is no longer installed')] });
      expect((orphan.flows as Json[]).map((f) => f.key).sort()).toEqual(['echo', 'nightly']);
      expect((await owner.client.get('/api/v1/templates')).body.templates).toEqual([]);
      expect((await owner.client.delete(`${base}/${created.body.id}`)).status).toBe(204);
      expect((await owner.client.get(`/api/v1/workspaces/${ws}/flows`)).body.flows).toEqual([]);
    } finally {
      catalog.load(templatesRoot);
    }
  });
});
