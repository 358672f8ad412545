import type { InsertPosition } from '@braid/flow-model';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { flowsApi, type FlowDetail } from '../../api/flows';
import { detectEvalAllowed, evalAllowed } from '../../app/eval.policy';
import { queryKeys, useConnectionsList, useConnectors } from '../../app/queries';
import { Link } from '../../app/router';
import { canEdit, useWorkspace } from '../../app/session.store';
import { toast } from '../../app/toasts';
import { EmptyState } from '../../components/EmptyState';
import { errorMessage } from '../../components/errors';
import { DirectionBadge } from '../../components/StatusBadge';
import { AddStepDialog } from './AddStepDialog';
import { Canvas } from './Canvas';
import { EditorContext, type EditorContextValue, useEditor, useEditorContext } from './editor.context';
import { createEditorStore, type EditorStore } from './editor.store';
import { TRIGGER_NODE_ID } from './graph.derive';
import { editorCommand } from './keyboard';
import { collectProblems, problemsByStep } from './problems';
import { PublishDialog } from './PublishDialog';

// The step panel carries the forms (@rjsf) and the JSONata previews: loaded when a step is first opened.
const loadStepPanel = () => import('../step-panel/StepPanel');
const loadPreviewPanel = () => import('../preview/PreviewPanel');
const StepPanel = lazy(() => loadStepPanel().then((m) => ({ default: m.StepPanel })));
const PreviewPanel = lazy(() => loadPreviewPanel().then((m) => ({ default: m.PreviewPanel })));

/** One flow open in the editor: canvas, step panel, preview, publish. */
export function FlowEditorPage({ flowId }: { flowId: string }) {
  const workspace = useWorkspace();
  const connectors = useConnectors();
  const detail = useQuery({ queryKey: queryKeys.flow(workspace.id, flowId), queryFn: () => flowsApi(workspace.id).get(flowId), staleTime: Infinity, gcTime: 0 });
  const policy = useQuery({ queryKey: ['eval-policy'], queryFn: detectEvalAllowed, staleTime: Infinity });

  if (detail.isError || connectors.isError) {
    return (
      <EmptyState title="This flow could not be opened" action={<Link to="/flows">Back to the flows</Link>}>
        {errorMessage(detail.error ?? connectors.error)}
      </EmptyState>
    );
  }
  if (!detail.data || !connectors.data || policy.isPending) return <p className="muted page-loading">Opening the flow…</p>;
  return <FlowEditor detail={detail.data} catalog={connectors.data} />;
}

function FlowEditor({ detail: initial, catalog }: { detail: FlowDetail; catalog: EditorContextValue['catalog'] }) {
  const workspace = useWorkspace();
  const queryClient = useQueryClient();
  const api = useMemo(() => flowsApi(workspace.id), [workspace.id]);
  const flowId = initial.id;
  const [detail, setDetail] = useState(initial);
  const [store] = useState<EditorStore>(() =>
    createEditorStore(
      { flow: initial.draft, revision: initial.draftRevision, problems: initial.problems },
      {
        save: async (definition, baseRevision) => {
          const saved = await api.replaceDraft(flowId, definition, baseRevision);
          setDetail(saved);
          return { draftRevision: saved.draftRevision, problems: saved.problems };
        },
        onConflict: () => {
          void toast.during('Someone else changed this flow: loading their version…', async () => {
            const fresh = await api.get(flowId);
            store.getState().reset(fresh.draft, fresh.draftRevision, fresh.problems);
            setDetail(fresh);
          }, () => 'Loaded the latest draft. Your last change was not saved: please make it again.');
        },
        onSaveError: (error) => toast.error(`The draft could not be saved: ${errorMessage(error)}. It is saved with your next change.`),
        localEdits: evalAllowed,
        applyRemote: async (edits, baseRevision) => {
          const saved = await api.editDraft(flowId, edits, baseRevision);
          setDetail(saved);
          return { draft: saved.draft, draftRevision: saved.draftRevision, problems: saved.problems };
        },
        onRemoteRejected: (error) => toast.error(errorMessage(error)),
      },
    ),
  );
  const connections = useConnectionsList(workspace.id);
  const flow = useStore(store, (s) => s.flow);
  const serverProblems = useStore(store, (s) => s.serverProblems);
  const deferredFlow = useDeferredValue(flow);
  const problemList = useMemo(
    () => collectProblems(deferredFlow, catalog, serverProblems, connections.data?.map((c) => c.id), evalAllowed()),
    [deferredFlow, catalog, serverProblems, connections.data],
  );
  const editable = canEdit(workspace);
  const context: EditorContextValue = useMemo(
    () => ({ store, workspaceId: workspace.id, flowId, catalog, api, editable, problems: problemsByStep(problemList) }),
    [store, workspace.id, flowId, catalog, api, editable, problemList],
  );

  useEffect(() => {
    store.getState().resume();
    return () => {
      void store.getState().flush();
      store.getState().dispose();
      void queryClient.invalidateQueries({ queryKey: queryKeys.flows(workspace.id) });
    };
  }, [store, queryClient, workspace.id]);

  // Fetch the panels while the person looks at the canvas, so the first click opens at once.
  useEffect(() => {
    const id = setTimeout(() => void loadStepPanel().then(loadPreviewPanel), 300);
    return () => clearTimeout(id);
  }, []);

  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => {
      const status = store.getState().saveStatus;
      if (status === 'pending' || status === 'saving') {
        void store.getState().flush();
        event.preventDefault();
      }
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [store]);

  const [inserting, setInserting] = useState<InsertPosition | null>(null);
  const [publishing, setPublishing] = useState(false);
  const [previewOpen, setPreviewOpen] = useState(false);
  const onInsert = useCallback((insert: InsertPosition) => setInserting(insert), []);

  const connectionsByConnector = useMemo(() => {
    const map = new Map<string, string[]>();
    for (const c of connections.data ?? []) map.set(c.connectorKey, [...(map.get(c.connectorKey) ?? []), c.id]);
    return map;
  }, [connections.data]);

  // Shortcuts work wherever focus is on the page (after a delete the focused node is gone), except while a
  // dialog is open or a text field has focus.
  const shortcutState = useRef({ blocked: false, editable });
  shortcutState.current = { blocked: Boolean(inserting || publishing), editable };
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (shortcutState.current.blocked || event.defaultPrevented) return;
      if (document.querySelector('[role=dialog][aria-modal=true]')) return;
      const target = event.target as HTMLElement | null;
      // Keyboard users: Tab to a node, Enter or Space opens it in the panel.
      if (target?.classList?.contains('react-flow__node') && (event.key === 'Enter' || event.key === ' ')) {
        const id = target.getAttribute('data-id');
        if (id === TRIGGER_NODE_ID) store.getState().select({ kind: 'trigger' });
        else if (id && store.getState().flow.steps[id]) store.getState().select({ kind: 'step', stepId: id });
        event.preventDefault();
        return;
      }
      if (!shortcutState.current.editable) return;
      const command = editorCommand(event, target);
      if (!command) return;
      const state = store.getState();
      const selected = state.selection?.kind === 'step' ? state.selection.stepId : undefined;
      if (command === 'undo') state.undo();
      else if (command === 'redo') state.redo();
      else if (command === 'deselect') state.select(null);
      else if (command === 'delete' && selected) {
        const result = state.apply({ type: 'deleteStep', stepId: selected });
        if (!result.ok) toast.error(result.error.message);
      } else if (command === 'duplicate' && selected) {
        const result = state.apply({ type: 'duplicateStep', stepId: selected });
        if (!result.ok) toast.error(result.error.message);
      } else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [store]);

  return (
    <EditorContext.Provider value={context}>
      <div className="flow-editor" data-testid="flow-editor">
        <EditorHeader detail={detail} problemCount={problemList.length} onPublish={() => setPublishing(true)} previewOpen={previewOpen} onTogglePreview={() => setPreviewOpen((o) => !o)} />
        <div className="editor-body">
          <Canvas onInsert={onInsert} />
          <SidePanel previewOpen={previewOpen} onClosePreview={() => setPreviewOpen(false)} />
        </div>
        {inserting && <AddStepDialog insert={inserting} onClose={() => setInserting(null)} connectionsByConnector={connectionsByConnector} />}
        {publishing && (
          <PublishDialog
            detail={detail}
            problems={problemList}
            onClose={() => setPublishing(false)}
            onPublished={(published) => {
              setDetail(published);
              void queryClient.invalidateQueries({ queryKey: queryKeys.flows(workspace.id) });
            }}
          />
        )}
      </div>
    </EditorContext.Provider>
  );
}

function SidePanel({ previewOpen, onClosePreview }: { previewOpen: boolean; onClosePreview: () => void }) {
  const selection = useEditor((s) => s.selection);
  if (!selection && !previewOpen) {
    return (
      <aside className="side-panel side-panel-hint" aria-label="Help">
        <h2>Build your flow</h2>
        <p className="muted">Select a step to set it up, or press + on a line to add one. Changes save on their own.</p>
        <ul className="muted small shortcut-list">
          <li><kbd>Ctrl</kbd>/<kbd>⌘</kbd>+<kbd>Z</kbd> undo, <kbd>Ctrl</kbd>+<kbd>Y</kbd> redo</li>
          <li><kbd>Delete</kbd> removes the selected step, <kbd>Ctrl</kbd>+<kbd>D</kbd> duplicates it</li>
          <li><kbd>Esc</kbd> clears the selection</li>
        </ul>
      </aside>
    );
  }
  return (
    <Suspense fallback={<aside className="side-panel"><p className="muted">Loading…</p></aside>}>
      {previewOpen && !selection ? <PreviewPanel onClose={onClosePreview} /> : <StepPanel showPreview={previewOpen} />}
    </Suspense>
  );
}

const saveText: Record<string, string> = { saved: 'All changes saved', pending: 'Unsaved changes…', saving: 'Saving…', error: 'Not saved', conflict: 'Changed elsewhere' };

function EditorHeader({ detail, problemCount, onPublish, previewOpen, onTogglePreview }: { detail: FlowDetail; problemCount: number; onPublish: () => void; previewOpen: boolean; onTogglePreview: () => void }) {
  const { store, editable } = useEditorContext();
  const name = useEditor((s) => s.flow.name);
  const [nameDraft, setNameDraft] = useState<string | null>(null);
  const direction = useEditor((s) => s.flow.direction);
  const saveStatus = useEditor((s) => s.saveStatus);
  const canUndo = useEditor((s) => s.past.length > 0);
  const canRedo = useEditor((s) => s.future.length > 0);
  const unpublished = useEditor((s) => s.flow !== s.savedFlow) || detail.hasUnpublishedChanges || !detail.publishedVersion;

  return (
    <header className="editor-header">
      <Link to="/flows" className="ghost back-link" aria-label="Back to the flows">
        ←
      </Link>
      <input
        className="flow-title-input"
        aria-label="Flow name"
        // While the field has focus it shows what is typed, even when that is (for a moment) empty: a flow needs a
        // name, so an empty one is not applied, and showing the stored name instead put it back under the cursor.
        value={nameDraft ?? name}
        readOnly={!editable}
        maxLength={200}
        onFocus={() => setNameDraft(name)}
        onBlur={() => setNameDraft(null)}
        onChange={(e) => {
          setNameDraft(e.target.value);
          if (e.target.value.trim()) store.getState().apply({ type: 'renameFlow', name: e.target.value }, { coalesceKey: 'flow-name' });
        }}
        data-testid="flow-name"
      />
      <DirectionBadge direction={direction} />
      <span className={`save-status save-${saveStatus}`} role="status" data-testid="save-status" data-status={saveStatus}>
        {saveText[saveStatus]}
      </span>
      <span className="header-spacer" />
      {editable && (
        <div className="button-group" role="group" aria-label="History">
          <button type="button" className="ghost" onClick={() => store.getState().undo()} disabled={!canUndo} aria-label="Undo" title="Undo (Ctrl+Z)" data-testid="undo">
            ↶
          </button>
          <button type="button" className="ghost" onClick={() => store.getState().redo()} disabled={!canRedo} aria-label="Redo" title="Redo (Ctrl+Y)" data-testid="redo">
            ↷
          </button>
        </div>
      )}
      {problemCount > 0 && (
        <span className="badge badge-warn" title="Problems stop publishing; they are shown on the steps" data-testid="problem-count">
          {problemCount} problem{problemCount === 1 ? '' : 's'}
        </span>
      )}
      <span className="muted small">{detail.publishedVersion ? `v${detail.publishedVersion.version}${detail.enabled ? ' · on' : ' · off'}` : 'never published'}</span>
      {editable && (
        <button type="button" className={previewOpen ? 'secondary active' : 'secondary'} aria-pressed={previewOpen} onClick={onTogglePreview} data-testid="preview-toggle">
          Preview
        </button>
      )}
      {editable && (
        <button type="button" onClick={onPublish} data-testid="publish" disabled={!unpublished && problemCount === 0 && Boolean(detail.publishedVersion)} title={unpublished ? undefined : 'Nothing changed since the last version'}>
          Publish
        </button>
      )}
    </header>
  );
}
