import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/temp-dir.js';
import { createTestApp, type TestApp } from '../../test/test-app.js';
import { SandboxService } from './sandbox.service.js';

describe('sandbox started with the runtime', () => {
  let t: TestApp;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await makeTempDir('braid-sandbox-');
    t = await createTestApp({ env: { BRAID_SANDBOX: 'on', BRAID_SANDBOX_PORT: '0', BRAID_DATA_DIR: dataDir } });
  });
  afterAll(async () => {
    await t?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('serves the sandbox on loopback, logs its console URL, and stops it with the runtime', async () => {
    const url = t.braid.app.get(SandboxService).url as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toMatch(/:0$/);
    const response = await fetch(`${url}/`);
    expect(response.status).toBeLessThan(500);
    expect(t.logs.join('')).toContain(`console: ${url}/`);
  });

  it('is off unless enabled (the test default)', async () => {
    const off = await createTestApp();
    try {
      expect(off.braid.app.get(SandboxService).url).toBeUndefined();
    } finally {
      await off.close();
    }
  });
});
