import type { BranchStep } from '@braid/flow-model';
import { useEditorContext } from '../../features/canvas/editor.context';
import { ExpressionField } from '../../features/step-panel/ExpressionField';
import { useApply } from '../../features/step-panel/useApply';
import { newPathId } from './branch.defaults';

/** The paths of a branch: label and condition each; the first true path runs, else the Else path. */
export function BranchPanel({ step }: { step: BranchStep }) {
  const { editable, problems } = useEditorContext();
  const apply = useApply();
  const stepProblems = problems.get(step.id) ?? [];
  return (
    <div className="kind-panel">
      <p className="muted small">Paths are checked from the top; the first whose condition is true runs. When none is true, the Else path runs. Then the flow goes on below the branch.</p>
      <ol className="path-list">
        {step.branches.map((path, index) => {
          const pathProblems = stepProblems.filter((p) => p.pointer.startsWith(`/steps/${step.id}/branches/${index}/`));
          return (
            <li key={path.id} className="path-card" data-testid={`branch-path-${path.id}`}>
              <div className="row">
                <label className="grow">
                  <span className="field-label">Path {index + 1} name</span>
                  <input value={path.label} disabled={!editable} onChange={(e) => apply({ type: 'updateBranch', stepId: step.id, branchId: path.id, patch: { label: e.target.value } }, `${step.id}/path/${path.id}/label`)} />
                </label>
                <button type="button" className="ghost small danger" disabled={!editable || step.branches.length === 1} onClick={() => apply({ type: 'removeBranch', stepId: step.id, branchId: path.id })} aria-label={`Remove path ${path.label || index + 1} and its steps`}>
                  Remove
                </button>
              </div>
              <ExpressionField
                label="Runs when"
                value={path.condition.$expr}
                stepId={step.id}
                onChange={(text) => apply({ type: 'updateBranch', stepId: step.id, branchId: path.id, patch: { condition: { $expr: text } } }, `${step.id}/path/${path.id}/condition`)}
                testId={`condition-${path.id}`}
                disabled={!editable}
              />
              {pathProblems.map((p, i) => (
                <p key={i} className="error small">
                  {p.message}
                </p>
              ))}
            </li>
          );
        })}
      </ol>
      {editable && (
        <button type="button" className="secondary small" onClick={() => apply({ type: 'addBranch', stepId: step.id, branch: { id: newPathId(step), label: `Path ${step.branches.length + 1}`, condition: { $expr: '' } } })} data-testid="add-path">
          Add a path
        </button>
      )}
      <p className="muted small">Else: runs when no path matches{step.else?.start ? '' : ' (empty — add a step on its line to use it)'}.</p>
    </div>
  );
}
