import fs from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { freePort } from './free-port.js';
import { makeTempDir } from './temp-dir.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PostgreSQL URL allowed to CREATE DATABASE; each test file makes its own database with it. */
    adminDatabaseUrl: string;
  }
}

/**
 * One PostgreSQL for the whole test run: DATABASE_URL when set (it must allow CREATE DATABASE), otherwise an
 * embedded server in a temporary directory on a free port, removed at the end.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.DATABASE_URL) {
    project.provide('adminDatabaseUrl', process.env.DATABASE_URL);
    return async () => undefined;
  }
  const dir = await makeTempDir('braid-test-pg-');
  const postgres = await startEmbeddedPostgres({ dataDir: `${dir}/data`, port: await freePort() });
  project.provide('adminDatabaseUrl', postgres.adminUrl);
  return async () => {
    await postgres.stop();
    await fs.rm(dir, { recursive: true, force: true });
  };
}
