import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBraidApp } from '../bootstrap.js';
import { loadConfig } from '../config/config.service.js';
import { ConnectionsService } from '../connections/connections.service.js';
import { registerTestConnectors, SANDBOX_TOGAI_TOKEN, type ConnectionsHarness, connectViaOAuth, startConnectionsHarness } from '../connections/test-support/connections.fixtures.js';
import { flowDefinition } from '../engine/test-support/engine.fixtures.js';
import { VaultService } from '../vault/vault.service.js';
import { runCli } from './braid.cli.js';

const oldKey = randomBytes(32).toString('base64');
const newKey = randomBytes(32).toString('base64');

describe('pnpm braid rotate-keys', () => {
  let h: ConnectionsHarness;
  const ids: string[] = [];
  let flowId: string;
  let webhookSecret: string;

  beforeAll(async () => {
    h = await startConnectionsHarness({ BRAID_ENCRYPTION_KEYS: `old:${oldKey}` });
    for (const name of ['One', 'Two', 'Three']) {
      const created = await h.owner.client.post(h.base).send({ connectorKey: 'togai', name, credentials: { token: SANDBOX_TOGAI_TOKEN } });
      ids.push(created.body.id);
    }
    ids.push(await connectViaOAuth(h, { name: 'Books' }));
    // A flow's webhook secret (triggers feature) is a vault secret too.
    const flow = await h.owner.client.post(`/api/v1/workspaces/${h.owner.workspace.id}/flows`).send({ definition: flowDefinition({}, null) });
    flowId = flow.body.id;
    webhookSecret = (await h.owner.client.post(`/api/v1/workspaces/${h.owner.workspace.id}/flows/${flowId}/webhook/secret`).send({})).body.secret;
    expect(webhookSecret).toMatch(/^whsec_/);
  });
  afterAll(async () => {
    await h?.close();
  });

  const env = (keys: string) => ({ DATABASE_URL: h.t.config.databaseUrl as string, BRAID_SANDBOX: 'off', BRAID_ENCRYPTION_KEYS: keys });

  it('re-encrypts every secret with the newest key in batches, then the old key can be removed', async () => {
    const before = await h.t.query<{ secrets: string }>('SELECT secrets FROM connections');
    expect(before.every((r) => r.secrets.startsWith('v1.old.'))).toBe(true);

    const lines: string[] = [];
    const code = await runCli(['rotate-keys', '--batch-size', '3'], env(`new:${newKey},old:${oldKey}`), (line) => lines.push(line));
    expect(code).toBe(0);
    expect(lines[0]).toBe('Re-encrypting secrets with key "new" (configured keys: new, old).');
    expect(lines).toContain('connections.secrets: 3 re-encrypted so far');
    expect(lines).toContain('trigger_endpoints.secret_ciphertext: 1 re-encrypted so far');
    expect(lines).toContain('Done: 5 re-encrypted, 0 already on "new", 0 failed.');
    expect(lines).toContain('Every secret now uses "new": the older keys (old) are no longer needed and can be removed.');
    const after = await h.t.query<{ secrets: string }>('SELECT secrets FROM connections');
    expect(after.every((r) => r.secrets.startsWith('v1.new.'))).toBe(true);
    const [endpoint] = await h.t.query<{ secret_ciphertext: string }>('SELECT secret_ciphertext FROM trigger_endpoints WHERE flow_id = $1', [flowId]);
    expect(endpoint?.secret_ciphertext.startsWith('v1.new.')).toBe(true);
    for (const line of lines) expect(line).not.toContain(oldKey);

    // Idempotent.
    const again: string[] = [];
    expect(await runCli(['rotate-keys'], env(`new:${newKey},old:${oldKey}`), (line) => again.push(line))).toBe(0);
    expect(again).toContain('Done: 0 re-encrypted, 5 already on "new", 0 failed.');

    // A runtime with only the new key reads everything.
    const config = loadConfig({ ...env(`new:${newKey}`), BRAID_SANDBOX_URL: h.sandbox.url, BRAID_LOG_LEVEL: 'warn' });
    const onlyNew = await createBraidApp(config, { logDestination: { write: () => undefined } });
    try {
      await onlyNew.app.init();
      registerTestConnectors(onlyNew.app);
      const service = onlyNew.app.get(ConnectionsService);
      for (const id of ids) {
        const { credentials } = await service.contextFor(h.owner.workspace.id, id);
        expect(await credentials.getAccessToken()).toMatch(/^togai_sandbox|^1000\./);
      }
      const test = await service.test(h.owner.workspace.id, ids[3] as string);
      expect(test.ok).toBe(true);
      const [endpoint] = await h.t.query<{ secret_ciphertext: string }>('SELECT secret_ciphertext FROM trigger_endpoints WHERE flow_id = $1', [flowId]);
      expect(onlyNew.app.get(VaultService).decrypt(endpoint?.secret_ciphertext as string, { workspaceId: h.owner.workspace.id, connectionId: flowId })).toBe(webhookSecret);
    } finally {
      await onlyNew.close();
    }
  });

  it('reports rows it cannot decrypt and keeps them, exit code 1', async () => {
    const lines: string[] = [];
    const unrelated = randomBytes(32).toString('base64');
    const code = await runCli(['rotate-keys'], env(`newer:${unrelated}`), (line) => lines.push(line));
    expect(code).toBe(1);
    expect(lines).toContain('Done: 0 re-encrypted, 0 already on "newer", 5 failed.');
    expect(lines.join('\n')).toMatch(/key "new", which is not configured/);
    const rows = await h.t.query<{ secrets: string }>('SELECT secrets FROM connections');
    expect(rows.every((r) => r.secrets.startsWith('v1.new.'))).toBe(true);
    for (const line of lines) expect(line).not.toContain(webhookSecret);
  });

  it('explains usage and refuses unknown commands and a missing key for an external database', async () => {
    const lines: string[] = [];
    expect(await runCli([], {}, (line) => lines.push(line))).toBe(2);
    expect(lines.join('\n')).toMatch(/rotate-keys/);
    expect(await runCli(['nope'], {}, (line) => lines.push(line))).toBe(2);
    const missing: string[] = [];
    expect(await runCli(['rotate-keys'], { DATABASE_URL: h.t.config.databaseUrl as string }, (line) => missing.push(line))).toBe(1);
    expect(missing.join('\n')).toMatch(/BRAID_ENCRYPTION_KEY is not set/);
  });
});

describe('moving from BRAID_ENCRYPTION_KEY to a key list', () => {
  let h: ConnectionsHarness;
  beforeAll(async () => {
    h = await startConnectionsHarness(); // a single BRAID_ENCRYPTION_KEY, as most deployments start
    await h.owner.client.post(h.base).send({ connectorKey: 'togai', name: 'Togai', credentials: { token: SANDBOX_TOGAI_TOKEN } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('keeps the single key as the oldest next to BRAID_ENCRYPTION_KEYS, so rotation needs no key ids', async () => {
    const single = h.t.config.encryption.key as string;
    const lines: string[] = [];
    const base = { DATABASE_URL: h.t.config.databaseUrl as string, BRAID_SANDBOX: 'off' };
    expect(await runCli(['rotate-keys'], { ...base, BRAID_ENCRYPTION_KEY: single, BRAID_ENCRYPTION_KEYS: `new:${newKey}` }, (line) => lines.push(line))).toBe(0);
    expect(lines).toContain('Done: 1 re-encrypted, 0 already on "new", 0 failed.');
    for (const line of lines) expect(line).not.toContain(single);
    const onlyNew = await createBraidApp(loadConfig({ ...base, BRAID_ENCRYPTION_KEYS: `new:${newKey}`, BRAID_LOG_LEVEL: 'warn' }), { logDestination: { write: () => undefined } });
    try {
      await onlyNew.app.init();
      const service = onlyNew.app.get(ConnectionsService);
      const [id] = await service.listIds(h.owner.workspace.id);
      const { credentials } = await service.contextFor(h.owner.workspace.id, id as string);
      expect(await credentials.getAccessToken()).toBe(SANDBOX_TOGAI_TOKEN);
    } finally {
      await onlyNew.close();
    }
  });
});
