import { Inject, Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { createConnectorContext, type ConnectorContext, type ConnectorLogger, type SsrfOptions } from '@braid/connector-sdk';
import { BRAID_CONFIG, type BraidConfig } from '../config/config.service.js';
import { SandboxService } from '../sandbox/sandbox.service.js';
import { lookupConnections } from './late.bound.js';
import type { ResolvedTrigger } from './trigger.resolve.js';
import { TriggersError, TriggersErrorCode } from './triggers.errors.js';

function connectorLogger(logger: Logger): ConnectorLogger {
  const line = (fields: Record<string, unknown>, message: string) => `${message} ${JSON.stringify(fields)}`;
  return {
    debug: (fields, message) => logger.debug(line(fields, message)),
    info: (fields, message) => logger.log(line(fields, message)),
    warn: (fields, message) => logger.warn(line(fields, message)),
    error: (fields, message) => logger.error(line(fields, message)),
  };
}

/**
 * Builds the ConnectorContext a polling or app-webhook trigger runs with: the flow's connection (credentials,
 * SSRF policy) from ConnectionsService, or — for triggers without a connection — a context whose SSRF policy
 * allows only the local sandbox besides public addresses.
 */
@Injectable()
export class TriggerContexts {
  private readonly logger = new Logger('Triggers');

  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(BRAID_CONFIG) private readonly config: BraidConfig,
  ) {}

  private sandboxHosts(): string[] {
    const urls = [this.config.sandboxUrl, this.moduleRef.get(SandboxService, { strict: false }).url];
    return urls.filter((u): u is string => Boolean(u)).map((u) => new URL(u).hostname);
  }

  connectionlessSsrf(): SsrfOptions {
    return { allowHosts: this.sandboxHosts() };
  }

  async contextFor(
    workspaceId: string,
    resolved: ResolvedTrigger,
    run: { flowId: string },
    signal?: AbortSignal,
  ): Promise<ConnectorContext> {
    const logger = connectorLogger(this.logger);
    const connectionId = resolved.node.connectionRef;
    if (!connectionId) {
      if (resolved.requiresConnection) {
        throw new TriggersError(
          TriggersErrorCode.CONNECTION_REQUIRED,
          `The trigger "${resolved.trigger.title}" needs a ${resolved.connector.title} connection: choose one in the trigger's settings.`,
          { pointer: '/trigger/connectionRef' },
        );
      }
      return createConnectorContext({
        connector: resolved.connector,
        ssrf: this.connectionlessSsrf(),
        logger,
        ...(signal ? { signal } : {}),
        run: { workspaceId, flowId: run.flowId },
      });
    }
    const connections = await lookupConnections(this.moduleRef);
    if (!connections) throw new Error('Connections are not available in this runtime: a trigger that needs a connection cannot run.');
    const { connection, credentials, ssrf } = await connections.contextFor(workspaceId, connectionId);
    return createConnectorContext({
      connector: resolved.connector,
      connection: {
        id: connection.id,
        name: connection.name,
        settings: connection.settings,
        ...(connection.apiDomain ? { apiDomain: connection.apiDomain } : {}),
      },
      credentials,
      ssrf,
      logger,
      ...(signal ? { signal } : {}),
      run: { workspaceId, flowId: run.flowId },
    });
  }
}
