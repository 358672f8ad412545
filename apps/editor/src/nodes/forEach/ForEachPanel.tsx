import type { ForEachStep } from '@braid/flow-model';
import { useEditorContext } from '../../features/canvas/editor.context';
import { ExpressionField } from '../../features/step-panel/ExpressionField';
import { useApply } from '../../features/step-panel/useApply';

/** The list a loop runs over; inside the body, `$item` is the element and `$index` its position. */
export function ForEachPanel({ step }: { step: ForEachStep }) {
  const { problems, editable } = useEditorContext();
  const apply = useApply();
  return (
    <div className="kind-panel">
      <ExpressionField label="For each element of" value={step.items.$expr} stepId={step.id} disabled={!editable} onChange={(text) => apply({ type: 'updateStep', stepId: step.id, patch: { items: { $expr: text } } }, `${step.id}/items`)} testId="foreach-items" />
      {(problems.get(step.id) ?? []).map((p, i) => (
        <p key={i} className="error small">
          {p.message}
        </p>
      ))}
      <p className="muted small">
        The steps on the “For each” line run once per element, one at a time. Inside them, <code>$item</code> is the element and <code>$index</code> its position (from 0). A single value counts as one element; nothing means no run.
      </p>
    </div>
  );
}
