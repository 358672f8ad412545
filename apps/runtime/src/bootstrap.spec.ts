import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../test/temp-dir.js';
import { createTestApp, type TestApp } from '../test/test-app.js';

describe('HTTP plumbing', () => {
  let t: TestApp;
  let editorDir: string;
  beforeAll(async () => {
    editorDir = await makeTempDir('braid-editor-');
    await fs.mkdir(path.join(editorDir, 'assets'));
    await fs.writeFile(path.join(editorDir, 'index.html'), '<!doctype html><title>Braid</title><script type="module" src="/assets/app.js"></script>');
    await fs.writeFile(path.join(editorDir, 'assets/app.js'), 'console.log("braid")');
    t = await createTestApp({ env: { BRAID_BODY_LIMIT: '2kb', BRAID_EDITOR_DIR: editorDir } });
  });
  afterAll(async () => {
    await t?.close();
    await fs.rm(editorDir, { recursive: true, force: true });
  });

  it('refuses a body over the limit with 413 in the error shape', async () => {
    const response = await t.request().post('/api/v1/auth/login').send({ email: 'a@example.com', password: 'x'.repeat(5000) });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('BODY_TOO_LARGE');
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const response = await t.request().post('/api/v1/auth/login').set('Content-Type', 'application/json').send('{"email":');
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_JSON');
  });

  it('answers a body that breaks the schema with 400 and a JSON pointer', async () => {
    const missing = await t.request().post('/api/v1/setup').send({ email: 'a@example.com', workspaceName: 'W' });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 'VALIDATION_FAILED', pointer: '/password' });
    const wrongType = await t.request().post('/api/v1/setup').send({ email: 'a@example.com', password: 12345678, workspaceName: 'W' });
    expect(wrongType.body.error).toMatchObject({ code: 'VALIDATION_FAILED', pointer: '/password' });
    const extra = await t.request().post('/api/v1/setup').send({ email: 'a@example.com', password: 'long-enough', workspaceName: 'W', admin: true });
    expect(extra.body.error).toMatchObject({ code: 'VALIDATION_FAILED', pointer: '/admin' });
    const notObject = await t.request().post('/api/v1/setup').send([1, 2]);
    expect(notObject.status).toBe(400);
    expect(notObject.body.error.pointer).toBe('');
  });

  it('answers unknown API routes with a JSON 404', async () => {
    const response = await t.request().get('/api/v1/nothing-here').expect(404);
    expect(response.body.error.code).toBe('NOT_FOUND');
  });

  it('sets security headers, including a CSP that allows only its own scripts', async () => {
    const response = await t.request().get('/healthz');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-powered-by']).toBeUndefined();
    const api = await t.request().get('/api/v1/setup');
    expect(api.headers['cache-control']).toBe('no-store');
  });

  it('echoes a sane X-Request-Id and invents one otherwise', async () => {
    const given = await t.request().get('/healthz').set('X-Request-Id', 'abc-123');
    expect(given.headers['x-request-id']).toBe('abc-123');
    const invented = await t.request().get('/healthz').set('X-Request-Id', 'bad id with spaces');
    expect(invented.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves the editor at / with a fallback to index.html for client-side routes', async () => {
    const root = await t.request().get('/').set('Accept', 'text/html').expect(200);
    expect(root.text).toContain('<title>Braid</title>');
    const deep = await t.request().get('/flows/123/runs').set('Accept', 'text/html').expect(200);
    expect(deep.text).toContain('<title>Braid</title>');
    const asset = await t.request().get('/assets/app.js').expect(200);
    expect(asset.text).toContain('braid');
    await t.request().get('/assets/missing.js').expect(404);
    const api = await t.request().get('/api/v1/unknown').set('Accept', 'text/html').expect(404);
    expect(api.body.error.code).toBe('NOT_FOUND');
  });

  it('serves the API docs', async () => {
    const ui = await t.request().get('/api/docs').expect(200);
    expect(ui.text).toContain('swagger');
    const spec = await t.request().get('/api/docs/openapi.json').expect(200);
    expect(spec.body.paths['/api/v1/setup']).toBeDefined();
  });
});
