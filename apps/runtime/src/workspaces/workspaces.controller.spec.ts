import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedInUser, type TestApp } from '../../test/test-app.js';

describe('workspaces: membership, roles and isolation', () => {
  let t: TestApp;
  let alice: SignedInUser;
  let bob: SignedInUser;
  beforeAll(async () => {
    t = await createTestApp();
    alice = await t.signUpOwner({ email: 'alice@example.com', workspaceName: 'Alice Co' });
    bob = await t.signUpUser({ email: 'bob@example.com', workspaceName: 'Bob Ltd' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists only my workspaces', async () => {
    const mine = await alice.client.get('/api/v1/workspaces').expect(200);
    expect(mine.body.workspaces.map((w: { name: string }) => w.name)).toEqual(['Alice Co']);
    const his = await bob.client.get('/api/v1/workspaces').expect(200);
    expect(his.body.workspaces.map((w: { name: string }) => w.name)).toEqual(['Bob Ltd']);
  });

  it("answers 404 (never 403, never content) when another workspace's user reads or changes it", async () => {
    const target = alice.workspace.id;
    const attempts = [
      bob.client.get(`/api/v1/workspaces/${target}`),
      bob.client.get(`/api/v1/workspaces/${target}/members`),
      bob.client.patch(`/api/v1/workspaces/${target}`).send({ name: 'Hijacked' }),
      bob.client.post(`/api/v1/workspaces/${target}/members`).send({ email: 'bob@example.com', role: 'owner' }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('WORKSPACE_NOT_FOUND');
      expect(JSON.stringify(response.body)).not.toContain('Alice Co');
    }
    // The same answer as for a workspace that does not exist at all, or a malformed id.
    const missing = await bob.client.get('/api/v1/workspaces/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual((await bob.client.get(`/api/v1/workspaces/${target}`)).body);
    expect((await bob.client.get('/api/v1/workspaces/not-a-uuid')).status).toBe(404);
    // Nothing changed.
    const after = await alice.client.get(`/api/v1/workspaces/${target}`).expect(200);
    expect(after.body.name).toBe('Alice Co');
    expect((await alice.client.get(`/api/v1/workspaces/${target}/members`)).body.members).toHaveLength(1);
  });

  it('adds members by email with a role, and enforces roles', async () => {
    const added = await alice.client
      .post(`/api/v1/workspaces/${alice.workspace.id}/members`)
      .send({ email: 'Carol@Example.com', role: 'viewer', password: 'carol-password' })
      .expect(201);
    expect(added.body).toMatchObject({ email: 'carol@example.com', role: 'viewer' });

    const members = await alice.client.get(`/api/v1/workspaces/${alice.workspace.id}/members`).expect(200);
    expect(members.body.members.map((m: { email: string; role: string }) => [m.email, m.role])).toEqual([
      ['alice@example.com', 'owner'],
      ['carol@example.com', 'viewer'],
    ]);

    const carol = t.agent();
    expect((await carol.login('carol@example.com', 'carol-password')).status).toBe(200);
    await carol.get(`/api/v1/workspaces/${alice.workspace.id}`).expect(200);
    const rename = await carol.patch(`/api/v1/workspaces/${alice.workspace.id}`).send({ name: 'Carol Co' });
    expect(rename.status).toBe(403);
    expect(rename.body.error.code).toBe('ROLE_TOO_LOW');

    await alice.client.patch(`/api/v1/workspaces/${alice.workspace.id}`).send({ name: 'Alice & Co' }).expect(200);
    expect((await carol.get(`/api/v1/workspaces/${alice.workspace.id}`)).body.name).toBe('Alice & Co');
  });

  it('adds an existing user without a password, refuses duplicates, and asks for a password for unknown emails', async () => {
    await alice.client.post(`/api/v1/workspaces/${alice.workspace.id}/members`).send({ email: 'bob@example.com', role: 'editor' }).expect(201);
    const again = await alice.client.post(`/api/v1/workspaces/${alice.workspace.id}/members`).send({ email: 'bob@example.com', role: 'viewer' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_MEMBER');
    const unknown = await alice.client.post(`/api/v1/workspaces/${alice.workspace.id}/members`).send({ email: 'dave@example.com', role: 'viewer' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'PASSWORD_REQUIRED_FOR_NEW_USER', pointer: '/password' });
    const badRole = await alice.client.post(`/api/v1/workspaces/${alice.workspace.id}/members`).send({ email: 'dave@example.com', role: 'admin' });
    expect(badRole.body.error).toMatchObject({ code: 'VALIDATION_FAILED', pointer: '/role' });
    // Bob now sees both workspaces.
    const his = await bob.client.get('/api/v1/workspaces').expect(200);
    expect(his.body.workspaces.map((w: { name: string; role: string }) => [w.name, w.role])).toEqual([
      ['Alice & Co', 'editor'],
      ['Bob Ltd', 'owner'],
    ]);
  });

  it('creates workspaces with the creator as owner', async () => {
    const created = await bob.client.post('/api/v1/workspaces').send({ name: '  Side project ' }).expect(201);
    expect(created.body).toMatchObject({ name: 'Side project', role: 'owner' });
    const empty = await bob.client.post('/api/v1/workspaces').send({ name: '   ' });
    expect(empty.body.error).toMatchObject({ code: 'VALIDATION_FAILED', pointer: '/name' });
  });

  it('changes roles and removes members, never leaving a workspace without an owner', async () => {
    const ws = await alice.client.post('/api/v1/workspaces').send({ name: 'Roles' }).expect(201);
    const base = `/api/v1/workspaces/${ws.body.id}/members`;
    const erin = await alice.client.post(base).send({ email: 'erin@example.com', role: 'viewer', password: 'erin-password' }).expect(201);
    const erinClient = t.agent();
    await erinClient.login('erin@example.com', 'erin-password');

    // Only owners change roles; a viewer cannot promote themself.
    expect((await erinClient.patch(`${base}/${erin.body.userId}`).send({ role: 'owner' })).status).toBe(403);
    const promoted = await alice.client.patch(`${base}/${erin.body.userId}`).send({ role: 'editor' }).expect(200);
    expect(promoted.body).toMatchObject({ email: 'erin@example.com', role: 'editor' });

    // The last owner can neither step down nor leave.
    const stepDown = await alice.client.patch(`${base}/${alice.user.id}`).send({ role: 'viewer' });
    expect(stepDown.status).toBe(409);
    expect(stepDown.body.error.code).toBe('LAST_OWNER');
    expect((await alice.client.delete(`${base}/${alice.user.id}`)).body.error.code).toBe('LAST_OWNER');

    // A member cannot remove others, but can leave.
    expect((await erinClient.delete(`${base}/${alice.user.id}`)).status).toBe(403);
    await erinClient.delete(`${base}/${erin.body.userId}`).expect(204);
    await erinClient.get(`/api/v1/workspaces/${ws.body.id}`).expect(404);

    // Unknown members and other workspaces' members answer 404.
    expect((await alice.client.delete(`${base}/${erin.body.userId}`)).body.error.code).toBe('MEMBER_NOT_FOUND');
    expect((await alice.client.patch(`${base}/not-a-uuid`).send({ role: 'viewer' })).status).toBe(404);
    expect((await bob.client.delete(`${base}/${alice.user.id}`)).status).toBe(404);
  });
});
