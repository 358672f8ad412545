import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/test-app.js';

describe('JSON logs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.signUpOwner({ email: 'owner@example.com', password: 'owner-password-1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('log every request with a request id, in JSON', async () => {
    await t.request().get('/api/v1/setup').set('X-Request-Id', 'req-logged-1').expect(200);
    const line = t.logs.map((l) => JSON.parse(l)).find((entry) => entry.req?.id === 'req-logged-1');
    expect(line).toMatchObject({ req: { method: 'GET', url: '/api/v1/setup' }, res: { statusCode: 200 } });
  });

  it('never contain bearer tokens, cookies, passwords or secrets from headers, bodies or query strings', async () => {
    const token = 'braid_pat_SuperSecretTokenValue123';
    const password = 'Hunter2-Correct-Horse';
    const before = t.logs.length;
    await t
      .request()
      .post('/api/v1/auth/login?access_token=QuerySecret987')
      .set('Authorization', `Bearer ${token}`)
      .set('Cookie', 'braid_session=CookieSecret456')
      .set('X-Request-Id', 'req-redact-1')
      .send({ email: 'owner@example.com', password })
      .expect(401);
    await t
      .request()
      .post('/api/v1/setup')
      .set('X-Request-Id', 'req-redact-2')
      .send({ email: 'x@example.com', password, workspaceName: 'W', nested: { clientSecret: 'NestedSecret42', apiKey: 'KeyValue42' } })
      .expect(400);
    const written = t.logs.slice(before).join('');
    const entries = t.logs.slice(before).map((l) => JSON.parse(l));
    // The failing requests are logged, with their (redacted) bodies.
    const login = entries.find((entry) => entry.req?.id === 'req-redact-1');
    expect(login.body).toEqual({ email: 'owner@example.com', password: '[redacted]' });
    expect(login.req.headers.authorization).toBe('[redacted]');
    expect(entries.find((entry) => entry.req?.id === 'req-redact-2').body.nested).toEqual({ clientSecret: '[redacted]', apiKey: '[redacted]' });
    for (const secret of [token, 'SuperSecretTokenValue', password, 'CookieSecret456', 'QuerySecret987', 'NestedSecret42', 'KeyValue42']) {
      expect(written).not.toContain(secret);
    }
  });
});
