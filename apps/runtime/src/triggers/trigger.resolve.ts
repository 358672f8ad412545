import {
  ConnectorError,
  splitPollInterval,
  validateTriggerConfig,
  type ConnectorDefinition,
  type TriggerDefinition,
  type TriggerKind,
} from '@braid/connector-sdk';
import type { FlowDefinition, TriggerNode } from '@braid/flow-model';
import type { ConnectorsService } from '../connectors/connectors.service.js';
import { TriggersError, TriggersErrorCode } from './triggers.errors.js';

/** A flow's trigger node resolved against the installed connectors, its config validated (defaults applied). */
export interface ResolvedTrigger {
  node: TriggerNode;
  connector: ConnectorDefinition;
  trigger: TriggerDefinition;
  kind: TriggerKind;
  /** The connector's own settings (what `poll`, `listExisting`, `register` … get). */
  config: Record<string, unknown>;
  /** Polling: the flow's `intervalMinutes` (a runtime setting, not handed to the connector). */
  intervalMinutes?: number;
  /** Whether the trigger calls the app through a connection (polling / app-webhook of an authenticated app). */
  requiresConnection: boolean;
}

/** Kinds whose events arrive at the flow's `/hooks/:token` URL. */
export const webhookKinds: ReadonlySet<TriggerKind> = new Set(['webhook', 'app-webhook']);

export function resolveTrigger(connectors: ConnectorsService, node: TriggerNode): ResolvedTrigger {
  const connector = connectors.definition(node.connector);
  const trigger = connector.triggers.find((t) => t.key === node.trigger);
  if (!trigger) {
    throw new TriggersError(
      TriggersErrorCode.INVALID_CONFIG,
      `Connector "${node.connector}" has no trigger "${node.trigger}"; choose one of ${connector.triggers.map((t) => t.key).join(', ')}.`,
      { pointer: '/trigger/trigger' },
    );
  }
  let config: Record<string, unknown>;
  try {
    config = validateTriggerConfig<Record<string, unknown>>(connector, trigger.key, node.config ?? {});
  } catch (error) {
    if (error instanceof ConnectorError) {
      const pointer = error.issues?.[0]?.pointer;
      throw new TriggersError(TriggersErrorCode.INVALID_CONFIG, error.message, {
        details: { issues: error.issues ?? [] },
        ...(pointer !== undefined ? { pointer: `/trigger/config${pointer}` } : {}),
      });
    }
    throw error;
  }
  const description = connectors.describe(connector.key).triggers.find((t) => t.key === trigger.key);
  const split = splitPollInterval(trigger, config);
  return {
    node,
    connector,
    trigger,
    kind: trigger.kind,
    config: split.config,
    ...(split.intervalMinutes !== undefined ? { intervalMinutes: split.intervalMinutes } : {}),
    requiresConnection: description?.requiresConnection ?? false,
  };
}

export function resolveFlowTrigger(connectors: ConnectorsService, definition: FlowDefinition): ResolvedTrigger {
  return resolveTrigger(connectors, definition.trigger);
}

/**
 * Poll interval: the flow's `intervalMinutes` (the one interval setting; connector-sdk adds it to every polling
 * trigger's config schema, 1–1440), else the connector's suggestion, else 60 s.
 */
export function pollIntervalMs(resolved: ResolvedTrigger, minimumMs: number): number {
  const fromConfig = resolved.intervalMinutes !== undefined ? resolved.intervalMinutes * 60_000 : undefined;
  const suggested = resolved.trigger.kind === 'polling' ? resolved.trigger.defaultIntervalMs : undefined;
  return Math.max(minimumMs, fromConfig ?? suggested ?? 60_000);
}
