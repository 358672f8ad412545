import type { InputValue, JsonSchema } from '@braid/flow-model';
import Form from '@rjsf/core';
import type { RJSFSchema, UiSchema } from '@rjsf/utils';
import { structuralValidator as validator } from './rjsf.validator';
import { useMemo } from 'react';
import { formSchemaUtils, propertyFormSchema, userFormChange } from './form.schema';

/**
 * One input property as a form generated from its JSON Schema by @rjsf (text, numbers, enums, lists,
 * nested objects). Validation is flow-model's (problems on the node), so the form itself does not validate.
 * Schema defaults are shown as the field's value but never written: only what the person changes is.
 */
export function SchemaValueForm({ root, name, property, value, onChange, disabled }: { root: JsonSchema; name: string; property: JsonSchema; value: InputValue | undefined; onChange: (next: InputValue | undefined) => void; disabled?: boolean }) {
  const schema = useMemo(() => propertyFormSchema(root, name, property) as RJSFSchema, [root, name, property]);
  const utils = useMemo(() => formSchemaUtils(schema as JsonSchema), [schema]);
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
        if (disabled) return;
        // rjsf reports the defaults it fills in as a change when it mounts: opening a step must not write them
        // (a published flow would look changed, and each would be an undo entry). The runtime applies them.
        const change = userFormChange(utils, name, value, event.formData);
        if (change) onChange(change.next);
      }}
    />
  );
}
