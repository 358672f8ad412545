import { isExpression, type InputValue, type UpsertActionCall, type UpsertWithLinkStep } from '@braid/flow-model';
import { useEditorContext } from '../../features/canvas/editor.context';
import { ConnectionSelect } from '../../features/step-panel/ConnectionSelect';
import { ExpressionField } from '../../features/step-panel/ExpressionField';
import { FieldMapper } from '../../features/step-panel/FieldMapper';
import { JsonValueEditor } from '../../features/step-panel/JsonValueEditor';
import { useApply } from '../../features/step-panel/useApply';

const exprText = (value: InputValue | undefined) => (isExpression(value) ? value.$expr : value === undefined ? '' : JSON.stringify(value));

/** Upsert with link: the source record, how to find a match in the target app, how to create/update, the mapping. */
export function UpsertWithLinkPanel({ step }: { step: UpsertWithLinkStep }) {
  const { catalog, workspaceId, problems, editable } = useEditorContext();
  const apply = useApply();
  const connector = catalog.find((c) => c.key === step.connector);
  const actions = connector?.actions ?? [];
  // updateStep replaces each part whole (flow-model checks the result against the schema).
  const patch = (parts: Record<string, unknown>, key?: string) => apply({ type: 'updateStep', stepId: step.id, patch: parts as never }, key);

  const actionSelect = (value: string, onChange: (action: string) => void, label: string, testId: string) => (
    <label>
      {label}
      <select value={value} disabled={!editable} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
        {!actions.some((a) => a.key === value) && <option value={value}>{value} (unknown)</option>}
        {actions.map((a) => (
          <option key={a.key} value={a.key}>
            {a.title}
          </option>
        ))}
      </select>
    </label>
  );

  const callEditor = (call: UpsertActionCall, onChange: (next: UpsertActionCall) => void, name: string) => (
    <div className="path-card">
      {actionSelect(call.action, (action) => onChange({ ...call, action }), `${name}: action`, `upsert-${name.toLowerCase()}-action`)}
      <label>
        Record id in its output (dotted path)
        <input value={call.idPath ?? ''} disabled={!editable} placeholder="e.g. contact.contact_id" onChange={(e) => onChange({ ...call, ...(e.target.value ? { idPath: e.target.value } : { idPath: undefined }) } as UpsertActionCall)} />
      </label>
      <span className="field-label">Input (JSON; {'{ "$expr": "…" }'} for expressions, $target.id is the found record)</span>
      <JsonValueEditor value={call.input as InputValue} label={`${name} input`} disabled={!editable} onChange={(input) => onChange({ ...call, input: (input && typeof input === 'object' && !Array.isArray(input) ? input : {}) as Record<string, InputValue> })} />
    </div>
  );

  return (
    <div className="kind-panel">
      <p className="muted small">Finds the record linked to the source record in {connector?.title ?? step.connector}; else looks for a match by the keys below, links it and updates it; else creates and links one. The same event twice never creates two records.</p>
      {connector && connector.auth.kind !== 'none' && (
        <ConnectionSelect workspaceId={workspaceId} connectorKey={step.connector} connectorTitle={connector.title} value={step.connectionRef} disabled={!editable} onChange={(connectionRef) => patch({ connectionRef: connectionRef ?? null })} />
      )}
      <h3 className="section-title">Source record</h3>
      <div className="retry-grid">
        <label>
          App
          <input value={step.source.app} disabled={!editable} onChange={(e) => e.target.value && patch({ source: { ...step.source, app: e.target.value } }, `${step.id}/source/app`)} />
        </label>
        <label>
          Type
          <input value={step.source.type} disabled={!editable} onChange={(e) => e.target.value && patch({ source: { ...step.source, type: e.target.value } }, `${step.id}/source/type`)} />
        </label>
        <label>
          Target type
          <input value={step.target.type} disabled={!editable} onChange={(e) => e.target.value && patch({ target: { ...step.target, type: e.target.value } }, `${step.id}/target/type`)} data-testid="upsert-target-type" />
        </label>
      </div>
      <ExpressionField label="Source record id" value={exprText(step.source.id)} stepId={step.id} onChange={(text) => patch({ source: { ...step.source, id: { $expr: text } } }, `${step.id}/source/id`)} rows={1} testId="upsert-source-id" />
      <ExpressionField label="Source modified at (optional, for conflicts)" value={exprText(step.source.modifiedAt)} stepId={step.id} onChange={(text) => patch({ source: { ...step.source, modifiedAt: { $expr: text } } }, `${step.id}/source/modifiedAt`)} rows={1} />
      <h3 className="section-title">Find a match (in order)</h3>
      {(step.find ?? []).map((rule, index) => (
        <div key={index} className="path-card" data-testid={`upsert-find-${index}`}>
          <div className="row">
            <label className="grow">
              Match by
              <input value={rule.key} disabled={!editable} onChange={(e) => e.target.value && patch({ find: (step.find ?? []).map((r, i) => (i === index ? { ...r, key: e.target.value } : r)) }, `${step.id}/find/${index}/key`)} />
            </label>
            <button type="button" className="ghost small danger" disabled={!editable} onClick={() => patch({ find: (step.find ?? []).filter((_, i) => i !== index) })} aria-label={`Remove match rule ${rule.key}`}>
              Remove
            </button>
          </div>
          {callEditor(rule, (next) => patch({ find: (step.find ?? []).map((r, i) => (i === index ? { ...r, ...next, idPath: next.idPath || r.idPath } : r)) }), `Find ${index + 1}`)}
        </div>
      ))}
      {editable && actions.length > 0 && (
        <button type="button" className="secondary small" onClick={() => patch({ find: [...(step.find ?? []), { key: step.find?.length ? `key_${step.find.length + 1}` : 'email', action: actions[0]!.key, input: {}, idPath: 'id' }] })} data-testid="upsert-add-find">
          Add a match rule
        </button>
      )}
      <h3 className="section-title">Create</h3>
      {callEditor(step.create, (next) => patch({ create: { ...next, idPath: next.idPath || step.create.idPath } }), 'Create')}
      <h3 className="section-title">Update a linked or matched record</h3>
      <label className="inline-check">
        <input type="checkbox" disabled={!editable} checked={Boolean(step.update)} onChange={(e) => patch({ update: e.target.checked ? { action: actions.find((a) => /update/.test(a.key))?.key ?? step.create.action, input: {} } : null })} data-testid="upsert-update-enabled" />
        Update it (else a found record is only linked)
      </label>
      {step.update && callEditor(step.update, (next) => patch({ update: next }), 'Update')}
      <h3 className="section-title">Field mapping (merged into create and update)</h3>
      <FieldMapper schema={{}} value={(step.mapping ?? { pairs: [] }) as unknown as InputValue} stepId={step.id} label={`${step.id}-mapping`} onChange={(mapping) => patch({ mapping }, `${step.id}/mapping`)} />
      <h3 className="section-title">Two-way sync</h3>
      <div className="row">
        <label className="grow">
          When both sides changed
          <select value={step.sync?.conflict ?? 'last-writer-wins'} disabled={!editable} onChange={(e) => patch({ sync: { ...step.sync, conflict: e.target.value } })}>
            <option value="last-writer-wins">Last writer wins</option>
            <option value="source-wins">Source wins</option>
            <option value="target-wins">Target wins</option>
          </select>
        </label>
        <label className="inline-check">
          <input type="checkbox" disabled={!editable} checked={step.sync?.skipEchoes ?? false} onChange={(e) => patch({ sync: { ...step.sync, skipEchoes: e.target.checked } })} />
          Skip echoes of Braid's own writes
        </label>
      </div>
      {(problems.get(step.id) ?? []).map((p, i) => (
        <p key={i} className="error small">
          {p.message}
        </p>
      ))}
    </div>
  );
}
