import { ApiError, api, type ApiClient } from './client';

export interface TemplateSummary {
  id: string;
  name: string;
  description?: string;
  direction?: 'inbound' | 'outbound' | 'two-way';
}

/** A gallery card as `GET /api/v1/templates` answers it. */
export interface TemplateCard extends TemplateSummary {
  title: string;
  summary: string;
  whatItDoes: string[];
  apps: Array<{ key: string; title: string; icon: string | null }>;
  connections: Array<{ key: string; connector: string; title: string; authKind: string | null }>;
  modules: Array<{ key: string; title: string; description?: string; default: boolean; flows: string[] }>;
  settingsSchema: Record<string, unknown>;
  flows: Array<{ key: string; name: string; description?: string; trigger: string; initialSync: boolean }>;
  supportsInitialSync: boolean;
}

export interface TemplateDetail extends TemplateCard {
  readme: string | null;
}

/**
 * The workspace's flow templates, or `null` while the runtime has no templates API (404): the editor then
 * offers blank flows and import only.
 */
export async function listTemplates(workspaceId: string, client: ApiClient = api): Promise<TemplateCard[] | null> {
  try {
    const body = await client.request<{ templates?: TemplateCard[] } | TemplateCard[]>('GET', `/api/v1/workspaces/${encodeURIComponent(workspaceId)}/templates`);
    return Array.isArray(body) ? body : (body.templates ?? []);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/** One template with its README. */
export function getTemplate(templateId: string, client: ApiClient = api): Promise<TemplateDetail> {
  return client.request('GET', `/api/v1/templates/${encodeURIComponent(templateId)}`);
}
