import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { WebhookSecretSpec } from '@braid/connector-sdk';
import { lookupVault, type VaultContract } from './late.bound.js';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Webhook secrets and app-webhook registration state, encrypted with the vault (AES-256-GCM) and bound to
 * the workspace and flow (a ciphertext copied to another flow does not decrypt). Decrypted values are cached by
 * ciphertext (immutable) so the webhook hot path does not decrypt on every delivery.
 */
@Injectable()
export class TriggerSecrets {
  private readonly cache = new Map<string, unknown>();
  private vaultService: VaultContract | undefined;

  constructor(private readonly moduleRef: ModuleRef) {}

  private async vault(): Promise<VaultContract> {
    this.vaultService ??= (await lookupVault(this.moduleRef)) ?? undefined;
    if (!this.vaultService) throw new Error('The vault is not available in this runtime: webhook secrets cannot be stored.');
    return this.vaultService;
  }

  /** Owner = the flow (rows of trigger_endpoints / trigger_states are keyed by flow_id), as `rotate-keys` expects. */
  private binding(workspaceId: string, flowId: string) {
    return { workspaceId, connectionId: flowId };
  }

  /**
   * A new random webhook secret in the trigger's declared format: opaque `whsec_` + 256 bits base64url, or
   * exactly `length` letters and digits (uniform: bytes ≥ 248 are drawn again, 248 = 4 × 62).
   */
  static generate(spec: WebhookSecretSpec = { format: 'opaque' }): string {
    if (spec.format !== 'alphanumeric') return `whsec_${randomBytes(32).toString('base64url')}`;
    let secret = '';
    while (secret.length < spec.length) {
      for (const byte of randomBytes(spec.length * 2)) {
        if (byte < 248 && secret.length < spec.length) secret += ALPHANUMERIC[byte % 62];
      }
    }
    return secret;
  }

  /** An unguessable URL token (192 bits). */
  static generateToken(): string {
    return randomBytes(24).toString('base64url');
  }

  async encrypt(workspaceId: string, flowId: string, value: unknown): Promise<string> {
    return (await this.vault()).encrypt(value, this.binding(workspaceId, flowId));
  }

  async decrypt<T>(workspaceId: string, flowId: string, ciphertext: string): Promise<T> {
    const key = `${flowId}|${ciphertext}`;
    if (this.cache.has(key)) return this.cache.get(key) as T;
    const value = (await this.vault()).decrypt<T>(ciphertext, this.binding(workspaceId, flowId));
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, value);
    return value;
  }
}
