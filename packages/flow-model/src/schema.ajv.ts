// One shared ajv (JSON Schema 2020-12) instance and helpers to turn its errors into readable text.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { JsonSchema } from './connector.types.js';

// ajv-formats is CommonJS: depending on the bundler the default import is the plugin or its module object.
type FormatsPlugin = (ajv: Ajv2020) => Ajv2020;
const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  addFormatsModule) as unknown as FormatsPlugin;

let sharedAjv: Ajv2020 | undefined;
let defaultsAjv: Ajv2020 | undefined;

function createAjv(useDefaults: boolean): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false, discriminator: true, validateFormats: true, useDefaults });
  addFormats(ajv);
  return ajv;
}

/** The ajv instance used for flow definitions and connector schemas (non-strict: connectors add `x-` keywords). */
export function getAjv(): Ajv2020 {
  sharedAjv ??= createAjv(false);
  return sharedAjv;
}

const compiled = new WeakMap<object, ValidateFunction>();
const compiledWithDefaults = new WeakMap<object, ValidateFunction>();

/**
 * Compiles a connector's schema once per schema object. With `useDefaults` the validator fills missing
 * properties from their schema `default` into the value it checks, as the runtime does before it runs an
 * action or trigger (connector-sdk `validateInput`): pass it a copy. `$id` and `$schema` are dropped so two
 * connectors that reuse an id (or name another draft) cannot break each other; refs inside the schema
 * (`#/$defs/..`) still resolve against the schema itself.
 */
export function compileSchema(schema: JsonSchema, options: { useDefaults?: boolean } = {}): ValidateFunction {
  const cache = options.useDefaults ? compiledWithDefaults : compiled;
  const hit = cache.get(schema);
  if (hit) return hit;
  const { $id: _id, $schema: _draft, ...rest } = schema;
  const ajv = options.useDefaults ? (defaultsAjv ??= createAjv(true)) : getAjv();
  const validate = ajv.compile(rest);
  cache.set(schema, validate);
  return validate;
}

export type { ErrorObject, ValidateFunction };

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'text';
    case 'number':
      return Number.isInteger(value) ? 'a whole number' : 'a number';
    case 'boolean':
      return 'true/false';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'empty (null)',
};

function listOf(values: unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

/** What is wrong, as the end of a sentence starting with the field name ("must be a number (got text)"). */
export function describeAjvError(error: ErrorObject, value: unknown): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type': {
      const expected = String(p.type)
        .split(',')
        .map((t) => TYPE_WORDS[t] ?? t)
        .join(' or ');
      return `must be ${expected} (got ${describeValue(value)})`;
    }
    case 'enum':
      return `must be one of ${listOf(p.allowedValues as unknown[])}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'format':
      return `must be a valid ${String(p.format)}`;
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must have at least ${String(p.limit)} characters`;
    case 'maxLength':
      return `must have at most ${String(p.limit)} characters`;
    case 'pattern':
      return `must match the pattern ${String(p.pattern)}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${String(p.comparison)} ${String(p.limit)}`;
    case 'minItems':
      return `must have at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}`;
    case 'maxItems':
      return `must have at most ${String(p.limit)} items`;
    case 'uniqueItems':
      return `must not contain the same item twice (items ${String(p.j)} and ${String(p.i)} are equal)`;
    case 'anyOf':
    case 'oneOf':
      return 'does not match any of the allowed forms';
    case 'discriminator':
      return error.message ?? 'has an unknown kind';
    default:
      return error.message ?? `is invalid (${error.keyword})`;
  }
}

/** Reads the value at an ajv instancePath inside `root` (undefined when absent). */
export function valueAtPointer(root: unknown, segments: readonly string[]): unknown {
  let cur: unknown = root;
  for (const s of segments) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[s];
  }
  return cur;
}
