import { useQueryClient } from '@tanstack/react-query';
import { Suspense, useState } from 'react';
import { optionalComponent } from '../../app/optional';
import { queryKeys, useConnectionsList } from '../../app/queries';

const AddConnectionDialog = optionalComponent<{ workspaceId: string; connectorKey: string; onCreated(connectionId: string): void; onClose(): void }>(
  '../features/connections/AddConnectionDialog.tsx',
  'AddConnectionDialog',
);

/** Pick one of the workspace's connections to this app, or add one without leaving the flow. */
export function ConnectionSelect({ workspaceId, connectorKey, connectorTitle, value, onChange, disabled }: { workspaceId: string; connectorKey: string; connectorTitle: string; value: string | undefined; onChange: (connectionId: string | undefined) => void; disabled?: boolean }) {
  const connections = useConnectionsList(workspaceId);
  const queryClient = useQueryClient();
  const [adding, setAdding] = useState(false);
  const mine = (connections.data ?? []).filter((c) => c.connectorKey === connectorKey);
  const known = value === undefined || mine.some((c) => c.id === value);

  return (
    <div className="connection-select">
      <label className="field-label" htmlFor={`connection-${connectorKey}`}>
        {connectorTitle} connection
      </label>
      <div className="row">
        <select id={`connection-${connectorKey}`} value={value ?? ''} disabled={disabled || connections.isPending} onChange={(e) => onChange(e.target.value || undefined)} data-testid="connection-select">
          <option value="">{connections.isPending ? 'Loading…' : mine.length ? '— choose a connection —' : `No ${connectorTitle} connection yet`}</option>
          {mine.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
              {c.status !== 'connected' ? ` (${c.status.replace('_', ' ')})` : ''}
            </option>
          ))}
          {!known && <option value={value}>{value} (not in this workspace)</option>}
        </select>
        {AddConnectionDialog && !disabled && (
          <button type="button" className="secondary small" onClick={() => setAdding(true)} data-testid="add-connection-in-place">
            Add connection
          </button>
        )}
      </div>
      {adding && AddConnectionDialog && (
        <Suspense fallback={null}>
          <AddConnectionDialog
            workspaceId={workspaceId}
            connectorKey={connectorKey}
            onCreated={(connectionId) => {
              void queryClient.invalidateQueries({ queryKey: queryKeys.connections(workspaceId) });
              onChange(connectionId);
              setAdding(false);
            }}
            onClose={() => setAdding(false)}
          />
        </Suspense>
      )}
    </div>
  );
}
