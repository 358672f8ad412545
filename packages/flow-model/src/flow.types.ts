// TypeScript types of a flow definition. They match `flowDefinitionSchema` (flow.schema.ts) exactly;
// flow.schema.spec.ts checks the two stay in step.

export const FLOW_SCHEMA_VERSION = 1 as const;

/** Step ids are short slugs, used in expressions as `$steps.<id>`. */
export type StepId = string;
export const STEP_ID_PATTERN = '^[a-z][a-z0-9_]{0,63}$';
export const STEP_ID_REGEX = new RegExp(STEP_ID_PATTERN);

/** A JSONata expression: any value of exactly this shape (at any depth of an input) is evaluated. */
export interface Expression {
  $expr: string;
}

export type JsonPrimitive = string | number | boolean | null;

/**
 * A step input value: a literal, an expression, or an array/object whose members are input values.
 * (A literal object that happens to have a `$expr` key is not expressible: `{ $expr }` is always an expression.)
 */
export type InputValue = JsonPrimitive | Expression | InputValue[] | { [key: string]: InputValue };

/**
 * Value of an input property whose schema carries `"x-braid-widget": "field-mapper"`: pairs of
 * (source value, target field name). Sync steps read and write records through it.
 */
export interface FieldMapping {
  pairs: FieldMappingPair[];
  /** Targets that must be mapped in addition to the schema's `x-braid-mandatory-targets` (e.g. per enabled module). */
  mandatoryTargets?: string[];
}
export interface FieldMappingPair {
  source: InputValue;
  target: string;
}

export type FlowDirection = 'inbound' | 'outbound';

export interface TriggerNode {
  connector: string;
  trigger: string;
  title?: string;
  /** A connection id, or the name of an integration's connection slot. */
  connectionRef?: string;
  config: Record<string, InputValue>;
}

export interface RetryPolicy {
  /** Total attempts including the first one (1 = no retry). */
  maxAttempts: number;
  backoff: 'fixed' | 'exponential';
  /** Delay before the first retry. */
  delayMs: number;
  /** Upper bound of an exponential delay. */
  maxDelayMs?: number;
}

interface StepBase {
  id: StepId;
  title?: string;
  /** The step that runs after this one (in the same chain). Absent: the chain ends here. */
  next?: StepId;
}

export interface ActionStep extends StepBase {
  kind: 'action';
  connector: string;
  action: string;
  connectionRef?: string;
  input: Record<string, InputValue>;
  retry?: RetryPolicy;
  /** When true a failure is recorded as the step's output and the flow goes on. */
  continueOnError?: boolean;
}

export interface BranchPath {
  id: string;
  label: string;
  condition: Expression;
  /** First step of this path; absent = an empty path. */
  start?: StepId;
}

/** if / else-if / else: the first path whose condition is true runs, else the `else` path; then `next`. */
export interface BranchStep extends StepBase {
  kind: 'branch';
  branches: BranchPath[];
  else?: { start?: StepId };
}

/** Runs the body chain once per element of `items`; `$item` / `$index` are bound inside the body. */
export interface ForEachStep extends StepBase {
  kind: 'forEach';
  items: Expression;
  bodyStart?: StepId;
  /** Iterations run one at a time (the only mode for now). */
  concurrency?: 1;
}

/** Produces a new value (usually an object of literals and expressions) as its output. */
export interface MapStep extends StepBase {
  kind: 'map';
  output: InputValue;
}

/** One connector action call of an upsert-with-link step (its input may use `$target` besides the usual bindings). */
export interface UpsertActionCall {
  action: string;
  input: Record<string, InputValue>;
  /** Dotted path into the action's output where the record id is (find/create). Missing or empty = no match. */
  idPath?: string;
  /** Dotted path into the output where the written record's modified time is (for conflict detection). */
  modifiedAtPath?: string;
  /**
   * Dotted path into `input` where the mapped fields are merged (e.g. `records.0` for a bulk update action);
   * default: the top level of the input.
   */
  mapInto?: string;
}

/** A match key of an upsert-with-link step: tried in order when the source record has no link yet. */
export interface UpsertFindRule extends UpsertActionCall {
  /** A name for the key, reported as `matchedBy` (e.g. "email", "name"). */
  key: string;
  idPath: string;
  /** The value searched for, when `prefetch` is used (default: the first text value of the evaluated input). */
  value?: InputValue;
}

export type SyncConflictRule = 'last-writer-wins' | 'source-wins' | 'target-wins';

/**
 * Find the source record's linked record in the target app; else search the target by the `find` keys in
 * order and link the match (then update it); else create and link. One lock per source record around it, so
 * concurrent events for the same record never create two target records.
 */
export interface UpsertWithLinkStep extends StepBase {
  kind: 'upsertWithLink';
  /** The TARGET app's connector. */
  connector: string;
  connectionRef?: string;
  source: {
    app: string;
    type: string;
    id: InputValue;
    /** When the source record was last modified (ISO time), for conflicts. */
    modifiedAt?: InputValue;
    /** The source record as its app reports it: echo suppression compares its fields with what Braid last wrote. */
    record?: InputValue;
    /** True when the event reports the source record deleted (e.g. `$trigger.deleted`): see `delete`. */
    deleted?: InputValue;
  };
  target: { type: string; /** default: the connector key */ app?: string };
  find?: UpsertFindRule[];
  create: UpsertActionCall & { idPath: string };
  /** Runs on a linked or matched record (`$target.id` is its id). Absent: a found record is only linked. */
  update?: UpsertActionCall;
  /**
   * Runs when the source record was deleted and is linked (`$target.id`): e.g. archive the target. The link is
   * removed. Absent: a deletion is recorded as skipped and the target is left alone.
   */
  delete?: UpsertActionCall;
  /** Field mapper: merged into the create/update input; its targets are the written fields. */
  mapping?: FieldMapping;
  /** Reads the target record before updating a linked one (conflict detection: did it change since the last sync?). */
  read?: UpsertActionCall & { recordPath?: string };
  /**
   * Backfill speed-up: while an initial sync of the flow runs, the target's records are listed once with this
   * action and matched in memory (`keys`: find key → dotted path of that value in a listed record).
   */
  prefetch?: { action: string; input: Record<string, InputValue>; itemsPath: string; idPath: string; keys: Record<string, string> };
  sync?: { conflict?: SyncConflictRule; skipEchoes?: boolean };
  retry?: RetryPolicy;
}

export type Step = ActionStep | BranchStep | ForEachStep | MapStep | UpsertWithLinkStep;
export type StepKind = Step['kind'];
export const STEP_KINDS: readonly StepKind[] = ['action', 'branch', 'forEach', 'map', 'upsertWithLink'];

export interface FlowSettings {
  /** IANA time zone for schedules and date functions, e.g. "Europe/Berlin". */
  timezone?: string;
  /** Runs of this flow allowed at the same time. */
  maxConcurrentRuns?: number;
  /** A run taking longer fails. */
  runTimeoutSeconds?: number;
}

export interface FlowDefinition {
  schemaVersion: typeof FLOW_SCHEMA_VERSION;
  name: string;
  description?: string;
  direction: FlowDirection;
  trigger: TriggerNode;
  /** First step after the trigger; null = no steps yet. */
  start: StepId | null;
  steps: Record<StepId, Step>;
  settings?: FlowSettings;
}

export function isExpression(value: unknown): value is Expression {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === '$expr' && typeof (value as Expression).$expr === 'string';
}

export function expr(source: string): Expression {
  return { $expr: source };
}

/** A human label for a step: its title, or its id. */
export function stepLabel(step: Pick<Step, 'id' | 'title'>): string {
  return step.title && step.title.trim() !== '' ? step.title : step.id;
}
