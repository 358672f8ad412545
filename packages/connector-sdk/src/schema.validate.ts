// JSON Schema 2020-12 validation (ajv + ajv-formats) with compiled validators cached per schema object.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { ConnectorError, type ValidationIssue } from './connector.errors.js';
import type { JsonSchema } from './connector.types.js';

type AddFormats = (ajv: Ajv2020) => unknown;
const addFormats: AddFormats =
  ((addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats));

function createAjv(useDefaults: boolean): Ajv2020 {
  // strict: false lets schemas carry editor annotations (x-*, ui hints) without ajv refusing them.
  const ajv = new Ajv2020({ allErrors: true, strict: false, useDefaults });
  addFormats(ajv);
  return ajv;
}

const plainAjv = createAjv(false);
const defaultsAjv = createAjv(true);
const plainCache = new WeakMap<object, ValidateFunction>();
const defaultsCache = new WeakMap<object, ValidateFunction>();

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Turns ajv errors into issues whose pointer names the offending property (also for `required`). */
export function toIssues(errors: ErrorObject[] | null | undefined): ValidationIssue[] {
  if (!errors) return [];
  // "must match then schema" only repeats the failure reported inside `then`.
  return errors.filter((error) => error.keyword !== 'if').map((error) => {
    let pointer = error.instancePath;
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'required') {
      pointer += `/${escapePointer(String((error.params as { missingProperty: string }).missingProperty))}`;
      message = 'is required';
    } else if (error.keyword === 'additionalProperties') {
      pointer += `/${escapePointer(String((error.params as { additionalProperty: string }).additionalProperty))}`;
      message = 'is not an allowed property';
    } else if (error.keyword === 'enum') {
      const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
      if (allowed) message = `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
    }
    return { pointer, message, keyword: error.keyword };
  });
}

/** Compile (cached). Throws ajv's error when the schema itself is invalid. */
export function compileSchema(schema: JsonSchema, options: { useDefaults?: boolean } = {}): ValidateFunction {
  const cache = options.useDefaults ? defaultsCache : plainCache;
  let validate = cache.get(schema);
  if (!validate) {
    validate = (options.useDefaults ? defaultsAjv : plainAjv).compile(schema);
    cache.set(schema, validate);
  }
  return validate;
}

export interface SchemaCheck {
  valid: boolean;
  issues: ValidationIssue[];
}

export function checkAgainstSchema(schema: JsonSchema, value: unknown): SchemaCheck {
  const validate = compileSchema(schema);
  const valid = validate(value) as boolean;
  return { valid, issues: valid ? [] : toIssues(validate.errors) };
}

/**
 * Validates a step input: returns a copy with schema defaults applied, or throws INVALID_INPUT whose
 * `issues` carry JSON pointers into the input.
 */
export function validateInput<T = unknown>(schema: JsonSchema, input: unknown, what = 'input'): T {
  const copy = input === undefined ? {} : structuredClone(input);
  const validate = compileSchema(schema, { useDefaults: true });
  if (validate(copy)) return copy as T;
  const issues = toIssues(validate.errors);
  throw new ConnectorError(
    'INVALID_INPUT',
    `The ${what} is invalid: ` + issues.map((i) => `${i.pointer || '(root)'} ${i.message}`).join('; '),
    { retryable: false, issues },
  );
}

/** For connector tests: the output matches the action's output schema (issues carry JSON pointers). */
export function validateOutput(schema: JsonSchema, output: unknown): SchemaCheck {
  return checkAgainstSchema(schema, output);
}
