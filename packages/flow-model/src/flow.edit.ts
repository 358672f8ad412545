// Typed edit operations on a flow definition, applied by one pure function, so that the editor and the API
// change flows the same way. applyEdit never mutates its input: it returns a new flow that shares the
// untouched steps with the old one.
import { renameStepInValue } from './expression.analyze.js';
import { allEdges, innerSteps, type EdgeSource } from './flow.graph.js';
import { parsePointer, type Problem } from './flow.problems.js';
import { checkFlowFragment } from './flow.schema.js';
import {
  STEP_ID_REGEX,
  STEP_KINDS,
  isExpression,
  stepLabel,
  type BranchPath,
  type BranchStep,
  type Expression,
  type FlowDefinition,
  type FlowDirection,
  type FlowSettings,
  type InputValue,
  type Step,
  type StepId,
  type TriggerNode,
} from './flow.types.js';

/** Where a new (or moved) step goes. */
export type InsertPosition =
  /** First step after the trigger. */
  | 'trigger'
  /** Right after this step (after a branch or loop: after the point where its paths join / the loop ends). */
  | StepId
  /** First step of a branch path. */
  | { branchOf: StepId; branchId: string }
  /** First step of a branch's "else" path. */
  | { elseOf: StepId }
  /** First step of a for-each body. */
  | { bodyOf: StepId };

/** Fields updateStep may change. `null` removes an optional field. Graph fields (`id`, `kind`, `next`, paths) have their own edits. */
export interface StepPatch {
  title?: string | null;
  // action
  connector?: string;
  action?: string;
  connectionRef?: string | null;
  input?: Record<string, InputValue>;
  retry?: Extract<Step, { kind: 'action' }>['retry'] | null;
  continueOnError?: boolean | null;
  // forEach
  items?: Expression;
  concurrency?: 1 | null;
  // map
  output?: InputValue;
  // upsertWithLink (the editor's panel sets these parts whole; source/target/create are required)
  source?: Extract<Step, { kind: 'upsertWithLink' }>['source'];
  target?: Extract<Step, { kind: 'upsertWithLink' }>['target'];
  find?: Extract<Step, { kind: 'upsertWithLink' }>['find'] | null;
  create?: Extract<Step, { kind: 'upsertWithLink' }>['create'];
  update?: Extract<Step, { kind: 'upsertWithLink' }>['update'] | null;
  delete?: Extract<Step, { kind: 'upsertWithLink' }>['delete'] | null;
  read?: Extract<Step, { kind: 'upsertWithLink' }>['read'] | null;
  mapping?: Extract<Step, { kind: 'upsertWithLink' }>['mapping'] | null;
  prefetch?: Extract<Step, { kind: 'upsertWithLink' }>['prefetch'] | null;
  sync?: Extract<Step, { kind: 'upsertWithLink' }>['sync'] | null;
}

/** A JSON pointer (`/line_items/0/rate`) or its segments. */
export type ValuePath = string | ReadonlyArray<string | number>;

export type FlowEdit =
  | { type: 'addStep'; after: InsertPosition; step: Step }
  | { type: 'deleteStep'; stepId: StepId }
  | { type: 'moveStep'; stepId: StepId; after: InsertPosition }
  | { type: 'duplicateStep'; stepId: StepId; newId?: StepId }
  | { type: 'renameStep'; stepId: StepId; newId: StepId }
  | { type: 'updateStep'; stepId: StepId; patch: StepPatch }
  /** Sets (or, with `value` undefined, removes) a value inside an action's input or a map's output. */
  | { type: 'updateInput'; stepId: StepId; path: ValuePath; value: InputValue | undefined }
  | { type: 'addBranch'; stepId: StepId; branch: { id?: string; label: string; condition: Expression }; index?: number }
  | { type: 'updateBranch'; stepId: StepId; branchId: string; patch: { label?: string; condition?: Expression } }
  /** Removes a path and every step in it. */
  | { type: 'removeBranch'; stepId: StepId; branchId: string }
  | { type: 'setTrigger'; trigger: TriggerNode }
  | { type: 'updateTriggerConfig'; path: ValuePath; value: InputValue | undefined }
  | { type: 'renameFlow'; name: string }
  | { type: 'setDescription'; description: string | null }
  | { type: 'setDirection'; direction: FlowDirection }
  | { type: 'setSettings'; settings: FlowSettings | null };

export type FlowEditType = FlowEdit['type'];

export const FlowEditErrorCode = {
  STEP_NOT_FOUND: 'STEP_NOT_FOUND',
  ID_TAKEN: 'ID_TAKEN',
  INVALID_ID: 'INVALID_ID',
  /** The new step already points to other steps (paths, body, or is not a known kind). */
  INVALID_STEP: 'INVALID_STEP',
  INVALID_MOVE: 'INVALID_MOVE',
  INVALID_PATCH: 'INVALID_PATCH',
  INVALID_PATH: 'INVALID_PATH',
  NOT_A_BRANCH: 'NOT_A_BRANCH',
  NOT_A_LOOP: 'NOT_A_LOOP',
  BRANCH_NOT_FOUND: 'BRANCH_NOT_FOUND',
  BRANCH_ID_TAKEN: 'BRANCH_ID_TAKEN',
  LAST_BRANCH: 'LAST_BRANCH',
  INVALID_VALUE: 'INVALID_VALUE',
  UNKNOWN_EDIT: 'UNKNOWN_EDIT',
} as const;
export type FlowEditErrorCode = (typeof FlowEditErrorCode)[keyof typeof FlowEditErrorCode];

export class FlowEditError extends Error {
  override readonly name = 'FlowEditError';
  constructor(
    readonly code: FlowEditErrorCode,
    message: string,
    /** Position of the failing edit in applyEdits' list. */
    readonly editIndex?: number,
    /** For a change that would make the flow malformed: what would be wrong, with pointers. */
    readonly problems?: Problem[],
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------------------
// ids

/** A free step id derived from `base` ("Find contact" -> "find_contact", then "find_contact_2", ...). */
export function uniqueStepId(flow: Pick<FlowDefinition, 'steps'>, base: string): StepId {
  return uniqueSlug(base, (id) => Object.prototype.hasOwnProperty.call(flow.steps, id));
}

function uniqueSlug(base: string, taken: (id: string) => boolean): string {
  let slug = base
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!/^[a-z]/.test(slug)) slug = `step_${slug}`.replace(/_+$/, '');
  slug = slug.slice(0, 58);
  if (!taken(slug)) return slug;
  for (let n = 2; ; n++) {
    const candidate = `${slug}_${n}`;
    if (!taken(candidate)) return candidate;
  }
}

function assertValidId(id: string, what: string): void {
  if (typeof id !== 'string' || !STEP_ID_REGEX.test(id)) {
    throw new FlowEditError(
      FlowEditErrorCode.INVALID_ID,
      `"${String(id)}" is not a valid ${what} id: use lowercase letters, digits and "_", starting with a letter (at most 64 characters).`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Copy-on-write draft

class Draft {
  readonly flow: FlowDefinition;
  private readonly copied = new Set<StepId>();

  /** Steps created or changed so far (that still exist). */
  touched(): StepId[] {
    return [...this.copied].filter((id) => this.has(id));
  }

  constructor(source: FlowDefinition) {
    this.flow = { ...source, steps: { ...source.steps } };
  }

  has(id: StepId): boolean {
    return Object.prototype.hasOwnProperty.call(this.flow.steps, id);
  }

  get(id: StepId): Step {
    const step = this.flow.steps[id];
    if (!step || !this.has(id)) throw new FlowEditError(FlowEditErrorCode.STEP_NOT_FOUND, `There is no step "${id}" in this flow.`);
    return step;
  }

  /** The step, copied once so it can be changed. */
  edit(id: StepId): Step {
    const step = this.get(id);
    if (this.copied.has(id)) return step;
    const copy = structuredClone(step);
    this.flow.steps[id] = copy;
    this.copied.add(id);
    return copy;
  }

  put(step: Step): void {
    this.flow.steps[step.id] = step;
    this.copied.add(step.id);
  }

  remove(id: StepId): void {
    delete this.flow.steps[id];
    this.copied.delete(id);
  }

  getSlot(slot: EdgeSource): StepId | undefined {
    switch (slot.kind) {
      case 'start':
        return this.flow.start ?? undefined;
      case 'next':
        return this.get(slot.stepId).next;
      case 'branch':
        return (this.get(slot.stepId) as BranchStep).branches[slot.index]?.start;
      case 'else':
        return (this.get(slot.stepId) as BranchStep).else?.start;
      case 'body':
        return (this.get(slot.stepId) as Extract<Step, { kind: 'forEach' }>).bodyStart;
    }
  }

  setSlot(slot: EdgeSource, target: StepId | undefined): void {
    switch (slot.kind) {
      case 'start':
        this.flow.start = target ?? null;
        return;
      case 'next':
        setOptional(this.edit(slot.stepId), 'next', target);
        return;
      case 'branch':
        setOptional((this.edit(slot.stepId) as BranchStep).branches[slot.index]!, 'start', target);
        return;
      case 'else': {
        const step = this.edit(slot.stepId) as BranchStep;
        step.else = step.else ?? {};
        setOptional(step.else, 'start', target);
        return;
      }
      case 'body':
        setOptional(this.edit(slot.stepId) as Extract<Step, { kind: 'forEach' }>, 'bodyStart', target);
        return;
    }
  }
}

function setOptional<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined): void {
  if (value === undefined) delete obj[key];
  else obj[key] = value;
}

function resolvePosition(draft: Draft, position: InsertPosition): EdgeSource {
  if (position === 'trigger') return { kind: 'start' };
  if (typeof position === 'string') {
    draft.get(position);
    return { kind: 'next', stepId: position };
  }
  if ('branchOf' in position) {
    const step = branchStep(draft, position.branchOf);
    const index = branchIndex(step, position.branchId);
    return { kind: 'branch', stepId: step.id, branchId: position.branchId, index };
  }
  if ('elseOf' in position) {
    return { kind: 'else', stepId: branchStep(draft, position.elseOf).id };
  }
  if ('bodyOf' in position) {
    const step = draft.get(position.bodyOf);
    if (step.kind !== 'forEach') {
      throw new FlowEditError(FlowEditErrorCode.NOT_A_LOOP, `Step "${stepLabel(step)}" is not a for-each loop, so it has no body to add steps to.`);
    }
    return { kind: 'body', stepId: position.bodyOf };
  }
  throw new FlowEditError(FlowEditErrorCode.INVALID_MOVE, `Unknown position ${JSON.stringify(position)}.`);
}

function branchStep(draft: Draft, id: StepId): BranchStep {
  const step = draft.get(id);
  if (step.kind !== 'branch') {
    throw new FlowEditError(FlowEditErrorCode.NOT_A_BRANCH, `Step "${stepLabel(step)}" is not a branch, so it has no paths.`);
  }
  return step;
}

function branchIndex(step: BranchStep, branchId: string): number {
  const index = step.branches.findIndex((b) => b.id === branchId);
  if (index < 0) {
    throw new FlowEditError(FlowEditErrorCode.BRANCH_NOT_FOUND, `Step "${stepLabel(step)}" has no path "${branchId}".`);
  }
  return index;
}

/** The step the position hangs off (for branch/else/body: the container), or undefined for the trigger. */
function anchorOf(slot: EdgeSource): StepId | undefined {
  return slot.kind === 'start' ? undefined : slot.stepId;
}

function insertAt(draft: Draft, slot: EdgeSource, id: StepId): void {
  const successor = draft.getSlot(slot);
  setOptional(draft.edit(id), 'next', successor);
  draft.setSlot(slot, id);
}

/** Unhooks a step from the place that enters it, joining its predecessor to its successor. */
function detach(draft: Draft, id: StepId): void {
  const step = draft.get(id);
  const entering = allEdges(draft.flow).filter((e) => e.target === id);
  entering.forEach((edge, i) => draft.setSlot(edge.source, i === 0 ? step.next : undefined));
  if (step.next !== undefined) setOptional(draft.edit(id), 'next', undefined);
}

function assertFreshContainer(step: Step): void {
  const points =
    step.kind === 'branch'
      ? step.branches.some((b) => b.start !== undefined) || step.else?.start !== undefined
      : step.kind === 'forEach' && step.bodyStart !== undefined;
  if (points) {
    throw new FlowEditError(
      FlowEditErrorCode.INVALID_STEP,
      `The new step "${step.id}" must start with empty paths: add steps into it with further edits.`,
    );
  }
}

function readPath(path: ValuePath): string[] {
  if (typeof path !== 'string') return path.map(String);
  try {
    return parsePointer(path);
  } catch (err) {
    throw new FlowEditError(FlowEditErrorCode.INVALID_PATH, (err as Error).message);
  }
}

/** Returns a copy of `root` with `value` set at `path` (undefined removes). Intermediate objects are created. */
function setIn(root: InputValue | undefined, path: string[], value: InputValue | undefined, what: string): InputValue | undefined {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  if (root !== undefined && root !== null && typeof root === 'object' && isExpression(root)) {
    throw new FlowEditError(FlowEditErrorCode.INVALID_PATH, `${what} is an expression at this point, so "${head}" cannot be set inside it. Replace the expression instead.`);
  }
  if (Array.isArray(root)) {
    const index = head === '-' ? root.length : Number(head);
    if (!Number.isInteger(index) || index < 0 || index > root.length) {
      throw new FlowEditError(FlowEditErrorCode.INVALID_PATH, `${what}: "${head}" is not a position in a list of ${root.length} item(s).`);
    }
    const copy = [...root];
    const child = setIn(copy[index], rest, value, what);
    if (child === undefined) copy.splice(index, 1);
    else copy[index] = child;
    return copy;
  }
  if (root === undefined || root === null || typeof root !== 'object') {
    if (value === undefined) return root; // nothing to remove
    if (root !== undefined && root !== null) {
      throw new FlowEditError(FlowEditErrorCode.INVALID_PATH, `${what}: cannot set "${head}" inside ${JSON.stringify(root)}.`);
    }
    root = {};
  }
  const copy: Record<string, InputValue> = { ...(root as Record<string, InputValue>) };
  const child = setIn(copy[head], rest, value, what);
  if (child === undefined) delete copy[head];
  else copy[head] = child;
  return copy;
}

const PATCHABLE: Record<Step['kind'], ReadonlyArray<keyof StepPatch>> = {
  action: ['title', 'connector', 'action', 'connectionRef', 'input', 'retry', 'continueOnError'],
  branch: ['title'],
  forEach: ['title', 'items', 'concurrency'],
  map: ['title', 'output'],
  upsertWithLink: ['title', 'connector', 'connectionRef', 'source', 'target', 'find', 'create', 'update', 'delete', 'read', 'mapping', 'prefetch', 'sync', 'retry'],
};

/** Renames `$steps.<from>` to `$steps.<to>` in every expression of the given steps. */
function renameReferences(draft: Draft, ids: Iterable<StepId>, from: StepId, to: StepId): void {
  for (const id of ids) {
    const step = draft.get(id);
    const before = JSON.stringify(step);
    if (!before.includes(from)) continue;
    const renamed = renameInStep(step, from, to);
    if (JSON.stringify(renamed) !== before) draft.put(renamed);
  }
}

function renameInStep(step: Step, from: StepId, to: StepId): Step {
  switch (step.kind) {
    case 'action':
      return { ...step, input: renameStepInValue(step.input, from, to) };
    case 'map':
      return { ...step, output: renameStepInValue(step.output, from, to) };
    case 'forEach':
      return { ...step, items: renameStepInValue(step.items, from, to) };
    case 'branch':
      return { ...step, branches: step.branches.map((b) => ({ ...b, condition: renameStepInValue(b.condition, from, to) })) };
    case 'upsertWithLink': {
      const { kind: _kind, id: _id, title: _title, next: _next, ...rest } = step;
      return { ...step, ...(renameStepInValue(rest as unknown as InputValue, from, to) as object) } as Step;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// applyEdit

// Edits that put new content into the flow, and the code used when that content is malformed.
const CONTENT_EDITS: Partial<Record<FlowEditType, FlowEditErrorCode>> = {
  addStep: FlowEditErrorCode.INVALID_STEP,
  duplicateStep: FlowEditErrorCode.INVALID_STEP,
  updateStep: FlowEditErrorCode.INVALID_PATCH,
  addBranch: FlowEditErrorCode.INVALID_PATCH,
  updateBranch: FlowEditErrorCode.INVALID_PATCH,
  updateInput: FlowEditErrorCode.INVALID_VALUE,
  setTrigger: FlowEditErrorCode.INVALID_VALUE,
  updateTriggerConfig: FlowEditErrorCode.INVALID_VALUE,
  setSettings: FlowEditErrorCode.INVALID_VALUE,
};

/**
 * Applies one edit and returns the new flow. Throws FlowEditError when the edit does not fit the flow, or
 * when it would put malformed content (per flowDefinitionSchema) into it.
 */
export function applyEdit(flow: FlowDefinition, edit: FlowEdit): FlowDefinition {
  const draft = new Draft(flow);
  const result = applyToDraft(flow, edit, draft);
  const code = CONTENT_EDITS[edit.type];
  if (code && result !== flow) {
    const problems = draft.touched().flatMap((id) => checkFlowFragment('step', result.steps[id], ['steps', id]));
    if (result.trigger !== flow.trigger) problems.push(...checkFlowFragment('trigger', result.trigger, ['trigger']));
    if (result.settings !== flow.settings && result.settings !== undefined) problems.push(...checkFlowFragment('settings', result.settings, ['settings']));
    if (problems.length > 0) {
      throw new FlowEditError(code, `This change would make the flow malformed: ${problems.map((p) => p.message).join(' ')}`, undefined, problems);
    }
  }
  return result;
}

function applyToDraft(flow: FlowDefinition, edit: FlowEdit, draft: Draft): FlowDefinition {
  switch (edit.type) {
    case 'addStep': {
      const step = edit.step;
      if (!step || typeof step !== 'object' || !STEP_KINDS.includes((step as Step).kind)) {
        throw new FlowEditError(FlowEditErrorCode.INVALID_STEP, 'The new step must be an action, branch, forEach, map or upsertWithLink step.');
      }
      assertValidId(step.id, 'step');
      if (draft.has(step.id)) {
        throw new FlowEditError(FlowEditErrorCode.ID_TAKEN, `A step with the id "${step.id}" already exists; choose another id (for example "${uniqueStepId(flow, step.id)}").`);
      }
      assertFreshContainer(step);
      const slot = resolvePosition(draft, edit.after);
      const copy = structuredClone(step);
      delete copy.next;
      draft.put(copy);
      insertAt(draft, slot, copy.id);
      return draft.flow;
    }

    case 'deleteStep': {
      const step = draft.get(edit.stepId);
      const inner = innerSteps(draft.flow, step.id);
      detach(draft, step.id);
      draft.remove(step.id);
      for (const id of inner) draft.remove(id);
      return draft.flow;
    }

    case 'moveStep': {
      const step = draft.get(edit.stepId);
      const slot = resolvePosition(draft, edit.after);
      const anchor = anchorOf(slot);
      if (anchor === step.id && slot.kind === 'next') {
        throw new FlowEditError(FlowEditErrorCode.INVALID_MOVE, `Step "${stepLabel(step)}" cannot be moved after itself.`);
      }
      if (anchor !== undefined && (anchor === step.id || innerSteps(draft.flow, step.id).includes(anchor))) {
        throw new FlowEditError(FlowEditErrorCode.INVALID_MOVE, `Step "${stepLabel(step)}" cannot be moved into itself.`);
      }
      detach(draft, step.id);
      insertAt(draft, slot, step.id);
      return draft.flow;
    }

    case 'duplicateStep': {
      const original = draft.get(edit.stepId);
      const newId = edit.newId ?? uniqueStepId(draft.flow, original.id);
      assertValidId(newId, 'step');
      if (draft.has(newId)) throw new FlowEditError(FlowEditErrorCode.ID_TAKEN, `A step with the id "${newId}" already exists.`);
      // Copy the step and everything inside it with fresh ids, then point expressions inside the copy at the copies.
      const ids = new Map<StepId, StepId>([[original.id, newId]]);
      const taken = (candidate: string) => draft.has(candidate) || [...ids.values()].includes(candidate);
      for (const id of innerSteps(draft.flow, original.id)) ids.set(id, uniqueSlug(id, taken));
      const mapId = (id: StepId | undefined) => (id === undefined ? undefined : (ids.get(id) ?? id));
      for (const [from, to] of ids) {
        const copy = structuredClone(draft.get(from));
        copy.id = to;
        if (from === original.id) {
          delete copy.next;
          if (copy.title) copy.title = `${copy.title} (copy)`;
        } else setOptional(copy, 'next', mapId(copy.next));
        if (copy.kind === 'branch') {
          copy.branches = copy.branches.map((b) => {
            const path: BranchPath = { ...b };
            setOptional(path, 'start', mapId(b.start));
            return path;
          });
          if (copy.else) setOptional(copy.else, 'start', mapId(copy.else.start));
        }
        if (copy.kind === 'forEach') setOptional(copy, 'bodyStart', mapId(copy.bodyStart));
        draft.put(copy);
      }
      for (const [from, to] of ids) if (from !== original.id) renameReferences(draft, ids.values(), from, to);
      insertAt(draft, { kind: 'next', stepId: original.id }, newId);
      return draft.flow;
    }

    case 'renameStep': {
      const step = draft.get(edit.stepId);
      if (edit.newId === step.id) return flow;
      assertValidId(edit.newId, 'step');
      if (draft.has(edit.newId)) throw new FlowEditError(FlowEditErrorCode.ID_TAKEN, `A step with the id "${edit.newId}" already exists.`);
      const entering = allEdges(draft.flow).filter((e) => e.target === step.id);
      // Rebuild `steps` to keep the key order (the order people see in the JSON).
      const renamed = { ...structuredClone(step), id: edit.newId };
      const steps: Record<StepId, Step> = {};
      for (const [key, value] of Object.entries(draft.flow.steps)) steps[key === step.id ? edit.newId : key] = key === step.id ? renamed : value;
      draft.flow.steps = steps;
      draft.put(renamed);
      for (const e of entering) {
        const source = e.source.kind !== 'start' && e.source.stepId === step.id ? { ...e.source, stepId: edit.newId } : e.source;
        draft.setSlot(source, edit.newId);
      }
      renameReferences(draft, Object.keys(draft.flow.steps), step.id, edit.newId);
      return draft.flow;
    }

    case 'updateStep': {
      const step = draft.get(edit.stepId);
      const allowed = PATCHABLE[step.kind];
      const patch = edit.patch ?? {};
      for (const key of Object.keys(patch)) {
        if (!allowed.includes(key as keyof StepPatch)) {
          throw new FlowEditError(
            FlowEditErrorCode.INVALID_PATCH,
            `"${key}" cannot be changed on a ${step.kind} step with updateStep (allowed: ${allowed.join(', ')}).`,
          );
        }
      }
      const copy = draft.edit(step.id) as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(patch)) {
        if (value === null || value === undefined) {
          if (['connector', 'action', 'input', 'items', 'output', 'source', 'target', 'create'].includes(key)) {
            throw new FlowEditError(FlowEditErrorCode.INVALID_PATCH, `"${key}" is required on a ${step.kind} step and cannot be removed.`);
          }
          delete copy[key];
        } else copy[key] = structuredClone(value);
      }
      return draft.flow;
    }

    case 'updateInput': {
      const step = draft.get(edit.stepId);
      const path = readPath(edit.path);
      if (step.kind === 'action') {
        const input = setIn(step.input, path, edit.value, `Step "${stepLabel(step)}" input`);
        if (input === undefined || input === null || typeof input !== 'object' || Array.isArray(input) || isExpression(input)) {
          throw new FlowEditError(FlowEditErrorCode.INVALID_VALUE, `Step "${stepLabel(step)}": the input as a whole must be an object of fields.`);
        }
        draft.put({ ...step, input: input as Record<string, InputValue> });
      } else if (step.kind === 'map') {
        const output = setIn(step.output, path, edit.value, `Step "${stepLabel(step)}" output`);
        draft.put({ ...step, output: output === undefined ? {} : output });
      } else {
        throw new FlowEditError(
          FlowEditErrorCode.INVALID_PATCH,
          `Step "${stepLabel(step)}" is a ${step.kind} step: it has no input fields (use updateStep or updateBranch).`,
        );
      }
      return draft.flow;
    }

    case 'addBranch': {
      const step = branchStep(draft, edit.stepId);
      const id = edit.branch.id ?? uniqueSlug(edit.branch.label || 'path', (candidate) => step.branches.some((b) => b.id === candidate));
      assertValidId(id, 'path');
      if (step.branches.some((b) => b.id === id)) {
        throw new FlowEditError(FlowEditErrorCode.BRANCH_ID_TAKEN, `Step "${stepLabel(step)}" already has a path "${id}".`);
      }
      const copy = draft.edit(step.id) as BranchStep;
      const index = edit.index === undefined ? copy.branches.length : Math.max(0, Math.min(edit.index, copy.branches.length));
      copy.branches.splice(index, 0, { id, label: edit.branch.label, condition: structuredClone(edit.branch.condition) });
      return draft.flow;
    }

    case 'updateBranch': {
      const step = branchStep(draft, edit.stepId);
      const index = branchIndex(step, edit.branchId);
      const extra = Object.keys(edit.patch ?? {}).filter((k) => k !== 'label' && k !== 'condition');
      if (extra.length > 0) {
        throw new FlowEditError(FlowEditErrorCode.INVALID_PATCH, `updateBranch changes only "label" and "condition" (got ${extra.join(', ')}).`);
      }
      const path = (draft.edit(step.id) as BranchStep).branches[index]!;
      if (edit.patch.label !== undefined) path.label = edit.patch.label;
      if (edit.patch.condition !== undefined) path.condition = structuredClone(edit.patch.condition);
      return draft.flow;
    }

    case 'removeBranch': {
      const step = branchStep(draft, edit.stepId);
      const index = branchIndex(step, edit.branchId);
      if (step.branches.length === 1) {
        throw new FlowEditError(FlowEditErrorCode.LAST_BRANCH, `Step "${stepLabel(step)}" needs at least one path; delete the whole step instead.`);
      }
      // The path's steps, and everything inside them.
      const doomed: StepId[] = [];
      let cur = step.branches[index]!.start;
      const seen = new Set<StepId>();
      while (cur !== undefined && draft.has(cur) && !seen.has(cur)) {
        seen.add(cur);
        doomed.push(cur, ...innerSteps(draft.flow, cur));
        cur = draft.get(cur).next;
      }
      (draft.edit(step.id) as BranchStep).branches.splice(index, 1);
      for (const id of doomed) draft.remove(id);
      return draft.flow;
    }

    case 'setTrigger':
      draft.flow.trigger = structuredClone(edit.trigger);
      return draft.flow;

    case 'updateTriggerConfig': {
      const config = setIn(draft.flow.trigger.config, readPath(edit.path), edit.value, 'The trigger settings');
      if (config === undefined || config === null || typeof config !== 'object' || Array.isArray(config) || isExpression(config)) {
        throw new FlowEditError(FlowEditErrorCode.INVALID_VALUE, 'The trigger settings as a whole must be an object.');
      }
      draft.flow.trigger = { ...draft.flow.trigger, config: config as Record<string, InputValue> };
      return draft.flow;
    }

    case 'renameFlow':
      if (typeof edit.name !== 'string' || edit.name.trim() === '' || edit.name.length > 200) {
        throw new FlowEditError(FlowEditErrorCode.INVALID_VALUE, 'A flow needs a name of 1 to 200 characters.');
      }
      draft.flow.name = edit.name;
      return draft.flow;

    case 'setDescription':
      if (edit.description !== null && (typeof edit.description !== 'string' || edit.description.length > 5000)) {
        throw new FlowEditError(FlowEditErrorCode.INVALID_VALUE, 'A description is text of at most 5000 characters.');
      }
      setOptional(draft.flow, 'description', edit.description ?? undefined);
      return draft.flow;

    case 'setDirection':
      if (edit.direction !== 'inbound' && edit.direction !== 'outbound') {
        throw new FlowEditError(FlowEditErrorCode.INVALID_VALUE, `The direction must be "inbound" or "outbound", not ${JSON.stringify(edit.direction)}.`);
      }
      draft.flow.direction = edit.direction;
      return draft.flow;

    case 'setSettings':
      setOptional(draft.flow, 'settings', edit.settings ? structuredClone(edit.settings) : undefined);
      return draft.flow;

    default:
      throw new FlowEditError(FlowEditErrorCode.UNKNOWN_EDIT, `Unknown edit type ${JSON.stringify((edit as { type?: unknown }).type)}.`);
  }
}

/** Applies edits in order. On failure throws the FlowEditError of the failing edit, with its `editIndex`. */
export function applyEdits(flow: FlowDefinition, edits: readonly FlowEdit[]): FlowDefinition {
  let current = flow;
  edits.forEach((edit, index) => {
    try {
      current = applyEdit(current, edit);
    } catch (err) {
      if (err instanceof FlowEditError) throw new FlowEditError(err.code, `Edit ${index + 1} (${edit.type}): ${err.message}`, index, err.problems);
      throw err;
    }
  });
  return current;
}
