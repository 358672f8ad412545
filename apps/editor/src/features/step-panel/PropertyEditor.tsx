import { isExpression, type InputValue, type JsonSchema, type StepId } from '@braid/flow-model';
import { DynamicSelect } from './DynamicSelect';
import { ExpressionField } from './ExpressionField';
import { toggleExpression } from './expression.field';
import { FieldMapper } from './FieldMapper';
import { dependsOnValues, type InputProperty } from './form.schema';
import { JsonValueEditor } from './JsonValueEditor';
import { SchemaValueForm } from './SchemaValueForm';

/** One input with its label and the value ⇄ expression switch. */
export function PropertyEditor({ property, root, value, input, onChange, stepId, workspaceId, connectionId, problems, disabled }: {
  property: InputProperty;
  root: JsonSchema;
  value: InputValue | undefined;
  input: Record<string, InputValue>;
  onChange: (next: InputValue | undefined) => void;
  stepId: StepId | null;
  workspaceId: string;
  connectionId: string | undefined;
  problems: string[];
  disabled?: boolean;
}) {
  const expression = isExpression(value);
  const editor = property.editor;
  return (
    <div className={`property${problems.length ? ' has-problem' : ''}`} data-testid={`input-${property.name}`}>
      <div className="property-head">
        <span className="field-label">
          {property.title}
          {property.required && <span className="required" aria-label="required"> *</span>}
        </span>
        {editor.kind !== 'field-mapper' && (
          <button
            type="button"
            className={`mode-toggle${expression ? ' active' : ''}`}
            aria-pressed={expression}
            disabled={disabled}
            onClick={() => onChange(toggleExpression(value))}
            title={expression ? 'Switch to a fixed value' : 'Switch to an expression (data from earlier steps)'}
            data-testid={`toggle-expression-${property.name}`}
          >
            {expression ? 'ƒx expression' : 'value'}
          </button>
        )}
      </div>
      {property.description && <p className="muted small property-description">{property.description}</p>}
      {expression ? (
        <ExpressionField value={value.$expr} onChange={(text) => onChange({ $expr: text })} stepId={stepId} testId={`expression-${property.name}`} disabled={disabled} />
      ) : editor.kind === 'field-mapper' && stepId ? (
        <FieldMapper schema={property.schema} value={value} onChange={onChange} stepId={stepId} label={property.name} disabled={disabled} />
      ) : editor.kind === 'dynamic-select' ? (
        <DynamicSelect workspaceId={workspaceId} connectionId={connectionId} optionsKey={editor.optionsKey} dependsOn={dependsOnValues(input, editor.dependsOn)} value={value} onChange={onChange} label={property.title} disabled={disabled} />
      ) : editor.kind === 'json' ? (
        <JsonValueEditor value={value} onChange={onChange} label={property.title} disabled={disabled} />
      ) : (
        <SchemaValueForm root={root} name={property.name} property={property.schema} value={value} onChange={onChange} disabled={disabled} />
      )}
      {problems.map((message, i) => (
        <p key={i} className="error small" role="note">
          {message}
        </p>
      ))}
    </div>
  );
}
