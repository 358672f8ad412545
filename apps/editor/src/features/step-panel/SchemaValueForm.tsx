import type { InputValue, JsonSchema } from '@braid/flow-model';
import Form from '@rjsf/core';
import type { RJSFSchema, UiSchema } from '@rjsf/utils';
import { structuralValidator as validator } from './rjsf.validator';
import { useMemo } from 'react';
import { propertyFormSchema } from './form.schema';

/**
 * One input property as a form generated from its JSON Schema by @rjsf (text, numbers, enums, lists,
 * nested objects). Validation is flow-model's (problems on the node), so the form itself does not validate.
 */
export function SchemaValueForm({ root, name, property, value, onChange, disabled }: { root: JsonSchema; name: string; property: JsonSchema; value: InputValue | undefined; onChange: (next: InputValue | undefined) => void; disabled?: boolean }) {
  const schema = useMemo(() => propertyFormSchema(root, name, property) as RJSFSchema, [root, name, property]);
  const uiSchema: UiSchema = useMemo(() => ({ 'ui:submitButtonOptions': { norender: true }, [name]: { 'ui:label': false } }), [name]);
  const formData = useMemo(() => (value === undefined ? {} : { [name]: value }), [name, value]);
  return (
    <Form
      className="rjsf-compact"
      tagName="div"
      schema={schema}
      uiSchema={uiSchema}
      formData={formData}
      validator={validator}
      noHtml5Validate
      showErrorList={false}
      disabled={disabled}
      onChange={(event) => {
        // rjsf reports its defaults as a change when it mounts: someone who may only look must not write them.
        if (disabled) return;
        const next = (event.formData as Record<string, InputValue> | undefined)?.[name];
        if (JSON.stringify(next) !== JSON.stringify(value)) onChange(next);
      }}
    />
  );
}
