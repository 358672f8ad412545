import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedInUser, type TestApp } from '../../test/test-app.js';

describe('personal API tokens', () => {
  let t: TestApp;
  let owner: SignedInUser;
  beforeAll(async () => {
    t = await createTestApp();
    owner = await t.signUpOwner();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('shows a new token once, authenticates with it (no CSRF needed), and refuses it after revocation', async () => {
    const created = await owner.client.post('/api/v1/tokens').send({ name: 'ci script' }).expect(201);
    const token: string = created.body.token;
    expect(token).toMatch(/^braid_pat_/);

    const listed = await owner.client.get('/api/v1/tokens').expect(200);
    expect(listed.body.tokens).toEqual([expect.objectContaining({ id: created.body.id, name: 'ci script', prefix: token.slice(0, 16) })]);
    expect(JSON.stringify(listed.body)).not.toContain(token);
    const stored = await t.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens');
    expect(JSON.stringify(stored)).not.toContain(token);

    const bearer = { Authorization: `Bearer ${token}` };
    const me = await t.request().get('/api/v1/me').set(bearer).expect(200);
    expect(me.body.user.email).toBe(owner.email);
    expect(me.body.csrfToken).toBeUndefined();
    await t.request().post('/api/v1/workspaces').set(bearer).send({ name: 'From a script' }).expect(201);
    expect((await owner.client.get('/api/v1/tokens')).body.tokens[0].lastUsedAt).not.toBeNull();

    await owner.client.delete(`/api/v1/tokens/${created.body.id}`).expect(204);
    const revoked = await t.request().get('/api/v1/me').set(bearer);
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.code).toBe('UNAUTHENTICATED');
    expect((await owner.client.get('/api/v1/tokens')).body.tokens).toEqual([]);
  });

  it('refuses unknown or malformed tokens', async () => {
    await t.request().get('/api/v1/me').set('Authorization', 'Bearer braid_pat_nope').expect(401);
    await t.request().get('/api/v1/me').set('Authorization', 'Basic abc').expect(401);
  });

  it("cannot revoke another user's token (404)", async () => {
    const other = await t.signUpUser();
    const theirs = await other.client.post('/api/v1/tokens').send({ name: 'theirs' }).expect(201);
    const attempt = await owner.client.delete(`/api/v1/tokens/${theirs.body.id}`);
    expect(attempt.status).toBe(404);
    expect(attempt.body.error.code).toBe('TOKEN_NOT_FOUND');
    await owner.client.delete('/api/v1/tokens/not-a-uuid').expect(404);
    await t.request().get('/api/v1/me').set('Authorization', `Bearer ${theirs.body.token}`).expect(200);
  });
});
