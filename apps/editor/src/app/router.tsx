import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react';

// A small history router: the editor has a handful of routes, so a dependency is not worth it.
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());
if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function currentPath(): string {
  return typeof window === 'undefined' ? '/' : window.location.pathname;
}

/** Goes to `path` (pushes a history entry unless `replace`). */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === currentPath() + window.location.search) return;
  if (options.replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  notify();
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, currentPath, () => '/');
}

export type Route =
  | { page: 'flows' }
  | { page: 'flow'; flowId: string }
  | { page: 'connections' }
  | { page: 'runs' }
  | { page: 'run'; runId: string }
  | { page: 'templates' }
  | { page: 'not-found'; path: string };

/** Which page a path shows. */
export function matchRoute(path: string): Route {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: 'flows' };
  const [first, second] = parts;
  if (first === 'flows' && parts.length === 1) return { page: 'flows' };
  if (first === 'flows' && second && parts.length === 2) return { page: 'flow', flowId: second };
  if (first === 'connections' && parts.length === 1) return { page: 'connections' };
  if (first === 'runs' && parts.length === 1) return { page: 'runs' };
  if (first === 'runs' && second && parts.length === 2) return { page: 'run', runId: second };
  if (first === 'templates' && parts.length === 1) return { page: 'templates' };
  return { page: 'not-found', path };
}

/** An anchor that navigates without reloading (modifier clicks keep the browser's behaviour). */
export function Link({ to, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}
