import type { ModuleRef } from '@nestjs/core';
import type { ConnectionRecord, CredentialProvider, SsrfOptions } from '@braid/connector-sdk';

/** What triggers need from ConnectionsService (RUNTIME-CONTRACTS.md). */
export interface ConnectionsContract {
  contextFor(workspaceId: string, connectionId: string): Promise<{
    connection: ConnectionRecord & { connectorKey: string };
    credentials: CredentialProvider;
    ssrf?: SsrfOptions;
  }>;
}

/** What triggers need from the vault (src/vault). */
export interface VaultContract {
  encrypt(value: unknown, binding: { workspaceId: string; connectionId: string }): string;
  decrypt<T = unknown>(envelope: string, binding: { workspaceId: string; connectionId: string }): T;
}

// Paths in variables: triggers do not depend on these features at compile time (no import cycle, no build
// order); each service is resolved from the Nest container on first use.
const CONNECTIONS_MODULE = '../connections/connections.service.js';
const VAULT_MODULE = '../vault/vault.service.js';

async function lookup<T>(moduleRef: ModuleRef, path: string, exportName: string): Promise<T | null> {
  try {
    const module = (await import(/* @vite-ignore */ path)) as Record<string, new (...args: never[]) => unknown>;
    const type = module[exportName];
    return type ? (moduleRef.get(type, { strict: false }) as T) : null;
  } catch {
    return null;
  }
}

export function lookupConnections(moduleRef: ModuleRef): Promise<ConnectionsContract | null> {
  return lookup<ConnectionsContract>(moduleRef, CONNECTIONS_MODULE, 'ConnectionsService');
}

export function lookupVault(moduleRef: ModuleRef): Promise<VaultContract | null> {
  return lookup<VaultContract>(moduleRef, VAULT_MODULE, 'VaultService');
}
