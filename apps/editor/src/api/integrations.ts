import { api, type ApiClient } from './client';

export type IntegrationStatus = 'pending-initial-sync' | 'active' | 'needs-attention';

export interface BackfillProgress {
  id: string;
  flowId: string;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  phase?: string | null;
  done: number;
  total?: number | null;
  failed: number;
}

export interface InitialSyncView {
  status: 'not-started' | 'running' | 'succeeded' | 'failed';
  startedAt: string | null;
  done: number;
  total: number | null;
  failed: number;
  flows: Array<{ flowKey: string; flowId: string; backfill: BackfillProgress | null }>;
}

export interface Integration {
  id: string;
  templateId: string;
  name: string;
  status: IntegrationStatus;
  reasons: string[];
  connections: Array<{ slot: string; title: string; connectionId: string; connector: string; name: string | null; status: string }>;
  settings: Record<string, unknown>;
  modules: Array<{ key: string; title: string; enabled: boolean; flows: string[] }>;
  flows: Array<{
    key: string;
    flowId: string;
    name: string | null;
    enabled: boolean;
    module: string | null;
    publishedVersion: number | null;
    lastRun: { id: string; status: string; startedAt?: string } | null;
    missing?: boolean;
  }>;
  initialSync: InitialSyncView;
  createdAt: string;
  updatedAt: string;
}

export interface CreateIntegrationInput {
  templateId: string;
  name?: string;
  connections: Record<string, string>;
  settings?: Record<string, unknown>;
  modules?: Record<string, boolean>;
}

export interface UpdateIntegrationInput {
  name?: string;
  settings?: Record<string, unknown>;
  modules?: Record<string, boolean>;
}

/** The workspace's integrations (instances of templates): `…/workspaces/:ws/integrations`. */
export function integrationsApi(workspaceId: string, client: ApiClient = api) {
  const base = `/api/v1/workspaces/${encodeURIComponent(workspaceId)}/integrations`;
  const one = (id: string) => `${base}/${encodeURIComponent(id)}`;
  return {
    async list(): Promise<Integration[]> {
      return (await client.request<{ integrations: Integration[] }>('GET', base)).integrations;
    },
    get: (id: string) => client.request<Integration>('GET', one(id)),
    create: (input: CreateIntegrationInput) => client.request<Integration>('POST', base, input),
    update: (id: string, input: UpdateIntegrationInput) => client.request<Integration>('PATCH', one(id), input),
    remove: (id: string) => client.request<void>('DELETE', one(id)),
    startInitialSync: (id: string) => client.request<InitialSyncView>('POST', `${one(id)}/initial-sync`),
    initialSync: (id: string) => client.request<InitialSyncView>('GET', `${one(id)}/initial-sync`),
  };
}

/** "12 of 40 done, 1 failed (phase recent)" — what the progress toast and bar say. */
export function describeInitialSync(sync: InitialSyncView): { fraction: number | undefined; text: string } {
  const phases = [...new Set(sync.flows.map((f) => f.backfill?.phase).filter((p): p is string => Boolean(p)))];
  const counts = sync.total != null ? `${sync.done} of ${sync.total} done` : `${sync.done} done`;
  const failed = sync.failed > 0 ? `, ${sync.failed} failed` : '';
  const phase = phases.length > 0 ? ` (phase ${phases.join(', ')})` : '';
  const fraction = sync.status === 'succeeded' ? 1 : sync.total ? Math.min(1, (sync.done + sync.failed) / sync.total) : undefined;
  const label = sync.status === 'not-started' ? 'Not started' : sync.status === 'running' ? 'Initial sync running' : sync.status === 'succeeded' ? 'Initial sync finished' : 'Initial sync failed';
  return { fraction, text: sync.status === 'not-started' ? label : `${label}: ${counts}${failed}${phase}` };
}
