import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, ApiError } from '../api/client';
import { SetupForm } from '../features/auth/SetupForm';
import { SignInForm } from '../features/auth/SignInForm';
import { useSession } from './session.store';
import { Shell } from './Shell';
import { Toaster } from './toasts';

type Boot = { kind: 'loading' } | { kind: 'setup' } | { kind: 'ready' } | { kind: 'unavailable'; message: string };

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: false,
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    },
  },
});

/** First screen: create the owner (first start) or sign in; then the editor shell. */
export function App() {
  const [boot, setBoot] = useState<Boot>({ kind: 'loading' });
  const { session, signedIn } = useSession();

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const { setupRequired } = await api.getSetupStatus();
      if (setupRequired) return { kind: 'setup' } as const;
      const current = await api.currentSession();
      if (current && !cancelled) signedIn(current);
      return { kind: 'ready' } as const;
    })()
      .then((next) => !cancelled && setBoot(next))
      .catch((error: unknown) => !cancelled && setBoot({ kind: 'unavailable', message: error instanceof Error ? error.message : String(error) }));
    return () => {
      cancelled = true;
    };
  }, [signedIn]);

  return (
    <QueryClientProvider client={queryClient}>
      {session ? (
        <Shell />
      ) : (
        <main className="auth-shell">
          <header className="brand auth-brand">
            <span className="logo" aria-hidden="true">◆</span> Braid
          </header>
          {boot.kind === 'loading' && <p className="muted">Loading…</p>}
          {boot.kind === 'unavailable' && (
            <p role="alert" className="error">
              The Braid runtime is not reachable: {boot.message}
            </p>
          )}
          {boot.kind === 'setup' && (
            <SetupForm
              onDone={(created) => {
                // The owner exists now: signing out later must lead to the sign-in form, not to set-up again.
                setBoot({ kind: 'ready' });
                signedIn(created);
              }}
            />
          )}
          {boot.kind === 'ready' && <SignInForm onDone={signedIn} />}
        </main>
      )}
      <Toaster />
    </QueryClientProvider>
  );
}
