import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VaultError } from './vault.errors.js';
import { keyIdOf } from './vault.keys.js';
import { VaultService } from './vault.service.js';

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const binding = { workspaceId: 'ws-1', connectionId: 'conn-1' };
const secret = { refreshToken: '1000.refresh-secret-value', accessToken: '1000.access-secret-value' };

describe('VaultService', () => {
  const vault = new VaultService({ keys: [{ id: 'a', key: keyA }], source: 'BRAID_ENCRYPTION_KEYS' });

  it('round-trips a secret in a v1 envelope that names the key and hides the plaintext', () => {
    const envelope = vault.encrypt(secret, binding);
    expect(envelope).toMatch(/^v1\.a\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(envelope).not.toContain('refresh-secret-value');
    expect(Buffer.from(envelope.split('.')[3] as string, 'base64url').toString('latin1')).not.toContain('refresh-secret');
    expect(vault.decrypt(envelope, binding)).toEqual(secret);
  });

  it('uses a fresh nonce every time', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => vault.encrypt(secret, binding).split('.')[2]));
    expect(nonces.size).toBe(50);
  });

  it('refuses a ciphertext moved to another connection or workspace, or altered', () => {
    const envelope = vault.encrypt(secret, binding);
    expect(() => vault.decrypt(envelope, { ...binding, connectionId: 'conn-2' })).toThrow(/does not decrypt/);
    expect(() => vault.decrypt(envelope, { ...binding, workspaceId: 'ws-2' })).toThrow(VaultError);
    const parts = envelope.split('.');
    const body = Buffer.from(parts[3] as string, 'base64url');
    body[0] = (body[0] as number) ^ 1;
    expect(() => vault.decrypt([parts[0], parts[1], parts[2], body.toString('base64url')].join('.'), binding)).toThrow(/does not decrypt/);
  });

  it('decrypts with older keys, encrypts with the newest, and reencrypt moves envelopes to it', () => {
    const old = vault.encrypt(secret, binding);
    const rotated = new VaultService({ keys: [{ id: 'b', key: keyB }, { id: 'a', key: keyA }], source: 'BRAID_ENCRYPTION_KEYS' });
    expect(rotated.decrypt(old, binding)).toEqual(secret);
    const moved = rotated.reencrypt(old, binding) as string;
    expect(rotated.keyIdOf(moved)).toBe('b');
    expect(rotated.reencrypt(moved, binding)).toBeUndefined();
    const onlyNew = new VaultService({ keys: [{ id: 'b', key: keyB }], source: 'BRAID_ENCRYPTION_KEYS' });
    expect(onlyNew.decrypt(moved, binding)).toEqual(secret);
    expect(() => onlyNew.decrypt(old, binding)).toThrow(/key "a", which is not configured/);
  });

  it('derives purpose keys that differ from the encryption key and between purposes', () => {
    expect(vault.deriveKey('oauth-state').equals(keyA)).toBe(false);
    expect(vault.deriveKey('oauth-state').equals(vault.deriveKey('other'))).toBe(false);
    expect(keyIdOf(keyA)).toMatch(/^k[0-9a-f]{12}$/);
  });
});
