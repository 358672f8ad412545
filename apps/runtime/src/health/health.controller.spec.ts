import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/test-app.js';

describe('health and migrations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('migrates an empty database at start-up (tables and migration records exist)', async () => {
    const tables = await t.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(tables.map((row) => row.table_name)).toEqual(
      expect.arrayContaining(['api_tokens', 'braid_migrations', 'sessions', 'users', 'workspace_members', 'workspaces']),
    );
    const applied = await t.query<{ name: string }>('SELECT name FROM braid_migrations');
    expect(applied.map((row) => row.name)).toContain('Accounts1763700000000');
  });

  it('answers /healthz without authentication', async () => {
    const response = await t.request().get('/healthz').expect(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('answers /readyz with the database and migration checks', async () => {
    const response = await t.request().get('/readyz').expect(200);
    expect(response.body.status).toBe('ok');
    expect(response.body.info.database.status).toBe('up');
    expect(response.body.info.migrations.status).toBe('up');
  });

  it('reports not ready (503) when a migration is missing', async () => {
    await t.query(`DELETE FROM braid_migrations WHERE name = 'Accounts1763700000000'`);
    try {
      const response = await t.request().get('/readyz').expect(503);
      expect(response.body.status).toBe('error');
      expect(response.body.error.migrations.status).toBe('down');
    } finally {
      await t.query(`INSERT INTO braid_migrations ("timestamp", name) VALUES (1763700000000, 'Accounts1763700000000')`);
    }
    await t.request().get('/readyz').expect(200);
  });
});
