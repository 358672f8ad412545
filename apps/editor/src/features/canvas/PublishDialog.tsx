import { diffFlows, type FlowChange, type Problem } from '@braid/flow-model';
import { useEffect, useState } from 'react';
import { ApiError } from '../../api/client';
import type { FlowDetail } from '../../api/flows';
import { toast } from '../../app/toasts';
import { Dialog } from '../../components/Dialog';
import { errorMessage } from '../../components/errors';
import { useEditorContext } from './editor.context';

type Baseline = { kind: 'loading' } | { kind: 'first' } | { kind: 'version'; version: number; changes: FlowChange[] } | { kind: 'error'; message: string };

/** What changed since the last published version, the problems that would stop publishing, and Publish. */
export function PublishDialog({ detail, problems, onClose, onPublished }: { detail: Pick<FlowDetail, 'publishedVersion' | 'enabled'>; problems: Problem[]; onClose: () => void; onPublished: (detail: FlowDetail) => void }) {
  const { store, api, flowId, catalog } = useEditorContext();
  const [baseline, setBaseline] = useState<Baseline>({ kind: 'loading' });
  const [serverProblems, setServerProblems] = useState<Problem[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [enableAfter, setEnableAfter] = useState(!detail.enabled);

  useEffect(() => {
    let cancelled = false;
    const published = detail.publishedVersion;
    if (!published) {
      setBaseline({ kind: 'first' });
      return;
    }
    api
      .version(flowId, published.version)
      .then((version) => {
        if (!cancelled) setBaseline({ kind: 'version', version: published.version, changes: diffFlows(version.definition, store.getState().flow, { catalog }) });
      })
      .catch((caught: unknown) => !cancelled && setBaseline({ kind: 'error', message: errorMessage(caught) }));
    return () => {
      cancelled = true;
    };
  }, [api, flowId, catalog, store, detail.publishedVersion]);

  const publish = async () => {
    setBusy(true);
    setError(undefined);
    setServerProblems([]);
    try {
      await store.getState().flush();
      if (store.getState().saveStatus === 'conflict' || store.getState().saveStatus === 'error') throw new Error(store.getState().saveError ?? 'The draft could not be saved.');
      let result = await api.publish(flowId);
      if (enableAfter && !result.enabled) result = await api.setEnabled(flowId, true);
      toast.success(`Published version ${result.publishedVersion?.version ?? ''}${enableAfter ? ' and turned the flow on' : ''}`);
      onPublished(result);
      onClose();
    } catch (caught) {
      const listed = caught instanceof ApiError ? (caught.details as { problems?: Problem[] } | undefined)?.problems : undefined;
      if (listed?.length) setServerProblems(listed);
      setError(errorMessage(caught));
      setBusy(false);
    }
  };

  const shownProblems = serverProblems.length ? serverProblems : problems;
  return (
    <Dialog
      title="Publish this flow"
      onClose={onClose}
      wide
      testId="publish-dialog"
      footer={
        <>
          <label className="inline-check">
            <input type="checkbox" checked={enableAfter} onChange={(e) => setEnableAfter(e.target.checked)} disabled={detail.enabled} />
            {detail.enabled ? 'The flow is on: the new version runs for the next events' : 'Turn the flow on after publishing'}
          </label>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="button" onClick={publish} disabled={busy} data-testid="publish-confirm">
            {busy ? 'Publishing…' : 'Publish'}
          </button>
        </>
      }
    >
      {baseline.kind === 'loading' && <p className="muted">Comparing with the published version…</p>}
      {baseline.kind === 'first' && <p>This is the first version of the flow. Publishing freezes the draft as version 1; later edits stay in the draft until you publish again.</p>}
      {baseline.kind === 'error' && <p className="error">Could not load the published version: {baseline.message}</p>}
      {baseline.kind === 'version' && (
        <section aria-label="Changes">
          <h3>Changes since version {baseline.version}</h3>
          {baseline.changes.length === 0 ? (
            <p className="muted">Nothing changed since version {baseline.version}.</p>
          ) : (
            <ul className="change-list" data-testid="publish-changes">
              {baseline.changes.map((change, i) => (
                <li key={i} className={`change change-${change.kind}`}>
                  {change.message}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {shownProblems.length > 0 && (
        <section aria-label="Problems" className="problem-box">
          <h3>{shownProblems.length === 1 ? '1 problem stops publishing' : `${shownProblems.length} problems stop publishing`}</h3>
          <ul data-testid="publish-problems">
            {shownProblems.map((p, i) => (
              <li key={i}>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => {
                    store.getState().select(p.stepId ? { kind: 'step', stepId: p.stepId } : p.pointer.startsWith('/trigger') ? { kind: 'trigger' } : null);
                    onClose();
                  }}
                >
                  {p.message}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {error && !serverProblems.length && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </Dialog>
  );
}
