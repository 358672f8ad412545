import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { VaultError, VaultErrorCode } from './vault.errors.js';
import type { VaultKey, VaultKeyRing } from './vault.keys.js';

/** What a secret is bound to: a ciphertext only decrypts for the same workspace and connection. */
export interface VaultBinding {
  workspaceId: string;
  connectionId: string;
}

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

function associatedData(binding: VaultBinding): Buffer {
  return Buffer.from(`braid:${VERSION}:${binding.workspaceId}:${binding.connectionId}`, 'utf8');
}

/**
 * AES-256-GCM envelopes `v1.<keyId>.<nonce b64url>.<ciphertext+tag b64url>` with a fresh 96-bit nonce per
 * encryption and `braid:v1:<workspaceId>:<connectionId>` as associated data. The newest key encrypts; every
 * configured key decrypts (rotation: `pnpm braid rotate-keys`).
 */
export class VaultService {
  private readonly byId: Map<string, VaultKey>;

  constructor(readonly ring: VaultKeyRing) {
    if (ring.keys.length === 0) throw new VaultError(VaultErrorCode.KEY_MISSING, 'No encryption key is configured.');
    this.byId = new Map(ring.keys.map((k) => [k.id, k]));
  }

  get currentKeyId(): string {
    return (this.ring.keys[0] as VaultKey).id;
  }

  get keyIds(): string[] {
    return this.ring.keys.map((k) => k.id);
  }

  encrypt(value: unknown, binding: VaultBinding): string {
    const current = this.ring.keys[0] as VaultKey;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', current.key, nonce);
    cipher.setAAD(associatedData(binding));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [VERSION, current.id, nonce.toString('base64url'), body.toString('base64url')].join('.');
  }

  /** The key id an envelope was written with (no decryption). */
  keyIdOf(envelope: string): string {
    const parts = envelope.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) {
      throw new VaultError(VaultErrorCode.DECRYPT_FAILED, 'A stored secret is not a Braid vault envelope.');
    }
    return parts[1] as string;
  }

  decrypt<T = unknown>(envelope: string, binding: VaultBinding): T {
    const keyId = this.keyIdOf(envelope);
    const [, , nonceText, bodyText] = envelope.split('.') as [string, string, string, string];
    const key = this.byId.get(keyId);
    if (!key) {
      throw new VaultError(
        VaultErrorCode.KEY_UNKNOWN,
        `A secret of connection ${binding.connectionId} was encrypted with key "${keyId}", which is not configured ` +
          `(configured: ${this.keyIds.join(', ')}). Add that key back to BRAID_ENCRYPTION_KEYS, or run pnpm braid rotate-keys before removing keys.`,
      );
    }
    const nonce = Buffer.from(nonceText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) {
      throw new VaultError(VaultErrorCode.DECRYPT_FAILED, `The stored secret of connection ${binding.connectionId} is damaged.`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.key, nonce);
      decipher.setAAD(associatedData(binding));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as T;
    } catch {
      throw new VaultError(
        VaultErrorCode.DECRYPT_FAILED,
        `The stored secret of connection ${binding.connectionId} does not decrypt: it was altered or belongs to another connection. Reconnect it.`,
      );
    }
  }

  /** Re-encrypts with the newest key; returns undefined when the envelope already uses it. */
  reencrypt(envelope: string, binding: VaultBinding): string | undefined {
    if (this.keyIdOf(envelope) === this.currentKeyId) return undefined;
    return this.encrypt(this.decrypt(envelope, binding), binding);
  }

  /** A sub-key for another purpose (e.g. signing OAuth state), derived from the newest key with HKDF. */
  deriveKey(purpose: string): Buffer {
    const current = this.ring.keys[0] as VaultKey;
    return Buffer.from(hkdfSync('sha256', current.key, Buffer.alloc(0), `braid:${purpose}`, 32));
  }
}
