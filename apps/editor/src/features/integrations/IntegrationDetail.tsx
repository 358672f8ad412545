import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { describeInitialSync, type Integration, integrationsApi, type InitialSyncView } from '../../api/integrations';
import { getTemplate } from '../../api/templates';
import { connectorLookup, useConnectors } from '../../app/queries';
import { Link } from '../../app/router';
import { canEdit, useWorkspace } from '../../app/session.store';
import { toast } from '../../app/toasts';
import { ConnectorIcon } from '../../components/ConnectorIcon';
import { errorMessage } from '../../components/errors';
import { relativeTime, StatusBadge } from '../../components/StatusBadge';
import { Switch } from '../../components/Switch';
import { followInitialSync } from './initial.sync';
import { initialSettings, settingsFields, settingsProblems } from './settings.form';
import { SettingsForm } from './SettingsForm';

export const integrationQueryKey = (workspaceId: string, id: string) => ['workspaces', workspaceId, 'integrations', id] as const;

const statusLabel: Record<string, string> = { 'pending-initial-sync': 'pending initial sync', active: 'active', 'needs-attention': 'needs attention' };
const statusTone: Record<string, string> = { 'pending-initial-sync': 'warn', active: 'ok', 'needs-attention': 'bad' };

export function IntegrationStatusPill({ status }: { status: string }) {
  return (
    <span className={`badge badge-${statusTone[status] ?? 'muted'}`} data-testid="integration-status" data-status={status}>
      {statusLabel[status] ?? status}
    </span>
  );
}

/** One integration: status with reasons, flows, connections, module switches, settings and the initial sync. */
export function IntegrationDetail({ integrationId, onBack, onDeleted }: { integrationId: string; onBack(): void; onDeleted(): void }) {
  const workspace = useWorkspace();
  const editable = canEdit(workspace);
  const api = integrationsApi(workspace.id);
  const queryClient = useQueryClient();
  const key = integrationQueryKey(workspace.id, integrationId);
  // Status, last runs and a sync started elsewhere stay current: every 5 s, every second while a sync runs.
  const integration = useQuery({ queryKey: key, queryFn: () => api.get(integrationId), refetchInterval: (q) => (q.state.data?.initialSync.status === 'running' ? 1000 : 5000) });
  const template = useQuery({ queryKey: ['templates', integration.data?.templateId], queryFn: () => getTemplate(integration.data!.templateId), enabled: Boolean(integration.data?.templateId), retry: false });
  const connectors = useConnectors();
  const connector = connectorLookup(connectors.data);
  const [syncing, setSyncing] = useState<InitialSyncView | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = () => queryClient.invalidateQueries({ queryKey: ['workspaces', workspace.id, 'integrations'] });
  const store = (next: Integration) => queryClient.setQueryData(key, next);

  if (integration.error) return <p role="alert" className="error">{errorMessage(integration.error)}</p>;
  if (!integration.data) return <p className="muted">Loading…</p>;
  const data = integration.data;
  const sync = syncing ?? data.initialSync;
  const syncText = describeInitialSync(sync);

  const switchModule = async (moduleKey: string, enabled: boolean) => {
    setBusy(true);
    try {
      store(await api.update(data.id, { modules: { [moduleKey]: enabled } }));
      toast.success(`${enabled ? 'Switched on' : 'Switched off'}: ${data.modules.find((m) => m.key === moduleKey)?.title ?? moduleKey}`);
    } catch (error) {
      toast.error(errorMessage(error));
    } finally {
      setBusy(false);
      void refresh();
    }
  };

  const startSync = async () => {
    setBusy(true);
    try {
      setSyncing(await api.startInitialSync(data.id));
      await followInitialSync(() => api.initialSync(data.id), setSyncing, { label: `Initial sync of "${data.name}"` });
    } catch (error) {
      toast.error(errorMessage(error));
    } finally {
      setBusy(false);
      setSyncing(null);
      await refresh();
    }
  };

  const remove = async () => {
    if (!window.confirm(`Delete "${data.name}"? Its flows are switched off and deleted; record links stay.`)) return;
    try {
      await api.remove(data.id);
      toast.success(`Deleted "${data.name}"`);
      await refresh();
      onDeleted();
    } catch (error) {
      toast.error(errorMessage(error));
    }
  };

  return (
    <section className="integration-detail" data-testid="integration-detail" data-integration-id={data.id}>
      <button type="button" className="link-button back-link" onClick={onBack}>
        ← All integrations
      </button>
      <header className="page-header">
        <h1 data-testid="integration-name">{data.name}</h1>
        <IntegrationStatusPill status={data.status} />
        <span className="header-spacer" />
        {editable && (
          <button type="button" className="secondary" onClick={remove} data-testid="integration-delete">
            Delete
          </button>
        )}
      </header>
      <p className="muted small">
        From template {template.data?.title ?? data.templateId} · created {relativeTime(data.createdAt)}
      </p>
      {data.reasons.length > 0 && (
        <ul className="problem-box" data-testid="integration-reasons">
          {data.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}

      <h2 className="section-title">Initial sync</h2>
      <div className="initial-sync" data-testid="initial-sync-progress" data-status={sync.status} data-done={sync.done} data-total={sync.total ?? ''} data-failed={sync.failed}>
        <p>{syncText.text}</p>
        {syncText.fraction !== undefined && (
          <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(syncText.fraction * 100)}>
            <div style={{ width: `${Math.round(syncText.fraction * 100)}%` }} />
          </div>
        )}
        {editable && (template.data?.supportsInitialSync ?? true) && (
          <button type="button" onClick={startSync} disabled={busy || sync.status === 'running'} data-testid="initial-sync">
            {sync.status === 'not-started' ? 'Start initial sync' : 'Run initial sync again'}
          </button>
        )}
      </div>

      <h2 className="section-title">Flows</h2>
      <table className="table" data-testid="integration-flows">
        <thead>
          <tr>
            <th>Flow</th>
            <th>Module</th>
            <th>State</th>
            <th>Last run</th>
          </tr>
        </thead>
        <tbody>
          {data.flows.map((flow) => (
            <tr key={flow.key} data-testid={`integration-flow-${flow.key}`} data-flow-id={flow.flowId} data-enabled={flow.enabled ? 'true' : 'false'}>
              <td>
                {flow.missing ? (
                  <span className="muted">{flow.name ?? flow.key} (deleted)</span>
                ) : (
                  <Link to={`/flows/${encodeURIComponent(flow.flowId)}`} data-testid="integration-flow-link">
                    {flow.name ?? flow.key}
                  </Link>
                )}
              </td>
              <td>{data.modules.find((m) => m.key === flow.module)?.title ?? '—'}</td>
              <td>{flow.enabled ? 'on' : 'off'}{flow.publishedVersion != null ? ` · v${flow.publishedVersion}` : ''}</td>
              <td>{flow.lastRun ? <Link to={`/runs/${encodeURIComponent(flow.lastRun.id)}`}><StatusBadge status={flow.lastRun.status} /></Link> : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2 className="section-title">Connections</h2>
      <ul className="integration-connections">
        {data.connections.map((c) => (
          <li key={c.slot} data-testid={`integration-connection-${c.slot}`}>
            <ConnectorIcon connector={connector(c.connector)} size={18} /> {c.title}: <strong>{c.name ?? 'deleted'}</strong> <span className={`badge badge-${c.status === 'connected' ? 'ok' : 'bad'}`}>{c.status}</span>
          </li>
        ))}
      </ul>

      {data.modules.length > 0 && (
        <>
          <h2 className="section-title">Modules</h2>
          <ul className="integration-modules">
            {data.modules.map((m) => (
              <li key={m.key}>
                <Switch checked={m.enabled} onChange={(next) => void switchModule(m.key, next)} label={m.title} disabled={!editable || busy} testId={`integration-module-${m.key}`} /> {m.title}
                <span className="muted small"> ({m.flows.length} flow{m.flows.length === 1 ? '' : 's'})</span>
              </li>
            ))}
          </ul>
        </>
      )}

      {template.data && <SettingsEditor integration={data} schema={template.data.settingsSchema} editable={editable} onSaved={store} />}
    </section>
  );
}

function SettingsEditor({ integration, schema, editable, onSaved }: { integration: Integration; schema: Record<string, unknown>; editable: boolean; onSaved(next: Integration): void }) {
  const workspace = useWorkspace();
  const fields = useMemo(() => settingsFields(schema), [schema]);
  const [values, setValues] = useState(() => initialSettings(fields, integration.settings));
  const [problems, setProblems] = useState<{ byField: Record<string, string>; general: string | null }>({ byField: {}, general: null });
  const [saving, setSaving] = useState(false);
  if (fields.length === 0) return null;
  const connections = Object.fromEntries(integration.connections.map((c) => [c.slot, c.connectionId]));
  const save = async () => {
    setSaving(true);
    try {
      onSaved(await integrationsApi(workspace.id).update(integration.id, { settings: values }));
      setProblems({ byField: {}, general: null });
      toast.success('Settings saved: the flows were updated and published again');
    } catch (error) {
      setProblems(settingsProblems(error));
    } finally {
      setSaving(false);
    }
  };
  return (
    <>
      <h2 className="section-title">Settings</h2>
      <SettingsForm workspaceId={workspace.id} fields={fields} values={values} onChange={setValues} connections={connections} problems={problems.byField} disabled={!editable || saving} />
      {problems.general && <p role="alert" className="error">{problems.general}</p>}
      {editable && (
        <button type="button" onClick={save} disabled={saving} data-testid="settings-save">
          {saving ? 'Saving…' : 'Save settings'}
        </button>
      )}
    </>
  );
}
