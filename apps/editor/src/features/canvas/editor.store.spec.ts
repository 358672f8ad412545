import type { FlowDefinition, FlowEditError } from '@braid/flow-model';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/client';
import { branchyFlow, emptyFlow } from '../../test-support/fixtures';
import { createEditorStore, type EditorDeps } from './editor.store';

const delayStep = (id: string) => ({ kind: 'action' as const, id, connector: 'core', action: 'delay', input: { seconds: 1 } });

function setup(flow: FlowDefinition = emptyFlow(), deps: Partial<EditorDeps> = {}) {
  const saves: Array<{ definition: FlowDefinition; baseRevision: number }> = [];
  let revision = 1;
  const save = vi.fn(async (definition: FlowDefinition, baseRevision: number) => {
    saves.push({ definition, baseRevision });
    return { draftRevision: ++revision, problems: [] };
  });
  const store = createEditorStore({ flow, revision: 1 }, { save, autosaveDelayMs: 500, ...deps });
  return { store, saves, save };
}

describe('editor store', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('applies edits through flow-model and refuses invalid ones without changing the flow', () => {
    const { store } = setup();
    expect(store.getState().apply({ type: 'addStep', after: 'trigger', step: delayStep('wait') })).toEqual({ ok: true });
    expect(store.getState().flow.start).toBe('wait');
    const before = store.getState().flow;
    const result = store.getState().apply({ type: 'deleteStep', stepId: 'missing' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('STEP_NOT_FOUND');
    expect(store.getState().flow).toBe(before);
    expect(store.getState().past).toHaveLength(1);
  });

  it('undoes and redoes whole flows, and a new edit clears the redo list', () => {
    const { store } = setup();
    const s = () => store.getState();
    s().apply({ type: 'addStep', after: 'trigger', step: delayStep('a') });
    s().apply({ type: 'addStep', after: 'a', step: delayStep('b') });
    expect(Object.keys(s().flow.steps)).toEqual(['a', 'b']);
    s().undo();
    expect(Object.keys(s().flow.steps)).toEqual(['a']);
    s().undo();
    expect(s().flow.start).toBeNull();
    s().undo(); // nothing left: no change
    expect(s().flow.start).toBeNull();
    s().redo();
    expect(Object.keys(s().flow.steps)).toEqual(['a']);
    s().apply({ type: 'renameFlow', name: 'Renamed' });
    expect(s().future).toEqual([]);
    s().redo();
    expect(Object.keys(s().flow.steps)).toEqual(['a']);
  });

  it('coalesces typing in one field into one undo step', () => {
    const { store } = setup(branchyFlow());
    const s = () => store.getState();
    for (const value of ['a', 'ab', 'abc']) s().apply({ type: 'updateInput', stepId: 'create', path: '/customer_id', value }, { coalesceKey: 'create/customer_id' });
    expect(s().past).toHaveLength(1);
    s().apply({ type: 'updateStep', stepId: 'create', patch: { title: 'Create' } });
    expect(s().past).toHaveLength(2);
    s().undo();
    s().undo();
    expect((s().flow.steps.create as unknown as { input: { customer_id: string } }).input.customer_id).toBe('x');
  });

  it('clears the selection when the selected step goes away', () => {
    const { store } = setup(branchyFlow());
    store.getState().select({ kind: 'step', stepId: 'create' });
    store.getState().apply({ type: 'deleteStep', stepId: 'create' });
    expect(store.getState().selection).toBeNull();
  });

  it('saves once after a quiet time, with the revision it is based on', async () => {
    const { store, saves } = setup();
    const s = () => store.getState();
    s().apply({ type: 'addStep', after: 'trigger', step: delayStep('a') });
    await vi.advanceTimersByTimeAsync(300);
    s().apply({ type: 'addStep', after: 'a', step: delayStep('b') });
    await vi.advanceTimersByTimeAsync(300);
    expect(saves).toHaveLength(0);
    expect(s().saveStatus).toBe('pending');
    await vi.advanceTimersByTimeAsync(250);
    expect(saves).toHaveLength(1);
    expect(saves[0]!.baseRevision).toBe(1);
    expect(Object.keys(saves[0]!.definition.steps)).toEqual(['a', 'b']);
    expect(s().saveStatus).toBe('saved');
    expect(s().revision).toBe(2);
    s().apply({ type: 'renameFlow', name: 'Again' });
    await vi.advanceTimersByTimeAsync(600);
    expect(saves).toHaveLength(2);
    expect(saves[1]!.baseRevision).toBe(2);
  });

  it('does not save when undo brings back the saved flow', async () => {
    const { store, saves } = setup();
    store.getState().apply({ type: 'renameFlow', name: 'X' });
    store.getState().undo();
    await vi.advanceTimersByTimeAsync(1000);
    expect(saves).toHaveLength(0);
    expect(store.getState().saveStatus).toBe('saved');
  });

  it('saves edits made while a save is in flight afterwards, based on the new revision', async () => {
    let release!: () => void;
    const calls: number[] = [];
    const save = vi.fn(async (_d: FlowDefinition, base: number) => {
      calls.push(base);
      if (calls.length === 1) await new Promise<void>((r) => (release = r));
      return { draftRevision: base + 1, problems: [] };
    });
    const store = createEditorStore({ flow: emptyFlow(), revision: 5 }, { save, autosaveDelayMs: 100 });
    store.getState().apply({ type: 'renameFlow', name: 'One' });
    await vi.advanceTimersByTimeAsync(100);
    expect(store.getState().saveStatus).toBe('saving');
    store.getState().apply({ type: 'renameFlow', name: 'Two' });
    release();
    await vi.advanceTimersByTimeAsync(200);
    expect(calls).toEqual([5, 6]);
    expect(store.getState().savedFlow.name).toBe('Two');
    expect(store.getState().saveStatus).toBe('saved');
  });

  it('stops saving on a 409 and reports the conflict; reset loads the server flow', async () => {
    const onConflict = vi.fn();
    const { store } = setup(emptyFlow(), {
      save: async () => {
        throw new ApiError(409, 'REVISION_CONFLICT', 'The draft was changed by someone else');
      },
      onConflict,
    });
    store.getState().apply({ type: 'renameFlow', name: 'Mine' });
    await vi.advanceTimersByTimeAsync(600);
    expect(store.getState().saveStatus).toBe('conflict');
    expect(onConflict).toHaveBeenCalledOnce();
    const theirs = { ...emptyFlow(), name: 'Theirs' };
    store.getState().reset(theirs, 9);
    expect(store.getState()).toMatchObject({ flow: theirs, revision: 9, saveStatus: 'saved', past: [] });
  });

  it('reports other save errors and retries with the next edit', async () => {
    let fail = true;
    const onSaveError = vi.fn();
    const { store } = setup(emptyFlow(), {
      save: async () => {
        if (fail) throw new Error('network down');
        return { draftRevision: 2, problems: [] };
      },
      onSaveError,
    });
    store.getState().apply({ type: 'renameFlow', name: 'A' });
    await vi.advanceTimersByTimeAsync(600);
    expect(store.getState()).toMatchObject({ saveStatus: 'error', saveError: 'network down' });
    fail = false;
    store.getState().apply({ type: 'renameFlow', name: 'B' });
    await vi.advanceTimersByTimeAsync(600);
    expect(store.getState().saveStatus).toBe('saved');
    expect(onSaveError).toHaveBeenCalledOnce();
  });

  it('flush saves at once', async () => {
    const { store, saves } = setup();
    store.getState().apply({ type: 'renameFlow', name: 'Now' });
    await store.getState().flush();
    expect(saves).toHaveLength(1);
  });
});

describe('editor store without in-browser edits (CSP forbids eval)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends edits to the server in order and takes its draft; undo saves the whole draft', async () => {
    const { applyEdits } = await import('@braid/flow-model');
    let server = { flow: emptyFlow(), revision: 1 };
    const remote: Array<{ types: string[]; base: number }> = [];
    const puts: number[] = [];
    const store = createEditorStore(
      { flow: server.flow, revision: 1 },
      {
        autosaveDelayMs: 100,
        localEdits: () => false,
        applyRemote: async (edits, base) => {
          remote.push({ types: edits.map((e) => e.type), base });
          if (base !== server.revision) throw new ApiError(409, 'REVISION_CONFLICT', 'stale');
          server = { flow: applyEdits(server.flow, edits), revision: server.revision + 1 };
          return { draft: server.flow, draftRevision: server.revision, problems: [] };
        },
        save: async (definition, base) => {
          puts.push(base);
          server = { flow: definition, revision: server.revision + 1 };
          return { draftRevision: server.revision, problems: [] };
        },
      },
    );
    const s = () => store.getState();
    s().apply({ type: 'addStep', after: 'trigger', step: delayStep('a') });
    await vi.advanceTimersByTimeAsync(0);
    s().apply({ type: 'addStep', after: 'a', step: delayStep('b') });
    await s().flush();
    expect(remote).toEqual([{ types: ['addStep'], base: 1 }, { types: ['addStep'], base: 2 }]);
    expect(Object.keys(s().flow.steps)).toEqual(['a', 'b']);
    expect(s()).toMatchObject({ revision: 3, saveStatus: 'saved' });
    s().undo();
    expect(Object.keys(s().flow.steps)).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(150);
    expect(puts).toEqual([3]);

    // typing shows at once and travels as one batch (each keystroke's edit replaces the one before)
    s().apply({ type: 'renameFlow', name: 'A' }, { coalesceKey: 'name' });
    s().apply({ type: 'renameFlow', name: 'AB' }, { coalesceKey: 'name' });
    s().apply({ type: 'renameFlow', name: 'ABC' }, { coalesceKey: 'name' });
    expect(s().flow.name).toBe('ABC');
    expect(s().saveStatus).toBe('pending');
    await vi.advanceTimersByTimeAsync(350);
    expect(remote.at(-1)).toEqual({ types: ['renameFlow'], base: 4 });
    expect(server.flow.name).toBe('ABC');
    expect(s()).toMatchObject({ saveStatus: 'saved', revision: 5 });
    s().undo();
    expect(s().flow.name).toBe('Empty');
    expect(Object.keys(server.flow.steps)).toEqual(['a']);
  });

  it('keeps what was typed during a request and sends it next', async () => {
    const { applyEdits } = await import('@braid/flow-model');
    let server = { flow: emptyFlow(), revision: 1 };
    let release!: () => void;
    const batches: string[][] = [];
    const store = createEditorStore(
      { flow: server.flow, revision: 1 },
      {
        localEdits: () => false,
        applyRemote: async (edits, base) => {
          batches.push(edits.map((e) => (e.type === 'renameFlow' ? e.name : e.type)));
          if (batches.length === 1) await new Promise<void>((r) => (release = r));
          server = { flow: applyEdits(server.flow, edits), revision: base + 1 };
          return { draft: server.flow, draftRevision: server.revision, problems: [] };
        },
        save: async () => ({ draftRevision: 99, problems: [] }),
      },
    );
    store.getState().apply({ type: 'renameFlow', name: 'X' }, { coalesceKey: 'n' });
    await vi.advanceTimersByTimeAsync(350);
    store.getState().apply({ type: 'renameFlow', name: 'XY' }, { coalesceKey: 'n' });
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getState().flow.name).toBe('XY'); // not reset to the server's "X"
    await store.getState().flush();
    expect(batches).toEqual([['X'], ['XY']]);
    expect(store.getState()).toMatchObject({ saveStatus: 'saved', revision: 3 });
    expect(store.getState().flow.name).toBe('XY');
  });

  /** A server that applies edits like the runtime, answers drafts as jsonb does (keys reordered), checks revisions. */
  function remoteServer(initial: FlowDefinition, maxEdits = 500) {
    const state = { flow: initial, revision: 1, patches: [] as Array<{ count: number; base: number }>, puts: [] as number[] };
    const jsonb = (value: unknown): unknown =>
      Array.isArray(value) ? value.map(jsonb) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.length - b.length || (a < b ? -1 : 1)).map(([k, v]) => [k, jsonb(v)])) : value;
    const deps: EditorDeps = {
      localEdits: () => false,
      applyRemote: async (edits, base) => {
        const { applyEdits } = await import('@braid/flow-model');
        state.patches.push({ count: edits.length, base });
        if (edits.length > maxEdits) throw new ApiError(400, 'VALIDATION_FAILED', `edits: at most ${maxEdits}`);
        if (base !== state.revision) throw new ApiError(409, 'REVISION_CONFLICT', 'stale');
        try {
          state.flow = jsonb(applyEdits(state.flow, edits)) as FlowDefinition;
        } catch (error) {
          const refused = error as FlowEditError;
          throw new ApiError(400, 'EDIT_REJECTED', refused.message, `/edits/${refused.editIndex}`, { editCode: refused.code, editIndex: refused.editIndex });
        }
        state.revision++;
        return { draft: state.flow, draftRevision: state.revision, problems: [] };
      },
      save: async (definition, base) => {
        state.puts.push(base);
        if (base !== state.revision) throw new ApiError(409, 'REVISION_CONFLICT', 'stale');
        state.flow = jsonb(definition) as FlowDefinition;
        state.revision++;
        return { draftRevision: state.revision, problems: [] };
      },
    };
    return { state, deps };
  }

  it('sends a long run of keystrokes as one edit, and everything typed is saved', async () => {
    const { state, deps } = remoteServer(branchyFlow());
    const store = createEditorStore({ flow: state.flow, revision: 1 }, deps);
    const text = `$trigger.lines.{ "sku": sku, "note": "${'x'.repeat(600)}" }`;
    for (let i = 1; i <= text.length; i++) store.getState().apply({ type: 'updateInput', stepId: 'create', path: ['customer_id'], value: { $expr: text.slice(0, i) } }, { coalesceKey: 'create/customer_id' });
    await store.getState().flush();
    expect(state.patches).toEqual([{ count: 1, base: 1 }]);
    expect((state.flow.steps.create as { input: Record<string, unknown> }).input.customer_id).toEqual({ $expr: text });
    expect(store.getState()).toMatchObject({ saveStatus: 'saved', revision: 2 });
  });

  it('keeps the objects on screen when the server answers the same content in its own key order', async () => {
    const { state, deps } = remoteServer(branchyFlow());
    const store = createEditorStore({ flow: state.flow, revision: 1 }, deps);
    const before = store.getState().flow;
    store.getState().apply({ type: 'updateInput', stepId: 'create', path: ['customer_id'], value: { $expr: '$trigger.id' } }, { coalesceKey: 'k' });
    const shown = store.getState().flow;
    await store.getState().flush();
    expect(store.getState().flow).toBe(shown);
    expect(store.getState().savedFlow).toBe(shown);
    expect(store.getState().flow.trigger).toBe(before.trigger);
    expect(Object.keys(store.getState().flow.steps)).toEqual(Object.keys(before.steps));
  });

  it('saves an undo before the edits typed after it, so neither is lost', async () => {
    const { state, deps } = remoteServer(branchyFlow());
    const store = createEditorStore({ flow: state.flow, revision: 1 }, { ...deps, autosaveDelayMs: 800 });
    const s = () => store.getState();
    s().apply({ type: 'renameFlow', name: 'Renamed' });
    await s().flush();
    s().undo();
    s().apply({ type: 'updateInput', stepId: 'create', path: ['customer_id'], value: { $expr: '$a' } }, { coalesceKey: 'k' });
    await vi.advanceTimersByTimeAsync(2000);
    await s().flush();
    expect(state.puts).toEqual([2]);
    expect(state.patches.map((p) => p.base)).toEqual([1, 3]);
    expect(state.flow.name).toBe(branchyFlow().name);
    expect((state.flow.steps.create as { input: Record<string, unknown> }).input.customer_id).toEqual({ $expr: '$a' });
    expect(s()).toMatchObject({ saveStatus: 'saved', revision: 4 });
    expect(s().flow).toEqual(state.flow);
  });

  it('keeps showing what was typed while a step added meanwhile waits for the server', async () => {
    const { applyEdits } = await import('@braid/flow-model');
    let server = { flow: branchyFlow(), revision: 1 };
    const waiting: Array<() => void> = [];
    const release = () => waiting.shift()?.();
    const store = createEditorStore(
      { flow: server.flow, revision: 1 },
      {
        localEdits: () => false,
        applyRemote: async (edits, base) => {
          await new Promise<void>((r) => waiting.push(r));
          server = { flow: applyEdits(server.flow, edits), revision: base + 1 };
          return { draft: structuredClone(server.flow), draftRevision: server.revision, problems: [] };
        },
        save: async () => ({ draftRevision: 99, problems: [] }),
      },
    );
    const s = () => store.getState();
    const typed = (text: string) => s().apply({ type: 'updateInput', stepId: 'create', path: ['customer_id'], value: { $expr: text } }, { coalesceKey: 'c' });
    typed('$a');
    await vi.advanceTimersByTimeAsync(350); // first batch on its way
    s().apply({ type: 'addStep', after: 'create', step: delayStep('later') });
    typed('$ab');
    release();
    for (let i = 0; i < 10 && s().revision === 1; i++) await vi.advanceTimersByTimeAsync(0);
    expect(s().revision).toBe(2); // the first answer is in; the step and "$ab" are still on their way
    expect(s().flow.steps.later).toBeUndefined();
    // the answer to the first batch does not put "$a" back under the cursor
    expect((s().flow.steps.create as { input: Record<string, unknown> }).input.customer_id).toEqual({ $expr: '$ab' });
    for (let i = 0; i < 10 && s().revision === 2; i++) {
      release();
      await vi.advanceTimersByTimeAsync(0);
    }
    expect(s().saveStatus).toBe('saved');
    expect(Object.keys(s().flow.steps)).toContain('later');
    expect((server.flow.steps.create as { input: Record<string, unknown> }).input.customer_id).toEqual({ $expr: '$ab' });
  });

  it('sends a step added at once, with what is typed right after it', async () => {
    const { state, deps } = remoteServer(branchyFlow());
    const store = createEditorStore({ flow: state.flow, revision: 1 }, deps);
    store.getState().apply({ type: 'addStep', after: 'create', step: delayStep('later') });
    store.getState().apply({ type: 'renameFlow', name: 'Typed' }, { coalesceKey: 'name' });
    await vi.advanceTimersByTimeAsync(0);
    expect(state.patches).toEqual([{ count: 2, base: 1 }]);
  });

  it('sends the rest of a batch again when the server refuses one of its edits', async () => {
    const { state, deps } = remoteServer(branchyFlow());
    const onRemoteRejected = vi.fn();
    const store = createEditorStore({ flow: state.flow, revision: 1 }, { ...deps, onRemoteRejected });
    const s = () => store.getState();
    s().apply({ type: 'updateInput', stepId: 'create', path: ['customer_id'], value: { $expr: '$a' } }, { coalesceKey: 'a' });
    s().apply({ type: 'deleteStep', stepId: 'missing' });
    s().apply({ type: 'renameFlow', name: 'Typed after' }, { coalesceKey: 'name' });
    await s().flush();
    expect(state.patches.map((p) => p.count)).toEqual([3, 2]);
    expect(onRemoteRejected).toHaveBeenCalledOnce();
    expect((state.flow.steps.create as { input: Record<string, unknown> }).input.customer_id).toEqual({ $expr: '$a' });
    expect(state.flow.name).toBe('Typed after');
    expect(s().flow).toEqual(state.flow);
    expect(s()).toMatchObject({ saveStatus: 'saved', revision: 2 });
  });

  it('reports a refused edit and keeps the flow', async () => {
    const onRemoteRejected = vi.fn();
    const store = createEditorStore(
      { flow: emptyFlow(), revision: 1 },
      {
        localEdits: () => false,
        applyRemote: async () => {
          throw new ApiError(400, 'EDIT_REJECTED', 'Step "x" does not exist');
        },
        save: async () => ({ draftRevision: 2, problems: [] }),
        onRemoteRejected,
      },
    );
    store.getState().apply({ type: 'deleteStep', stepId: 'x' });
    await store.getState().flush();
    expect(onRemoteRejected).toHaveBeenCalledOnce();
    expect(store.getState().flow.start).toBeNull();
    expect(store.getState().past).toEqual([]);
  });
});

describe('editor store lifecycle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  it('keeps working after dispose + resume (StrictMode remount) and stops after dispose', async () => {
    const { store, saves } = setup();
    store.getState().dispose();
    store.getState().resume();
    store.getState().apply({ type: 'renameFlow', name: 'Still saved' });
    await vi.advanceTimersByTimeAsync(600);
    expect(saves).toHaveLength(1);
    store.getState().dispose();
    store.getState().apply({ type: 'renameFlow', name: 'Not saved' });
    await vi.advanceTimersByTimeAsync(600);
    expect(saves).toHaveLength(1);
  });
});
