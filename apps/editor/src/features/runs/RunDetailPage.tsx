import { useState } from 'react';
import { formatDuration, type RunDetail, runGraphRows, runsApi, type RunStep, stepStatusById } from '../../api/runs';
import '../connections/connections.css';
import { errorText, useAsync, useWorkspaceId } from '../connections/useAsync';

export interface RunDetailPageProps {
  runId: string;
  /** The shell's current workspace; without it, the signed-in user's first workspace. */
  workspaceId?: string;
  /** Opens another run (the replay); without it, plain `/runs/:runId` links. */
  onOpenRun?(runId: string): void;
}

const finished = (run: RunDetail): boolean => run.status !== 'queued' && run.status !== 'running';

/**
 * One run: the flow's steps drawn top to bottom (branch paths and loop bodies indented) coloured by what each
 * step did, every step execution's input, output, error and attempts, and replay on the current or the
 * original version.
 */
export function RunDetailPage({ runId, workspaceId: explicitWorkspaceId, onOpenRun }: RunDetailPageProps) {
  const { workspaceId, error } = useWorkspaceId(explicitWorkspaceId);
  if (!workspaceId) {
    return <section className="bc-page">{error ? <p role="alert" className="error">{error}</p> : <p className="muted">Loading…</p>}</section>;
  }
  return <RunOfWorkspace workspaceId={workspaceId} runId={runId} onOpenRun={onOpenRun} />;
}

function RunOfWorkspace({ workspaceId, runId, onOpenRun }: { workspaceId: string; runId: string; onOpenRun?(runId: string): void }) {
  const run = useAsync(() => runsApi.get(workspaceId, runId), `${workspaceId}/${runId}`, { pollMs: 1500, shouldPoll: (r) => !finished(r) });
  const flowKey = run.data ? `${run.data.flowId}/${run.data.version ?? 'draft'}` : '';
  const flow = useAsync(async () => (run.data ? runsApi.runFlow(workspaceId, run.data) : undefined), flowKey);
  const [replayed, setReplayed] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();

  const replay = async (version: 'current' | 'original') => {
    setBusy(true);
    setFailure(undefined);
    try {
      setReplayed((await runsApi.replay(workspaceId, runId, version)).runId);
    } catch (error) {
      setFailure(errorText(error));
    } finally {
      setBusy(false);
    }
  };

  const link = (id: string, text: string, testId: string) => (
    <a
      href={`/runs/${id}`}
      data-testid={testId}
      onClick={(event) => {
        if (!onOpenRun) return;
        event.preventDefault();
        onOpenRun(id);
      }}
    >
      {text}
    </a>
  );

  if (run.error && !run.data) return <section className="bc-page"><p role="alert" className="error">{run.error}</p></section>;
  if (!run.data) return <section className="bc-page"><p className="muted">Loading…</p></section>;
  const detail = run.data;
  const statuses = stepStatusById(detail.steps);
  const rows = flow.data ? runGraphRows(flow.data) : [];
  const executionsOf = (stepId: string): RunStep[] => detail.steps.filter((step) => step.stepId === stepId);
  // Executions of steps the current outline no longer shows (the flow changed): listed after the graph.
  const drawn = new Set(rows.map((row) => row.id));
  const orphans = detail.steps.filter((step) => !drawn.has(step.stepId));

  return (
    <section className="bc-page" data-testid="run-detail" data-run-id={detail.id} data-status={detail.status}>
      <header className="bc-page-header">
        <div>
          <h1>
            {detail.flowName}{' '}
            <span className={`bc-pill is-${detail.status}`} data-testid="run-detail-status">
              {detail.status}
            </span>
          </h1>
          <p className="muted">
            {detail.version !== null ? `Version ${detail.version}` : 'Draft'} · {detail.source}
            {detail.mode !== 'live' ? ` (${detail.mode})` : ''} · queued {new Date(detail.queuedAt).toLocaleString()} · {formatDuration(detail.durationMs)}
            {detail.attempt > 1 ? ` · attempt ${detail.attempt}` : ''}
            {detail.replayOfRunId && <> · replay of {link(detail.replayOfRunId, 'this run', 'replay-of-link')}</>}
          </p>
        </div>
        <div className="bc-actions">
          <button type="button" data-testid="replay-current" disabled={busy || detail.mode !== 'live'} onClick={() => void replay('current')}>
            Replay on current version
          </button>
          <button type="button" className="secondary" data-testid="replay-original" disabled={busy || detail.mode !== 'live'} onClick={() => void replay('original')}>
            Replay on this version
          </button>
        </div>
      </header>
      {replayed && (
        <p className="bc-notice" role="status" data-testid="replay-notice">
          Replay queued: {link(replayed, 'open the new run', 'replay-link')}.
        </p>
      )}
      {failure && <p role="alert" className="error">{failure}</p>}
      {detail.error && (
        <p role="alert" className="error" data-testid="run-error">
          {detail.error.stepId ? `Step “${detail.error.stepId}”: ` : ''}
          {detail.error.message ?? detail.error.code}
        </p>
      )}
      <ol className="bc-graph" data-testid="run-graph" aria-label="Steps of the run">
        <li className="bc-node is-succeeded" data-testid="run-node" data-step-id="trigger" data-status="succeeded">
          <strong>Trigger</strong>
          <JsonBlock label="Event" value={detail.triggerOutput} />
        </li>
        {rows.map((row) => {
          const status = statuses.get(row.id) ?? 'not-run';
          return (
            <li key={row.id} className={`bc-node is-${status}`} style={{ marginLeft: `${row.depth * 1.5}rem` }} data-testid="run-node" data-step-id={row.id} data-status={status}>
              {row.chainLabel && <div className="bc-chain-label">{row.chainLabel}</div>}
              <div className="bc-row">
                <strong className="bc-grow">{row.label}</strong>
                {row.detail && <span className="muted">{row.detail}</span>}
                <span className={`bc-pill is-${status}`}>{status === 'not-run' ? 'not run' : status}</span>
              </div>
              {executionsOf(row.id).map((execution) => (
                <StepExecution key={execution.path} execution={execution} />
              ))}
            </li>
          );
        })}
        {orphans.map((execution) => (
          <li key={execution.path} className={`bc-node is-${execution.status}`} data-testid="run-node" data-step-id={execution.stepId} data-status={execution.status}>
            <strong>{execution.stepId}</strong>
            <StepExecution execution={execution} />
          </li>
        ))}
      </ol>
      {flow.error && <p className="muted">The flow's graph could not be loaded ({flow.error}); the steps above are the run's record.</p>}
      {detail.links.length > 0 && <JsonBlock label={`Record links (${detail.links.length})`} value={detail.links} />}
    </section>
  );
}

function StepExecution({ execution }: { execution: RunStep }) {
  return (
    <div data-testid="step-execution" data-path={execution.path}>
      <p className="muted">
        {execution.path !== execution.stepId ? `${execution.path} · ` : ''}
        {execution.attempts} attempt{execution.attempts === 1 ? '' : 's'} · {formatDuration(execution.durationMs)}
        {execution.dryRun ? ' · dry run' : ''}
      </p>
      {execution.error !== null && execution.error !== undefined && (
        <p className="error" data-testid="step-error">
          {execution.error.code ? `${execution.error.code}: ` : ''}
          {execution.error.message ?? ''}
        </p>
      )}
      <JsonBlock label="Input" value={execution.input} />
      <JsonBlock label="Output" value={execution.output} />
      {execution.error !== null && execution.error !== undefined && <JsonBlock label="Error" value={execution.error} />}
    </div>
  );
}

/** A collapsible JSON viewer. */
function JsonBlock({ label, value }: { label: string; value: unknown }) {
  return (
    <details data-testid={`json-${label.toLowerCase().split(' ')[0]}`}>
      <summary>{label}</summary>
      <pre className="bc-json">{value === undefined ? '(none)' : JSON.stringify(value, null, 2)}</pre>
    </details>
  );
}
