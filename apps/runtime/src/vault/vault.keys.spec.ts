import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyIdOf, loadKeyRing, parseKeyList } from './vault.keys.js';

const b64 = () => randomBytes(32).toString('base64');

describe('loadKeyRing', () => {
  it('reads BRAID_ENCRYPTION_KEYS newest first; BRAID_ENCRYPTION_KEY next to it is the oldest key', async () => {
    const single = randomBytes(32);
    const ring = await loadKeyRing({ keys: `new:${b64()},old:${b64()}`, key: single.toString('base64'), embedded: false, dataDir: '/nonexistent' });
    expect(ring.keys.map((k) => k.id)).toEqual(['new', 'old', keyIdOf(single)]);
    const listed = await loadKeyRing({ keys: `new:${b64()},old:${single.toString('base64')}`, key: single.toString('base64'), embedded: false, dataDir: '/x' });
    expect(listed.keys.map((k) => k.id)).toEqual(['new', 'old']);
  });

  it('derives the id of a single BRAID_ENCRYPTION_KEY from its hash', async () => {
    const key = randomBytes(32);
    const ring = await loadKeyRing({ key: key.toString('base64'), keys: undefined, embedded: false, dataDir: '/nonexistent' });
    expect(ring.keys).toEqual([{ id: keyIdOf(key), key }]);
  });

  it('refuses an external database without a key, naming the variable', async () => {
    await expect(loadKeyRing({ key: undefined, keys: undefined, embedded: false, dataDir: '/tmp' })).rejects.toThrow(/BRAID_ENCRYPTION_KEY is not set/);
  });

  it('refuses malformed keys without echoing them', () => {
    expect(() => parseKeyList('a:c2hvcnQ=')).toThrow(/32 bytes/);
    expect(() => parseKeyList(`a:${b64()},a:${b64()}`)).toThrow(/same key id/);
  });

  it('generates a 0600 key file for the embedded database once, then reuses it', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'braid-vault-'));
    try {
      const first = await loadKeyRing({ key: undefined, keys: undefined, embedded: true, dataDir: dir });
      expect(first.source).toBe('generated');
      const stat = await fs.stat(path.join(dir, 'encryption-key'));
      expect(stat.mode & 0o777).toBe(0o600);
      const second = await loadKeyRing({ key: undefined, keys: undefined, embedded: true, dataDir: dir });
      expect(second.source).toBe('file');
      expect(second.keys[0]?.key.equals(first.keys[0]?.key as Buffer)).toBe(true);
      // Rotating away from the generated key: it stays as the oldest next to BRAID_ENCRYPTION_KEYS.
      const listed = await loadKeyRing({ key: undefined, keys: `new:${b64()}`, embedded: true, dataDir: dir });
      expect(listed.keys.map((k) => k.id)).toEqual(['new', first.keys[0]?.id]);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
