import { type FormEvent, useRef, useState } from 'react';
import {
  type ConnectionTarget,
  connectionsApi,
  type ConnectorSummary,
  findNewConnection,
  formForAuth,
  iconDataUrl,
  openOAuthPopup,
  type TargetsInfo,
  waitForOAuth,
} from '../../api/connections';
import './connections.css';
import { errorText, useAsync } from './useAsync';

export interface AddConnectionDialogProps {
  workspaceId: string;
  connectorKey: string;
  onCreated(connectionId: string): void;
  onClose(): void;
}

/** Where the connection goes: the sandbox when it runs (the default), else production. */
function defaultTarget(targets: TargetsInfo | undefined): ConnectionTarget {
  return targets?.sandbox.available === false ? 'production' : 'sandbox';
}

/**
 * Adds a connection for one connector; the form follows its auth kind: Zoho OAuth (data centre, sandbox or
 * production, sign-in in a popup), Zoho Self Client (client id, secret, code) or an API token.
 */
export function AddConnectionDialog({ workspaceId, connectorKey, onCreated, onClose }: AddConnectionDialogProps) {
  const loaded = useAsync(
    async () => {
      const [connectors, targets] = await Promise.all([connectionsApi.listConnectors(), connectionsApi.targets(workspaceId)]);
      return { connector: connectors.find((c) => c.key === connectorKey), targets };
    },
    `${workspaceId}/${connectorKey}`,
  );

  return (
    <div className="bc-overlay" role="presentation">
      <section className="bc-dialog" role="dialog" aria-modal="true" aria-labelledby="add-connection-title" data-testid="add-connection-dialog">
        {loaded.error && <p role="alert" className="error">{loaded.error}</p>}
        {loaded.loading && !loaded.data && <p className="muted">Loading…</p>}
        {loaded.data && !loaded.data.connector && <p role="alert" className="error">No connector "{connectorKey}" is installed.</p>}
        {loaded.data?.connector && (
          <ConnectionForm workspaceId={workspaceId} connector={loaded.data.connector} targets={loaded.data.targets} onCreated={onCreated} onClose={onClose} />
        )}
        {!loaded.data?.connector && (
          <button type="button" className="secondary" onClick={onClose}>
            Close
          </button>
        )}
      </section>
    </div>
  );
}

function ConnectionForm({
  workspaceId,
  connector,
  targets,
  onCreated,
  onClose,
}: {
  workspaceId: string;
  connector: ConnectorSummary;
  targets: TargetsInfo;
  onCreated(connectionId: string): void;
  onClose(): void;
}) {
  const form = formForAuth(connector.auth);
  const [name, setName] = useState(connector.title);
  const [target, setTarget] = useState<ConnectionTarget>(defaultTarget(targets));
  const centres = target === 'sandbox' ? targets.sandbox.dataCentres : targets.production.dataCentres;
  const [dataCentre, setDataCentre] = useState(centres[0]?.location ?? 'us');
  const [token, setToken] = useState('');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [waiting, setWaiting] = useState(false);
  const cancel = useRef<AbortController | undefined>(undefined);
  const zoho = form === 'oauth' || form === 'self-client';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    // The popup must be opened in the click itself (before any await) or the browser blocks it.
    let popup: Window | undefined;
    try {
      if (form === 'oauth') popup = openOAuthPopup();
    } catch (failure) {
      setError(errorText(failure));
      return;
    }
    setBusy(true);
    try {
      if (form === 'oauth' && popup) {
        const before = new Set((await connectionsApi.list(workspaceId)).map((c) => c.id));
        const { authorizeUrl } = await connectionsApi.startOAuth(workspaceId, { connectorKey: connector.key, name, dataCentre, target });
        cancel.current = new AbortController();
        setWaiting(true);
        const outcome = await waitForOAuth(popup, authorizeUrl, {
          signal: cancel.current.signal,
          detect: async () => findNewConnection(before, await connectionsApi.list(workspaceId), connector.key, name)?.id,
        });
        if (outcome.status !== 'connected' || !outcome.connectionId) throw new Error(outcome.error?.message ?? 'The connection failed.');
        onCreated(outcome.connectionId);
        return;
      }
      const credentials = form === 'api-token' ? { token } : { clientId, clientSecret, code };
      const created = await connectionsApi.create(workspaceId, {
        connectorKey: connector.key,
        name,
        target,
        ...(zoho ? { dataCentre } : {}),
        credentials,
      });
      onCreated(created.id);
    } catch (failure) {
      popup?.close();
      setError(errorText(failure));
    } finally {
      setBusy(false);
      setWaiting(false);
      cancel.current = undefined;
    }
  };

  return (
    <form className="bc-form" onSubmit={submit} aria-label={`Connect ${connector.title}`}>
      <h2 id="add-connection-title" className="bc-title">
        <img className="bc-icon" src={iconDataUrl(connector.icon)} alt="" /> Connect {connector.title}
      </h2>
      <p className="muted">{connector.description}</p>
      <label>
        Name
        <input data-testid="connection-name-input" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
      </label>
      <label>
        Connect to
        <select
          data-testid="connection-target-select"
          value={target}
          onChange={(e) => {
            const next = e.target.value as ConnectionTarget;
            setTarget(next);
            const nextCentres = next === 'sandbox' ? targets.sandbox.dataCentres : targets.production.dataCentres;
            if (!nextCentres.some((dc) => dc.location === dataCentre)) setDataCentre(nextCentres[0]?.location ?? 'us');
          }}
        >
          <option value="sandbox" disabled={!targets.sandbox.available}>
            Sandbox (local stand-in{targets.sandbox.available ? '' : ', not running'})
          </option>
          <option value="production">Production (the real service)</option>
        </select>
      </label>
      {zoho && (
        <label>
          Zoho data centre
          <select data-testid="data-centre-select" value={dataCentre} onChange={(e) => setDataCentre(e.target.value)}>
            {centres.map((dc) => (
              <option key={dc.location} value={dc.location}>
                {dc.label} ({dc.location})
              </option>
            ))}
          </select>
        </label>
      )}
      {form === 'oauth' && target === 'production' && !targets.production.zohoOAuthConfigured && (
        <p className="bc-warning">
          Connecting to real Zoho needs the runtime's Zoho client (ZOHO_CLIENT_ID / ZOHO_CLIENT_SECRET). Use a Self Client or the sandbox meanwhile.
        </p>
      )}
      {form === 'oauth' && !waiting && <p className="muted">A Zoho sign-in window opens; approve access there and it closes by itself.</p>}
      {waiting && (
        <p className="bc-notice" role="status" data-testid="oauth-waiting">
          Waiting for the Zoho sign-in window… approve access there.
        </p>
      )}
      {form === 'self-client' && (
        <>
          <p className="muted">In the Zoho API console, create a Self Client, then generate a code for the scopes {(connector.auth as { scopes: string[] }).scopes.join(', ')}.</p>
          <label>
            Client ID
            <input data-testid="self-client-id-input" value={clientId} onChange={(e) => setClientId(e.target.value)} required autoComplete="off" />
          </label>
          <label>
            Client secret
            <input data-testid="self-client-secret-input" type="password" value={clientSecret} onChange={(e) => setClientSecret(e.target.value)} required autoComplete="off" />
          </label>
          <label>
            Code
            <input data-testid="self-client-code-input" value={code} onChange={(e) => setCode(e.target.value)} required autoComplete="off" />
          </label>
        </>
      )}
      {form === 'api-token' && (
        <label>
          API token
          <input data-testid="api-token-input" type="password" value={token} onChange={(e) => setToken(e.target.value)} required autoComplete="off" />
        </label>
      )}
      {form === 'none' && <p className="muted">{connector.title} needs no connection.</p>}
      {error && (
        <p role="alert" className="error" data-testid="add-connection-error">
          {error}
        </p>
      )}
      <div className="bc-actions">
        <button type="submit" data-testid="connect-submit" disabled={busy || form === 'none'}>
          {busy ? 'Connecting…' : form === 'oauth' ? 'Sign in and connect' : 'Connect'}
        </button>
        <button
          type="button"
          className="secondary"
          data-testid="add-connection-cancel"
          onClick={() => {
            if (cancel.current) cancel.current.abort();
            else onClose();
          }}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}
