import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../api/client';

export interface AsyncState<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  /** Loads again (keeps the current data while loading). */
  reload: () => void;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Loads `load()` when `key` changes; `reload()` loads again. With `pollMs`, loads again on that interval while
 * `shouldPoll(data)` says so (runs that are still queued or running).
 */
export function useAsync<T>(load: () => Promise<T>, key: string, options: { pollMs?: number; shouldPoll?: (data: T) => boolean } = {}): AsyncState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const { pollMs, shouldPoll } = options;

  useEffect(() => {
    let cancelled = false;
    let timer: number | undefined;
    setLoading(true);
    loadRef.current().then(
      (value) => {
        if (cancelled) return;
        setData(value);
        setError(undefined);
        setLoading(false);
        if (pollMs && (!shouldPoll || shouldPoll(value))) timer = window.setTimeout(() => setTick((n) => n + 1), pollMs);
      },
      (failure: unknown) => {
        if (cancelled) return;
        setError(errorText(failure));
        setLoading(false);
      },
    );
    return () => {
      cancelled = true;
      if (timer !== undefined) window.clearTimeout(timer);
    };
    // shouldPoll is read at the time of each load; a new function identity must not restart loading.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, tick, pollMs]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload };
}

/**
 * The workspace the pages work in: the one the shell passes, else the signed-in user's first workspace
 * (pages opened before the shell provides one).
 */
export function useWorkspaceId(explicit?: string): { workspaceId: string | undefined; error: string | undefined } {
  const session = useAsync(async () => (explicit ? undefined : api.currentSession()), explicit ?? 'session');
  if (explicit) return { workspaceId: explicit, error: undefined };
  const first = session.data?.workspaces[0]?.id;
  const error = session.error ?? (session.data === undefined && !session.loading ? 'You are not signed in.' : session.data && !first ? 'You are not a member of any workspace yet.' : undefined);
  return { workspaceId: first, error };
}
