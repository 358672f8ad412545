import { ApiError, api, type ApiClient } from './client';

export interface TemplateSummary {
  id: string;
  name: string;
  description?: string;
  direction?: 'inbound' | 'outbound';
}

/**
 * The workspace's flow templates, or `null` while the runtime has no templates API (404): the editor then
 * offers blank flows and import only.
 */
export async function listTemplates(workspaceId: string, client: ApiClient = api): Promise<TemplateSummary[] | null> {
  try {
    const body = await client.request<{ templates?: TemplateSummary[] } | TemplateSummary[]>('GET', `/api/v1/workspaces/${encodeURIComponent(workspaceId)}/templates`);
    return Array.isArray(body) ? body : (body.templates ?? []);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}
