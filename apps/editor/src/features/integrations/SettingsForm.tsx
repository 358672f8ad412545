import { useEffect, useState } from 'react';
import { connectionsApi, type DynamicOption } from '../../api/connections';
import { errorMessage } from '../../components/errors';
import { parseFieldInput, type SettingsField } from './settings.form';

/**
 * The settings form of a template: text, number, yes/no, choice lists, and dropdowns filled from a chosen
 * connection (`x-dynamic-options`, e.g. the Books chart of accounts). Problems come from the API by pointer.
 */
export function SettingsForm({
  workspaceId,
  fields,
  values,
  onChange,
  connections,
  problems,
  disabled,
}: {
  workspaceId: string;
  fields: SettingsField[];
  values: Record<string, unknown>;
  onChange(next: Record<string, unknown>): void;
  /** connection id per slot key (dropdowns need theirs) */
  connections: Record<string, string>;
  problems: Record<string, string>;
  disabled?: boolean;
}) {
  if (fields.length === 0) return <p className="muted">This template has no settings.</p>;
  const set = (name: string, value: unknown) => {
    const next = { ...values };
    if (value === undefined) delete next[name];
    else next[name] = value;
    onChange(next);
  };
  return (
    <div className="form settings-form" data-testid="settings-form">
      {fields.map((field) => {
        const problem = problems[`settings.${field.name}`];
        const id = `setting-${field.name}`;
        return (
          <div key={field.name} className="property">
            <label htmlFor={id} className="field-label">
              {field.title}
              {field.required && <span className="required" aria-label="required"> *</span>}
            </label>
            {field.description && <p className="property-description muted small">{field.description}</p>}
            <FieldInput workspaceId={workspaceId} id={id} field={field} value={values[field.name]} onChange={(v) => set(field.name, v)} values={values} connections={connections} disabled={disabled} invalid={Boolean(problem)} />
            {problem && (
              <p className="error small" role="alert" data-testid={`setting-error-${field.name}`}>
                {problem}
              </p>
            )}
          </div>
        );
      })}
    </div>
  );
}

function FieldInput({
  workspaceId,
  id,
  field,
  value,
  values,
  onChange,
  connections,
  disabled,
  invalid,
}: {
  workspaceId: string;
  id: string;
  field: SettingsField;
  value: unknown;
  values: Record<string, unknown>;
  onChange(value: unknown): void;
  connections: Record<string, string>;
  disabled?: boolean;
  invalid: boolean;
}) {
  const common = { id, 'data-testid': id, disabled, 'aria-invalid': invalid || undefined };
  switch (field.kind) {
    case 'boolean':
      return <input type="checkbox" {...common} checked={value === true} onChange={(e) => onChange(e.target.checked)} />;
    case 'enum':
      return (
        <select {...common} value={value === undefined ? '' : String(value)} onChange={(e) => onChange(field.enumValues?.find((v) => String(v) === e.target.value))}>
          <option value="">Choose…</option>
          {field.enumValues?.map((v) => (
            <option key={String(v)} value={String(v)}>
              {String(v)}
            </option>
          ))}
        </select>
      );
    case 'dynamic':
      return <DynamicField workspaceId={workspaceId} common={common} field={field} value={value} values={values} onChange={onChange} connectionId={field.dynamic ? connections[field.dynamic.connection] : undefined} />;
    case 'number':
    case 'integer':
      return <input type="number" step={field.kind === 'integer' ? 1 : 'any'} {...common} value={value === undefined ? '' : String(value)} onChange={(e) => onChange(parseFieldInput(field, e.target.value))} />;
    case 'json':
      return <JsonField common={common} field={field} value={value} onChange={onChange} />;
    default:
      return <input type="text" {...common} value={value === undefined ? '' : String(value)} onChange={(e) => onChange(parseFieldInput(field, e.target.value))} />;
  }
}

function JsonField({ common, field, value, onChange }: { common: Record<string, unknown>; field: SettingsField; value: unknown; onChange(value: unknown): void }) {
  const [text, setText] = useState(value === undefined ? '' : JSON.stringify(value));
  return (
    <textarea
      {...common}
      rows={3}
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        onChange(parseFieldInput(field, e.target.value));
      }}
    />
  );
}

/** A dropdown filled from the options endpoint of the chosen connection (the value stays if it is not listed). */
function DynamicField({
  workspaceId,
  common,
  field,
  value,
  values,
  onChange,
  connectionId,
}: {
  workspaceId: string;
  common: Record<string, unknown>;
  field: SettingsField;
  value: unknown;
  values: Record<string, unknown>;
  onChange(value: unknown): void;
  connectionId: string | undefined;
}) {
  const hint = field.dynamic!;
  const dependsOn = Object.fromEntries((hint.dependsOn ?? []).map((name) => [name, values[name]]));
  const dependsKey = JSON.stringify(dependsOn);
  const [state, setState] = useState<{ options: DynamicOption[]; error: string | null; loading: boolean }>({ options: [], error: null, loading: false });

  useEffect(() => {
    if (!connectionId) return;
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    connectionsApi
      .options(workspaceId, connectionId, hint.optionsKey, JSON.parse(dependsKey) as Record<string, unknown>)
      .then((options) => live && setState({ options, error: null, loading: false }))
      .catch((error: unknown) => live && setState({ options: [], error: errorMessage(error), loading: false }));
    return () => {
      live = false;
    };
  }, [workspaceId, connectionId, hint.optionsKey, dependsKey]);

  if (!connectionId) return <p className="muted small">Choose the "{hint.connection}" connection first: this list comes from it.</p>;
  const listed = state.options.some((o) => String(o.value) === String(value));
  return (
    <>
      <select
        {...common}
        data-options-key={hint.optionsKey}
        data-loading={state.loading ? 'true' : 'false'}
        value={value === undefined ? '' : String(value)}
        onChange={(e) => onChange(e.target.value === '' ? undefined : (state.options.find((o) => String(o.value) === e.target.value)?.value ?? e.target.value))}
      >
        <option value="">{state.loading ? 'Loading…' : 'Choose…'}</option>
        {!listed && value !== undefined && <option value={String(value)}>{String(value)}</option>}
        {state.options.map((o) => (
          <option key={String(o.value)} value={String(o.value)} title={o.description}>
            {o.label}
          </option>
        ))}
      </select>
      {state.error && <p className="error small">Could not load the choices: {state.error}</p>}
    </>
  );
}
