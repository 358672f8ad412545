import { api, type SessionInfo } from '../../api/client';
import { useSubmit } from './useSubmit';

export function SignedIn({ session, onSignedOut }: { session: SessionInfo; onSignedOut: () => void }) {
  const { busy, error, submit } = useSubmit(() => api.signOut(), onSignedOut);
  const workspace = session.workspaces[0];

  return (
    <form className="card" onSubmit={submit} aria-label="Your session">
      <h1>
        Signed in as <span data-testid="signed-in-email">{session.user.email}</span>
      </h1>
      {workspace ? (
        <p>
          Workspace: <strong data-testid="workspace-name">{workspace.name}</strong> <span className="muted">({workspace.role})</span>
        </p>
      ) : (
        <p className="muted">You are not a member of any workspace yet.</p>
      )}
      <p className="muted">Flows, connections and runs arrive in the next versions of the editor.</p>
      {error && <p role="alert" className="error">{error}</p>}
      <button type="submit" className="secondary" disabled={busy}>{busy ? 'Signing out…' : 'Sign out'}</button>
    </form>
  );
}
