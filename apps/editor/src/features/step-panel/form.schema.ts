import { isExpression, type ActionDescriptor, type InputValue, type JsonSchema } from '@braid/flow-model';
import { createSchemaUtils, deepEquals, type RJSFSchema, type SchemaUtilsType } from '@rjsf/utils';
import { structuralValidator } from './rjsf.validator';

export type PropertyEditor =
  | { kind: 'expression' }
  | { kind: 'field-mapper' }
  | { kind: 'dynamic-select'; optionsKey: string; dependsOn: string[] }
  | { kind: 'json' }
  | { kind: 'form' };

export interface InputProperty {
  name: string;
  schema: JsonSchema;
  title: string;
  description?: string;
  required: boolean;
  editor: PropertyEditor;
}

/** The top-level properties of an input schema, each with the editor that fits it and its current value. */
export function inputProperties(schema: JsonSchema, input: Record<string, InputValue>, dynamicOptions: ActionDescriptor['dynamicOptions'] = {}): InputProperty[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const names = [...Object.keys(properties), ...Object.keys(input).filter((k) => !(k in properties))];
  return names.map((name) => {
    const sub = properties[name] ?? {};
    const value = input[name];
    const dynamic = dynamicOptions?.[`/${name}`] ?? dynamicOptions?.[name];
    let editor: PropertyEditor;
    if (isExpression(value)) editor = { kind: 'expression' };
    else if (sub['x-braid-widget'] === 'field-mapper') editor = { kind: 'field-mapper' };
    else if (dynamic) editor = { kind: 'dynamic-select', optionsKey: dynamic.optionsKey, dependsOn: dynamic.dependsOn ?? [] };
    else if (isFreeForm(sub)) editor = { kind: 'json' };
    else editor = { kind: 'form' };
    return {
      name,
      schema: sub,
      title: typeof sub.title === 'string' ? sub.title : humanize(name),
      ...(typeof sub.description === 'string' ? { description: sub.description } : {}),
      required: required.has(name),
      editor,
    };
  });
}

/** "customer_id" → "Customer id". */
export function humanize(name: string): string {
  const words = name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The schema rjsf renders for one property: the property alone, with the root's definitions for `$ref`s. */
export function propertyFormSchema(root: JsonSchema, name: string, property: JsonSchema): JsonSchema {
  // Only the root's definitions carry over: its combinators (oneOf "ms or until", if/then …) are about the
  // whole input and are checked by flow-model, not per field.
  const definitions = Object.fromEntries(Object.entries(root).filter(([key]) => key === '$defs' || key === 'definitions'));
  const { title: _pt, description: _pd, ...bare } = property;
  return { ...definitions, type: 'object', properties: { [name]: bare } };
}

/** Values of the properties a dynamic dropdown depends on (only literal ones can be sent). */
export function dependsOnValues(input: Record<string, InputValue>, dependsOn: readonly string[]): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  for (const name of dependsOn) {
    const value = input[name];
    if (value === undefined || value === '' || isExpression(value)) return null;
    out[name] = value;
  }
  return out;
}

/** A schema rjsf cannot draw usefully: any value, or an object / list whose shape is not described. */
export function isFreeForm(schema: JsonSchema): boolean {
  const described = ['type', 'enum', 'const', 'oneOf', 'anyOf', 'allOf', '$ref', 'properties', 'items'].some((k) => k in schema);
  if (!described) return true;
  if (schema.type === 'object' && !schema.properties && !schema.oneOf && !schema.anyOf) return true;
  if (schema.type === 'array' && (!schema.items || (typeof schema.items === 'object' && Object.keys(schema.items as object).length === 0))) return true;
  return false;
}

/**
 * What a generated form (rjsf) shows for one property: the stored value with the schema's defaults filled in
 * where nothing is stored. Those defaults are only shown — the runtime applies them when the step runs, and
 * flow-model validates with them — so the form reports them as a change on mount, which is not one.
 */
export function shownFormData(utils: SchemaUtilsType, name: string, value: InputValue | undefined): Record<string, unknown> {
  const formData = value === undefined ? {} : { [name]: value };
  return (utils.getDefaultFormState(utils.getRootSchema(), formData) ?? {}) as Record<string, unknown>;
}

/** The schema utilities rjsf's Form builds for `formSchema` (same validator, same default behaviour). */
export function formSchemaUtils(formSchema: JsonSchema): SchemaUtilsType {
  return createSchemaUtils(structuralValidator, formSchema as RJSFSchema);
}

/**
 * The change a form event stands for: `{ next }` when the person changed the property, or null when the form
 * only reports what it already shows for the stored value (its defaults filled in on mount or after a reset).
 */
export function userFormChange(utils: SchemaUtilsType, name: string, value: InputValue | undefined, eventFormData: unknown): { next: InputValue | undefined } | null {
  const reported = (eventFormData as Record<string, InputValue> | undefined) ?? {};
  if (deepEquals(reported, shownFormData(utils, name, value))) return null;
  const next = reported[name];
  if (JSON.stringify(next) === JSON.stringify(value)) return null;
  return { next };
}
