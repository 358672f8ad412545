import type { FlowDefinition, FlowEdit, InputValue, Step } from '@braid/flow-model';

// When edits are applied by the server (no eval in this page), typing must still show at once. These are
// the value edits a person makes while typing, applied the way flow-model applies them but without its
// schema check; the server's answer replaces the result. Structural edits return null (wait for the server).

function topLevelKey(path: string | ReadonlyArray<string | number>): string | null {
  if (typeof path === 'string') {
    const parts = path.split('/').slice(1);
    return parts.length === 1 && parts[0] !== '' && parts[0] !== '-' ? parts[0]!.replace(/~1/g, '/').replace(/~0/g, '~') : null;
  }
  return path.length === 1 && typeof path[0] === 'string' && path[0] !== '-' ? path[0] : null;
}

function setKey<T extends Record<string, unknown>>(object: T, key: string, value: unknown): T {
  const copy: Record<string, unknown> = { ...object };
  if (value === undefined) delete copy[key];
  else copy[key] = value;
  return copy as T;
}

/** The flow after `edit`, or null when the edit is not one of the simple value edits. */
export function applyOptimistic(flow: FlowDefinition, edit: FlowEdit): FlowDefinition | null {
  switch (edit.type) {
    case 'renameFlow':
      return edit.name.trim() ? { ...flow, name: edit.name } : null;
    case 'updateStep': {
      const step = flow.steps[edit.stepId];
      if (!step) return null;
      let next = { ...step } as Record<string, unknown>;
      for (const [key, value] of Object.entries(edit.patch)) next = setKey(next, key, value === null ? undefined : value);
      return { ...flow, steps: { ...flow.steps, [edit.stepId]: next as unknown as Step } };
    }
    case 'updateInput': {
      const step = flow.steps[edit.stepId];
      const key = topLevelKey(edit.path);
      if (!step || key === null) return null;
      if (step.kind === 'action') return { ...flow, steps: { ...flow.steps, [step.id]: { ...step, input: setKey(step.input, key, edit.value) } } };
      if (step.kind === 'map' && step.output !== null && typeof step.output === 'object' && !Array.isArray(step.output)) {
        return { ...flow, steps: { ...flow.steps, [step.id]: { ...step, output: setKey(step.output as Record<string, InputValue>, key, edit.value) } } };
      }
      return null;
    }
    case 'updateBranch': {
      const step = flow.steps[edit.stepId];
      if (step?.kind !== 'branch' || !step.branches.some((b) => b.id === edit.branchId)) return null;
      const branches = step.branches.map((b) => (b.id === edit.branchId ? { ...b, ...edit.patch } : b));
      return { ...flow, steps: { ...flow.steps, [step.id]: { ...step, branches } } };
    }
    case 'setTrigger':
      // The trigger picked in the panel shows at once (the select no longer jumps back until the server answers).
      return edit.trigger && typeof edit.trigger === 'object' ? { ...flow, trigger: structuredClone(edit.trigger) } : null;
    case 'updateTriggerConfig': {
      const key = topLevelKey(edit.path);
      if (key === null) return null;
      return { ...flow, trigger: { ...flow.trigger, config: setKey(flow.trigger.config, key, edit.value) } };
    }
    default:
      return null;
  }
}

/** All edits applied optimistically, or null when one of them cannot be. */
export function applyOptimisticAll(flow: FlowDefinition, edits: readonly FlowEdit[]): FlowDefinition | null {
  let current: FlowDefinition | null = flow;
  for (const edit of edits) {
    current = current && applyOptimistic(current, edit);
    if (!current) return null;
  }
  return current;
}

/**
 * The edits that can be shown before the server answers, applied in order; the others are skipped (they show
 * with the server's answer). Used to lay what was typed meanwhile over a server answer: dropping all of it
 * because one queued edit is structural (a step added) put old text back under the cursor.
 */
export function applyOptimisticSome(flow: FlowDefinition, edits: readonly FlowEdit[]): FlowDefinition {
  let current = flow;
  for (const edit of edits) current = applyOptimistic(current, edit) ?? current;
  return current;
}

