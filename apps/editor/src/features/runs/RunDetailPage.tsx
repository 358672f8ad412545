import { stepLabel, type ConnectorDescriptor, type FlowDefinition } from '@braid/flow-model';
import { useMemo, useState } from 'react';
import { formatDuration, type RunDetail, runsApi, type RunStep } from '../../api/runs';
import { useConnectors } from '../../app/queries';
import { deriveLayout, TRIGGER_NODE_ID } from '../canvas/graph.derive';
import '../connections/connections.css';
import { errorText, useAsync, useWorkspaceId } from '../connections/useAsync';
import { executionStatus, initialSelection, iterationLabel, runGraph, runStepStatuses, statusLabel, type RunNodeStatus } from './run.graph';
import { RunGraphView } from './RunGraphView';
import { RunOutcome } from './RunOutcome';
import './runs.css';

export interface RunDetailPageProps {
  runId: string;
  /** The shell's current workspace; without it, the signed-in user's first workspace. */
  workspaceId?: string;
  /** Opens another run (the replay); without it, plain `/runs/:runId` links. */
  onOpenRun?(runId: string): void;
}

const finished = (run: RunDetail): boolean => run.status !== 'queued' && run.status !== 'running';

/**
 * One run: the graph of the version it ran (the canvas's layout) coloured by what each step did; a step's
 * executions (input, output, error, attempts; every loop iteration) beside it; replay on the current or the
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
  const [chosen, setChosen] = useState<string>();
  const catalog = useConnectors();

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
  const selected = chosen ?? initialSelection(detail.steps, detail.error?.stepId);
  const executionsOf = (stepId: string): RunStep[] => detail.steps.filter((step) => step.stepId === stepId);

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
      {detail.summary && detail.status !== 'failed' && (
        <p className={`run-outcome is-${detail.status}`} data-testid="run-detail-outcome">
          <strong>Outcome:</strong> <RunOutcome summary={detail.summary} onOpenRun={onOpenRun} />
        </p>
      )}
      {detail.error && (
        <p role="alert" className="error" data-testid="run-error">
          {detail.error.stepId ? `Step “${detail.error.stepId}”: ` : ''}
          {detail.error.message ?? detail.error.code}
        </p>
      )}
      <div className="run-layout">
        {flow.data ? (
          <RunGraphOfVersion detail={detail} flow={flow.data} catalog={catalog.data ?? []} selected={selected} onOpenStep={setChosen} />
        ) : (
          <div className="run-graph run-graph-empty">
            <p className="muted">
              {flow.error
                ? `The flow's graph could not be loaded (${flow.error}); the steps that ran are listed beside it.`
                : flow.loading
                  ? 'Loading the flow…'
                  : 'The version this run used is no longer available; the steps that ran are listed beside it.'}
            </p>
          </div>
        )}
        <aside className="run-step-panel" data-testid="run-step-panel" data-step-id={selected ?? ''} aria-live="polite">
          {selected === TRIGGER_NODE_ID ? (
            <>
              <h2>Trigger</h2>
              <p className="muted">The event this run started from.</p>
              <JsonBlock label="Event" value={detail.triggerOutput} open />
            </>
          ) : selected ? (
            <StepExecutions stepId={selected} title={stepTitle(flow.data, selected)} executions={executionsOf(selected)} />
          ) : (
            <p className="muted" data-testid="run-step-hint">
              Select a step (click it, or Tab to it and press Enter) to see its input, output, error and attempts.
            </p>
          )}
          {!flow.data && detail.steps.length > 0 && (
            <ul className="run-step-list" aria-label="Steps that ran">
              {[...new Set(detail.steps.map((s) => s.stepId))].map((id) => (
                <li key={id}>
                  <button type="button" className="link-button" onClick={() => setChosen(id)}>
                    {id}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </aside>
      </div>
      {detail.links.length > 0 && <JsonBlock label={`Record links (${detail.links.length})`} value={detail.links} />}
    </section>
  );
}

function RunGraphOfVersion({ detail, flow, catalog, selected, onOpenStep }: { detail: RunDetail; flow: FlowDefinition; catalog: ConnectorDescriptor[]; selected?: string; onOpenStep(stepId: string): void }) {
  const triggerStatus: RunNodeStatus = detail.status === 'queued' ? 'not-run' : 'succeeded';
  // The layout depends on the version only: a running run's polls recolour the nodes without laying out again.
  const layout = useMemo(() => deriveLayout(flow), [flow]);
  const graph = useMemo(() => runGraph(flow, detail.steps, catalog, { triggerStatus, layout, ...(selected ? { selected } : {}) }), [flow, layout, detail.steps, catalog, triggerStatus, selected]);
  return (
    <div className="run-graph-column">
      <RunGraphView graph={graph} onOpenStep={onOpenStep} />
      {graph.orphans.length > 0 && (
        <p className="muted">
          Also ran (not in this version):{' '}
          {[...new Set(graph.orphans.map((o) => o.stepId))].map((id) => (
            <button key={id} type="button" className="link-button" onClick={() => onOpenStep(id)}>
              {id}
            </button>
          ))}
        </p>
      )}
    </div>
  );
}

function stepTitle(flow: FlowDefinition | undefined, stepId: string): string {
  const step = flow?.steps[stepId];
  return step ? stepLabel(step) : stepId;
}

/** Every execution of one step in this run (one per loop iteration), newest attempt's outcome. */
function StepExecutions({ stepId, title, executions }: { stepId: string; title: string; executions: RunStep[] }) {
  const status: RunNodeStatus = executions.length === 0 ? 'not-run' : (runStepStatuses(executions).get(stepId) ?? 'not-run');
  return (
    <div data-testid="run-step-executions" data-step-id={stepId}>
      <h2>
        {title} <span className={`bc-pill is-${status}`}>{statusLabel(status)}</span>
      </h2>
      {executions.length === 0 && <p className="muted">This step did not run in this run (a path not taken, or the run stopped before it).</p>}
      {executions.length > 1 && <p className="muted">Ran {executions.length} times (once per loop iteration).</p>}
      {executions.map((execution) => (
        <StepExecution key={execution.path} execution={execution} open={executions.length === 1} />
      ))}
    </div>
  );
}

function StepExecution({ execution, open }: { execution: RunStep; open: boolean }) {
  const iteration = iterationLabel(execution.path, execution.stepId);
  const status = executionStatus(execution);
  const hasError = execution.error !== null && execution.error !== undefined;
  return (
    <div className={`run-execution is-${status}`} data-testid="step-execution" data-path={execution.path} data-status={status}>
      <p className="muted">
        {iteration ? <strong>{iteration} · </strong> : ''}
        <span className={`bc-pill is-${status}`}>{status}</span> · {execution.attempts} attempt{execution.attempts === 1 ? '' : 's'} · {formatDuration(execution.durationMs)}
        {execution.dryRun ? ' · dry run' : ''}
      </p>
      {execution.error !== null && execution.error !== undefined && (
        <p className="error" data-testid="step-error">
          {execution.error.code ? `${execution.error.code}: ` : ''}
          {execution.error.message ?? ''}
        </p>
      )}
      <JsonBlock label="Input" value={execution.input} />
      <JsonBlock label="Output" value={execution.output} open={open && !hasError} />
      {hasError && <JsonBlock label="Error" value={execution.error} open={open} />}
    </div>
  );
}

/** A collapsible JSON viewer. */
function JsonBlock({ label, value, open = false }: { label: string; value: unknown; open?: boolean }) {
  return (
    <details data-testid={`json-${label.toLowerCase().split(' ')[0]}`} open={open}>
      <summary>{label}</summary>
      <pre className="bc-json">{value === undefined ? '(none)' : JSON.stringify(value, null, 2)}</pre>
    </details>
  );
}
