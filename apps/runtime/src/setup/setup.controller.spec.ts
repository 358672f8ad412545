import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/test-app.js';

describe('first start: owner set-up', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('says set-up is needed, creates the owner with a workspace and signs them in, then refuses a second set-up', async () => {
    expect((await t.request().get('/api/v1/setup').expect(200)).body).toEqual({ setupRequired: true });

    const client = t.agent();
    const created = await client.agent
      .post('/api/v1/setup')
      .send({ email: 'Owner@Example.com', password: 'owner-password-1', workspaceName: 'Acme' })
      .expect(201);
    expect(created.body.user.email).toBe('owner@example.com');
    expect(created.body.workspaces).toEqual([expect.objectContaining({ name: 'Acme', role: 'owner' })]);
    expect(created.body.csrfToken).toEqual(expect.any(String));
    const cookie = String(created.headers['set-cookie']);
    expect(cookie).toMatch(/braid_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i); // plain http here

    // The session from set-up works at once.
    expect((await client.get('/api/v1/me').expect(200)).body.user.email).toBe('owner@example.com');

    expect((await t.request().get('/api/v1/setup').expect(200)).body).toEqual({ setupRequired: false });
    const again = await t.request().post('/api/v1/setup').send({ email: 'intruder@example.com', password: 'intruder-pass', workspaceName: 'Mine' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_SET_UP');
    expect((await t.query('SELECT email FROM users')).map((row) => row.email)).toEqual(['owner@example.com']);
  });

  it('creates exactly one owner when two set-ups race', async () => {
    const other = await createTestApp();
    try {
      const attempts = await Promise.all(
        ['a@example.com', 'b@example.com', 'c@example.com'].map((email) =>
          other.request().post('/api/v1/setup').send({ email, password: 'race-password', workspaceName: 'W' }),
        ),
      );
      expect(attempts.map((r) => r.status).sort()).toEqual([201, 409, 409]);
      expect(await other.query('SELECT id FROM users')).toHaveLength(1);
    } finally {
      await other.close();
    }
  });
});

describe('scripted set-up: BRAID_OWNER_EMAIL / BRAID_OWNER_PASSWORD', () => {
  it('creates the owner at start when no user exists, and can sign in', async () => {
    const t = await createTestApp({
      env: { BRAID_OWNER_EMAIL: 'ops@example.com', BRAID_OWNER_PASSWORD: 'ops-password-1', BRAID_OWNER_WORKSPACE: 'Ops' },
    });
    try {
      expect((await t.request().get('/api/v1/setup')).body).toEqual({ setupRequired: false });
      const client = t.agent();
      const login = await client.login('ops@example.com', 'ops-password-1');
      expect(login.status).toBe(200);
      expect(login.body.workspaces).toEqual([expect.objectContaining({ name: 'Ops', role: 'owner' })]);
      expect(t.logs.join('')).not.toContain('ops-password-1');
    } finally {
      await t.close();
    }
  });
});
