import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import supertest from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../test/free-port.js';
import { makeTempDir } from '../../test/temp-dir.js';
import { createBraidApp } from '../bootstrap.js';
import { loadConfig } from '../config/config.service.js';
import { ensureReachableByPostgresUser } from './embedded-postgres.js';

/** Boots the runtime like `pnpm start` does without DATABASE_URL: embedded PostgreSQL in BRAID_DATA_DIR. */
async function bootOn(dataDir: string, port: number) {
  const logs: string[] = [];
  const config = loadConfig({ BRAID_DATA_DIR: dataDir, BRAID_EMBEDDED_PG_PORT: String(port), BRAID_SANDBOX: 'off' });
  const braid = await createBraidApp(config, { logDestination: { write: (line: string) => void logs.push(line) } });
  await braid.app.init();
  return { braid, logs, http: () => supertest(braid.app.getHttpServer()) };
}

describe('embedded PostgreSQL', () => {
  let dataDir: string;
  let port: number;
  beforeAll(async () => {
    dataDir = await makeTempDir('braid-embedded-');
    port = await freePort();
  });
  afterAll(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('keeps data across restarts on the same data directory, and recovers from a stale postmaster.pid', async () => {
    const first = await bootOn(dataDir, port);
    try {
      expect(first.braid.database.kind).toBe('embedded');
      expect(first.logs.join('')).toContain(`embedded PostgreSQL on 127.0.0.1:${port}, connected through its unix socket`);
      // The runtime's connections come through the socket in the data directory, not loopback TCP.
      expect(new URL(first.braid.database.url).searchParams.get('host')).toBe(path.join(dataDir, 'postgres'));
      const [own] = await first.braid.app.get(DataSource).query(`SELECT client_addr FROM pg_stat_activity WHERE pid = pg_backend_pid()`);
      expect(own).toEqual({ client_addr: null });
      // New WAL segments are not zero-filled by the commit that needs one (see startEmbeddedPostgres).
      expect(await first.braid.app.get(DataSource).query(`SHOW wal_init_zero`)).toEqual([{ wal_init_zero: 'off' }]);
      await first.http().post('/api/v1/setup').send({ email: 'keep@example.com', password: 'keep-password', workspaceName: 'Kept' }).expect(201);
    } finally {
      await first.braid.close();
    }
    const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
    expect(existsSync(pidFile)).toBe(false);

    // A crash leaves the lock file behind, naming a process that no longer exists.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    await fs.writeFile(pidFile, `${gone}\n${path.join(dataDir, 'postgres')}\n`);

    const second = await bootOn(dataDir, port);
    try {
      expect(second.logs.join('')).toContain('Removing stale');
      expect((await second.http().get('/api/v1/setup').expect(200)).body).toEqual({ setupRequired: false });
      const login = await second.http().post('/api/v1/auth/login').send({ email: 'keep@example.com', password: 'keep-password' }).expect(200);
      expect(login.body.workspaces[0].name).toBe('Kept');
    } finally {
      await second.braid.close();
    }
    expect(existsSync(pidFile)).toBe(false);
  });

  it('connects over TCP when the data directory is too deep for a unix socket path', async () => {
    const deep = path.join(dataDir, 'a-directory-name-long-enough-that-the-socket-path-passes-the-limit-of-unix-sockets');
    const braid = await bootOn(deep, await freePort());
    try {
      expect(new URL(braid.braid.database.url).searchParams.has('host')).toBe(false);
      const [own] = await braid.braid.app.get(DataSource).query(`SELECT client_addr FROM pg_stat_activity WHERE pid = pg_backend_pid()`);
      expect(own).toEqual({ client_addr: '127.0.0.1' });
    } finally {
      await braid.braid.close();
    }
  });

  it('refuses a data directory that is not a PostgreSQL cluster, naming it', async () => {
    const foreign = await makeTempDir('braid-foreign-');
    try {
      await fs.mkdir(path.join(foreign, 'postgres'));
      await fs.writeFile(path.join(foreign, 'postgres', 'notes.txt'), 'hello');
      await expect(bootOn(foreign, await freePort())).rejects.toThrow(/not a PostgreSQL data directory/);
    } finally {
      await fs.rm(foreign, { recursive: true, force: true });
    }
  });

  it('names a parent directory the postgres system user cannot enter (a clone under /root)', async () => {
    const home = await makeTempDir('braid-home-');
    try {
      const closed = path.join(home, 'closed');
      await fs.mkdir(path.join(closed, 'repo', '.data'), { recursive: true });
      await fs.chmod(closed, 0o700);
      await expect(ensureReachableByPostgresUser(path.join(closed, 'repo', '.data'))).rejects.toThrow(`cannot enter ${closed}. Set BRAID_DATA_DIR`);
      await fs.chmod(closed, 0o711);
      await expect(ensureReachableByPostgresUser(path.join(closed, 'repo', '.data'))).resolves.toBeUndefined();
    } finally {
      await fs.rm(home, { recursive: true, force: true });
    }
  });
});
