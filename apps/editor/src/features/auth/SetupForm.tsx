import { useState } from 'react';
import { api, type SessionInfo } from '../../api/client';
import { useSubmit } from './useSubmit';

/** Shown on first start, while no account exists. */
export function SetupForm({ onDone }: { onDone: (session: SessionInfo) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [workspaceName, setWorkspaceName] = useState('My workspace');
  const { busy, error, submit } = useSubmit(() => api.createOwner({ email, password, workspaceName }), onDone);

  return (
    <form className="card" onSubmit={submit} aria-labelledby="setup-title">
      <h1 id="setup-title">Create the owner account</h1>
      <p className="muted">Welcome to Braid. This account owns the first workspace and can invite others.</p>
      <label>
        Email
        <input type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        Password <span className="muted">(at least 8 characters)</span>
        <input type="password" name="password" autoComplete="new-password" minLength={8} required value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      <label>
        Workspace name
        <input type="text" name="workspaceName" required value={workspaceName} onChange={(e) => setWorkspaceName(e.target.value)} />
      </label>
      {error && <p role="alert" className="error">{error}</p>}
      <button type="submit" disabled={busy}>{busy ? 'Creating…' : 'Create the owner account'}</button>
    </form>
  );
}
