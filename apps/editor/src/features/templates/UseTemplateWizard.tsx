import { useQueryClient } from '@tanstack/react-query';
import { Suspense, useMemo, useState } from 'react';
import { integrationsApi } from '../../api/integrations';
import type { TemplateCard } from '../../api/templates';
import { optionalComponent } from '../../app/optional';
import { connectorLookup, queryKeys, useConnectionsList, useConnectors } from '../../app/queries';
import { useWorkspace } from '../../app/session.store';
import { toast } from '../../app/toasts';
import { Dialog } from '../../components/Dialog';
import { integrationsQueryKey } from '../integrations/IntegrationsList';
import { initialSettings, settingsFields, settingsProblems } from '../integrations/settings.form';
import { SettingsForm } from '../integrations/SettingsForm';

const AddConnectionDialog = optionalComponent<{ workspaceId: string; connectorKey: string; onCreated(connectionId: string): void; onClose(): void }>(
  '../features/connections/AddConnectionDialog.tsx',
  'AddConnectionDialog',
);

const steps = ['Name', 'Connections', 'Settings', 'Modules'] as const;

/**
 * "Use template": name → a connection per slot (existing, or added in place) → settings → modules → create.
 * The runtime creates, publishes and enables the flows; problems come back by pointer and are shown on their
 * step and field.
 */
export function UseTemplateWizard({ template, onClose, onCreated }: { template: TemplateCard; onClose(): void; onCreated(integrationId: string): void }) {
  const workspace = useWorkspace();
  const queryClient = useQueryClient();
  const connections = useConnectionsList(workspace.id);
  const connectors = useConnectors();
  const connector = connectorLookup(connectors.data);
  const fields = useMemo(() => settingsFields(template.settingsSchema), [template.settingsSchema]);

  const [step, setStep] = useState(0);
  const [name, setName] = useState(template.title);
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const [adding, setAdding] = useState<string | null>(null);
  const [settings, setSettings] = useState(() => initialSettings(fields));
  const [modules, setModules] = useState<Record<string, boolean>>(() => Object.fromEntries(template.modules.map((m) => [m.key, m.default])));
  const [problems, setProblems] = useState<{ byField: Record<string, string>; general: string | null }>({ byField: {}, general: null });
  const [creating, setCreating] = useState(false);

  // A slot with exactly one fitting connection is filled for the user.
  const connectionsFor = (connectorKey: string) => (connections.data ?? []).filter((c) => c.connectorKey === connectorKey);
  const slotValue = (slotKey: string, connectorKey: string) => {
    if (chosen[slotKey]) return chosen[slotKey];
    const fitting = connectionsFor(connectorKey);
    return fitting.length === 1 ? fitting[0]!.id : '';
  };
  const slots = Object.fromEntries(template.connections.map((s) => [s.key, slotValue(s.key, s.connector)]).filter(([, v]) => v));
  const missingSlots = template.connections.filter((s) => !slots[s.key]);

  const canNext = step === 0 ? name.trim().length > 0 : step === 1 ? missingSlots.length === 0 : true;

  const create = async () => {
    setCreating(true);
    setProblems({ byField: {}, general: null });
    try {
      const integration = await toast.during(
        `Creating "${name.trim()}"…`,
        () => integrationsApi(workspace.id).create({ templateId: template.id, name: name.trim(), connections: slots, settings, modules }),
        (i) => `Created "${i.name}" with ${i.flows.length} flow${i.flows.length === 1 ? '' : 's'}`,
      );
      await Promise.all([queryClient.invalidateQueries({ queryKey: integrationsQueryKey(workspace.id) }), queryClient.invalidateQueries({ queryKey: queryKeys.flows(workspace.id) })]);
      onCreated(integration.id);
    } catch (error) {
      const found = settingsProblems(error);
      setProblems(found);
      // Go back to the step the first problem belongs to.
      const first = Object.keys(found.byField)[0];
      if (first?.startsWith('connections.')) setStep(1);
      else if (first?.startsWith('settings.')) setStep(2);
      else if (first?.startsWith('modules.')) setStep(3);
    } finally {
      setCreating(false);
    }
  };

  const footer = (
    <>
      <button type="button" className="secondary" onClick={onClose}>
        Cancel
      </button>
      {step > 0 && (
        <button type="button" className="secondary" onClick={() => setStep(step - 1)} data-testid="wizard-back">
          Back
        </button>
      )}
      {step < steps.length - 1 ? (
        <button type="button" onClick={() => setStep(step + 1)} disabled={!canNext} data-testid="wizard-next">
          Next
        </button>
      ) : (
        <button type="button" onClick={create} disabled={creating || missingSlots.length > 0} data-testid="wizard-create">
          {creating ? 'Creating…' : 'Create integration'}
        </button>
      )}
    </>
  );

  return (
    <>
      <Dialog title={`Use "${template.title}"`} onClose={onClose} footer={footer} wide testId="template-wizard">
        <ol className="wizard-steps" data-testid="wizard-step" data-step={steps[step]!.toLowerCase()}>
          {steps.map((s, i) => (
            <li key={s} className={i === step ? 'current' : ''} aria-current={i === step ? 'step' : undefined}>
              {i + 1}. {s}
            </li>
          ))}
        </ol>
        {step === 0 && (
          <label className="form">
            <span className="field-label">Name of the integration</span>
            <input value={name} onChange={(e) => setName(e.target.value)} maxLength={200} autoFocus data-testid="wizard-name" />
            <span className="muted small">{template.summary}</span>
          </label>
        )}
        {step === 1 && (
          <div>
            {connections.error && <p className="error">Could not load your connections.</p>}
            {template.connections.map((slot) => {
              const fitting = connectionsFor(slot.connector);
              const problem = problems.byField[`connections.${slot.key}`];
              return (
                <div key={slot.key} className="wizard-slot">
                  <label htmlFor={`slot-${slot.key}`} className="field-label">
                    {slot.title} <span className="muted">({connector(slot.connector)?.title ?? slot.connector})</span>
                  </label>
                  <div className="wizard-slot-row">
                    <select id={`slot-${slot.key}`} value={slots[slot.key] ?? ''} onChange={(e) => setChosen({ ...chosen, [slot.key]: e.target.value })} data-testid={`slot-select-${slot.key}`} aria-invalid={Boolean(problem) || undefined}>
                      <option value="">{fitting.length === 0 ? 'No connection yet — add one' : 'Choose a connection…'}</option>
                      {fitting.map((c) => (
                        <option key={c.id} value={c.id}>
                          {c.name}
                          {c.status !== 'connected' ? ` (${c.status.replace('_', ' ')})` : ''}
                        </option>
                      ))}
                    </select>
                    {AddConnectionDialog && (
                      <button type="button" className="secondary" onClick={() => setAdding(slot.key)} data-testid={`slot-add-${slot.key}`}>
                        Add connection
                      </button>
                    )}
                  </div>
                  {problem && <p className="error small" role="alert">{problem}</p>}
                </div>
              );
            })}
          </div>
        )}
        {step === 2 && <SettingsForm workspaceId={workspace.id} fields={fields} values={settings} onChange={setSettings} connections={slots} problems={problems.byField} disabled={creating} />}
        {step === 3 && (
          <div>
            {template.modules.length === 0 && <p className="muted">This template has no modules: all its flows are switched on.</p>}
            {template.modules.map((m) => (
              <label key={m.key} className="inline-check">
                <input type="checkbox" checked={modules[m.key] ?? false} onChange={(e) => setModules({ ...modules, [m.key]: e.target.checked })} data-testid={`wizard-module-${m.key}`} />
                <span>
                  <strong>{m.title}</strong>
                  {m.description && <span className="muted small"> — {m.description}</span>}
                </span>
              </label>
            ))}
            <p className="muted small">Creating publishes and switches on the flows of the modules you keep on. Every flow stays editable on the canvas.</p>
          </div>
        )}
        {problems.general && (
          <p role="alert" className="error" data-testid="wizard-error">
            {problems.general}
          </p>
        )}
      </Dialog>
      {adding && AddConnectionDialog && (
        <Suspense fallback={null}>
          <AddConnectionDialog
            workspaceId={workspace.id}
            connectorKey={template.connections.find((s) => s.key === adding)!.connector}
            onClose={() => setAdding(null)}
            onCreated={(connectionId) => {
              setChosen((c) => ({ ...c, [adding]: connectionId }));
              setAdding(null);
              void queryClient.invalidateQueries({ queryKey: queryKeys.connections(workspace.id) });
            }}
          />
        </Suspense>
      )}
    </>
  );
}
