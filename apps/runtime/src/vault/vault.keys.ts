import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { VaultError, VaultErrorCode } from './vault.errors.js';

/** One AES-256 key with its id (the id is written into every envelope it produces). */
export interface VaultKey {
  id: string;
  key: Buffer;
}

/** Keys newest first: `keys[0]` encrypts, every key decrypts. */
export interface VaultKeyRing {
  keys: VaultKey[];
  /** Where the keys came from, for the start-up log line (never the key itself). */
  source: 'BRAID_ENCRYPTION_KEYS' | 'BRAID_ENCRYPTION_KEY' | 'generated' | 'file';
  file?: string;
}

const KEY_FILE = 'encryption-key';

function decodeKey(value: string, variable: string): Buffer {
  const key = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== 32) {
    throw new VaultError(VaultErrorCode.KEY_INVALID, `${variable} must hold 32 bytes in base64 (generate one with: openssl rand -base64 32).`);
  }
  return key;
}

/** Stable id of a single key: a short hash (identifies the key, reveals nothing usable). */
export function keyIdOf(key: Buffer): string {
  return `k${createHash('sha256').update('braid-key-id:').update(key).digest('hex').slice(0, 12)}`;
}

/** `id1:base64,id2:base64` (newest first). */
export function parseKeyList(value: string, variable = 'BRAID_ENCRYPTION_KEYS'): VaultKey[] {
  const keys = value.split(',').map((entry) => {
    const at = entry.indexOf(':');
    const id = entry.slice(0, at).trim();
    if (at <= 0 || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
      throw new VaultError(VaultErrorCode.KEY_INVALID, `${variable}: each entry must be <id>:<base64 key> with an id of letters, digits, _ or -.`);
    }
    return { id, key: decodeKey(entry.slice(at + 1).trim(), `${variable} (key "${id}")`) };
  });
  const ids = new Set(keys.map((k) => k.id));
  if (ids.size !== keys.length) throw new VaultError(VaultErrorCode.KEY_INVALID, `${variable} lists the same key id twice.`);
  return keys;
}

async function readKeyFile(file: string): Promise<Buffer | undefined> {
  try {
    return decodeKey((await fs.readFile(file, 'utf8')).trim(), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export interface LoadKeyRingInput {
  key: string | undefined;
  keys: string | undefined;
  /** Embedded database: a key may be generated into `dataDir`. */
  embedded: boolean;
  dataDir: string;
}

/**
 * The configured keys: BRAID_ENCRYPTION_KEYS, else BRAID_ENCRYPTION_KEY, else (embedded database only) the key
 * file in the data directory, generated with mode 0600 on first start. An external database without a key is
 * refused: a generated key on one replica's disk would make the secrets unreadable for the others.
 */
export async function loadKeyRing(input: LoadKeyRingInput): Promise<VaultKeyRing> {
  const file = path.join(input.dataDir, KEY_FILE);
  let single = input.key ? decodeKey(input.key, 'BRAID_ENCRYPTION_KEY') : undefined;
  if (input.keys) {
    // The key used so far (BRAID_ENCRYPTION_KEY, or the generated file of the embedded database) stays as the
    // oldest key next to BRAID_ENCRYPTION_KEYS: moving from one key to a list needs no ids.
    if (!single && input.embedded) single = await readKeyFile(file);
    const keys = parseKeyList(input.keys);
    const oldest = single;
    if (oldest && !keys.some((k) => k.key.equals(oldest))) keys.push({ id: keyIdOf(oldest), key: oldest });
    return { keys, source: 'BRAID_ENCRYPTION_KEYS' };
  }
  if (single) return { keys: [{ id: keyIdOf(single), key: single }], source: 'BRAID_ENCRYPTION_KEY' };
  if (!input.embedded) {
    throw new VaultError(
      VaultErrorCode.KEY_MISSING,
      'BRAID_ENCRYPTION_KEY is not set. With an external database (DATABASE_URL) the key that encrypts connection secrets must be ' +
        'configured: generate one with `openssl rand -base64 32`, keep it safe, and set BRAID_ENCRYPTION_KEY on every replica.',
    );
  }
  const existing = await readKeyFile(file);
  if (existing) return { keys: [{ id: keyIdOf(existing), key: existing }], source: 'file', file };
  await fs.mkdir(input.dataDir, { recursive: true });
  const key = randomBytes(32);
  // 'wx': never overwrite a key another process wrote meanwhile.
  try {
    await fs.writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadKeyRing(input);
    throw error;
  }
  await fs.chmod(file, 0o600);
  return { keys: [{ id: keyIdOf(key), key }], source: 'generated', file };
}
