import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../test/free-port.js';
import { makeTempDir } from '../../test/temp-dir.js';
import { createBraidApp } from '../bootstrap.js';
import { loadConfig } from '../config/config.service.js';
import { VaultService } from './vault.service.js';

/** `pnpm start` on a fresh machine: embedded PostgreSQL, no key configured. */
async function bootOn(dataDir: string, port: number) {
  const logs: string[] = [];
  const config = loadConfig({ BRAID_DATA_DIR: dataDir, BRAID_EMBEDDED_PG_PORT: String(port), BRAID_SANDBOX: 'off' });
  const braid = await createBraidApp(config, { logDestination: { write: (line: string) => void logs.push(line) } });
  await braid.app.init();
  return { braid, logs };
}

describe('vault key for the embedded default', () => {
  let dataDir: string;
  let port: number;
  beforeAll(async () => {
    dataDir = await makeTempDir('braid-vault-embedded-');
    port = await freePort();
  });
  afterAll(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('generates a key into the data directory (mode 0600) on first start, says so, and reuses it', async () => {
    const first = await bootOn(dataDir, port);
    let keyId: string;
    try {
      keyId = first.braid.app.get(VaultService).currentKeyId;
      const keyFile = path.join(dataDir, 'encryption-key');
      expect((await fs.stat(keyFile)).mode & 0o777).toBe(0o600);
      expect(first.logs.join('\n')).toContain(`Generated a new encryption key for connection secrets in ${keyFile} (mode 0600)`);
      const key = (await fs.readFile(keyFile, 'utf8')).trim();
      for (const line of first.logs) expect(line).not.toContain(key);
    } finally {
      await first.braid.close();
    }
    const second = await bootOn(dataDir, port);
    try {
      expect(second.braid.app.get(VaultService).currentKeyId).toBe(keyId);
      expect(second.logs.join('\n')).not.toContain('Generated a new encryption key');
    } finally {
      await second.braid.close();
    }
  });

  it('refuses to start on an external database without a key, naming the variable', async () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', BRAID_SANDBOX: 'off' });
    expect(config.encryption).toEqual({ key: undefined, keys: undefined });
    await expect(createBraidApp(config, { logDestination: { write: () => undefined } })).rejects.toThrow(/BRAID_ENCRYPTION_KEY is not set/);
  });
});
