import { isExpression, type ActionDescriptor, type ConnectorDescriptor, type InputValue, type Problem, type UpsertActionCall, type UpsertFindRule, type UpsertWithLinkStep } from '@braid/flow-model';
import { useId, useState } from 'react';
import { useEditorContext } from '../../features/canvas/editor.context';
import { ConnectionSelect } from '../../features/step-panel/ConnectionSelect';
import { ExpressionField } from '../../features/step-panel/ExpressionField';
import { FieldMapper } from '../../features/step-panel/FieldMapper';
import { InputForm } from '../../features/step-panel/InputForm';
import { useApply } from '../../features/step-panel/useApply';
import './upsertWithLink.css';
import { actionsForRole, idPathSuggestions, mapperSchema, modifiedAtPaths, moveRule, newFindRule, targetIdInput, withoutMappedFields, type UpsertRole } from './upsertWithLink.form';

type Patch = Record<string, unknown>;

const exprText = (value: InputValue | undefined) => (isExpression(value) ? value.$expr : value === undefined ? '' : JSON.stringify(value));

/**
 * A text field that only hands valid (non-empty) values to the flow: flow-model refuses an empty match key or
 * id path, so while the field is empty it says so instead of the edit bouncing back. While it has focus it shows
 * what is typed, even when that is (for a moment) empty: showing the stored value instead (or putting it back
 * when a server answer arrived) wrote it back under the cursor, so a field could not be cleared and retyped.
 */
function RequiredText({ label, value, onCommit, disabled, placeholder, testId, suggestions }: { label: string; value: string; onCommit(next: string): void; disabled: boolean; placeholder?: string; testId?: string; suggestions?: string[] }) {
  const [draft, setDraft] = useState<string | null>(null);
  const listId = useId();
  const text = draft ?? value;
  const empty = text.trim() === '';
  return (
    <label>
      {label}
      <input
        value={text}
        disabled={disabled}
        placeholder={placeholder}
        aria-invalid={empty}
        list={suggestions?.length ? listId : undefined}
        data-testid={testId}
        onFocus={() => setDraft(value)}
        onBlur={() => setDraft(null)}
        onChange={(e) => {
          if (disabled) return;
          setDraft(e.target.value);
          const next = e.target.value.trim();
          if (next !== '' && next !== value) onCommit(next);
        }}
      />
      {suggestions && suggestions.length > 0 && (
        <datalist id={listId}>
          {suggestions.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      )}
      {empty && <span className="error small">Required.</span>}
    </label>
  );
}

/** An action of the target app, the ones that suit the role first. */
function ActionSelect({ connector, role, value, onChange, label, testId }: { connector: ConnectorDescriptor | undefined; role: UpsertRole; value: string; onChange(action: ActionDescriptor): void; label: string; testId: string }) {
  const { editable } = useEditorContext();
  const { suggested, others } = actionsForRole(connector, role);
  const all = [...suggested, ...others];
  return (
    <label>
      {label}
      <select value={value} disabled={!editable} data-testid={testId} onChange={(e) => {
        const action = all.find((a) => a.key === e.target.value);
        if (action) onChange(action);
      }}>
        {!all.some((a) => a.key === value) && <option value={value}>{value} (unknown)</option>}
        <optgroup label={role === 'find' || role === 'read' ? 'Reads' : role === 'delete' ? 'Deletes' : 'Writes'}>
          {suggested.map((a) => (
            <option key={a.key} value={a.key}>
              {a.title}
            </option>
          ))}
        </optgroup>
        {others.length > 0 && (
          <optgroup label="Other actions">
            {others.map((a) => (
              <option key={a.key} value={a.key}>
                {a.title}
              </option>
            ))}
          </optgroup>
        )}
      </select>
    </label>
  );
}

/**
 * One action call (a match key's search, create, update, read): the action, its inputs as the generated form
 * (fields the mapping writes left out), and where the record id / modified time is in its output.
 */
function CallForm({ step, call, role, partPointer, onChange, mapped, problems, testId }: {
  step: UpsertWithLinkStep;
  call: UpsertActionCall;
  role: UpsertRole;
  /** e.g. `create`, `find/0` */
  partPointer: string;
  onChange(next: UpsertActionCall, coalesceKey?: string): void;
  mapped: string[];
  problems: Problem[];
  testId: string;
}) {
  const { catalog, workspaceId, editable } = useEditorContext();
  const connector = catalog.find((c) => c.key === step.connector);
  const action = connector?.actions.find((a) => a.key === call.action);
  const schema = action ? withoutMappedFields(action.inputSchema, role === 'create' || role === 'update' ? mapped : [], call.mapInto) : undefined;
  const idPaths = idPathSuggestions(action?.outputSchema);
  const withId = role === 'find' || role === 'create';
  return (
    <div className="upsert-call" data-testid={testId}>
      <ActionSelect
        connector={connector}
        role={role}
        value={call.action}
        label="Action"
        testId={`${testId}-action`}
        onChange={(next) => {
          const idPath = idPathSuggestions(next.outputSchema)[0] ?? call.idPath;
          const input = role === 'update' || role === 'delete' || role === 'read' ? targetIdInput(next, step.create.idPath) : {};
          onChange({ ...call, action: next.key, input, ...(withId && idPath ? { idPath } : {}) });
        }}
      />
      {action && <p className="muted small">{action.description}</p>}
      {schema && (
        <InputForm
          schema={schema}
          input={call.input}
          dynamicOptions={action?.dynamicOptions}
          onChange={(name, value) => {
            const input = { ...call.input };
            if (value === undefined) delete input[name];
            else input[name] = value;
            onChange({ ...call, input }, `${step.id}/${partPointer}/input/${name}`);
          }}
          stepId={step.id}
          workspaceId={workspaceId}
          connectionId={step.connectionRef}
          problems={problems}
          pointerBase={`/steps/${step.id}/${partPointer}/input`}
          disabled={!editable}
        />
      )}
      {(role === 'create' || role === 'update') && mapped.length > 0 && !call.mapInto && <p className="muted small">Also sent: {mapped.join(', ')} (from the field mapping below).</p>}
      {withId && (
        <RequiredText
          label="Record id in its output (dotted path)"
          value={call.idPath ?? ''}
          disabled={!editable}
          placeholder={idPaths[0] ?? 'e.g. contact.contact_id'}
          suggestions={idPaths}
          testId={`${testId}-idpath`}
          onCommit={(idPath) => onChange({ ...call, idPath }, `${step.id}/${partPointer}/idPath`)}
        />
      )}
    </div>
  );
}

/** Upsert with link: the source record, match keys in order, create / update, the field mapping, the conflict rule. */
export function UpsertWithLinkPanel({ step }: { step: UpsertWithLinkStep }) {
  const { catalog, workspaceId, problems, editable } = useEditorContext();
  const apply = useApply();
  const connector = catalog.find((c) => c.key === step.connector);
  const stepProblems = problems.get(step.id) ?? [];
  const problemsAt = (part: string) => stepProblems.filter((p) => p.pointer.startsWith(`/steps/${step.id}/${part}`));
  // updateStep replaces each part whole (flow-model checks the result against the schema).
  const patch = (parts: Patch, key?: string) => apply({ type: 'updateStep', stepId: step.id, patch: parts as never }, key);
  const find = step.find ?? [];
  const setFind = (next: UpsertFindRule[], key?: string) => patch({ find: next.length ? next : null }, key);
  const createAction = connector?.actions.find((a) => a.key === step.create.action);
  const updateAction = step.update ? connector?.actions.find((a) => a.key === step.update!.action) : undefined;
  const mapped = (step.mapping?.pairs ?? []).map((p) => p.target).filter((t) => t.trim() !== '');
  const sourceApps = [...new Set([step.source.app, ...catalog.filter((c) => c.key !== 'core').map((c) => c.key)])];
  const appTitle = (key: string) => catalog.find((c) => c.key === key)?.title ?? key;
  // The source's optional expressions: cleared (left out) when emptied.
  const optionalSourceExpression = (part: 'record' | 'modifiedAt' | 'deleted', label: string, testId?: string) => (
    <ExpressionField
      label={label}
      value={exprText(step.source[part])}
      stepId={step.id}
      disabled={!editable}
      onChange={(text) => patch({ source: { ...step.source, [part]: text.trim() ? { $expr: text } : undefined } }, `${step.id}/source/${part}`)}
      rows={1}
      {...(testId ? { testId } : {})}
    />
  );

  return (
    <div className="kind-panel upsert-panel" data-testid="upsert-panel">
      <p className="muted small">
        Finds the record linked to the source record in {connector?.title ?? step.connector}; else tries the match keys in order, links the first match and updates it; else creates and links one. The same event twice never creates two records.
      </p>
      {connector && connector.auth.kind !== 'none' && (
        <ConnectionSelect workspaceId={workspaceId} connectorKey={step.connector} connectorTitle={connector.title} value={step.connectionRef} disabled={!editable} onChange={(connectionRef) => patch({ connectionRef: connectionRef ?? null })} />
      )}

      <h3 className="section-title">Source record</h3>
      <div className="retry-grid">
        <label>
          App
          <select value={step.source.app} disabled={!editable} onChange={(e) => patch({ source: { ...step.source, app: e.target.value } })} data-testid="upsert-source-app">
            {sourceApps.map((key) => (
              <option key={key} value={key}>
                {appTitle(key)}
              </option>
            ))}
          </select>
        </label>
        <RequiredText label="Record type" value={step.source.type} disabled={!editable} testId="upsert-source-type" onCommit={(type) => patch({ source: { ...step.source, type } }, `${step.id}/source/type`)} />
        <RequiredText label={`${connector?.title ?? 'Target'} record type`} value={step.target.type} disabled={!editable} testId="upsert-target-type" onCommit={(type) => patch({ target: { ...step.target, type } }, `${step.id}/target/type`)} />
      </div>
      <ExpressionField label="Source record id" value={exprText(step.source.id)} stepId={step.id} disabled={!editable} onChange={(text) => patch({ source: { ...step.source, id: { $expr: text } } }, `${step.id}/source/id`)} rows={1} testId="upsert-source-id" />
      {optionalSourceExpression('record', 'Source record (optional: lets Braid recognise its own writes coming back)', 'upsert-source-record')}
      {optionalSourceExpression('modifiedAt', 'Source modified at (optional, for conflicts)')}

      <h3 className="section-title">Match keys (tried in order when there is no link yet)</h3>
      {find.length === 0 && <p className="muted small">No match keys: a source record without a link always creates a new record.</p>}
      <ol className="path-list upsert-find-list" data-testid="upsert-find-list">
        {find.map((rule, index) => (
          <li key={index} className="path-card" data-testid={`upsert-find-${index}`}>
            <div className="row">
              <span className="badge">{index + 1}</span>
              <div className="grow">
                <RequiredText label="Match by" value={rule.key} disabled={!editable} testId={`upsert-find-${index}-key`} onCommit={(key) => setFind(find.map((r, i) => (i === index ? { ...r, key } : r)), `${step.id}/find/${index}/key`)} />
              </div>
              <button type="button" className="ghost small" disabled={!editable || index === 0} onClick={() => setFind(moveRule(find, index, -1))} aria-label={`Try match key ${rule.key} earlier`} data-testid={`upsert-find-${index}-up`}>
                ↑
              </button>
              <button type="button" className="ghost small" disabled={!editable || index === find.length - 1} onClick={() => setFind(moveRule(find, index, 1))} aria-label={`Try match key ${rule.key} later`} data-testid={`upsert-find-${index}-down`}>
                ↓
              </button>
              <button type="button" className="ghost small danger" disabled={!editable} onClick={() => setFind(find.filter((_, i) => i !== index))} aria-label={`Remove match key ${rule.key}`} data-testid={`upsert-find-${index}-remove`}>
                Remove
              </button>
            </div>
            <CallForm
              step={step}
              call={rule}
              role="find"
              partPointer={`find/${index}`}
              mapped={mapped}
              problems={problemsAt(`find/${index}`)}
              testId={`upsert-find-${index}-call`}
              onChange={(next, key) => setFind(find.map((r, i) => (i === index ? { ...r, ...next, idPath: next.idPath || r.idPath } : r)), key)}
            />
          </li>
        ))}
      </ol>
      {editable && (
        <button
          type="button"
          className="secondary small"
          onClick={() => {
            const rule = newFindRule(connector, find);
            if (rule) setFind([...find, rule]);
          }}
          disabled={!connector}
          data-testid="upsert-add-find"
        >
          Add a match key
        </button>
      )}

      <h3 className="section-title">Create (no link, no match)</h3>
      <CallForm step={step} call={step.create} role="create" partPointer="create" mapped={mapped} problems={problemsAt('create')} testId="upsert-create" onChange={(next, key) => patch({ create: { ...next, idPath: next.idPath || step.create.idPath } }, key)} />

      <h3 className="section-title">Update a linked or matched record</h3>
      <label className="inline-check">
        <input
          type="checkbox"
          disabled={!editable}
          checked={Boolean(step.update)}
          onChange={(e) => {
            const action = actionsForRole(connector, 'update').suggested[0];
            patch({ update: e.target.checked ? { action: action?.key ?? step.create.action, input: targetIdInput(action, step.create.idPath) } : null });
          }}
          data-testid="upsert-update-enabled"
        />
        Update it ($target.id is its id; else a found record is only linked)
      </label>
      {step.update && <CallForm step={step} call={step.update} role="update" partPointer="update" mapped={mapped} problems={problemsAt('update')} testId="upsert-update" onChange={(next, key) => patch({ update: next }, key)} />}

      <h3 className="section-title">When the source record is deleted</h3>
      {optionalSourceExpression('deleted', 'Deleted? (optional expression, e.g. $trigger.deleted)', 'upsert-source-deleted')}
      <label className="inline-check">
        <input
          type="checkbox"
          disabled={!editable}
          checked={Boolean(step.delete)}
          onChange={(e) => {
            const { suggested, others } = actionsForRole(connector, 'delete');
            const action = suggested[0] ?? others.find((a) => a.classification === 'write');
            patch({ delete: e.target.checked && action ? { action: action.key, input: targetIdInput(action, step.create.idPath) } : null });
          }}
          data-testid="upsert-delete-enabled"
        />
        Act on the linked record ($target.id) and drop the link; else the deletion is recorded as skipped
      </label>
      {step.delete && <CallForm step={step} call={step.delete} role="delete" partPointer="delete" mapped={[]} problems={problemsAt('delete')} testId="upsert-delete" onChange={(next, key) => patch({ delete: next }, key)} />}

      <h3 className="section-title">Field mapping (merged into create and update)</h3>
      <FieldMapper
        schema={mapperSchema(createAction, updateAction)}
        value={(step.mapping ?? { pairs: [] }) as unknown as InputValue}
        stepId={step.id}
        label={`${step.id}-mapping`}
        disabled={!editable}
        onChange={(mapping) => patch({ mapping }, `${step.id}/mapping`)}
      />
      {problemsAt('mapping').map((p, i) => (
        <p key={i} className="error small">
          {p.message}
        </p>
      ))}

      <h3 className="section-title">Two-way sync</h3>
      <div className="row">
        <label className="grow">
          When both sides changed since the last sync
          <select
            value={step.sync?.conflict ?? 'last-writer-wins'}
            disabled={!editable}
            onChange={(e) => patch({ sync: { ...step.sync, conflict: e.target.value } })}
            data-testid="upsert-conflict"
          >
            <option value="last-writer-wins">Last writer wins (by modified time)</option>
            <option value="source-wins">{appTitle(step.source.app)} (source) always wins</option>
            <option value="target-wins">{connector?.title ?? 'Target'} (target) always wins</option>
          </select>
        </label>
        <label className="inline-check">
          <input type="checkbox" disabled={!editable} checked={step.sync?.skipEchoes !== false} onChange={(e) => patch({ sync: { ...step.sync, skipEchoes: e.target.checked } })} data-testid="upsert-skip-echoes" />
          Skip echoes of Braid's own writes
        </label>
      </div>
      <label className="inline-check">
        <input
          type="checkbox"
          disabled={!editable}
          checked={Boolean(step.read)}
          onChange={(e) => {
            const action = actionsForRole(connector, 'read').suggested[0];
            patch({ read: e.target.checked && action ? { action: action.key, input: targetIdInput(action, step.create.idPath) } : null });
          }}
          data-testid="upsert-read-enabled"
        />
        Read the {connector?.title ?? 'target'} record before updating it (detects changes on both sides)
      </label>
      {step.read && (
        <>
          <CallForm step={step} call={step.read} role="read" partPointer="read" mapped={[]} problems={problemsAt('read')} testId="upsert-read" onChange={(next, key) => patch({ read: { ...step.read, ...next } }, key)} />
          <RequiredText
            label="Modified time in its output (dotted path)"
            value={step.read.modifiedAtPath ?? ''}
            disabled={!editable}
            suggestions={modifiedAtPaths(connector?.actions.find((a) => a.key === step.read!.action)?.outputSchema)}
            onCommit={(modifiedAtPath) => patch({ read: { ...step.read, modifiedAtPath } }, `${step.id}/read/modifiedAtPath`)}
          />
        </>
      )}
      {stepProblems
        .filter((p) => !/\/(find|create|update|read|delete|mapping)(\/|$)/.test(p.pointer))
        .map((p, i) => (
          <p key={i} className="error small">
            {p.message}
          </p>
        ))}
    </div>
  );
}
