import { useEffect, useState } from 'react';
import { api, type SessionInfo } from '../api/client';
import { SetupForm } from '../features/auth/SetupForm';
import { SignedIn } from '../features/auth/SignedIn';
import { SignInForm } from '../features/auth/SignInForm';

type Screen =
  | { kind: 'loading' }
  | { kind: 'setup' }
  | { kind: 'sign-in' }
  | { kind: 'signed-in'; session: SessionInfo }
  | { kind: 'unavailable'; message: string };

/** First screen: create the owner (first start), sign in, or the signed-in summary. */
export function App() {
  const [screen, setScreen] = useState<Screen>({ kind: 'loading' });

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const { setupRequired } = await api.getSetupStatus();
      if (setupRequired) return { kind: 'setup' } as const;
      const session = await api.currentSession();
      return session ? ({ kind: 'signed-in', session } as const) : ({ kind: 'sign-in' } as const);
    })()
      .then((next) => !cancelled && setScreen(next))
      .catch((error: unknown) => !cancelled && setScreen({ kind: 'unavailable', message: error instanceof Error ? error.message : String(error) }));
    return () => {
      cancelled = true;
    };
  }, []);

  const signedIn = (session: SessionInfo) => setScreen({ kind: 'signed-in', session });

  return (
    <main className="shell">
      <header className="brand">
        <span className="logo" aria-hidden="true">◆</span> Braid
      </header>
      {screen.kind === 'loading' && <p className="muted">Loading…</p>}
      {screen.kind === 'unavailable' && (
        <p role="alert" className="error">
          The Braid runtime is not reachable: {screen.message}
        </p>
      )}
      {screen.kind === 'setup' && <SetupForm onDone={signedIn} />}
      {screen.kind === 'sign-in' && <SignInForm onDone={signedIn} />}
      {screen.kind === 'signed-in' && <SignedIn session={screen.session} onSignedOut={() => setScreen({ kind: 'sign-in' })} />}
    </main>
  );
}
