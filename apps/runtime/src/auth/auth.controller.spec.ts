import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedInUser, type TestApp } from '../../test/test-app.js';

describe('sessions, CSRF and sign-in', () => {
  let t: TestApp;
  let owner: SignedInUser;
  beforeAll(async () => {
    t = await createTestApp({ env: { BRAID_LOGIN_MAX_ATTEMPTS: '3' } });
    owner = await t.signUpOwner();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses /api/v1 routes without a session or token (401)', async () => {
    for (const url of ['/api/v1/me', '/api/v1/workspaces', '/api/v1/tokens']) {
      const response = await t.request().get(url);
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('UNAUTHENTICATED');
    }
    const bogusCookie = await t.request().get('/api/v1/me').set('Cookie', 'braid_session=not-a-session');
    expect(bogusCookie.status).toBe(401);
  });

  it('signs in, shows who is signed in, and signs out (the session is gone server-side)', async () => {
    const client = t.agent();
    const login = await client.login(owner.email, owner.password);
    expect(login.status).toBe(200);
    expect(login.body.user.email).toBe(owner.email);
    const me = await client.get('/api/v1/me').expect(200);
    expect(me.body.workspaces[0].name).toBe('Acme');
    expect(me.body.csrfToken).toBe(client.csrfToken);
    const sessionCookie = String(login.headers['set-cookie']).split(';')[0] as string;

    await client.post('/api/v1/auth/logout').expect(204);
    await client.get('/api/v1/me').expect(401);
    // Replaying the old cookie does not work either.
    await t.request().get('/api/v1/me').set('Cookie', sessionCookie).expect(401);
  });

  it('stores only a hash of the session id', async () => {
    const client = t.agent();
    const login = await client.login(owner.email, owner.password);
    const secret = /braid_session=([^;]+)/.exec(String(login.headers['set-cookie']))?.[1] as string;
    const rows = await t.query<{ token_hash: string }>('SELECT token_hash FROM sessions');
    expect(rows.some((row) => row.token_hash.includes(secret))).toBe(false);
    expect(rows.length).toBeGreaterThan(0);
  });

  it('expires sessions', async () => {
    const client = t.agent();
    await client.login(owner.email, owner.password);
    await client.get('/api/v1/me').expect(200);
    await t.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = (SELECT id FROM sessions ORDER BY created_at DESC LIMIT 1)`);
    await client.get('/api/v1/me').expect(401);
  });

  it('refuses a wrong password and an unknown email alike', async () => {
    const wrong = await t.agent().login('owner@example.com', 'wrong-password');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const unknown = await t.agent().login('nobody@example.com', 'whatever-1');
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toEqual(wrong.body.error);
  });

  it('rate-limits failed sign-ins per IP and email, even with the right password', async () => {
    const email = 'limited@example.com';
    await owner.client.post(`/api/v1/workspaces/${owner.workspace.id}/members`).send({ email, role: 'viewer', password: 'right-password' }).expect(201);
    for (let i = 0; i < 3; i++) expect((await t.agent().login(email, 'wrong-password')).status).toBe(401);
    const blocked = await t.agent().login(email, 'right-password');
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('LOGIN_RATE_LIMITED');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Another email from the same address is not affected.
    expect((await t.agent().login(owner.email, owner.password)).status).toBe(200);
  });

  it('refuses a state-changing request with the session cookie but without the CSRF token (403)', async () => {
    const noHeader = await owner.client.withoutCsrf().post('/api/v1/workspaces').send({ name: 'Sneaky' });
    expect(noHeader.status).toBe(403);
    expect(noHeader.body.error.code).toBe('CSRF_TOKEN_INVALID');
    const wrongHeader = await owner.client.agent.post('/api/v1/workspaces').set('X-CSRF-Token', 'guess').send({ name: 'Sneaky' });
    expect(wrongHeader.status).toBe(403);
    const names = (await owner.client.get('/api/v1/workspaces').expect(200)).body.workspaces.map((w: { name: string }) => w.name);
    expect(names).not.toContain('Sneaky');
    // With the token it works.
    await owner.client.post('/api/v1/workspaces').send({ name: 'Legit' }).expect(201);
  });

  it('accepts state-changing requests from its own Origin (host and port)', async () => {
    const response = await owner.client.post('/api/v1/workspaces').set('Host', 'localhost:3000').set('Origin', 'http://localhost:3000').send({ name: 'Same origin' });
    expect(response.status).toBe(201);
    const otherPort = await owner.client.post('/api/v1/workspaces').set('Host', 'localhost:3000').set('Origin', 'http://localhost:3001').send({ name: 'Other port' });
    expect(otherPort.status).toBe(403);
  });

  it('refuses state-changing requests from a foreign Origin', async () => {
    const response = await owner.client.post('/api/v1/workspaces').set('Origin', 'https://evil.example').send({ name: 'X' });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('ORIGIN_NOT_ALLOWED');
    const login = await t.request().post('/api/v1/auth/login').set('Origin', 'https://evil.example').send({ email: owner.email, password: owner.password });
    expect(login.status).toBe(403);
  });
});

describe('session cookie behind an https reverse proxy', () => {
  it('is Secure when the proxy says the request came over https (BRAID_TRUST_PROXY=true)', async () => {
    const t = await createTestApp({ env: { BRAID_TRUST_PROXY: 'true' } });
    try {
      const created = await t
        .request()
        .post('/api/v1/setup')
        .set('X-Forwarded-Proto', 'https')
        .set('X-Forwarded-Host', 'braid.example.com')
        .set('Origin', 'https://braid.example.com')
        .send({ email: 'proxy@example.com', password: 'proxy-password', workspaceName: 'P' })
        .expect(201);
      expect(String(created.headers['set-cookie'])).toMatch(/;\s*Secure/i);
    } finally {
      await t.close();
    }
  });
});
