import { isExpression, type InputValue, type MapStep } from '@braid/flow-model';
import { useState } from 'react';
import { useEditorContext } from '../../features/canvas/editor.context';
import { ExpressionField } from '../../features/step-panel/ExpressionField';
import { useApply } from '../../features/step-panel/useApply';

const asText = (value: InputValue | undefined) => (isExpression(value) ? value.$expr : value === undefined ? '' : JSON.stringify(value));

/** The fields of the object a map step produces, each computed with JSONata. */
export function MapPanel({ step }: { step: MapStep }) {
  const { problems, editable } = useEditorContext();
  const apply = useApply();
  const [newKey, setNewKey] = useState('');
  const output = step.output;
  const fields = output !== null && typeof output === 'object' && !Array.isArray(output) && !isExpression(output) ? (output as Record<string, InputValue>) : null;

  if (!fields) {
    return (
      <div className="kind-panel">
        <ExpressionField label="Output" value={asText(output)} stepId={step.id} disabled={!editable} onChange={(text) => apply({ type: 'updateStep', stepId: step.id, patch: { output: { $expr: text } } }, `${step.id}/output`)} rows={4} />
      </div>
    );
  }
  const rename = (from: string, to: string) => {
    if (!to || to === from || to in fields) return;
    const next = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k === from ? to : k, v]));
    apply({ type: 'updateStep', stepId: step.id, patch: { output: next } });
  };
  return (
    <div className="kind-panel">
      <p className="muted small">The step's output is an object with these fields. Later steps read them as <code>$steps.{step.id}.&lt;field&gt;</code>.</p>
      {Object.entries(fields).map(([key, value]) => (
        <div key={key} className="map-field" data-testid={`map-field-${key}`}>
          <div className="row">
            <input aria-label={`Name of field ${key}`} defaultValue={key} disabled={!editable} onBlur={(e) => rename(key, e.target.value.trim())} className="grow" />
            <button type="button" className="ghost small danger" disabled={!editable} onClick={() => apply({ type: 'updateInput', stepId: step.id, path: [key], value: undefined })} aria-label={`Remove field ${key}`}>
              Remove
            </button>
          </div>
          <ExpressionField value={asText(value)} stepId={step.id} disabled={!editable} onChange={(text) => apply({ type: 'updateInput', stepId: step.id, path: [key], value: { $expr: text } }, `${step.id}/output/${key}`)} rows={1} />
        </div>
      ))}
      {editable && (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            const key = newKey.trim();
            if (!key || key in fields) return;
            if (apply({ type: 'updateInput', stepId: step.id, path: [key], value: { $expr: '' } })) setNewKey('');
          }}
        >
          <input className="grow" placeholder="New field name" aria-label="New field name" value={newKey} onChange={(e) => setNewKey(e.target.value)} data-testid="map-new-field" />
          <button type="submit" className="secondary small" disabled={!newKey.trim() || newKey.trim() in fields}>
            Add field
          </button>
        </form>
      )}
      {(problems.get(step.id) ?? []).map((p, i) => (
        <p key={i} className="error small">
          {p.message}
        </p>
      ))}
    </div>
  );
}
