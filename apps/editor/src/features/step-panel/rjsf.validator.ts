import type { CustomValidator, ErrorSchema, ErrorTransformer, RJSFSchema, RJSFValidationError, UiSchema, ValidationData, ValidatorType } from '@rjsf/utils';

// rjsf needs a validator to pick the matching oneOf/anyOf option and to resolve if/then. ajv would compile
// schemas with `new Function` (refused by the runtime's Content-Security-Policy), and the editor's real
// validation is flow-model's (problems on the nodes), so this validator only answers "does this value fit
// this schema" structurally, and never reports form errors.

type Schema = RJSFSchema | boolean | undefined;

function resolveRef(schema: RJSFSchema, root: RJSFSchema | undefined): RJSFSchema {
  const ref = schema.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/') || !root) return schema;
  let target: unknown = root;
  for (const part of ref.slice(2).split('/')) target = (target as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return target && typeof target === 'object' ? { ...(target as RJSFSchema), ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$ref')) } : schema;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** A structural check: type, const, enum, required, properties, items, allOf/anyOf/oneOf/not. */
export function fitsSchema(raw: Schema, value: unknown, root?: RJSFSchema, depth = 0): boolean {
  if (raw === undefined || raw === true) return true;
  if (raw === false) return false;
  if (depth > 32) return true;
  const schema = resolveRef(raw, root);
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) return false;
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) return false;
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual = typeOf(value);
    if (!types.some((t) => t === actual || (t === 'number' && actual === 'integer'))) return false;
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    if (Array.isArray(schema.required) && schema.required.some((k) => !(k in record))) return false;
    for (const [key, sub] of Object.entries(schema.properties ?? {})) {
      if (key in record && !fitsSchema(sub as Schema, record[key], root, depth + 1)) return false;
    }
  }
  if (Array.isArray(value) && schema.items && typeof schema.items === 'object' && !Array.isArray(schema.items)) {
    if (!value.every((item) => fitsSchema(schema.items as Schema, item, root, depth + 1))) return false;
  }
  if (schema.allOf && !schema.allOf.every((s) => fitsSchema(s as Schema, value, root, depth + 1))) return false;
  if (schema.anyOf && !schema.anyOf.some((s) => fitsSchema(s as Schema, value, root, depth + 1))) return false;
  if (schema.oneOf && schema.oneOf.filter((s) => fitsSchema(s as Schema, value, root, depth + 1)).length !== 1) return false;
  if (schema.not !== undefined && fitsSchema(schema.not as Schema, value, root, depth + 1)) return false;
  return true;
}

export const structuralValidator: ValidatorType = {
  validateFormData<T>(_formData: T | undefined, _schema: RJSFSchema, _custom?: CustomValidator<T>, _transform?: ErrorTransformer, _ui?: UiSchema): ValidationData<T> {
    return { errors: [] as RJSFValidationError[], errorSchema: {} as ErrorSchema<T> };
  },
  isValid(schema: RJSFSchema, formData: unknown, rootSchema: RJSFSchema): boolean {
    return fitsSchema(schema, formData, rootSchema);
  },
  rawValidation<Result = unknown>() {
    return { errors: [] as Result[], validationError: undefined };
  },
} as unknown as ValidatorType;
