import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { ConnectionRecord, CredentialProvider, SsrfOptions } from '@braid/connector-sdk';

/** What the engine needs from ConnectionsService (RUNTIME-CONTRACTS.md). */
export interface EngineConnectionContext {
  connection: ConnectionRecord & { connectorKey: string };
  credentials: CredentialProvider;
  ssrf?: SsrfOptions;
}

interface ConnectionsServiceContract {
  contextFor(workspaceId: string, connectionId: string): Promise<EngineConnectionContext>;
  markUsed?(workspaceId: string, connectionId: string): Promise<void>;
  listIds(workspaceId: string): Promise<Set<string>>;
  recordFailure?(workspaceId: string, connectionId: string, error: { message: string; needsReconnect?: boolean }): Promise<void>;
}

// A path in a variable: the engine does not depend on the connections feature at compile time, so either
// can be built and tested without the other.
const CONNECTIONS_SERVICE_MODULE = '../connections/connections.service.js';

/**
 * Late-bound access to ConnectionsService. Resolved on first use through the Nest container
 * (`strict: false`), so there is no import cycle and no start-up order between the features.
 */
@Injectable()
export class ConnectionsBridge {
  private service: ConnectionsServiceContract | null | undefined;

  constructor(private readonly moduleRef: ModuleRef) {}

  async resolve(): Promise<ConnectionsServiceContract | null> {
    if (this.service !== undefined) return this.service;
    try {
      const module = (await import(/* @vite-ignore */ CONNECTIONS_SERVICE_MODULE)) as { ConnectionsService?: new (...args: never[]) => unknown };
      this.service = module.ConnectionsService
        ? (this.moduleRef.get(module.ConnectionsService, { strict: false }) as ConnectionsServiceContract)
        : null;
    } catch {
      this.service = null;
    }
    return this.service;
  }

  async contextFor(workspaceId: string, connectionId: string): Promise<EngineConnectionContext> {
    const service = await this.resolve();
    if (!service) throw new Error('Connections are not available in this runtime: a step that needs a connection cannot run.');
    return service.contextFor(workspaceId, connectionId);
  }

  /** Connection ids of the workspace, or undefined when connections are not installed. */
  async listIds(workspaceId: string): Promise<Set<string> | undefined> {
    const service = await this.resolve();
    return service ? service.listIds(workspaceId) : undefined;
  }

  async markUsed(workspaceId: string, connectionId: string): Promise<void> {
    const service = await this.resolve();
    await service?.markUsed?.(workspaceId, connectionId).catch(() => undefined);
  }

  async recordFailure(workspaceId: string, connectionId: string, error: { message: string; needsReconnect?: boolean }): Promise<void> {
    const service = await this.resolve();
    await service?.recordFailure?.(workspaceId, connectionId, error).catch(() => undefined);
  }
}
