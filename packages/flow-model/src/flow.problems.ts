// Problems found in a flow definition: a code for programs, a JSON pointer for the editor, a message for people.

export const ProblemCode = {
  /** The JSON does not have the shape of a flow definition (parseFlowDefinition). */
  INVALID_STRUCTURE: 'INVALID_STRUCTURE',
  UNKNOWN_CONNECTOR: 'UNKNOWN_CONNECTOR',
  UNKNOWN_ACTION: 'UNKNOWN_ACTION',
  UNKNOWN_TRIGGER: 'UNKNOWN_TRIGGER',
  /** A step input (or trigger setting) does not match the action's (trigger's) JSON Schema. */
  INPUT_SCHEMA: 'INPUT_SCHEMA',
  /** The connector's own schema could not be compiled (a connector bug, not the user's). */
  INVALID_CONNECTOR_SCHEMA: 'INVALID_CONNECTOR_SCHEMA',
  EXPRESSION_SYNTAX: 'EXPRESSION_SYNTAX',
  /** `$steps.<id>` names a step that exists but does not run before the expression. */
  NOT_UPSTREAM: 'NOT_UPSTREAM',
  /** `$steps.<id>` names no step of the flow. */
  UNKNOWN_STEP_REFERENCE: 'UNKNOWN_STEP_REFERENCE',
  /** `$item` / `$index` used where no for-each loop is running. */
  LOOP_VARIABLE_OUTSIDE_LOOP: 'LOOP_VARIABLE_OUTSIDE_LOOP',
  MISSING_CONNECTION: 'MISSING_CONNECTION',
  UNREACHABLE_STEP: 'UNREACHABLE_STEP',
  CYCLE: 'CYCLE',
  /** An edge (start / next / path start / body start) points to a step that does not exist. */
  DANGLING_EDGE: 'DANGLING_EDGE',
  /** Two edges lead to the same step (a step follows exactly one place in the flow). */
  SHARED_STEP: 'SHARED_STEP',
  /** Two steps (or two paths of one branch) share an id. */
  DUPLICATE_ID: 'DUPLICATE_ID',
  /** A step's `id` differs from its key in `steps`. */
  STEP_ID_MISMATCH: 'STEP_ID_MISMATCH',
  MANDATORY_MAPPING_MISSING: 'MANDATORY_MAPPING_MISSING',
  INCOMPLETE_MAPPING: 'INCOMPLETE_MAPPING',
  DUPLICATE_MAPPING_TARGET: 'DUPLICATE_MAPPING_TARGET',
} as const;
export type ProblemCode = (typeof ProblemCode)[keyof typeof ProblemCode];

export interface Problem {
  code: ProblemCode;
  /** JSON pointer into the flow definition, e.g. `/steps/find_contact/input/email`. */
  pointer: string;
  /** The step the problem belongs to, when there is one. */
  stepId?: string;
  message: string;
}

export function escapePointerSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapePointerSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function toPointer(segments: ReadonlyArray<string | number>): string {
  return segments.map((s) => '/' + escapePointerSegment(s)).join('');
}

/** Parses a JSON pointer (`/a/b~1c`) into its segments. An empty string is the root. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`"${pointer}" is not a JSON pointer: it must start with "/".`);
  return pointer.slice(1).split('/').map(unescapePointerSegment);
}

/** `["line_items", 0, "rate"]` -> `line_items[0].rate`: how a field path is shown to a person. */
export function fieldPath(segments: ReadonlyArray<string | number>): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number' || /^\d+$/.test(s)) out += `[${s}]`;
    else out += out === '' ? s : `.${s}`;
  }
  return out;
}
