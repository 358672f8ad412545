import { ApiError } from '../../api/client';

/** A dropdown filled from a connection: `x-dynamic-options` of a settings property. */
export interface DynamicOptionsHint {
  connection: string;
  optionsKey: string;
  dependsOn?: string[];
}

/** One field of the settings form, read from the template's JSON Schema. */
export interface SettingsField {
  name: string;
  title: string;
  description?: string;
  kind: 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'dynamic' | 'json';
  required: boolean;
  default?: unknown;
  enumValues?: unknown[];
  dynamic?: DynamicOptionsHint;
}

type Schema = Record<string, unknown>;

/** The top-level properties of a settings schema as form fields (nested objects/arrays are edited as JSON). */
export function settingsFields(schema: Schema | undefined): SettingsField[] {
  const properties = (schema?.properties ?? {}) as Record<string, Schema>;
  const required = new Set(Array.isArray(schema?.required) ? (schema.required as string[]) : []);
  return Object.entries(properties).map(([name, property]) => {
    const hint = property['x-dynamic-options'] as DynamicOptionsHint | undefined;
    const type = Array.isArray(property.type) ? (property.type as string[]).find((t) => t !== 'null') : (property.type as string | undefined);
    let kind: SettingsField['kind'] = 'json';
    if (hint && typeof hint.optionsKey === 'string') kind = 'dynamic';
    else if (Array.isArray(property.enum)) kind = 'enum';
    else if (type === 'string' || type === 'number' || type === 'integer' || type === 'boolean') kind = type;
    return {
      name,
      title: typeof property.title === 'string' ? property.title : name,
      description: typeof property.description === 'string' ? property.description : undefined,
      kind,
      required: required.has(name),
      default: property.default,
      enumValues: Array.isArray(property.enum) ? (property.enum as unknown[]) : undefined,
      dynamic: kind === 'dynamic' ? hint : undefined,
    };
  });
}

/** Starting values: the given ones, else each field's default. */
export function initialSettings(fields: SettingsField[], given: Record<string, unknown> = {}): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of fields) {
    if (given[field.name] !== undefined) values[field.name] = given[field.name];
    else if (field.default !== undefined) values[field.name] = field.default;
  }
  return values;
}

/** A typed value from what the user typed ("" leaves the setting out; a number field keeps bad input as text for the API to report). */
export function parseFieldInput(field: SettingsField, raw: string): unknown {
  if (raw === '') return undefined;
  if (field.kind === 'number' || field.kind === 'integer') {
    const n = Number(raw);
    return Number.isFinite(n) ? n : raw;
  }
  if (field.kind === 'json') {
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  return raw;
}

/** The field names the API's validation error points at: `/settings/<name>` (from `details.problems` or `pointer`). */
export function settingsProblems(error: unknown): { byField: Record<string, string>; general: string | null } {
  if (!(error instanceof ApiError)) return { byField: {}, general: error instanceof Error ? error.message : error ? String(error) : null };
  const listed = (error.details as { problems?: Array<{ pointer: string; message: string }> } | undefined)?.problems;
  const problems = listed && listed.length > 0 ? listed : error.pointer ? [{ pointer: error.pointer, message: error.message }] : [];
  const byField: Record<string, string> = {};
  const rest: string[] = [];
  for (const problem of problems) {
    const match = /^\/(settings|connections|modules)\/([^/]+)/.exec(problem.pointer);
    if (match) byField[`${match[1]}.${decodeURIComponent(match[2]!)}`] ??= problem.message;
    else rest.push(problem.message);
  }
  const general = Object.keys(byField).length === 0 ? error.message : rest.length > 0 ? rest.join('; ') : null;
  return { byField, general };
}
