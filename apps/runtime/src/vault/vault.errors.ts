import { BraidError } from '../common/braid.error.js';

export enum VaultErrorCode {
  /** No key is configured where one is required (external database). */
  KEY_MISSING = 'VAULT_KEY_MISSING',
  /** A configured key is malformed. */
  KEY_INVALID = 'VAULT_KEY_INVALID',
  /** A secret was encrypted with a key that is no longer configured. */
  KEY_UNKNOWN = 'VAULT_KEY_UNKNOWN',
  /** The ciphertext does not decrypt: tampered, or copied from another connection/workspace. */
  DECRYPT_FAILED = 'VAULT_DECRYPT_FAILED',
}

const vaultStatus: Record<VaultErrorCode, number> = {
  VAULT_KEY_MISSING: 500,
  VAULT_KEY_INVALID: 500,
  VAULT_KEY_UNKNOWN: 500,
  VAULT_DECRYPT_FAILED: 500,
};

/** Vault failures. Messages name variables and key ids, never key material or plaintext. */
export class VaultError extends BraidError<VaultErrorCode> {
  get status(): number {
    return vaultStatus[this.code];
  }
}
