import { useQuery } from '@tanstack/react-query';
import { integrationsApi } from '../../api/integrations';
import { useWorkspace } from '../../app/session.store';
import { EmptyState } from '../../components/EmptyState';
import { errorMessage } from '../../components/errors';
import { relativeTime } from '../../components/StatusBadge';
import { IntegrationStatusPill } from './IntegrationDetail';

export const integrationsQueryKey = (workspaceId: string) => ['workspaces', workspaceId, 'integrations'] as const;

/** The workspace's integrations with their status. */
export function IntegrationsList({ onOpen, onBrowse }: { onOpen(id: string): void; onBrowse(): void }) {
  const workspace = useWorkspace();
  const list = useQuery({ queryKey: integrationsQueryKey(workspace.id), queryFn: () => integrationsApi(workspace.id).list() });
  if (list.error) return <p role="alert" className="error">{errorMessage(list.error)}</p>;
  if (!list.data) return <p className="muted">Loading…</p>;
  if (list.data.length === 0)
    return (
      <EmptyState title="No integrations yet" testId="integrations-empty" action={<button type="button" onClick={onBrowse}>Browse templates</button>}>
        An integration is a template in use: its flows, connections and settings.
      </EmptyState>
    );
  return (
    <table className="table" data-testid="integrations-list">
      <thead>
        <tr>
          <th>Integration</th>
          <th>Status</th>
          <th>Flows</th>
          <th>Created</th>
        </tr>
      </thead>
      <tbody>
        {list.data.map((i) => (
          <tr key={i.id} data-testid="integration-row" data-integration-id={i.id}>
            <td>
              <button type="button" className="link-button" onClick={() => onOpen(i.id)} data-testid="integration-link">
                {i.name}
              </button>
              <div className="muted small">{i.templateId}</div>
            </td>
            <td>
              <IntegrationStatusPill status={i.status} />
              {i.reasons[0] && <div className="muted small">{i.reasons[0]}</div>}
            </td>
            <td>
              {i.flows.filter((f) => f.enabled).length} of {i.flows.length} on
            </td>
            <td>{relativeTime(i.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
