import { Suspense } from 'react';
import { optionalComponent } from '../../app/optional';
import { ConnectorIcon } from '../../components/ConnectorIcon';
import { useEditor, useEditorContext } from '../../features/canvas/editor.context';
import { JsonView } from '../../features/preview/JsonView';
import { ConnectionSelect } from '../../features/step-panel/ConnectionSelect';
import { InputForm } from '../../features/step-panel/InputForm';
import { useApply } from '../../features/step-panel/useApply';

const WebhookHelp = optionalComponent<{ workspaceId: string; flowId: string }>('../features/webhook-help/WebhookHelp.tsx', 'WebhookHelp');

/** What starts the flow: the app event, schedule or webhook, its connection and settings, its sample. */
export function TriggerPanel() {
  const { catalog, workspaceId, flowId, problems, editable } = useEditorContext();
  const trigger = useEditor((s) => s.flow.trigger);
  const apply = useApply();
  const connector = catalog.find((c) => c.key === trigger.connector);
  const descriptor = connector?.triggers.find((t) => t.key === trigger.trigger);
  const triggerProblems = (problems.get('') ?? []).filter((p) => p.pointer.startsWith('/trigger'));
  const choices = catalog.flatMap((c) => c.triggers.map((t) => ({ connector: c, trigger: t })));

  return (
    <div className="kind-panel">
      <div className="action-head">
        <ConnectorIcon connector={connector} size={32} />
        <div className="grow">
          <label className="field-label" htmlFor="trigger-select">
            Starts when
          </label>
          <select
            id="trigger-select"
            value={`${trigger.connector}/${trigger.trigger}`}
            disabled={!editable}
            onChange={(e) => {
              const [connectorKey, triggerKey] = e.target.value.split('/') as [string, string];
              apply({ type: 'setTrigger', trigger: { connector: connectorKey, trigger: triggerKey, config: {} } });
            }}
            data-testid="trigger-select"
          >
            {!descriptor && <option value={`${trigger.connector}/${trigger.trigger}`}>{`${trigger.connector} › ${trigger.trigger} (unknown)`}</option>}
            {catalog
              .filter((c) => c.triggers.length > 0)
              .map((c) => (
                <optgroup key={c.key} label={c.title}>
                  {choices
                    .filter((choice) => choice.connector.key === c.key)
                    .map(({ trigger: t }) => (
                      <option key={t.key} value={`${c.key}/${t.key}`}>
                        {t.title}
                      </option>
                    ))}
                </optgroup>
              ))}
          </select>
        </div>
      </div>
      {descriptor && <p className="muted small">{descriptor.description}</p>}
      {descriptor?.requiresConnection && (
        <ConnectionSelect
          workspaceId={workspaceId}
          connectorKey={trigger.connector}
          connectorTitle={connector?.title ?? trigger.connector}
          value={trigger.connectionRef}
          disabled={!editable}
          onChange={(connectionRef) => {
            const { connectionRef: _old, ...rest } = trigger;
            apply({ type: 'setTrigger', trigger: connectionRef ? { ...rest, connectionRef } : rest });
          }}
        />
      )}
      {descriptor && (
        <section aria-label="Trigger settings">
          <h3 className="section-title">Settings</h3>
          <InputForm
            schema={descriptor.configSchema}
            input={trigger.config}
            onChange={(name, value) => apply({ type: 'updateTriggerConfig', path: [name], value }, `trigger/config/${name}`)}
            stepId={null}
            workspaceId={workspaceId}
            connectionId={trigger.connectionRef}
            problems={triggerProblems}
            pointerBase="/trigger/config"
            disabled={!editable}
          />
        </section>
      )}
      {triggerProblems
        .filter((p) => !p.pointer.startsWith('/trigger/config'))
        .map((p, i) => (
          <p key={i} className="error small">
            {p.message}
          </p>
        ))}
      {descriptor && (descriptor.kind === 'webhook' || descriptor.kind === 'app-webhook') && WebhookHelp && (
        <section aria-label="Webhook set-up">
          <h3 className="section-title">Webhook set-up</h3>
          <Suspense fallback={<p className="muted small">Loading…</p>}>
            <WebhookHelp workspaceId={workspaceId} flowId={flowId} />
          </Suspense>
        </section>
      )}
      {descriptor && descriptor.sampleOutput !== undefined && (
        <details>
          <summary>Sample event</summary>
          <JsonView label="What this trigger produces (sample)" value={descriptor.sampleOutput} />
        </details>
      )}
    </div>
  );
}
