import { StatusBadge } from '../../components/StatusBadge';
import { useEditor } from '../canvas/editor.context';
import { stepRuns } from '../canvas/preview.status';
import { JsonView } from './JsonView';

/** What a step received and produced in the last preview (every iteration inside a loop). */
export function StepPreview({ stepId }: { stepId: string }) {
  const preview = useEditor((s) => s.preview);
  const runs = stepRuns(preview, stepId);
  if (!preview) return <p className="muted small">Run a preview to see this step's input and output.</p>;
  if (runs.length === 0) return <p className="muted small">This step did not run in the last preview{preview.status === 'failed' ? ' (an earlier step failed or a branch took another path)' : ' (a branch took another path)'}.</p>;
  return (
    <div className="step-preview" data-testid={`step-preview-${stepId}`}>
      {runs.slice(0, 20).map((run, i) => (
        <details key={`${run.path}-${i}`} open={i === 0}>
          <summary>
            <StatusBadge status={run.status} /> {run.path !== stepId ? run.path : 'Result'}
            {run.dryRun && <span className="badge badge-muted">dry run</span>}
            {run.attempts > 1 && <span className="muted small"> {run.attempts} attempts</span>}
          </summary>
          <JsonView label="Input" value={run.input} />
          {run.error ? <JsonView label="Error" value={run.error} testId="step-preview-error" /> : <JsonView label="Output" value={run.output} testId="step-preview-output" />}
        </details>
      ))}
      {runs.length > 20 && <p className="muted small">… and {runs.length - 20} more iterations (see the run in Runs).</p>}
    </div>
  );
}
