import { Injectable } from '@nestjs/common';
import { type ConnectorDefinition, type ConnectorDescriptor, ConnectorRegistry } from '@braid/connector-sdk';
import { ConnectorsError } from './connectors.errors.js';
import { installedConnectors } from './connectors.list.js';

/** The runtime's connector registry: definitions for the engine, descriptors for the editor and validation. */
@Injectable()
export class ConnectorsService {
  readonly registry = new ConnectorRegistry();

  constructor() {
    for (const connector of installedConnectors) this.registry.register(connector);
  }

  /** Adds a connector at start-up (validated like the installed ones). */
  register(connector: ConnectorDefinition): void {
    this.registry.register(connector);
  }

  describeAll(): ConnectorDescriptor[] {
    return this.registry.describeAll();
  }

  describe(key: string): ConnectorDescriptor {
    const descriptor = this.registry.describe(key);
    if (!descriptor) throw ConnectorsError.unknownConnector(key);
    return descriptor;
  }

  definition(key: string): ConnectorDefinition {
    const definition = this.registry.get(key);
    if (!definition) throw ConnectorsError.unknownConnector(key);
    return definition;
  }
}
