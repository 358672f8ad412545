import type { FlowDirection } from '@braid/flow-model';
import { useQueryClient } from '@tanstack/react-query';
import { type ChangeEvent, useEffect, useMemo, useRef, useState } from 'react';
import { flowsApi, type FlowSummary } from '../../api/flows';
import { connectorLookup, queryKeys, useConnectors, useFlows, useTemplates } from '../../app/queries';
import { hasTemplatesPage } from '../../app/optional';
import { Link, navigate } from '../../app/router';
import { canEdit, useWorkspace } from '../../app/session.store';
import { toast } from '../../app/toasts';
import { ConnectorIcon } from '../../components/ConnectorIcon';
import { Dialog } from '../../components/Dialog';
import { EmptyState } from '../../components/EmptyState';
import { errorMessage } from '../../components/errors';
import { DirectionBadge, relativeTime, StatusBadge } from '../../components/StatusBadge';
import { Switch } from '../../components/Switch';
import { actionApps, emptyFilter, exportFileName, filterFlows, type FlowFilter } from './flows.filter';

/** The workspace's flows: search, filter, create, import/export, enable/disable. */
export function FlowsPage() {
  const workspace = useWorkspace();
  const editable = canEdit(workspace);
  const flows = useFlows(workspace.id);
  const connectors = useConnectors();
  const connector = connectorLookup(connectors.data);
  const [filter, setFilter] = useState<FlowFilter>(emptyFilter);
  const [creating, setCreating] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const queryClient = useQueryClient();
  const api = flowsApi(workspace.id);
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.flows(workspace.id) });

  // Most visits continue into a flow: fetch the editor's code while the list is on screen.
  useEffect(() => {
    const id = setTimeout(() => void import('../canvas/FlowEditorPage'), 800);
    return () => clearTimeout(id);
  }, []);

  const shown = useMemo(() => filterFlows(flows.data ?? [], filter, (k) => connector(k)?.title ?? k), [flows.data, filter, connector]);

  const importFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    try {
      const created = await toast.during(`Importing ${file.name}…`, async () => {
        let document: unknown;
        try {
          document = JSON.parse(await file.text());
        } catch {
          throw new Error(`${file.name} is not JSON: export a flow from Braid and import that file.`);
        }
        const body = document && typeof document === 'object' && 'definition' in document ? document : { definition: document };
        return api.importFlow(body);
      }, (flow) => `Imported "${flow.name}"`);
      await refresh();
      navigate(`/flows/${created.id}`);
    } catch {
      // the toast says what went wrong
    }
  };

  return (
    <section className="flows-page" aria-labelledby="flows-title">
      <div className="page-header">
        <div>
          <h1 id="flows-title">Flows</h1>
          <p className="muted">Each flow waits for a trigger in one app and acts in others.</p>
        </div>
        {editable && (
          <div className="page-actions">
            <button type="button" className="secondary" onClick={() => fileInput.current?.click()} data-testid="import-flow">
              Import
            </button>
            <input ref={fileInput} type="file" accept="application/json,.json" hidden onChange={importFile} data-testid="import-file" />
            <button type="button" onClick={() => setCreating(true)} data-testid="new-flow">
              New flow
            </button>
          </div>
        )}
      </div>

      {flows.isPending && <p className="muted">Loading flows…</p>}
      {flows.isError && (
        <p role="alert" className="error">
          Could not load the flows: {errorMessage(flows.error)}{' '}
          <button type="button" className="link-button" onClick={() => flows.refetch()}>
            Try again
          </button>
        </p>
      )}
      {flows.data && flows.data.length === 0 && (
        <EmptyState
          title="No flows yet"
          testId="flows-empty"
          action={
            editable && (
              <button type="button" onClick={() => setCreating(true)}>
                Create your first flow
              </button>
            )
          }
        >
          A flow starts from a trigger — an event in Togai or Zoho, a schedule or a webhook — and runs steps in your apps. Connect your apps under Connections first, then create a flow.
        </EmptyState>
      )}
      {flows.data && flows.data.length > 0 && (
        <>
          <div className="toolbar" role="search">
            <input type="search" placeholder="Search flows and apps" aria-label="Search flows" value={filter.search} onChange={(e) => setFilter({ ...filter, search: e.target.value })} data-testid="flow-search" />
            <select aria-label="Direction" value={filter.direction} onChange={(e) => setFilter({ ...filter, direction: e.target.value as FlowFilter['direction'] })} data-testid="flow-filter-direction">
              <option value="all">All directions</option>
              <option value="inbound">Inbound</option>
              <option value="outbound">Outbound</option>
            </select>
            <select aria-label="State" value={filter.state} onChange={(e) => setFilter({ ...filter, state: e.target.value as FlowFilter['state'] })} data-testid="flow-filter-state">
              <option value="all">Any state</option>
              <option value="enabled">Enabled</option>
              <option value="disabled">Published, disabled</option>
              <option value="draft">Never published</option>
              <option value="failing">Last run failed</option>
            </select>
          </div>
          <table className="table flows-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Direction</th>
                <th scope="col">Apps</th>
                <th scope="col">Enabled</th>
                <th scope="col">Last run</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((flow) => (
                <FlowRow key={flow.id} flow={flow} editable={editable} connector={connector} onChanged={refresh} />
              ))}
            </tbody>
          </table>
          {shown.length === 0 && <p className="muted empty-row">No flow matches this search. Clear the search or the filters to see all {flows.data.length} flows.</p>}
        </>
      )}
      {creating && <NewFlowDialog onClose={() => setCreating(false)} />}
    </section>
  );
}

function FlowRow({ flow, editable, connector, onChanged }: { flow: FlowSummary; editable: boolean; connector: ReturnType<typeof connectorLookup>; onChanged: () => Promise<void> }) {
  const workspace = useWorkspace();
  const api = flowsApi(workspace.id);
  const [busy, setBusy] = useState(false);

  const toggle = async (enabled: boolean) => {
    setBusy(true);
    try {
      await api.setEnabled(flow.id, enabled);
      toast.success(`"${flow.name}" ${enabled ? 'enabled: its trigger now fires' : 'disabled'}`);
      await onChanged();
    } catch (error) {
      toast.error(`Could not ${enabled ? 'enable' : 'disable'} "${flow.name}": ${errorMessage(error)}`);
    } finally {
      setBusy(false);
    }
  };

  const exportFlow = async () => {
    try {
      const document = await api.exportFlow(flow.id);
      const url = URL.createObjectURL(new Blob([JSON.stringify(document, null, 2)], { type: 'application/json' }));
      const a = Object.assign(window.document.createElement('a'), { href: url, download: exportFileName(flow.name) });
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (error) {
      toast.error(`Could not export "${flow.name}": ${errorMessage(error)}`);
    }
  };

  const remove = async () => {
    if (!window.confirm(`Delete "${flow.name}" with its versions and runs? This cannot be undone.`)) return;
    try {
      await api.remove(flow.id);
      toast.success(`Deleted "${flow.name}"`);
      await onChanged();
    } catch (error) {
      toast.error(`Could not delete "${flow.name}": ${errorMessage(error)}`);
    }
  };

  const trigger = connector(flow.triggerConnector);
  const apps = actionApps(flow);
  return (
    <tr data-testid="flow-row" data-flow-id={flow.id}>
      <td>
        <Link to={`/flows/${flow.id}`} className="flow-name" data-testid="flow-link">
          {flow.name}
        </Link>
        <div className="muted small">{flow.publishedVersion ? `v${flow.publishedVersion.version}` : 'Draft, never published'}</div>
      </td>
      <td>
        <DirectionBadge direction={flow.direction} />
      </td>
      <td>
        <span className="app-chain" aria-label={`${trigger?.title ?? flow.triggerConnector} to ${apps.map((k) => connector(k)?.title ?? k).join(', ') || 'no apps yet'}`}>
          <ConnectorIcon connector={trigger ?? { key: flow.triggerConnector, title: flow.triggerConnector, icon: '' }} />
          {apps.length > 0 && <span aria-hidden="true">→</span>}
          {apps.map((k) => (
            <ConnectorIcon key={k} connector={connector(k) ?? { key: k, title: k, icon: '' }} />
          ))}
        </span>
      </td>
      <td>
        <Switch
          checked={flow.enabled}
          label={`Enable ${flow.name}`}
          disabled={!editable || busy || (!flow.publishedVersion && !flow.enabled)}
          title={flow.publishedVersion ? undefined : 'Publish the flow first'}
          onChange={toggle}
          testId="flow-enabled"
        />
      </td>
      <td>
        {flow.lastRun ? (
          <span className="last-run">
            <StatusBadge status={flow.lastRun.status} /> <span className="muted small">{relativeTime(flow.lastRun.finishedAt ?? flow.lastRun.queuedAt)}</span>
          </span>
        ) : (
          <span className="muted small">No runs yet</span>
        )}
      </td>
      <td className="row-actions">
        <button type="button" className="ghost small" onClick={exportFlow} aria-label={`Export ${flow.name}`} data-testid="export-flow">
          Export
        </button>
        {editable && (
          <button type="button" className="ghost small danger" onClick={remove} aria-label={`Delete ${flow.name}`} data-testid="delete-flow">
            Delete
          </button>
        )}
      </td>
    </tr>
  );
}

function NewFlowDialog({ onClose }: { onClose: () => void }) {
  const workspace = useWorkspace();
  // Templates are listed only when the templates feature is part of this build (no request otherwise).
  const templates = useTemplates(workspace.id, hasTemplatesPage());
  const [name, setName] = useState('');
  const [direction, setDirection] = useState<FlowDirection>('outbound');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const queryClient = useQueryClient();
  const api = flowsApi(workspace.id);

  const create = async (make: () => ReturnType<typeof api.createBlank>) => {
    setBusy(true);
    setError(undefined);
    try {
      const flow = await make();
      await queryClient.invalidateQueries({ queryKey: queryKeys.flows(workspace.id) });
      onClose();
      navigate(`/flows/${flow.id}`);
    } catch (caught) {
      setError(errorMessage(caught));
      setBusy(false);
    }
  };

  return (
    <Dialog title="New flow" onClose={onClose} testId="new-flow-dialog">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void create(() => api.createBlank({ name: name.trim(), direction }));
        }}
      >
        <label>
          Name
          <input autoFocus required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} placeholder="Togai accounts → Zoho Books customers" data-testid="new-flow-name" />
        </label>
        <fieldset className="radio-cards">
          <legend>Direction</legend>
          <label className={direction === 'outbound' ? 'selected' : ''}>
            <input type="radio" name="direction" value="outbound" checked={direction === 'outbound'} onChange={() => setDirection('outbound')} />
            <strong>Outbound</strong>
            <span className="muted small">A billing-platform event acts on an outside app</span>
          </label>
          <label className={direction === 'inbound' ? 'selected' : ''}>
            <input type="radio" name="direction" value="inbound" checked={direction === 'inbound'} onChange={() => setDirection('inbound')} data-testid="new-flow-inbound" />
            <strong>Inbound</strong>
            <span className="muted small">An outside app's event acts on the billing platform</span>
          </label>
        </fieldset>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || name.trim() === ''} data-testid="create-flow">
          {busy ? 'Creating…' : 'Create blank flow'}
        </button>
      </form>
      {templates.data && templates.data.length > 0 && (
        <section className="template-list" aria-label="Start from a template">
          <h3>Or start from a template</h3>
          <ul>
            {templates.data.map((t) => (
              <li key={t.id}>
                <button type="button" className="template-card" disabled={busy} onClick={() => void create(() => api.createFromTemplate(t.id))} data-testid={`template-${t.id}`}>
                  <strong>{t.name}</strong>
                  {t.description && <span className="muted small">{t.description}</span>}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </Dialog>
  );
}
