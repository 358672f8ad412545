import { startSandbox, type RunningSandbox } from '@braid/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxAdmin, type SandboxAdmin } from '../../../sandbox/src/test-support/index.js';
import { createTestApp, type SignedInUser, type TestApp } from '../../test/test-app.js';
import { allowLoopback, flowDefinition, httpStep, type Json, startRun } from '../engine/test-support/engine.fixtures.js';

describe('flows API: drafts, edits, validation, versions, enable/disable, export/import, preview', () => {
  let t: TestApp;
  let sandbox: RunningSandbox;
  let admin: SandboxAdmin;
  let owner: SignedInUser;
  let other: SignedInUser;
  let ws: string;
  const flows = () => `/api/v1/workspaces/${ws}/flows`;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    admin = sandboxAdmin(sandbox.url);
    t = await createTestApp();
    allowLoopback(t);
    owner = await t.signUpOwner();
    other = await t.signUpUser();
    ws = owner.workspace.id;
  });
  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  it('creates a blank flow, lists it with its connectors, and edits the draft by operations with optimistic concurrency', async () => {
    const created = await owner.client.post(flows()).send({ name: 'Accounts to Books', direction: 'outbound' }).expect(201);
    expect(created.body).toMatchObject({ name: 'Accounts to Books', direction: 'outbound', enabled: false, draftRevision: 1, publishedVersion: null, hasUnpublishedChanges: true });
    expect(created.body.draft).toMatchObject({ schemaVersion: 1, start: null, steps: {}, trigger: { connector: 'core', trigger: 'manual' } });
    const id = created.body.id as string;

    const edited = await owner.client.patch(`${flows()}/${id}/draft`).send({
      baseRevision: 1,
      edits: [
        { type: 'addStep', after: 'trigger', step: { kind: 'map', id: 'shape', output: { a: 1 } } },
        { type: 'addStep', after: 'shape', step: httpStep('call', `${sandbox.url}/bin/edits`, { a: { $expr: '$steps.shape.a' } }) },
        { type: 'renameFlow', name: 'Renamed' },
      ],
    }).expect(200);
    expect(edited.body).toMatchObject({ name: 'Renamed', draftRevision: 2, problems: [] });
    expect(edited.body.draft.start).toBe('shape');
    expect(edited.body.draft.steps.shape.next).toBe('call');

    // A stale revision is refused, and nothing changes.
    const stale = await owner.client.patch(`${flows()}/${id}/draft`).send({ baseRevision: 1, edits: [{ type: 'renameFlow', name: 'Lost update' }] });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'REVISION_CONFLICT', details: { currentRevision: 2 } });
    const staleReplace = await owner.client.put(`${flows()}/${id}/draft`).send({ baseRevision: 1, definition: edited.body.draft });
    expect(staleReplace.status).toBe(409);

    // An edit that would break the flow is refused with the edit's position.
    const badEdit = await owner.client.patch(`${flows()}/${id}/draft`).send({ baseRevision: 2, edits: [{ type: 'deleteStep', stepId: 'nope' }] });
    expect(badEdit.status).toBe(400);
    expect(badEdit.body.error).toMatchObject({ code: 'EDIT_REJECTED', pointer: '/edits/0', details: { editCode: 'STEP_NOT_FOUND' } });

    const list = await owner.client.get(flows()).expect(200);
    expect(list.body.flows).toEqual([expect.objectContaining({ id, name: 'Renamed', triggerConnector: 'core', triggerKey: 'manual', actionConnectors: ['core'], lastRun: null })]);
  });

  it('refuses malformed definitions and unpublishable drafts with every problem and its pointer', async () => {
    const malformed = await owner.client.post(flows()).send({ definition: { schemaVersion: 1, name: 'x', direction: 'sideways', trigger: {}, start: null, steps: {} } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('FLOW_MALFORMED');
    expect(malformed.body.error.pointer).toMatch(/^\/definition\//);
    expect(malformed.body.error.details.problems.length).toBeGreaterThan(0);

    const created = await owner.client.post(flows()).send({
      definition: flowDefinition({
        first: { kind: 'map', id: 'first', output: { v: { $expr: '$steps.later.x' } }, next: 'later' },
        later: { kind: 'action', id: 'later', connector: 'core', action: 'no_such_action', input: {} },
      }, 'first'),
    }).expect(201);
    expect(created.body.problems.map((p: Json) => p.code).sort()).toEqual(['NOT_UPSTREAM', 'UNKNOWN_ACTION']);
    const validate = await owner.client.post(`${flows()}/${created.body.id}/validate`).send({}).expect(200);
    expect(validate.body.valid).toBe(false);
    const refused = await owner.client.post(`${flows()}/${created.body.id}/publish`).send({});
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('FLOW_INVALID');
    const pointers = (refused.body.error.details.problems as Json[]).map((p) => p.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/draft/steps/later/action', expect.stringMatching(/^\/draft\/steps\/first\/output/)]));
    expect((await owner.client.get(`${flows()}/${created.body.id}/versions`).expect(200)).body.versions).toEqual([]);
    expect((await owner.client.post(`${flows()}/${created.body.id}/enable`).send({})).status).toBe(409);
  });

  it('publishes immutable versions, enables/disables, exports/imports without secrets, deletes', async () => {
    const definition = flowDefinition({ shape: { kind: 'map', id: 'shape', output: { v: 1 } } }, 'shape');
    const created = await owner.client.post(flows()).send({ definition }).expect(201);
    const id = created.body.id as string;
    const v1 = await owner.client.post(`${flows()}/${id}/publish`).send({}).expect(200);
    expect(v1.body).toMatchObject({ publishedVersion: { version: 1 }, hasUnpublishedChanges: false });

    const changed = { ...definition, steps: { shape: { kind: 'map', id: 'shape', output: { v: 2 } } } };
    await owner.client.put(`${flows()}/${id}/draft`).send({ definition: changed, baseRevision: 1 }).expect(200);
    expect((await owner.client.get(`${flows()}/${id}`)).body.hasUnpublishedChanges).toBe(true);
    await owner.client.post(`${flows()}/${id}/publish`).send({}).expect(200);
    const versions = await owner.client.get(`${flows()}/${id}/versions`).expect(200);
    expect(versions.body.versions.map((v: Json) => v.version)).toEqual([2, 1]);
    // Version 1 still holds what was published then.
    expect((await owner.client.get(`${flows()}/${id}/versions/1`).expect(200)).body.definition.steps.shape.output).toEqual({ v: 1 });
    expect((await owner.client.get(`${flows()}/${id}/versions/2`).expect(200)).body.definition.steps.shape.output).toEqual({ v: 2 });
    expect((await owner.client.get(`${flows()}/${id}/versions/3`)).status).toBe(404);

    expect((await owner.client.post(`${flows()}/${id}/enable`).send({}).expect(200)).body.enabled).toBe(true);
    expect((await owner.client.post(`${flows()}/${id}/disable`).send({}).expect(200)).body.enabled).toBe(false);

    const withConnection = { ...changed, steps: { ...changed.steps, call: { kind: 'action', id: 'call', connector: 'core', action: 'transform', connectionRef: 'books-conn', input: { expression: '1', data: {} } } } };
    await owner.client.put(`${flows()}/${id}/draft`).send({ definition: { ...withConnection, steps: { ...withConnection.steps, shape: { ...withConnection.steps.shape, next: 'call' } } } }).expect(200);
    const exported = await owner.client.get(`${flows()}/${id}/export`).expect(200);
    expect(exported.body).toMatchObject({ format: 'braid-flow', formatVersion: 1, direction: 'outbound', connections: [{ ref: 'books-conn', connectorKey: 'core' }] });
    const imported = await owner.client.post(`${flows()}/import`).send({ ...exported.body, name: 'Imported', connectionMap: { 'books-conn': 'other-conn' } }).expect(201);
    expect(imported.body).toMatchObject({ name: 'Imported', enabled: false, publishedVersion: null });
    expect(imported.body.draft.steps.call.connectionRef).toBe('other-conn');

    await owner.client.delete(`${flows()}/${id}`).expect(204);
    expect((await owner.client.get(`${flows()}/${id}`)).status).toBe(404);
    expect((await owner.client.post(flows()).send({ templateId: 'nope' })).body.error.code).toBe('UNKNOWN_TEMPLATE');
    const fromTemplate = await owner.client.post(flows()).send({ templateId: 's1-platform-accounts-to-books' }).expect(201);
    expect(fromTemplate.body).toMatchObject({ direction: 'outbound', enabled: false, publishedVersion: null });
    expect(Object.keys(fromTemplate.body.draft.steps).length).toBeGreaterThan(0);
  });

  it('previews the draft with every step\'s data; dry-run answers writes with samples and sends nothing', async () => {
    const created = await owner.client.post(flows()).send({
      definition: flowDefinition({
        shape: { kind: 'map', id: 'shape', output: { marker: { $expr: '$trigger.marker' } }, next: 'call' },
        call: httpStep('call', `${sandbox.url}/bin/preview`, { marker: { $expr: '$steps.shape.marker' } }, { next: 'after' }),
        after: { kind: 'map', id: 'after', output: { status: { $expr: '$steps.call.status' } } },
      }, 'shape'),
    }).expect(201);
    const id = created.body.id as string;

    const dry = await owner.client.post(`${flows()}/${id}/preview`).send({ source: 'payload', payload: { marker: 'dry' }, mode: 'dry-run' }).expect(200);
    expect(dry.body).toMatchObject({ mode: 'dry-run', status: 'succeeded', triggerOutput: { marker: 'dry' } });
    expect(dry.body.steps.map((s: Json) => [s.stepId, s.status, s.dryRun])).toEqual([['shape', 'succeeded', false], ['call', 'succeeded', true], ['after', 'succeeded', false]]);
    expect(dry.body.steps[1].input).toMatchObject({ body: { marker: 'dry' } });
    expect(await admin.binRequests('preview')).toEqual([]);

    const real = await owner.client.post(`${flows()}/${id}/preview`).send({ source: 'payload', payload: { marker: 'real' } }).expect(200);
    expect(real.body).toMatchObject({ mode: 'preview', status: 'succeeded', output: { status: 200 } });
    expect((await admin.binRequests('preview')).map((r) => r.json)).toEqual([{ marker: 'real' }]);

    // The trigger's sample (manual trigger: its sample payload, here the descriptor's sample).
    const sample = await owner.client.post(`${flows()}/${id}/preview`).send({ source: 'sample', mode: 'dry-run' }).expect(200);
    expect(sample.body.triggerOutput).toEqual({ accountId: 'A-17' });

    // "Test this step" with the outputs of the last preview.
    const single = await owner.client.post(`${flows()}/${id}/preview`).send({ source: 'payload', payload: {}, stepId: 'after' }).expect(200);
    expect(single.body.steps).toEqual([expect.objectContaining({ stepId: 'after', output: { status: 200 } })]);
    const given = await owner.client.post(`${flows()}/${id}/preview`).send({ source: 'payload', payload: {}, stepId: 'after', stepOutputs: { call: { status: 201 } } }).expect(200);
    expect(given.body.steps[0].output).toEqual({ status: 201 });
    // A step that reads $item / $index, tested with a given element.
    await owner.client.patch(`${flows()}/${id}/draft`).send({ baseRevision: 1, edits: [{ type: 'updateStep', stepId: 'after', patch: { output: { sku: { $expr: '$item.sku' }, at: { $expr: '$index' } } } }] }).expect(200);
    const inLoop = await owner.client.post(`${flows()}/${id}/preview`).send({ source: 'payload', payload: {}, stepId: 'after', loop: { item: { sku: 'X-1' }, index: 2 } }).expect(200);
    expect(inLoop.body.steps[0].output).toEqual({ sku: 'X-1', at: 2 });

    // Previews are runs of their own (listed on request), never counted as the flow's last run.
    const runs = await owner.client.get(`/api/v1/workspaces/${ws}/runs?flowId=${id}&previews=true`).expect(200);
    expect(runs.body.runs.length).toBe(6);
    expect((await owner.client.get(`/api/v1/workspaces/${ws}/runs?flowId=${id}`)).body.runs).toEqual([]);
    expect((await owner.client.post(`${flows()}/${id}/preview`).send({ source: 'last-event' })).body.error.code).toBe('NO_SAMPLE_EVENT');
  });

  it('re-arms the trigger with each new version while enabled, and previews with the last real event', async () => {
    const definition = flowDefinition({ echo: { kind: 'map', id: 'echo', output: { got: { $expr: '$trigger.order' } } } }, 'echo');
    const created = await owner.client.post(flows()).send({ definition }).expect(201);
    const id = created.body.id as string;
    const v1 = await owner.client.post(`${flows()}/${id}/publish`).send({}).expect(200);
    await owner.client.post(`${flows()}/${id}/enable`).send({}).expect(200);
    const armed = async () => (await t.query<{ armed_version_id: string }>(`SELECT armed_version_id FROM trigger_states WHERE flow_id = $1`, [id]))[0]?.armed_version_id;
    expect(await armed()).toBe(v1.body.publishedVersion.id);
    await owner.client.put(`${flows()}/${id}/draft`).send({ definition: { ...definition, name: 'v2' } }).expect(200);
    const v2 = await owner.client.post(`${flows()}/${id}/publish`).send({}).expect(200);
    expect(await armed()).toBe(v2.body.publishedVersion.id);

    // A real event (a manual run stores one), then a preview of the draft with it.
    await startRun(t, ws, id, { order: 'SO-1' });
    const preview = await owner.client.post(`${flows()}/${id}/preview`).send({ source: 'last-event' }).expect(200);
    expect(preview.body).toMatchObject({ triggerOutput: { order: 'SO-1' }, output: { got: 'SO-1' } });
    await owner.client.delete(`${flows()}/${id}`).expect(204);
    expect(await armed()).toBeUndefined();
  });

  it('keeps viewers read-only and other workspaces out (404)', async () => {
    const created = await owner.client.post(flows()).send({ name: 'Private', direction: 'inbound' }).expect(201);
    const id = created.body.id as string;
    const viewerEmail = 'viewer@example.com';
    await owner.client.post(`/api/v1/workspaces/${ws}/members`).send({ email: viewerEmail, role: 'viewer', password: 'viewer-password-1' }).expect(201);
    const viewer = t.agent();
    await viewer.login(viewerEmail, 'viewer-password-1');
    expect((await viewer.get(`${flows()}/${id}`)).status).toBe(200);
    expect((await viewer.post(flows()).send({ name: 'x', direction: 'inbound' })).status).toBe(403);
    expect((await viewer.patch(`${flows()}/${id}/draft`).send({ baseRevision: 1, edits: [{ type: 'renameFlow', name: 'x' }] })).status).toBe(403);
    expect((await viewer.delete(`${flows()}/${id}`)).status).toBe(403);

    for (const response of [
      await other.client.get(`${flows()}/${id}`),
      await other.client.get(`/api/v1/workspaces/${other.workspace.id}/flows/${id}`),
      await other.client.post(`/api/v1/workspaces/${other.workspace.id}/flows/${id}/publish`).send({}),
      await other.client.delete(`/api/v1/workspaces/${other.workspace.id}/flows/${id}`),
      await other.client.get(`/api/v1/workspaces/${other.workspace.id}/flows/not-a-uuid`),
    ]) expect(response.status).toBe(404);
    expect((await other.client.get(`/api/v1/workspaces/${other.workspace.id}/flows`)).body.flows).toEqual([]);
  });
});
