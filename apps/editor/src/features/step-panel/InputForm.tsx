import type { ActionDescriptor, InputValue, JsonSchema, Problem, StepId } from '@braid/flow-model';
import { useMemo } from 'react';
import { inputProperties } from './form.schema';
import { PropertyEditor } from './PropertyEditor';

/** Every input of an action (or trigger settings) as generated fields; problems shown under their field. */
export function InputForm({ schema, input, dynamicOptions, onChange, stepId, workspaceId, connectionId, problems, pointerBase, disabled }: {
  schema: JsonSchema;
  input: Record<string, InputValue>;
  dynamicOptions?: ActionDescriptor['dynamicOptions'];
  onChange: (name: string, value: InputValue | undefined) => void;
  stepId: StepId | null;
  workspaceId: string;
  connectionId: string | undefined;
  problems: Problem[];
  /** JSON pointer of the input object in the flow, e.g. `/steps/x/input`. */
  pointerBase: string;
  disabled?: boolean;
}) {
  const properties = useMemo(() => inputProperties(schema, input, dynamicOptions), [schema, input, dynamicOptions]);
  if (properties.length === 0) return <p className="muted small">This has no settings.</p>;
  return (
    <div className="input-form">
      {properties.map((property) => {
        const at = `${pointerBase}/${property.name}`;
        const mine = problems.filter((p) => p.pointer === at || p.pointer.startsWith(`${at}/`) || (p.pointer === pointerBase && p.message.includes(`"${property.name}"`)));
        return (
          <PropertyEditor
            key={property.name}
            property={property}
            root={schema}
            value={input[property.name]}
            input={input}
            onChange={(value) => onChange(property.name, value)}
            stepId={stepId}
            workspaceId={workspaceId}
            connectionId={connectionId}
            problems={mine.map((p) => p.message)}
            disabled={disabled}
          />
        );
      })}
    </div>
  );
}
