import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { FlowDefinition } from '@braid/flow-model';

/** What flows need from TriggersService (RUNTIME-CONTRACTS.md), when the triggers feature is installed. */
export interface TriggersContract {
  arm(workspaceId: string, flowId: string, version: { id: string; definition: FlowDefinition }): Promise<void>;
  disarm(workspaceId: string, flowId: string): Promise<void>;
  runManually(workspaceId: string, flowId: string, payload: unknown): Promise<{ eventId: string; runId: string }>;
  lastEvent(workspaceId: string, flowId: string): Promise<{ id: string; payload: unknown } | null>;
}

/** What flows need from the templates catalog (src/integrations/templates.catalog.ts). */
export interface TemplatesContract {
  definitionFor(workspaceId: string, templateId: string): Promise<{ name: string; direction: 'inbound' | 'outbound'; definition: unknown } | null>;
}

export interface ConnectionSummary {
  id: string;
  name: string;
  connectorKey: string;
}

interface ConnectionsLookup {
  get(workspaceId: string, connectionId: string): Promise<ConnectionSummary>;
  listIds(workspaceId: string): Promise<Set<string>>;
}

// Paths in variables: flows do not depend on these features at compile time (no import cycle, no
// build order); each is resolved from the Nest container on first use.
const TRIGGERS_MODULE = '../triggers/triggers.service.js';
const TEMPLATES_MODULE = '../integrations/templates.catalog.js';
const CONNECTIONS_MODULE = '../connections/connections.service.js';

@Injectable()
export class FlowsBridges {
  private readonly cache = new Map<string, unknown>();

  constructor(private readonly moduleRef: ModuleRef) {}

  private async lookup<T>(path: string, exportName: string): Promise<T | null> {
    if (this.cache.has(path)) return this.cache.get(path) as T | null;
    let service: T | null = null;
    try {
      const module = (await import(/* @vite-ignore */ path)) as Record<string, new (...args: never[]) => unknown>;
      const type = module[exportName];
      if (type) service = this.moduleRef.get(type, { strict: false }) as T;
    } catch {
      service = null;
    }
    this.cache.set(path, service);
    return service;
  }

  triggers(): Promise<TriggersContract | null> {
    return this.lookup<TriggersContract>(TRIGGERS_MODULE, 'TriggersService');
  }

  templates(): Promise<TemplatesContract | null> {
    return this.lookup<TemplatesContract>(TEMPLATES_MODULE, 'TemplatesCatalog');
  }

  connections(): Promise<ConnectionsLookup | null> {
    return this.lookup<ConnectionsLookup>(CONNECTIONS_MODULE, 'ConnectionsService');
  }
}
