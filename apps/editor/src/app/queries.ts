import type { ConnectorDescriptor } from '@braid/flow-model';
import { useQuery } from '@tanstack/react-query';
import { connectionsApi } from '../api/connections';
import { listConnectors } from '../api/connectors';
import { flowsApi } from '../api/flows';
import { listTemplates } from '../api/templates';

export const queryKeys = {
  connectors: ['connectors'] as const,
  flows: (workspaceId: string) => ['workspaces', workspaceId, 'flows'] as const,
  flow: (workspaceId: string, flowId: string) => ['workspaces', workspaceId, 'flows', flowId] as const,
  templates: (workspaceId: string) => ['workspaces', workspaceId, 'templates'] as const,
  connections: (workspaceId: string) => ['workspaces', workspaceId, 'connections'] as const,
};

/** The connector catalog (changes only when the runtime is redeployed). */
export function useConnectors() {
  return useQuery({ queryKey: queryKeys.connectors, queryFn: () => listConnectors(), staleTime: 10 * 60_000 });
}

export function connectorLookup(catalog: readonly ConnectorDescriptor[] | undefined) {
  const byKey = new Map((catalog ?? []).map((c) => [c.key, c]));
  return (key: string) => byKey.get(key);
}

export function useFlows(workspaceId: string) {
  return useQuery({ queryKey: queryKeys.flows(workspaceId), queryFn: () => flowsApi(workspaceId).list() });
}

export function useTemplates(workspaceId: string, enabled = true) {
  return useQuery({ queryKey: queryKeys.templates(workspaceId), queryFn: () => listTemplates(workspaceId), staleTime: 5 * 60_000, enabled });
}

/** The workspace's connections (for connection pickers and validation). */
export function useConnectionsList(workspaceId: string) {
  return useQuery({ queryKey: queryKeys.connections(workspaceId), queryFn: () => connectionsApi.list(workspaceId) });
}
