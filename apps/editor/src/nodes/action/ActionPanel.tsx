import type { ActionStep } from '@braid/flow-model';
import { ConnectorIcon } from '../../components/ConnectorIcon';
import { useEditorContext } from '../../features/canvas/editor.context';
import { ConnectionSelect } from '../../features/step-panel/ConnectionSelect';
import { InputForm } from '../../features/step-panel/InputForm';
import { RetrySettings } from '../../features/step-panel/RetrySettings';
import { useApply } from '../../features/step-panel/useApply';

/** An action step: which action, which connection, its inputs, retries. */
export function ActionPanel({ step }: { step: ActionStep }) {
  const { catalog, workspaceId, problems, editable } = useEditorContext();
  const apply = useApply();
  const connector = catalog.find((c) => c.key === step.connector);
  const action = connector?.actions.find((a) => a.key === step.action);
  const stepProblems = problems.get(step.id) ?? [];

  return (
    <div className="kind-panel">
      <div className="action-head">
        <ConnectorIcon connector={connector} size={32} />
        <div>
          <label className="field-label" htmlFor={`action-${step.id}`}>
            {connector?.title ?? step.connector} action
          </label>
          <select
            id={`action-${step.id}`}
            value={step.action}
            disabled={!editable}
            onChange={(e) => apply({ type: 'updateStep', stepId: step.id, patch: { action: e.target.value, input: {} } })}
            data-testid="action-select"
          >
            {!action && <option value={step.action}>{step.action} (unknown)</option>}
            {connector?.actions.map((a) => (
              <option key={a.key} value={a.key}>
                {a.title}
              </option>
            ))}
          </select>
        </div>
      </div>
      {action && <p className="muted small">{action.description}</p>}
      {!connector && <p className="error">The app “{step.connector}” is not installed on this Braid. Remove this step or install the connector.</p>}
      {action && (action.requiresConnection || (connector && connector.auth.kind !== 'none')) && (
        <ConnectionSelect
          workspaceId={workspaceId}
          connectorKey={step.connector}
          connectorTitle={connector?.title ?? step.connector}
          value={step.connectionRef}
          disabled={!editable}
          onChange={(connectionRef) => apply({ type: 'updateStep', stepId: step.id, patch: { connectionRef: connectionRef ?? null } })}
        />
      )}
      {action && (
        <section aria-label="Inputs">
          <h3 className="section-title">Inputs</h3>
          <InputForm
            schema={action.inputSchema}
            input={step.input}
            dynamicOptions={action.dynamicOptions}
            onChange={(name, value) => apply({ type: 'updateInput', stepId: step.id, path: [name], value }, `${step.id}/input/${name}`)}
            stepId={step.id}
            workspaceId={workspaceId}
            connectionId={step.connectionRef}
            problems={stepProblems}
            pointerBase={`/steps/${step.id}/input`}
            disabled={!editable}
          />
        </section>
      )}
      <RetrySettings step={step} disabled={!editable} onChange={(patch) => apply({ type: 'updateStep', stepId: step.id, patch })} />
    </div>
  );
}
