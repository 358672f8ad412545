import { describe, expect, it } from 'vitest';
import { FlowEditError, FlowEditErrorCode, applyEdit, applyEdits, uniqueStepId, type FlowEdit } from './flow.edit.js';
import { analyzeGraph, orderedSteps } from './flow.graph.js';
import { parseFlowDefinition } from './flow.schema.js';
import type { ActionStep, BranchStep, FlowDefinition, MapStep, Step } from './flow.types.js';
import { deepFreeze, delayStep, flowOf } from './test-support/catalog.builder.js';

const e = (source: string) => ({ $expr: source });

/** a -> check{ yes: [y1], else: [e1] } -> loop{ body: [b1] } -> z, frozen so any mutation throws. */
function base(): FlowDefinition {
  const steps: Step[] = [
    delayStep('a', { next: 'check' }),
    { kind: 'branch', id: 'check', title: 'Check', branches: [{ id: 'yes', label: 'Yes', condition: e('$steps.a.ok'), start: 'y1' }], else: { start: 'e1' }, next: 'loop' },
    { kind: 'action', id: 'y1', connector: 'core', action: 'http_request', input: { url: 'https://x.test', method: 'POST', body: { id: e('$steps.a.id') } } },
    delayStep('e1'),
    { kind: 'forEach', id: 'loop', items: e('$trigger.items'), bodyStart: 'b1', next: 'z' },
    { kind: 'map', id: 'b1', output: { v: e('$item') } },
    { kind: 'map', id: 'z', output: { from_a: e('$steps.a.id'), from_y1: e('$steps.y1.status') } },
  ];
  return deepFreeze(flowOf(steps, 'a'));
}

const order = (flow: FlowDefinition) => orderedSteps(flow, { includeUnreachable: true }).map((s) => s.id);

function expectEditError(flow: FlowDefinition, edit: FlowEdit, code: FlowEditErrorCode): FlowEditError {
  try {
    applyEdit(flow, edit);
  } catch (err) {
    expect(err).toBeInstanceOf(FlowEditError);
    expect((err as FlowEditError).code).toBe(code);
    return err as FlowEditError;
  }
  throw new Error(`expected ${code}`);
}

/** Every successful edit must leave a structurally valid, well-connected flow. */
function expectSound(flow: FlowDefinition): void {
  const parsed = parseFlowDefinition(flow);
  expect(parsed.ok ? [] : parsed.problems).toEqual([]);
  const graph = analyzeGraph(flow);
  expect({ unreachable: graph.unreachable, cycles: graph.cycles, dangling: graph.dangling, shared: graph.shared }).toEqual({
    unreachable: [],
    cycles: [],
    dangling: [],
    shared: [],
  });
}

describe('addStep', () => {
  it('after the trigger, after a step, after a container (= after its join), into a path, else and body', () => {
    let flow = base();
    flow = applyEdit(flow, { type: 'addStep', after: 'trigger', step: delayStep('first') });
    flow = applyEdit(flow, { type: 'addStep', after: 'a', step: delayStep('after_a') });
    flow = applyEdit(flow, { type: 'addStep', after: 'check', step: delayStep('after_check') });
    flow = applyEdit(flow, { type: 'addStep', after: { branchOf: 'check', branchId: 'yes' }, step: delayStep('yes_first') });
    flow = applyEdit(flow, { type: 'addStep', after: { elseOf: 'check' }, step: delayStep('else_first') });
    flow = applyEdit(flow, { type: 'addStep', after: { bodyOf: 'loop' }, step: delayStep('body_first') });
    flow = applyEdit(flow, { type: 'addStep', after: 'z', step: delayStep('last', { next: 'a' }) });
    expect(order(flow)).toEqual([
      'first', 'a', 'after_a', 'check', 'yes_first', 'y1', 'else_first', 'e1', 'after_check', 'loop', 'body_first', 'b1', 'z', 'last',
    ]);
    expect(flow.steps.last!.next).toBeUndefined(); // a given `next` is ignored
    expectSound(flow);
  });

  it('into an empty flow and an empty else path', () => {
    const empty = deepFreeze(flowOf([], null));
    const flow = applyEdit(empty, { type: 'addStep', after: 'trigger', step: delayStep('only') });
    expect(flow.start).toBe('only');
    const branchy = applyEdits(flow, [
      { type: 'addStep', after: 'only', step: { kind: 'branch', id: 'br', branches: [{ id: 'p', label: 'P', condition: e('true') }] } },
      { type: 'addStep', after: { elseOf: 'br' }, step: delayStep('in_else') },
    ]);
    expect((branchy.steps.br as BranchStep).else).toEqual({ start: 'in_else' });
    expectSound(branchy);
  });

  it('errors: taken id, invalid id, unknown anchor, wrong container, container with inner steps', () => {
    const flow = base();
    const taken = expectEditError(flow, { type: 'addStep', after: 'a', step: delayStep('y1') }, FlowEditErrorCode.ID_TAKEN);
    expect(taken.message).toBe('A step with the id "y1" already exists; choose another id (for example "y1_2").');
    expectEditError(flow, { type: 'addStep', after: 'a', step: delayStep('Bad Id') }, FlowEditErrorCode.INVALID_ID);
    expectEditError(flow, { type: 'addStep', after: 'nope', step: delayStep('n') }, FlowEditErrorCode.STEP_NOT_FOUND);
    expectEditError(flow, { type: 'addStep', after: { branchOf: 'a', branchId: 'yes' }, step: delayStep('n') }, FlowEditErrorCode.NOT_A_BRANCH);
    expectEditError(flow, { type: 'addStep', after: { branchOf: 'check', branchId: 'no' }, step: delayStep('n') }, FlowEditErrorCode.BRANCH_NOT_FOUND);
    expectEditError(flow, { type: 'addStep', after: { bodyOf: 'check' }, step: delayStep('n') }, FlowEditErrorCode.NOT_A_LOOP);
    expectEditError(flow, { type: 'addStep', after: 'a', step: { kind: 'forEach', id: 'l2', items: e('[]'), bodyStart: 'z' } }, FlowEditErrorCode.INVALID_STEP);
    expectEditError(flow, { type: 'addStep', after: 'a', step: { kind: 'loop', id: 'x' } as unknown as Step }, FlowEditErrorCode.INVALID_STEP);
  });
});

describe('deleteStep', () => {
  it('reconnects the chain', () => {
    const flow = applyEdit(base(), { type: 'deleteStep', stepId: 'a' });
    expect(flow.start).toBe('check');
    const flow2 = applyEdit(base(), { type: 'deleteStep', stepId: 'y1' });
    expect((flow2.steps.check as BranchStep).branches[0]!.start).toBeUndefined();
    expectSound(flow2);
  });

  it('deleting a branch or loop deletes its inner steps', () => {
    const flow = applyEdit(base(), { type: 'deleteStep', stepId: 'check' });
    expect(order(flow)).toEqual(['a', 'loop', 'b1', 'z']);
    expect(Object.keys(flow.steps).sort()).toEqual(['a', 'b1', 'loop', 'z']);
    const flow2 = applyEdit(base(), { type: 'deleteStep', stepId: 'loop' });
    expect(Object.keys(flow2.steps)).not.toContain('b1');
    expect(flow2.steps.check!.next).toBe('z');
    expectSound(flow2);
  });

  it('errors on an unknown step', () => {
    expect(expectEditError(base(), { type: 'deleteStep', stepId: 'ghost' }, FlowEditErrorCode.STEP_NOT_FOUND).message).toBe(
      'There is no step "ghost" in this flow.',
    );
  });
});

describe('moveStep', () => {
  it('moves a step (with what is inside it) to another place', () => {
    let flow = applyEdit(base(), { type: 'moveStep', stepId: 'z', after: 'trigger' });
    expect(order(flow)).toEqual(['z', 'a', 'check', 'y1', 'e1', 'loop', 'b1']);
    flow = applyEdit(flow, { type: 'moveStep', stepId: 'loop', after: { branchOf: 'check', branchId: 'yes' } });
    expect(order(flow)).toEqual(['z', 'a', 'check', 'loop', 'b1', 'y1', 'e1']);
    flow = applyEdit(flow, { type: 'moveStep', stepId: 'a', after: { bodyOf: 'loop' } });
    expect(order(flow)).toEqual(['z', 'check', 'loop', 'a', 'b1', 'y1', 'e1']);
    expectSound(flow);
  });

  it('moving a step right after its predecessor changes nothing', () => {
    const flow = applyEdit(base(), { type: 'moveStep', stepId: 'check', after: 'a' });
    expect(flow).toEqual(base());
  });

  it('errors: after itself, into itself, unknown step', () => {
    expectEditError(base(), { type: 'moveStep', stepId: 'a', after: 'a' }, FlowEditErrorCode.INVALID_MOVE);
    expectEditError(base(), { type: 'moveStep', stepId: 'check', after: { branchOf: 'check', branchId: 'yes' } }, FlowEditErrorCode.INVALID_MOVE);
    expectEditError(base(), { type: 'moveStep', stepId: 'check', after: 'y1' }, FlowEditErrorCode.INVALID_MOVE);
    expectEditError(base(), { type: 'moveStep', stepId: 'ghost', after: 'a' }, FlowEditErrorCode.STEP_NOT_FOUND);
  });
});

describe('duplicateStep', () => {
  it('copies a plain step right after the original', () => {
    const flow = applyEdit(base(), { type: 'duplicateStep', stepId: 'a' });
    expect(order(flow).slice(0, 3)).toEqual(['a', 'a_2', 'check']);
    expect(flow.steps.a_2).toMatchObject({ kind: 'action', input: { seconds: 1 } });
    expectSound(flow);
  });

  it('copies a container with fresh ids for its inner steps, rewiring their references', () => {
    let flow = applyEdit(base(), { type: 'addStep', after: 'b1', step: { kind: 'map', id: 'b2', output: e('$steps.b1.v') } });
    flow = applyEdit(flow, { type: 'duplicateStep', stepId: 'loop', newId: 'loop_copy' });
    expect(order(flow)).toEqual(['a', 'check', 'y1', 'e1', 'loop', 'b1', 'b2', 'loop_copy', 'b1_2', 'b2_2', 'z']);
    expect((flow.steps.b2_2 as MapStep).output).toEqual(e('$steps.b1_2.v'));
    expect((flow.steps.b2 as MapStep).output).toEqual(e('$steps.b1.v'));
    expectSound(flow);
  });

  it('errors: taken id, unknown step', () => {
    expectEditError(base(), { type: 'duplicateStep', stepId: 'a', newId: 'z' }, FlowEditErrorCode.ID_TAKEN);
    expectEditError(base(), { type: 'duplicateStep', stepId: 'ghost' }, FlowEditErrorCode.STEP_NOT_FOUND);
  });
});

describe('renameStep', () => {
  it('renames the key, the edges and every `$steps.<id>` reference', () => {
    const flow = applyEdit(base(), { type: 'renameStep', stepId: 'a', newId: 'find_contact' });
    expect(flow.start).toBe('find_contact');
    expect(Object.keys(flow.steps)[0]).toBe('find_contact');
    expect((flow.steps.check as BranchStep).branches[0]!.condition).toEqual(e('$steps.find_contact.ok'));
    expect((flow.steps.y1 as ActionStep).input.body).toEqual({ id: e('$steps.find_contact.id') });
    expect((flow.steps.z as MapStep).output).toEqual({ from_a: e('$steps.find_contact.id'), from_y1: e('$steps.y1.status') });
    expectSound(flow);
    const inner = applyEdit(base(), { type: 'renameStep', stepId: 'y1', newId: 'post' });
    expect((inner.steps.check as BranchStep).branches[0]!.start).toBe('post');
    expect((inner.steps.z as MapStep).output).toEqual({ from_a: e('$steps.a.id'), from_y1: e('$steps.post.status') });
  });

  it('errors: taken or invalid id', () => {
    expectEditError(base(), { type: 'renameStep', stepId: 'a', newId: 'z' }, FlowEditErrorCode.ID_TAKEN);
    expectEditError(base(), { type: 'renameStep', stepId: 'a', newId: '9lives' }, FlowEditErrorCode.INVALID_ID);
  });
});

describe('updateStep / updateInput', () => {
  it('patches allowed fields; null removes optional ones', () => {
    let flow = applyEdit(base(), { type: 'updateStep', stepId: 'y1', patch: { title: 'Post it', connectionRef: 'c1', retry: { maxAttempts: 3, backoff: 'fixed', delayMs: 10 } } });
    expect(flow.steps.y1).toMatchObject({ title: 'Post it', connectionRef: 'c1', retry: { maxAttempts: 3 } });
    flow = applyEdit(flow, { type: 'updateStep', stepId: 'y1', patch: { title: null, retry: null } });
    expect(flow.steps.y1).not.toHaveProperty('title');
    expect(flow.steps.y1).not.toHaveProperty('retry');
    flow = applyEdit(flow, { type: 'updateStep', stepId: 'loop', patch: { items: e('$trigger.lines') } });
    expect(flow.steps.loop).toMatchObject({ items: e('$trigger.lines') });
  });

  it('refuses graph fields and fields of other kinds', () => {
    const err = expectEditError(base(), { type: 'updateStep', stepId: 'a', patch: { next: 'z' } as never }, FlowEditErrorCode.INVALID_PATCH);
    expect(err.message).toMatch(/"next" cannot be changed on a action step/);
    expectEditError(base(), { type: 'updateStep', stepId: 'check', patch: { output: 1 } }, FlowEditErrorCode.INVALID_PATCH);
    expectEditError(base(), { type: 'updateStep', stepId: 'a', patch: { input: null } as never }, FlowEditErrorCode.INVALID_PATCH);
  });

  it('sets, creates and removes values by pointer or segments', () => {
    let flow = applyEdit(base(), { type: 'updateInput', stepId: 'y1', path: '/headers/X-Token~1Id', value: e('$vars.token') });
    expect((flow.steps.y1 as ActionStep).input.headers).toEqual({ 'X-Token/Id': e('$vars.token') });
    flow = applyEdit(flow, { type: 'updateInput', stepId: 'y1', path: ['body', 'id'], value: undefined });
    expect((flow.steps.y1 as ActionStep).input.body).toEqual({});
    flow = applyEdit(flow, { type: 'updateInput', stepId: 'y1', path: '/list', value: [1] });
    flow = applyEdit(flow, { type: 'updateInput', stepId: 'y1', path: '/list/-', value: 2 });
    flow = applyEdit(flow, { type: 'updateInput', stepId: 'y1', path: '/list/0', value: undefined });
    expect((flow.steps.y1 as ActionStep).input.list).toEqual([2]);
    flow = applyEdit(flow, { type: 'updateInput', stepId: 'z', path: '/from_y1', value: undefined });
    expect((flow.steps.z as MapStep).output).toEqual({ from_a: e('$steps.a.id') });
    flow = applyEdit(flow, { type: 'updateInput', stepId: 'z', path: '', value: e('$trigger') });
    expect((flow.steps.z as MapStep).output).toEqual(e('$trigger'));
  });

  it('errors: inside an expression, bad list index, whole input not an object, not an input step', () => {
    expectEditError(base(), { type: 'updateInput', stepId: 'b1', path: '/v/x', value: 1 }, FlowEditErrorCode.INVALID_PATH);
    expectEditError(base(), { type: 'updateInput', stepId: 'y1', path: '/url/x', value: 1 }, FlowEditErrorCode.INVALID_PATH);
    expectEditError(base(), { type: 'updateInput', stepId: 'y1', path: 'no-slash', value: 1 }, FlowEditErrorCode.INVALID_PATH);
    const flow = applyEdit(base(), { type: 'updateInput', stepId: 'y1', path: '/list', value: [] });
    expectEditError(flow, { type: 'updateInput', stepId: 'y1', path: '/list/5', value: 1 }, FlowEditErrorCode.INVALID_PATH);
    expectEditError(base(), { type: 'updateInput', stepId: 'y1', path: '', value: 'x' }, FlowEditErrorCode.INVALID_VALUE);
    expectEditError(base(), { type: 'updateInput', stepId: 'check', path: '/x', value: 1 }, FlowEditErrorCode.INVALID_PATCH);
  });
});

describe('branch paths', () => {
  it('adds (with a generated id, at an index), updates and removes paths', () => {
    let flow = applyEdit(base(), { type: 'addBranch', stepId: 'check', branch: { label: 'Maybe so', condition: e('false') } });
    flow = applyEdit(flow, { type: 'addBranch', stepId: 'check', branch: { id: 'first', label: 'First', condition: e('1') }, index: 0 });
    expect((flow.steps.check as BranchStep).branches.map((b) => b.id)).toEqual(['first', 'yes', 'maybe_so']);
    flow = applyEdit(flow, { type: 'updateBranch', stepId: 'check', branchId: 'maybe_so', patch: { label: 'Maybe', condition: e('2') } });
    expect((flow.steps.check as BranchStep).branches[2]).toEqual({ id: 'maybe_so', label: 'Maybe', condition: e('2') });
    flow = applyEdit(flow, { type: 'removeBranch', stepId: 'check', branchId: 'yes' });
    expect((flow.steps.check as BranchStep).branches.map((b) => b.id)).toEqual(['first', 'maybe_so']);
    expect(flow.steps).not.toHaveProperty('y1');
    expectSound(flow);
  });

  it('errors: taken id, unknown path, last path, extra patch fields, not a branch', () => {
    expectEditError(base(), { type: 'addBranch', stepId: 'check', branch: { id: 'yes', label: 'Y', condition: e('1') } }, FlowEditErrorCode.BRANCH_ID_TAKEN);
    expectEditError(base(), { type: 'removeBranch', stepId: 'check', branchId: 'nope' }, FlowEditErrorCode.BRANCH_NOT_FOUND);
    const last = expectEditError(base(), { type: 'removeBranch', stepId: 'check', branchId: 'yes' }, FlowEditErrorCode.LAST_BRANCH);
    expect(last.message).toBe('Step "Check" needs at least one path; delete the whole step instead.');
    expectEditError(base(), { type: 'updateBranch', stepId: 'check', branchId: 'yes', patch: { start: 'z' } as never }, FlowEditErrorCode.INVALID_PATCH);
    expectEditError(base(), { type: 'addBranch', stepId: 'a', branch: { label: 'x', condition: e('1') } }, FlowEditErrorCode.NOT_A_BRANCH);
  });
});

describe('flow-level edits', () => {
  it('trigger, trigger settings, name, description, direction, settings', () => {
    const flow = applyEdits(base(), [
      { type: 'setTrigger', trigger: { connector: 'togai', trigger: 'account_updated', connectionRef: 't', config: { events: ['created'] } } },
      { type: 'updateTriggerConfig', path: '/events/-', value: 'updated' },
      { type: 'renameFlow', name: 'Accounts → Books' },
      { type: 'setDescription', description: 'S1' },
      { type: 'setDirection', direction: 'inbound' },
      { type: 'setSettings', settings: { timezone: 'UTC' } },
    ]);
    expect(flow).toMatchObject({
      name: 'Accounts → Books',
      description: 'S1',
      direction: 'inbound',
      settings: { timezone: 'UTC' },
      trigger: { connector: 'togai', config: { events: ['created', 'updated'] } },
    });
    const cleared = applyEdits(flow, [{ type: 'setDescription', description: null }, { type: 'setSettings', settings: null }]);
    expect(cleared).not.toHaveProperty('description');
    expect(cleared).not.toHaveProperty('settings');
    expectSound(cleared);
  });

  it('errors: empty name, bad direction, unknown edit type', () => {
    expectEditError(base(), { type: 'renameFlow', name: ' ' }, FlowEditErrorCode.INVALID_VALUE);
    expectEditError(base(), { type: 'setDirection', direction: 'sideways' as never }, FlowEditErrorCode.INVALID_VALUE);
    expectEditError(base(), { type: 'explode' } as never, FlowEditErrorCode.UNKNOWN_EDIT);
  });
});

describe('edits never make a flow malformed', () => {
  it('a new step, a patch, a value, a trigger or settings that break the schema are refused with pointers', () => {
    const step = expectEditError(base(), { type: 'addStep', after: 'a', step: { kind: 'map', id: 'm' } as unknown as Step }, FlowEditErrorCode.INVALID_STEP);
    expect(step.problems).toEqual([expect.objectContaining({ pointer: '/steps/m/output' })]);
    expect(step.message).toBe('This change would make the flow malformed: "steps.m.output" is required.');
    const patch = expectEditError(base(), { type: 'updateStep', stepId: 'y1', patch: { retry: { maxAttempts: 0, backoff: 'fixed', delayMs: 1 } } }, FlowEditErrorCode.INVALID_PATCH);
    expect(patch.problems!.map((p) => p.pointer)).toEqual(['/steps/y1/retry/maxAttempts']);
    const value = expectEditError(base(), { type: 'updateInput', stepId: 'y1', path: '/url', value: { $expr: 5 } as never }, FlowEditErrorCode.INVALID_VALUE);
    expect(value.problems!.map((p) => p.pointer)).toEqual(['/steps/y1/input/url/$expr']);
    expectEditError(base(), { type: 'updateBranch', stepId: 'check', branchId: 'yes', patch: { condition: 'true' as never } }, FlowEditErrorCode.INVALID_PATCH);
    expectEditError(base(), { type: 'setTrigger', trigger: { connector: '', trigger: 'x', config: {} } }, FlowEditErrorCode.INVALID_VALUE);
    expectEditError(base(), { type: 'setSettings', settings: { maxConcurrentRuns: 0 } }, FlowEditErrorCode.INVALID_VALUE);
    expectEditError(base(), { type: 'renameFlow', name: 'x'.repeat(201) }, FlowEditErrorCode.INVALID_VALUE);
    expectEditError(base(), { type: 'setDescription', description: 'x'.repeat(5001) }, FlowEditErrorCode.INVALID_VALUE);
  });

  it('applyEdits passes the problems on', () => {
    try {
      applyEdits(base(), [{ type: 'addStep', after: 'a', step: { kind: 'map', id: 'm' } as unknown as Step }]);
      expect.unreachable();
    } catch (err) {
      expect((err as FlowEditError).problems).toHaveLength(1);
    }
  });
});

describe('applyEdits / immutability / uniqueStepId', () => {
  it('reports which edit failed', () => {
    try {
      applyEdits(base(), [{ type: 'renameFlow', name: 'ok' }, { type: 'deleteStep', stepId: 'ghost' }]);
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ code: FlowEditErrorCode.STEP_NOT_FOUND, editIndex: 1, message: 'Edit 2 (deleteStep): There is no step "ghost" in this flow.' });
    }
  });

  it('never changes the input flow and shares untouched steps', () => {
    const original = base();
    const snapshot = structuredClone(original);
    const edited = applyEdits(original, [
      { type: 'addStep', after: 'a', step: delayStep('n') },
      { type: 'updateInput', stepId: 'y1', path: '/url', value: 'https://y.test' },
      { type: 'deleteStep', stepId: 'loop' },
      { type: 'moveStep', stepId: 'e1', after: 'trigger' },
      { type: 'renameStep', stepId: 'z', newId: 'end' },
    ]);
    expect(original).toEqual(snapshot);
    expect(edited).not.toBe(original);
    expect(edited.steps.check).not.toBe(original.steps.check); // moved e1 out of it
    const untouched = applyEdit(original, { type: 'updateInput', stepId: 'y1', path: '/url', value: 'https://y.test' });
    expect(untouched.steps.a).toBe(original.steps.a);
    expect(untouched.steps.y1).not.toBe(original.steps.y1);
  });

  it('uniqueStepId slugs titles and avoids taken ids', () => {
    const flow = base();
    expect(uniqueStepId(flow, 'Find Contact!')).toBe('find_contact');
    expect(uniqueStepId(flow, 'a')).toBe('a_2');
    expect(uniqueStepId(flow, '123 go')).toBe('step_123_go');
    expect(uniqueStepId(flow, '')).toBe('step');
    expect(uniqueStepId({ steps: { ...flow.steps, a_2: delayStep('a_2') } }, 'a')).toBe('a_3');
  });
});
