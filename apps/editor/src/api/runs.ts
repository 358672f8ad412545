import type { FlowDefinition } from '@braid/flow-model';
import { api, ApiClient } from './client';

export const runStatuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof runStatuses)[number];
export type StepStatus = 'running' | 'succeeded' | 'failed' | 'skipped';

export interface RunError {
  code?: string;
  message?: string;
  stepId?: string;
  pointer?: string;
}

export interface RunSummary {
  id: string;
  flowId: string;
  flowName: string;
  flowVersionId: string | null;
  version: number | null;
  eventId: string | null;
  source: string;
  status: RunStatus;
  mode: 'live' | 'preview' | 'dry-run';
  replayOfRunId: string | null;
  error: RunError | null;
  attempt: number;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  /** The outcome in one line ("created contact 46", "skipped: echo of run …", "failed at find: …"); null while queued or running. */
  summary: string | null;
}

export interface RunStep {
  stepId: string;
  /** Step id, with loop iterations as loop[3]/step. */
  path: string;
  status: StepStatus;
  input: unknown;
  output: unknown;
  error: RunError | null;
  attempts: number;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface RecordLink {
  [key: string]: unknown;
}

export interface RunDetail extends RunSummary {
  triggerOutput: unknown;
  output: unknown;
  steps: RunStep[];
  links: RecordLink[];
}

export interface FlowOption {
  id: string;
  name: string;
}

export type TimeRange = 'all' | '1h' | '24h' | '7d' | '30d';

export interface RunFilters {
  flowId?: string;
  status?: RunStatus;
  range?: TimeRange;
  cursor?: string;
  limit?: number;
}

const rangeMs: Record<Exclude<TimeRange, 'all'>, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };

/** Start of a time range ending now (undefined: no lower bound). */
export function rangeStart(range: TimeRange | undefined, now: Date): string | undefined {
  if (!range || range === 'all') return undefined;
  return new Date(now.getTime() - rangeMs[range]).toISOString();
}

/** Query string of GET …/runs for the page's filters. */
export function runsQuery(filters: RunFilters, now: Date): string {
  const query = new URLSearchParams();
  if (filters.flowId) query.set('flowId', filters.flowId);
  if (filters.status) query.set('status', filters.status);
  const from = rangeStart(filters.range, now);
  if (from) query.set('from', from);
  if (filters.limit) query.set('limit', String(filters.limit));
  if (filters.cursor) query.set('cursor', filters.cursor);
  const text = query.toString();
  return text ? `?${text}` : '';
}

/** "850 ms", "4.2 s", "3 min 5 s", "2 h 4 min"; "—" while unknown. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${minutes} min ${totalSeconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const UUID_IN_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** A run summary split into text and run ids (e.g. "skipped: echo of run <id>"), so the ids can become links. */
export function summaryParts(summary: string): Array<{ text: string } | { runId: string }> {
  const parts: Array<{ text: string } | { runId: string }> = [];
  let last = 0;
  for (const match of summary.matchAll(UUID_IN_TEXT)) {
    // Only ids the summary names as runs ("run <id>") are links; other ids (records) stay text.
    if (!/\brun\s+$/i.test(summary.slice(0, match.index))) continue;
    if (match.index > last) parts.push({ text: summary.slice(last, match.index) });
    parts.push({ runId: match[0] });
    last = match.index + match[0].length;
  }
  if (last < summary.length) parts.push({ text: summary.slice(last) });
  return parts;
}

/** Status of each step id in a run; for loop iterations the worst status of the step's iterations wins. */
export function stepStatusById(steps: RunStep[]): Map<string, StepStatus> {
  const rank: Record<StepStatus, number> = { skipped: 0, succeeded: 1, running: 2, failed: 3 };
  const result = new Map<string, StepStatus>();
  for (const step of steps) {
    const current = result.get(step.stepId);
    if (!current || rank[step.status] > rank[current]) result.set(step.stepId, step.status);
  }
  return result;
}

/** The /api/v1 calls of the runs pages. */
export class RunsApi {
  constructor(private readonly client: ApiClient = api) {}

  private base(workspaceId: string): string {
    return `/api/v1/workspaces/${encodeURIComponent(workspaceId)}`;
  }

  list(workspaceId: string, filters: RunFilters = {}, now = new Date()): Promise<{ runs: RunSummary[]; nextCursor: string | null }> {
    return this.client.request('GET', `${this.base(workspaceId)}/runs${runsQuery(filters, now)}`);
  }

  get(workspaceId: string, runId: string): Promise<RunDetail> {
    return this.client.request('GET', `${this.base(workspaceId)}/runs/${encodeURIComponent(runId)}`);
  }

  replay(workspaceId: string, runId: string, version: 'current' | 'original'): Promise<{ runId: string }> {
    return this.client.request('POST', `${this.base(workspaceId)}/runs/${encodeURIComponent(runId)}/replay`, { version });
  }

  replayFailed(workspaceId: string, flowId: string, input: { from?: string; to?: string; version: 'current' | 'original' }): Promise<{ count: number; runIds: string[] }> {
    return this.client.request('POST', `${this.base(workspaceId)}/flows/${encodeURIComponent(flowId)}/replay-failed`, input);
  }

  cancel(workspaceId: string, runId: string): Promise<RunSummary> {
    return this.client.request('POST', `${this.base(workspaceId)}/runs/${encodeURIComponent(runId)}/cancel`);
  }

  /** Flow names for the filter. */
  async flows(workspaceId: string): Promise<FlowOption[]> {
    const { flows } = await this.client.request<{ flows: FlowOption[] }>('GET', `${this.base(workspaceId)}/flows`);
    return flows.map((flow) => ({ id: flow.id, name: flow.name }));
  }

  /** The definition of the version a run used (or the flow's draft when it has no version, e.g. a preview). */
  async runFlow(workspaceId: string, run: Pick<RunSummary, 'flowId' | 'version'>): Promise<FlowDefinition | undefined> {
    const flowBase = `${this.base(workspaceId)}/flows/${encodeURIComponent(run.flowId)}`;
    if (run.version !== null) {
      const version = await this.client.request<{ definition?: FlowDefinition }>('GET', `${flowBase}/versions/${run.version}`);
      if (version.definition) return version.definition;
    }
    return (await this.client.request<{ draft?: FlowDefinition }>('GET', flowBase)).draft;
  }
}

export const runsApi = new RunsApi();
