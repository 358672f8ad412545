import { STEP_ID_REGEX, type Step } from '@braid/flow-model';
import { useState } from 'react';
import { toast } from '../../app/toasts';
import { errorMessage } from '../../components/errors';
import { KindPanel } from '../../nodes/panels';
import { TriggerPanel } from '../../nodes/trigger/TriggerPanel';
import { useEditor, useEditorContext } from '../canvas/editor.context';
import { moveTargets } from '../canvas/graph.moves';
import { mergeStepPreview, previewRequest, usePreviewSettings } from '../preview/preview.settings';
import { StepPreview } from '../preview/StepPreview';
import { useApply } from './useApply';

const kindNames: Record<Step['kind'], string> = { action: 'Action', branch: 'Branch', forEach: 'For each', map: 'Map data', upsertWithLink: 'Upsert with link' };

/** The right-hand panel for the selected trigger or step. */
export function StepPanel({ showPreview }: { showPreview: boolean }) {
  const { store } = useEditorContext();
  const selection = useEditor((s) => s.selection);
  const step = useEditor((s) => (s.selection?.kind === 'step' ? s.flow.steps[s.selection.stepId] : undefined));
  const close = () => store.getState().select(null);

  if (selection?.kind === 'trigger') {
    return (
      <aside className="side-panel" aria-label="Trigger" data-testid="step-panel" data-step-id="trigger">
        <header className="panel-header">
          <h2>Trigger</h2>
          <button type="button" className="icon-button" aria-label="Close the panel" onClick={close}>
            ×
          </button>
        </header>
        <TriggerPanel />
      </aside>
    );
  }
  if (!step) return null;
  return <StepDetails key={step.id} step={step} showPreview={showPreview} onClose={close} />;
}

function StepDetails({ step, showPreview, onClose }: { step: Step; showPreview: boolean; onClose: () => void }) {
  const { store, api, flowId, editable } = useEditorContext();
  const apply = useApply();
  const flow = useEditor((s) => s.flow);
  const [tab, setTab] = useState<'setup' | 'result'>(showPreview ? 'result' : 'setup');
  const [testing, setTesting] = useState(false);
  const [idDraft, setIdDraft] = useState(step.id);
  const moves = moveTargets(flow, step.id);

  const rename = () => {
    const next = idDraft.trim();
    if (next === step.id) return;
    if (!STEP_ID_REGEX.test(next)) {
      toast.error('A step id starts with a letter and uses only a–z, 0–9 and _ (at most 64 characters).');
      setIdDraft(step.id);
      return;
    }
    if (apply({ type: 'renameStep', stepId: step.id, newId: next })) store.getState().select({ kind: 'step', stepId: next });
    else setIdDraft(step.id);
  };

  const testStep = async () => {
    setTesting(true);
    try {
      const request = previewRequest(usePreviewSettings.getState(), step.id);
      await store.getState().flush();
      const result = await api.preview(flowId, request);
      store.getState().setPreview(mergeStepPreview(store.getState().preview, result, step.id));
      setTab('result');
      const mine = result.steps.filter((s) => s.stepId === step.id);
      if (mine.some((s) => s.status === 'failed')) toast.error(`“${step.title ?? step.id}” failed in the test — see its result.`);
      else toast.success(`“${step.title ?? step.id}” ran${request.mode === 'dry-run' ? ' (dry run)' : ''}.`);
    } catch (error) {
      toast.error(`Could not test the step: ${errorMessage(error)}`);
    } finally {
      setTesting(false);
    }
  };

  return (
    <aside className="side-panel" aria-label={`Step ${step.title ?? step.id}`} data-testid="step-panel" data-step-id={step.id}>
      <header className="panel-header">
        <span className="badge badge-muted">{kindNames[step.kind]}</span>
        <input
          className="panel-title-input"
          aria-label="Step title"
          value={step.title ?? ''}
          placeholder={step.id}
          disabled={!editable}
          onChange={(e) => apply({ type: 'updateStep', stepId: step.id, patch: { title: e.target.value === '' ? null : e.target.value } }, `${step.id}/title`)}
          data-testid="step-title"
        />
        <button type="button" className="icon-button" aria-label="Close the panel" onClick={onClose}>
          ×
        </button>
      </header>
      <div className="step-id-row">
        <label>
          <span className="muted small">Id in expressions: $steps.</span>
          <input className="code id-input" value={idDraft} disabled={!editable} onChange={(e) => setIdDraft(e.target.value)} onBlur={rename} onKeyDown={(e) => e.key === 'Enter' && rename()} aria-label="Step id" data-testid="step-id" />
        </label>
      </div>
      {editable && (
        <div className="step-actions" role="toolbar" aria-label="Step actions">
          <button type="button" className="secondary small" onClick={testStep} disabled={testing} data-testid="test-step">
            {testing ? 'Testing…' : 'Test this step'}
          </button>
          <button type="button" className="ghost small" onClick={() => apply({ type: 'duplicateStep', stepId: step.id })} data-testid="duplicate-step" title="Ctrl+D">
            Duplicate
          </button>
          <button type="button" className="ghost small" disabled={!moves.up} onClick={() => moves.up && apply({ type: 'moveStep', stepId: step.id, after: moves.up })} data-testid="move-up" aria-label="Move up">
            ↑
          </button>
          <button type="button" className="ghost small" disabled={!moves.down} onClick={() => moves.down && apply({ type: 'moveStep', stepId: step.id, after: moves.down })} data-testid="move-down" aria-label="Move down">
            ↓
          </button>
          <button type="button" className="ghost small danger" onClick={() => apply({ type: 'deleteStep', stepId: step.id })} data-testid="delete-step" title="Delete">
            Delete
          </button>
        </div>
      )}
      <div className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'setup'} className={tab === 'setup' ? 'tab active' : 'tab'} onClick={() => setTab('setup')}>
          Set up
        </button>
        <button type="button" role="tab" aria-selected={tab === 'result'} className={tab === 'result' ? 'tab active' : 'tab'} onClick={() => setTab('result')} data-testid="step-result-tab">
          Last result
        </button>
      </div>
      <div role="tabpanel">{tab === 'setup' ? <KindPanel step={step} /> : <StepPreview stepId={step.id} />}</div>
    </aside>
  );
}
