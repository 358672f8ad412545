import { useState } from 'react';
import { Link } from '../../app/router';
import { StatusBadge } from '../../components/StatusBadge';
import { errorMessage } from '../../components/errors';
import { useEditor, useEditorContext } from '../canvas/editor.context';
import { JsonView } from './JsonView';
import { previewRequest, usePreviewSettings } from './preview.settings';

/** Run the draft on a sample, the last real event or pasted JSON; nodes turn green or red. */
export function PreviewPanel({ onClose }: { onClose: () => void }) {
  const { store, api, flowId } = useEditorContext();
  const preview = useEditor((s) => s.preview);
  const flow = useEditor((s) => s.flow);
  const settings = usePreviewSettings();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const request = previewRequest(settings);
      await store.getState().flush();
      store.getState().setPreview(await api.preview(flowId, request));
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <aside className="side-panel" aria-label="Preview" data-testid="preview-panel">
      <header className="panel-header">
        <h2>Preview</h2>
        <button type="button" className="icon-button" aria-label="Close the preview" onClick={onClose}>
          ×
        </button>
      </header>
      <p className="muted small">Runs this draft now, step by step. Dry run answers write steps with their sample, so nothing changes in your apps.</p>
      <fieldset className="segmented">
        <legend>Event</legend>
        {(
          [
            ['sample', "Trigger's sample"],
            ['last-event', 'Last real event'],
            ['payload', 'Paste JSON'],
          ] as const
        ).map(([value, label]) => (
          <label key={value} className={settings.source === value ? 'selected' : ''}>
            <input type="radio" name="preview-source" value={value} checked={settings.source === value} onChange={() => settings.set({ source: value })} data-testid={`preview-source-${value}`} />
            {label}
          </label>
        ))}
      </fieldset>
      {settings.source === 'payload' && (
        <label>
          Event (JSON)
          <textarea className="code" rows={6} value={settings.payloadText} onChange={(e) => settings.set({ payloadText: e.target.value })} placeholder='{ "account": { "id": "A-17" } }' data-testid="preview-payload" />
        </label>
      )}
      <fieldset className="segmented">
        <legend>Mode</legend>
        <label className={settings.mode === 'dry-run' ? 'selected' : ''}>
          <input type="radio" name="preview-mode" checked={settings.mode === 'dry-run'} onChange={() => settings.set({ mode: 'dry-run' })} data-testid="preview-mode-dry-run" />
          Dry run
        </label>
        <label className={settings.mode === 'normal' ? 'selected' : ''}>
          <input type="radio" name="preview-mode" checked={settings.mode === 'normal'} onChange={() => settings.set({ mode: 'normal' })} data-testid="preview-mode-normal" />
          Normal (really writes)
        </label>
      </fieldset>
      <button type="button" onClick={run} disabled={busy} data-testid="preview-run">
        {busy ? 'Running…' : 'Run preview'}
      </button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {preview && (
        <section className="preview-result" aria-label="Preview result" data-testid="preview-result" data-status={preview.status}>
          <h3>
            <StatusBadge status={preview.status} /> {preview.mode === 'dry-run' ? 'Dry run' : 'Preview'}{' '}
            <Link to={`/runs/${preview.runId}`} className="small">
              open as a run
            </Link>
          </h3>
          {preview.error && <p className="error">{preview.error.message ?? JSON.stringify(preview.error)}</p>}
          <ol className="preview-steps">
            {preview.steps.map((s, i) => (
              <li key={`${s.path}-${i}`}>
                <button type="button" className="link-button" onClick={() => flow.steps[s.stepId] && store.getState().select({ kind: 'step', stepId: s.stepId })}>
                  <StatusBadge status={s.status} /> {flow.steps[s.stepId]?.title ?? s.stepId}
                  {s.path !== s.stepId && <span className="muted small"> {s.path}</span>}
                </button>
              </li>
            ))}
          </ol>
          <JsonView label="Event (trigger output)" value={preview.triggerOutput} />
        </section>
      )}
    </aside>
  );
}
