import { applyEdits, FlowEditError, type FlowDefinition, type FlowEdit, type Problem, type StepId } from '@braid/flow-model';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { ApiError } from '../../api/client';
import type { PreviewResult } from '../../api/flows';
import { applyOptimisticAll, applyOptimisticSome } from './edit.optimistic';
import { compactEdits, keepEqualParts } from './edit.queue';

/** The API takes at most this many edits per PATCH …/draft. */
const MAX_BATCH = 500;

/** Which edit of a batch the server refused (400 EDIT_REJECTED names it in details.editIndex), if it says. */
function refusedEditIndex(error: unknown, batchLength: number): number | undefined {
  if (!(error instanceof ApiError) || error.status !== 400) return undefined;
  const index = (error.details as { editIndex?: unknown } | undefined)?.editIndex;
  return typeof index === 'number' && Number.isInteger(index) && index >= 0 && index < batchLength ? index : undefined;
}

export type Selection = { kind: 'trigger' } | { kind: 'step'; stepId: StepId } | null;
export type SaveStatus = 'saved' | 'pending' | 'saving' | 'error' | 'conflict';

export interface EditorDeps {
  /** Stores the draft; answers the new revision and the server's publish problems. */
  save(definition: FlowDefinition, baseRevision: number): Promise<{ draftRevision: number; problems: Problem[] }>;
  /** The draft moved on elsewhere (HTTP 409): the page reloads it. */
  onConflict?(error: ApiError): void;
  onSaveError?(error: unknown): void;
  /** Quiet time after the last edit before the draft is saved. */
  autosaveDelayMs?: number;
  historyLimit?: number;
  /**
   * False when edits cannot be applied in the browser (a Content-Security-Policy without 'unsafe-eval'
   * stops flow-model's schema checks): each edit is then sent to `applyRemote` instead.
   */
  localEdits?: () => boolean;
  /** Applies edits on the server (PATCH …/draft) and answers the new draft. */
  applyRemote?(edits: FlowEdit[], baseRevision: number): Promise<{ draft: FlowDefinition; draftRevision: number; problems: Problem[] }>;
  /** The server refused an edit (its message says why). */
  onRemoteRejected?(error: unknown): void;
}

export interface EditorState {
  flow: FlowDefinition;
  /** What the server holds (the last successful save or load). */
  savedFlow: FlowDefinition;
  revision: number;
  past: FlowDefinition[];
  future: FlowDefinition[];
  saveStatus: SaveStatus;
  saveError: string | null;
  /** Problems the server reported with the last save (connections it knows about, etc.). */
  serverProblems: Problem[];
  selection: Selection;
  preview: PreviewResult | null;

  /** Applies edits as one undoable change. Typing into one field coalesces into one history entry per `coalesceKey`. */
  apply(edits: FlowEdit | FlowEdit[], options?: { coalesceKey?: string }): { ok: true } | { ok: false; error: FlowEditError };
  undo(): void;
  redo(): void;
  select(selection: Selection): void;
  setPreview(preview: PreviewResult | null): void;
  /** Saves now (e.g. before publishing or leaving the page). */
  flush(): Promise<void>;
  /** Replaces the flow with the server's (after a conflict). History is cleared. */
  reset(flow: FlowDefinition, revision: number, problems?: Problem[]): void;
  /** Stops timers and ignores answers still on their way (the editor closed). */
  dispose(): void;
  /** Undoes dispose (React StrictMode mounts, unmounts and mounts again with the same store). */
  resume(): void;
}

export type EditorStore = StoreApi<EditorState>;

/** One store per open flow: the flow JSON is the truth; undo/redo are flows; edits autosave after a quiet time. */
export function createEditorStore(initial: { flow: FlowDefinition; revision: number; problems?: Problem[] }, deps: EditorDeps): EditorStore {
  const delay = deps.autosaveDelayMs ?? 800;
  const historyLimit = deps.historyLimit ?? 200;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> | undefined;
  let lastCoalesceKey: string | undefined;
  let disposed = false;
  let queue: FlowEdit[] = [];
  /** History entries pushed by the queued edits (dropped again when the server refuses them). */
  let queuedHistory = 0;
  let remoteInFlight: Promise<void> | undefined;
  let sendTimer: ReturnType<typeof setTimeout> | undefined;
  let sendNow = false;

  const remoteEdits = () => Boolean(deps.localEdits && !deps.localEdits() && deps.applyRemote);

  const store = createStore<EditorState>()((set, get) => {
    const schedule = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        void save();
      }, delay);
    };

    const save = async (): Promise<void> => {
      if (disposed) return;
      if (remoteInFlight || queue.length) await flushRemote();
      if (inFlight) {
        await inFlight;
        if (get().flow !== get().savedFlow && get().saveStatus !== 'conflict') return save();
        return;
      }
      const { flow, savedFlow, revision, saveStatus } = get();
      if (saveStatus === 'conflict') return;
      if (flow === savedFlow) {
        set({ saveStatus: 'saved' });
        return;
      }
      set({ saveStatus: 'saving', saveError: null });
      inFlight = (async () => {
        try {
          const result = await deps.save(flow, revision);
          if (disposed) return;
          const changedMeanwhile = get().flow !== flow;
          set({ savedFlow: flow, revision: result.draftRevision, serverProblems: result.problems, saveStatus: changedMeanwhile ? 'pending' : 'saved' });
          if (changedMeanwhile) schedule();
        } catch (error) {
          if (disposed) return;
          if (error instanceof ApiError && error.status === 409) {
            set({ saveStatus: 'conflict', saveError: error.message });
            deps.onConflict?.(error);
          } else {
            set({ saveStatus: 'error', saveError: error instanceof Error ? error.message : String(error) });
            deps.onSaveError?.(error);
          }
        } finally {
          inFlight = undefined;
        }
      })();
      await inFlight;
    };

    // Server-applied edits: queued, sent in batches (one PATCH with every edit made meanwhile), shown at once
    // when they are simple value edits (applyOptimistic), else when the server answers.
    const sendQueue = async (): Promise<void> => {
      if (remoteInFlight) {
        await remoteInFlight;
        return sendQueue();
      }
      // A whole-draft save (undo/redo) goes first: edits sent beside it would be based on the same revision.
      if (inFlight) {
        await inFlight;
        return sendQueue();
      }
      if (disposed || queue.length === 0 || !deps.applyRemote || get().saveStatus === 'conflict') return;
      const batch = queue.slice(0, MAX_BATCH);
      queue = queue.slice(MAX_BATCH);
      const batchHistory = queue.length === 0 ? queuedHistory : 0;
      if (queue.length === 0) queuedHistory = 0;
      set({ saveStatus: 'saving', saveError: null });
      remoteInFlight = (async () => {
        try {
          const result = await deps.applyRemote!(batch, get().revision);
          if (disposed) return;
          // What the server holds, sharing every unchanged part with what the page shows (same objects, same
          // key order), then what was typed since on top: fields not touched keep their values and editors.
          const current = get().flow;
          const saved = keepEqualParts(current, result.draft);
          const shown = queue.length ? keepEqualParts(current, applyOptimisticSome(saved, queue)) : saved;
          const selection = get().selection;
          const keep = selection?.kind !== 'step' || shown.steps[selection.stepId] !== undefined;
          set({ flow: shown, savedFlow: saved, revision: result.draftRevision, serverProblems: result.problems, saveStatus: queue.length ? 'pending' : 'saved', ...(keep ? {} : { selection: null }) });
        } catch (error) {
          if (disposed) return;
          if (error instanceof ApiError && error.status === 409) {
            queue = [];
            queuedHistory = 0;
            set({ saveStatus: 'conflict', saveError: error.message });
            deps.onConflict?.(error);
          } else if (batch.length > 1 && refusedEditIndex(error, batch.length) !== undefined) {
            // One edit of the batch was refused (the API says which): the others — often what was typed just
            // before or after it — are sent again without it instead of being lost with it.
            const refused = refusedEditIndex(error, batch.length)!;
            queue = compactEdits([...batch.filter((_, i) => i !== refused), ...queue]);
            queuedHistory += batchHistory;
            const saved = get().savedFlow;
            set({ flow: keepEqualParts(get().flow, applyOptimisticSome(saved, queue)), saveStatus: 'pending' });
            deps.onRemoteRejected?.(error);
          } else {
            // The batch is refused as a whole: show the server's flow with what was typed since.
            const saved = get().savedFlow;
            const past = queue.length === 0 && batchHistory > 0 ? get().past.slice(0, -batchHistory) : get().past;
            set({ flow: queue.length ? keepEqualParts(get().flow, applyOptimisticSome(saved, queue)) : saved, past, saveStatus: queue.length ? 'pending' : 'saved' });
            deps.onRemoteRejected?.(error);
          }
        } finally {
          remoteInFlight = undefined;
        }
      })();
      await remoteInFlight;
      if (queue.length) return sendQueue();
    };

    const scheduleSend = (delayMs: number) => {
      // A send due at once (a step added, a trigger picked) goes at once: keys typed right after it join it
      // instead of holding it back for the typing pause.
      if (sendTimer && sendNow) return;
      if (sendTimer) clearTimeout(sendTimer);
      sendNow = delayMs === 0;
      sendTimer = setTimeout(() => {
        sendTimer = undefined;
        sendNow = false;
        void sendQueue();
      }, delayMs);
    };

    const flushRemote = async () => {
      if (sendTimer) {
        clearTimeout(sendTimer);
        sendTimer = undefined;
        sendNow = false;
      }
      await sendQueue();
    };

    const applyRemotely = (list: FlowEdit[], coalesce: boolean) => {
      const { flow, past } = get();
      const optimistic = applyOptimisticAll(flow, list);
      const nextPast = coalesce ? past : [...past, flow].slice(-historyLimit);
      if (!coalesce) queuedHistory++;
      queue = compactEdits([...queue, ...list]);
      set({ ...(optimistic ? { flow: optimistic } : {}), past: nextPast, future: [], saveStatus: 'pending' });
      // Typing waits a moment so keystrokes travel together; anything else goes at once.
      scheduleSend(coalesce || (optimistic && list.every((e) => e.type !== 'addStep')) ? 300 : 0);
    };

    const changeTo = (flow: FlowDefinition, history: Pick<EditorState, 'past' | 'future'>) => {
      const selection = get().selection;
      const keep = selection?.kind !== 'step' || flow.steps[selection.stepId] !== undefined;
      set({ flow, ...history, saveStatus: get().saveStatus === 'conflict' ? 'conflict' : 'pending', ...(keep ? {} : { selection: null }) });
      // With server-applied edits, an undo is saved at once: edits typed after it must reach a server that
      // already has it (else the answer to them would bring the undone change back).
      if (remoteEdits()) void save();
      else schedule();
    };

    return {
      flow: initial.flow,
      savedFlow: initial.flow,
      revision: initial.revision,
      past: [],
      future: [],
      saveStatus: 'saved',
      saveError: null,
      serverProblems: initial.problems ?? [],
      selection: null,
      preview: null,

      apply(edits, options = {}) {
        const list = Array.isArray(edits) ? edits : [edits];
        if (remoteEdits()) {
          const coalesceRemote = options.coalesceKey !== undefined && options.coalesceKey === lastCoalesceKey && get().past.length > 0;
          lastCoalesceKey = options.coalesceKey;
          applyRemotely(list, coalesceRemote);
          return { ok: true };
        }
        const { flow, past } = get();
        let next: FlowDefinition;
        try {
          next = applyEdits(flow, list);
        } catch (error) {
          if (error instanceof FlowEditError) return { ok: false, error };
          throw error;
        }
        const coalesce = options.coalesceKey !== undefined && options.coalesceKey === lastCoalesceKey && past.length > 0;
        lastCoalesceKey = options.coalesceKey;
        const nextPast = coalesce ? past : [...past, flow].slice(-historyLimit);
        changeTo(next, { past: nextPast, future: [] });
        return { ok: true };
      },
      undo() {
        if (queue.length || remoteInFlight) {
          void flushRemote().then(() => get().undo());
          return;
        }
        const { past, future, flow } = get();
        const previous = past[past.length - 1];
        if (!previous) return;
        lastCoalesceKey = undefined;
        changeTo(previous, { past: past.slice(0, -1), future: [flow, ...future] });
      },
      redo() {
        if (queue.length || remoteInFlight) {
          void flushRemote().then(() => get().redo());
          return;
        }
        const { past, future, flow } = get();
        const next = future[0];
        if (!next) return;
        lastCoalesceKey = undefined;
        changeTo(next, { past: [...past, flow], future: future.slice(1) });
      },
      select(selection) {
        lastCoalesceKey = undefined;
        set({ selection });
      },
      setPreview(preview) {
        set({ preview });
      },
      async flush() {
        if (timer) {
          clearTimeout(timer);
          timer = undefined;
        }
        await flushRemote();
        await save();
      },
      reset(flow, revision, problems) {
        if (timer) clearTimeout(timer);
        timer = undefined;
        lastCoalesceKey = undefined;
        const selection = get().selection;
        const keep = selection?.kind !== 'step' || flow.steps[selection.stepId] !== undefined;
        set({ flow, savedFlow: flow, revision, past: [], future: [], saveStatus: 'saved', saveError: null, serverProblems: problems ?? [], ...(keep ? {} : { selection: null }) });
      },
      dispose() {
        disposed = true;
        if (timer) clearTimeout(timer);
        if (sendTimer) clearTimeout(sendTimer);
        sendTimer = undefined;
        sendNow = false;
      },
      resume() {
        disposed = false;
        if (queue.length) scheduleSend(0);
        if (get().flow !== get().savedFlow && get().saveStatus !== 'conflict') schedule();
      },
    };
  });
  return store;
}
