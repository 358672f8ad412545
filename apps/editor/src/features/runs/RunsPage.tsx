import { useState } from 'react';
import { formatDuration, rangeStart, type RunFilters, type RunStatus, runsApi, runStatuses, type RunSummary, type TimeRange } from '../../api/runs';
import '../connections/connections.css';
import { errorText, useAsync, useWorkspaceId } from '../connections/useAsync';
import { RunOutcome } from './RunOutcome';
import './runs.css';

export interface RunsPageProps {
  /** The shell's current workspace; without it, the signed-in user's first workspace. */
  workspaceId?: string;
  /** Preselects the flow filter (e.g. the Runs tab of one flow). */
  flowId?: string;
  /** Opens a run; without it, run links are plain `/runs/:runId` links. */
  onOpenRun?(runId: string): void;
}

const ranges: Array<{ value: TimeRange; label: string }> = [
  { value: '1h', label: 'Last hour' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
  { value: 'all', label: 'Any time' },
];

/** Runs, newest first, with filters (flow, status, time range); replay all failed runs of a flow. */
export function RunsPage({ workspaceId: explicitWorkspaceId, flowId, onOpenRun }: RunsPageProps) {
  const { workspaceId, error } = useWorkspaceId(explicitWorkspaceId);
  if (!workspaceId) {
    return <section className="bc-page">{error ? <p role="alert" className="error">{error}</p> : <p className="muted">Loading…</p>}</section>;
  }
  return <RunsOfWorkspace workspaceId={workspaceId} initialFlowId={flowId} onOpenRun={onOpenRun} />;
}

function RunsOfWorkspace({ workspaceId, initialFlowId, onOpenRun }: { workspaceId: string; initialFlowId?: string; onOpenRun?(runId: string): void }) {
  const [filters, setFilters] = useState<RunFilters>({ flowId: initialFlowId, range: '7d' });
  const [pages, setPages] = useState<RunSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const flows = useAsync(() => runsApi.flows(workspaceId), workspaceId);
  const key = JSON.stringify({ workspaceId, ...filters });
  // The newest page, refreshed every few seconds (new runs arrive from triggers at any time).
  const runs = useAsync(() => runsApi.list(workspaceId, { ...filters, limit: 50 }), key, { pollMs: 2000 });
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string>();
  const [failure, setFailure] = useState<string>();

  const change = (patch: Partial<RunFilters>) => {
    setPages([]);
    setCursor(null);
    setNotice(undefined);
    setFilters((current) => ({ ...current, ...patch }));
  };

  const loadMore = async () => {
    const next = cursor ?? runs.data?.nextCursor;
    if (!next) return;
    try {
      const more = await runsApi.list(workspaceId, { ...filters, cursor: next, limit: 50 });
      setPages((current) => [...current, ...more.runs]);
      setCursor(more.nextCursor);
    } catch (error) {
      setFailure(errorText(error));
    }
  };

  const replayFailed = async () => {
    if (!filters.flowId) return;
    setBusy(true);
    setFailure(undefined);
    try {
      const from = rangeStart(filters.range, new Date());
      const result = await runsApi.replayFailed(workspaceId, filters.flowId, { ...(from ? { from } : {}), version: 'current' });
      setNotice(result.count === 0 ? 'No failed runs to replay in this time range.' : `Replaying ${result.count} failed run${result.count === 1 ? '' : 's'}.`);
      runs.reload();
    } catch (error) {
      setFailure(errorText(error));
    } finally {
      setBusy(false);
    }
  };

  const shown = [...(runs.data?.runs ?? []), ...pages];
  const hasMore = pages.length > 0 ? cursor !== null : Boolean(runs.data?.nextCursor);

  return (
    <section className="bc-page" data-testid="runs-page">
      <header className="bc-page-header">
        <h1>Runs</h1>
        <div className="bc-actions">
          <button type="button" className="secondary" data-testid="runs-refresh" onClick={runs.reload}>
            Refresh
          </button>
          <button type="button" data-testid="replay-failed" disabled={!filters.flowId || busy} title={filters.flowId ? undefined : 'Choose a flow first'} onClick={() => void replayFailed()}>
            Replay failed runs
          </button>
        </div>
      </header>
      <div className="bc-filters">
        <label>
          Flow
          <select data-testid="runs-filter-flow" value={filters.flowId ?? ''} onChange={(e) => change({ flowId: e.target.value || undefined })}>
            <option value="">All flows</option>
            {flows.data?.map((flow) => (
              <option key={flow.id} value={flow.id}>
                {flow.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select data-testid="runs-filter-status" value={filters.status ?? ''} onChange={(e) => change({ status: (e.target.value || undefined) as RunStatus | undefined })}>
            <option value="">Any status</option>
            {runStatuses.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
        </label>
        <label>
          Time
          <select data-testid="runs-filter-range" value={filters.range ?? 'all'} onChange={(e) => change({ range: e.target.value as TimeRange })}>
            {ranges.map((range) => (
              <option key={range.value} value={range.value}>
                {range.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {notice && (
        <p className="bc-notice" role="status" data-testid="runs-notice">
          {notice}
        </p>
      )}
      {(runs.error || failure) && <p role="alert" className="error">{runs.error ?? failure}</p>}
      {runs.loading && !runs.data && <p className="muted">Loading…</p>}
      {runs.data && shown.length === 0 && (
        <p className="muted" data-testid="runs-empty">
          No runs match these filters.
        </p>
      )}
      {shown.length > 0 && (
        <table className="bc-table" data-testid="runs-table">
          <thead>
            <tr>
              <th>Status</th>
              <th>Flow</th>
              <th>Started by</th>
              <th>Queued</th>
              <th>Duration</th>
              <th>Outcome</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((run) => (
              <tr key={run.id} data-testid="run-row" data-run-id={run.id} data-status={run.status}>
                <td>
                  <a
                    href={`/runs/${run.id}`}
                    data-testid="run-link"
                    onClick={(event) => {
                      if (!onOpenRun) return;
                      event.preventDefault();
                      onOpenRun(run.id);
                    }}
                  >
                    <span className={`bc-pill is-${run.status}`} data-testid="run-status">
                      {run.status}
                    </span>
                  </a>
                </td>
                <td>
                  {run.flowName}
                  {run.version !== null && <span className="muted"> v{run.version}</span>}
                </td>
                <td>
                  {run.source}
                  {run.mode !== 'live' && <span className="muted"> ({run.mode})</span>}
                  {run.replayOfRunId && <span className="muted"> · replay</span>}
                </td>
                <td>{new Date(run.queuedAt).toLocaleString()}</td>
                <td>{formatDuration(run.durationMs)}</td>
                <td className={run.status === 'failed' ? 'error run-outcome-cell' : 'run-outcome-cell'}>
                  <RunOutcome summary={run.summary ?? (run.status === 'failed' ? (run.error?.message ?? null) : null)} onOpenRun={onOpenRun} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {hasMore && (
        <button type="button" className="secondary" data-testid="runs-more" onClick={() => void loadMore()}>
          Older runs
        </button>
      )}
    </section>
  );
}
