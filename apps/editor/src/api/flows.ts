import type { FlowDefinition, FlowDetail, FlowDirection, FlowEdit, FlowExport, FlowSummary, FlowVersionInfo, PreviewResult } from '@braid/flow-model';
import { api, type ApiClient } from './client';

// The answers' shapes are flow-model's (shared with the runtime that sends them).
export type { FlowDetail, FlowExport, FlowSummary, FlowVersionInfo, PreviewResult, PreviewStepView } from '@braid/flow-model';

export interface PreviewRequest {
  source: 'sample' | 'last-event' | 'payload';
  payload?: unknown;
  mode?: 'normal' | 'dry-run';
  stepId?: string;
  stepOutputs?: Record<string, unknown>;
}


/** The flows API of one workspace (`/api/v1/workspaces/:id/flows`). */
export function flowsApi(workspaceId: string, client: ApiClient = api) {
  const base = `/api/v1/workspaces/${encodeURIComponent(workspaceId)}/flows`;
  const one = (flowId: string) => `${base}/${encodeURIComponent(flowId)}`;
  return {
    list: async () => (await client.request<{ flows: FlowSummary[] }>('GET', base)).flows,
    get: (flowId: string) => client.request<FlowDetail>('GET', one(flowId)),
    createBlank: (input: { name: string; direction: FlowDirection; description?: string }) => client.request<FlowDetail>('POST', base, input),
    createFromTemplate: (templateId: string) => client.request<FlowDetail>('POST', base, { templateId }),
    importFlow: (document: unknown) => client.request<FlowDetail>('POST', `${base}/import`, document),
    exportFlow: (flowId: string) => client.request<FlowExport>('GET', `${one(flowId)}/export`),
    replaceDraft: (flowId: string, definition: FlowDefinition, baseRevision?: number) =>
      client.request<FlowDetail>('PUT', `${one(flowId)}/draft`, baseRevision === undefined ? { definition } : { definition, baseRevision }),
    editDraft: (flowId: string, edits: FlowEdit[], baseRevision: number) => client.request<FlowDetail>('PATCH', `${one(flowId)}/draft`, { edits, baseRevision }),
    publish: (flowId: string) => client.request<FlowDetail>('POST', `${one(flowId)}/publish`),
    setEnabled: (flowId: string, enabled: boolean) => client.request<FlowDetail>('POST', `${one(flowId)}/${enabled ? 'enable' : 'disable'}`),
    remove: (flowId: string) => client.request<void>('DELETE', one(flowId)),
    versions: async (flowId: string) => (await client.request<{ versions: FlowVersionInfo[] }>('GET', `${one(flowId)}/versions`)).versions,
    version: (flowId: string, version: number) => client.request<FlowVersionInfo & { definition: FlowDefinition }>('GET', `${one(flowId)}/versions/${version}`),
    preview: (flowId: string, request: PreviewRequest) => client.request<PreviewResult>('POST', `${one(flowId)}/preview`, request),
  };
}

export type FlowsApi = ReturnType<typeof flowsApi>;
