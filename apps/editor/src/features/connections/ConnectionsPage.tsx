import { type FormEvent, useRef, useState } from 'react';
import {
  type Connection,
  ConnectionInUseError,
  connectableConnectors,
  connectionsApi,
  connectionStatusText,
  type ConnectorSummary,
  type DynamicOption,
  iconDataUrl,
  openOAuthPopup,
  waitForOAuth,
  wasReconnected,
} from '../../api/connections';
import { AddConnectionDialog } from './AddConnectionDialog';
import './connections.css';
import { errorText, useAsync, useWorkspaceId } from './useAsync';

export interface ConnectionsPageProps {
  /** The shell's current workspace; without it, the signed-in user's first workspace. */
  workspaceId?: string;
}

const when = (iso: string | null): string => (iso ? new Date(iso).toLocaleString() : 'never');

/** Connectors whose connections pick a Zoho organisation (the Books organisation id in the settings). */
const hasOrganisations = (connection: Connection): boolean => /books/.test(connection.connectorKey) && connection.authKind !== 'api-token';

/** The workspace's connections: add (OAuth popup, Self Client, API token), organisation, test, reconnect, rename, delete. */
export function ConnectionsPage({ workspaceId: explicitWorkspaceId }: ConnectionsPageProps) {
  const { workspaceId, error: workspaceError } = useWorkspaceId(explicitWorkspaceId);
  if (!workspaceId) {
    return <section className="bc-page">{workspaceError ? <p role="alert" className="error">{workspaceError}</p> : <p className="muted">Loading…</p>}</section>;
  }
  return <ConnectionsOfWorkspace workspaceId={workspaceId} />;
}

function ConnectionsOfWorkspace({ workspaceId }: { workspaceId: string }) {
  const loaded = useAsync(async () => {
    const [connectors, connections] = await Promise.all([connectionsApi.listConnectors(), connectionsApi.list(workspaceId)]);
    return { connectors, connections };
  }, workspaceId);
  const [picking, setPicking] = useState(false);
  const [adding, setAdding] = useState<string>();
  const [justCreated, setJustCreated] = useState<string>();

  const connectors = loaded.data?.connectors ?? [];
  const byKey = new Map(connectors.map((c) => [c.key, c]));

  return (
    <section className="bc-page" data-testid="connections-page">
      <header className="bc-page-header">
        <h1>Connections</h1>
        <button type="button" data-testid="add-connection" onClick={() => setPicking(true)}>
          Add connection
        </button>
      </header>
      {loaded.error && <p role="alert" className="error">{loaded.error}</p>}
      {loaded.loading && !loaded.data && <p className="muted">Loading…</p>}
      {loaded.data && loaded.data.connections.length === 0 && (
        <p className="muted" data-testid="connections-empty">
          No connections yet. Add one to let flows act on your apps.
        </p>
      )}
      <ul className="bc-list">
        {loaded.data?.connections.map((connection) => (
          <ConnectionCard
            key={connection.id}
            workspaceId={workspaceId}
            connection={connection}
            connector={byKey.get(connection.connectorKey)}
            highlight={connection.id === justCreated}
            onChanged={loaded.reload}
          />
        ))}
      </ul>
      {picking && (
        <div className="bc-overlay" role="presentation">
          <section className="bc-dialog" role="dialog" aria-modal="true" aria-label="Choose an app" data-testid="connector-picker">
            <h2 className="bc-title">Choose an app</h2>
            <div className="bc-catalog">
              {connectableConnectors(connectors).map((connector) => (
                <button
                  type="button"
                  key={connector.key}
                  data-testid={`connector-option-${connector.key}`}
                  onClick={() => {
                    setPicking(false);
                    setAdding(connector.key);
                  }}
                >
                  <img className="bc-icon" src={iconDataUrl(connector.icon)} alt="" /> {connector.title}
                </button>
              ))}
            </div>
            <button type="button" className="secondary" onClick={() => setPicking(false)}>
              Cancel
            </button>
          </section>
        </div>
      )}
      {adding && (
        <AddConnectionDialog
          workspaceId={workspaceId}
          connectorKey={adding}
          onClose={() => setAdding(undefined)}
          onCreated={(connectionId) => {
            const created = byKey.get(adding);
            setAdding(undefined);
            setJustCreated(connectionId);
            // An API token is stored as given: test it at once so a wrong token shows on the row, not in a run.
            if (created?.auth.kind === 'api-token') void connectionsApi.test(workspaceId, connectionId).catch(() => undefined).finally(loaded.reload);
            else loaded.reload();
          }}
        />
      )}
    </section>
  );
}

type Panel = 'none' | 'rename' | 'reconnect' | 'delete';

function ConnectionCard({
  workspaceId,
  connection,
  connector,
  highlight,
  onChanged,
}: {
  workspaceId: string;
  connection: Connection;
  connector: ConnectorSummary | undefined;
  highlight: boolean;
  onChanged(): void;
}) {
  const [panel, setPanel] = useState<Panel>('none');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();
  const [inUse, setInUse] = useState<Array<{ id: string; name: string }>>([]);
  const signingIn = useRef<AbortController | undefined>(undefined);
  const [waitingForSignIn, setWaitingForSignIn] = useState(false);

  const act = async (work: () => Promise<string | undefined>) => {
    setBusy(true);
    setError(undefined);
    setMessage(undefined);
    setInUse([]);
    try {
      const done = await work();
      if (done) setMessage(done);
      onChanged();
    } catch (failure) {
      if (failure instanceof ConnectionInUseError) setInUse(failure.flows);
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };

  const test = () =>
    act(async () => {
      const result = await connectionsApi.test(workspaceId, connection.id);
      return result.ok ? `Works${result.accountLabel ? ` (${result.accountLabel})` : ''}.` : `Test failed: ${result.message ?? result.status}`;
    });

  const reconnectOAuth = () => {
    let popup: Window;
    try {
      popup = openOAuthPopup();
    } catch (failure) {
      setError(errorText(failure));
      return;
    }
    void act(async () => {
      try {
        const answer = await connectionsApi.reconnect(workspaceId, connection.id);
        if (!('authorizeUrl' in answer)) return 'Reconnected.';
        signingIn.current = new AbortController();
        setWaitingForSignIn(true);
        const outcome = await waitForOAuth(popup, answer.authorizeUrl, {
          signal: signingIn.current.signal,
          detect: async () => {
            const now = await connectionsApi.get(workspaceId, connection.id);
            return wasReconnected(connection, now) ? now.id : undefined;
          },
        });
        if (outcome.status !== 'connected') throw new Error(outcome.error?.message ?? 'The reconnection failed.');
        return 'Reconnected.';
      } catch (failure) {
        popup.close();
        throw failure;
      } finally {
        signingIn.current = undefined;
        setWaitingForSignIn(false);
      }
    });
  };

  return (
    <li className="bc-card" data-testid="connection-row" data-connection-id={connection.id} data-connector={connection.connectorKey} aria-current={highlight || undefined}>
      <div className="bc-row">
        {connector && <img className="bc-icon" src={iconDataUrl(connector.icon)} alt="" />}
        <div className="bc-grow">
          <strong data-testid="connection-name">{connection.name}</strong>
          <div className="muted">
            {connector?.title ?? connection.connectorKey} · {connection.target}
            {connection.dataCentre ? ` · ${connection.dataCentre.toUpperCase()} data centre` : ''} · last used {when(connection.lastUsedAt)}
          </div>
        </div>
        <span className={`bc-pill is-${connection.status}`} data-testid="connection-status" data-status={connection.status} title={connection.lastErrorAt ? `since ${when(connection.lastErrorAt)}` : undefined}>
          {connectionStatusText(connection)}
        </span>
      </div>
      {hasOrganisations(connection) && connection.status === 'connected' && <OrganisationPicker workspaceId={workspaceId} connection={connection} onSaved={onChanged} />}
      <div className="bc-actions">
        <button type="button" className="secondary" data-testid="connection-test" disabled={busy} onClick={() => void test()}>
          Test
        </button>
        <button
          type="button"
          className="secondary"
          data-testid="connection-reconnect"
          disabled={busy}
          onClick={() => (connection.authKind === 'oauth2' ? reconnectOAuth() : setPanel(panel === 'reconnect' ? 'none' : 'reconnect'))}
        >
          Reconnect
        </button>
        {waitingForSignIn && (
          <button type="button" className="secondary" data-testid="connection-reconnect-cancel" onClick={() => signingIn.current?.abort()}>
            Cancel sign-in
          </button>
        )}
        <button type="button" className="secondary" data-testid="connection-rename" disabled={busy} onClick={() => setPanel(panel === 'rename' ? 'none' : 'rename')}>
          Rename
        </button>
        <button type="button" className="secondary" data-testid="connection-delete" disabled={busy} onClick={() => setPanel(panel === 'delete' ? 'none' : 'delete')}>
          Delete
        </button>
      </div>
      {panel === 'rename' && (
        <RenameForm
          initial={connection.name}
          busy={busy}
          onSave={(name) =>
            act(async () => {
              await connectionsApi.update(workspaceId, connection.id, { name });
              setPanel('none');
              return 'Renamed.';
            })
          }
        />
      )}
      {panel === 'reconnect' && connection.authKind !== 'oauth2' && (
        <SecretsForm
          authKind={connection.authKind}
          busy={busy}
          onSave={(credentials) =>
            act(async () => {
              await connectionsApi.reconnect(workspaceId, connection.id, { credentials });
              setPanel('none');
              return 'Reconnected.';
            })
          }
        />
      )}
      {panel === 'delete' && (
        <div className="bc-row bc-warning">
          <span className="bc-grow">Delete “{connection.name}”? Flows using it stop working.</span>
          <button
            type="button"
            className="bc-small"
            data-testid="connection-delete-confirm"
            disabled={busy}
            onClick={() =>
              void act(async () => {
                await connectionsApi.delete(workspaceId, connection.id);
                return undefined;
              })
            }
          >
            Delete
          </button>
        </div>
      )}
      {message && (
        <p className="bc-notice" role="status" data-testid="connection-message">
          {message}
        </p>
      )}
      {error && (
        <div role="alert" className="error" data-testid="connection-error">
          <p className="error">{error}</p>
          {inUse.length > 0 && (
            <ul data-testid="connection-in-use-flows">
              {inUse.map((flow) => (
                <li key={flow.id}>
                  <a href={`/flows/${flow.id}`}>{flow.name}</a>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </li>
  );
}

function RenameForm({ initial, busy, onSave }: { initial: string; busy: boolean; onSave(name: string): void }) {
  const [name, setName] = useState(initial);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSave(name.trim());
  };
  return (
    <form className="bc-row" onSubmit={submit} aria-label="Rename the connection">
      <input className="bc-grow" data-testid="connection-rename-input" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
      <button type="submit" className="bc-small" data-testid="connection-rename-save" disabled={busy || name.trim() === ''}>
        Save
      </button>
    </form>
  );
}

function SecretsForm({ authKind, busy, onSave }: { authKind: Connection['authKind']; busy: boolean; onSave(credentials: Record<string, string>): void }) {
  const [token, setToken] = useState('');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [code, setCode] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSave(authKind === 'api-token' ? { token } : { clientId, clientSecret, code });
  };
  return (
    <form className="bc-form" onSubmit={submit} aria-label="New credentials">
      {authKind === 'api-token' ? (
        <label>
          New API token
          <input type="password" data-testid="reconnect-token-input" value={token} onChange={(e) => setToken(e.target.value)} required autoComplete="off" />
        </label>
      ) : (
        <>
          <label>
            Client ID
            <input value={clientId} onChange={(e) => setClientId(e.target.value)} required autoComplete="off" />
          </label>
          <label>
            Client secret
            <input type="password" value={clientSecret} onChange={(e) => setClientSecret(e.target.value)} required autoComplete="off" />
          </label>
          <label>
            New code
            <input value={code} onChange={(e) => setCode(e.target.value)} required autoComplete="off" />
          </label>
        </>
      )}
      <div className="bc-actions">
        <button type="submit" data-testid="reconnect-save" disabled={busy}>
          Reconnect
        </button>
      </div>
    </form>
  );
}

/** Picks the Zoho organisation the connection works in (settings.organizationId). */
function OrganisationPicker({ workspaceId, connection, onSaved }: { workspaceId: string; connection: Connection; onSaved(): void }) {
  const current = typeof connection.settings.organizationId === 'string' ? connection.settings.organizationId : '';
  const organisations = useAsync<DynamicOption[]>(() => connectionsApi.options(workspaceId, connection.id, 'organizations'), `${connection.id}/orgs`);
  const [chosen, setChosen] = useState(current);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await connectionsApi.update(workspaceId, connection.id, { settings: { organizationId: chosen } });
      onSaved();
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="bc-row" data-testid="organisation-picker">
      <label className="bc-grow">
        Organisation
        <select data-testid="organisation-select" value={chosen} onChange={(e) => setChosen(e.target.value)} disabled={!organisations.data}>
          <option value="">{organisations.loading ? 'Loading organisations…' : 'Choose an organisation'}</option>
          {organisations.data?.map((option) => (
            <option key={String(option.value)} value={String(option.value)}>
              {option.label} ({String(option.value)})
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="bc-small" data-testid="organisation-save" disabled={busy || chosen === '' || chosen === current} onClick={() => void save()}>
        Use this organisation
      </button>
      {!current && <span className="bc-pill is-needs_reconnect">Choose an organisation</span>}
      {(organisations.error || error) && <p role="alert" className="error">{organisations.error ?? error}</p>}
    </div>
  );
}
