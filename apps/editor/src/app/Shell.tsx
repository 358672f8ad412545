import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import { EmptyState } from '../components/EmptyState';
import { errorMessage } from '../components/errors';
import { FlowsPage } from '../features/flows/FlowsPage';
import { hasTemplatesPage, optionalComponent } from './optional';
import { Link, matchRoute, navigate, usePath, type Route } from './router';
import { useSession } from './session.store';
import { toast } from './toasts';

// The canvas (React Flow, dagre, forms, JSONata) loads only when a flow is opened.
const FlowEditorPage = lazy(() => import('../features/canvas/FlowEditorPage').then((m) => ({ default: m.FlowEditorPage })));
const ConnectionsPage = optionalComponent<{ workspaceId?: string }>('../features/connections/ConnectionsPage.tsx', 'ConnectionsPage');
const RunsPage = optionalComponent<{ workspaceId?: string; onOpenRun?(runId: string): void }>('../features/runs/RunsPage.tsx', 'RunsPage');
const RunDetailPage = optionalComponent<{ runId: string; workspaceId?: string; onOpenRun?(runId: string): void }>('../features/runs/RunDetailPage.tsx', 'RunDetailPage');
const TemplatesPage = optionalComponent<{ workspaceId?: string }>('../features/templates/TemplatesPage.tsx', 'TemplatesPage');
const openRun = (runId: string) => navigate(`/runs/${encodeURIComponent(runId)}`);

const navItems = [
  { to: '/flows', label: 'Flows', icon: '⇄', match: ['flows', 'flow'] },
  { to: '/connections', label: 'Connections', icon: '⚭', match: ['connections'] },
  { to: '/runs', label: 'Runs', icon: '▶', match: ['runs', 'run'] },
  ...(hasTemplatesPage() ? [{ to: '/templates', label: 'Templates', icon: '❖', match: ['templates'] }] : []),
];

/** The signed-in frame: left navigation, top bar (workspace switcher, user menu) and the current page. */
export function Shell() {
  const path = usePath();
  const route = matchRoute(path);
  const { session, workspaceId } = useSession();
  const workspace = session?.workspaces.find((w) => w.id === workspaceId);
  const fullBleed = route.page === 'flow';

  return (
    <div className={`app${fullBleed ? ' app-full' : ''}`}>
      <a className="skip-link" href="#main">Skip to content</a>
      <nav className="sidebar" aria-label="Main">
        <Link to="/flows" className="brand">
          <span className="logo" aria-hidden="true">◆</span> <span className="brand-name">Braid</span>
        </Link>
        <ul>
          {navItems.map((item) => {
            const active = item.match.includes(route.page);
            return (
              <li key={item.to}>
                <Link to={item.to} className={`nav-link${active ? ' active' : ''}`} aria-current={active ? 'page' : undefined} data-testid={`nav-${item.label.toLowerCase()}`}>
                  <span className="nav-icon" aria-hidden="true">{item.icon}</span>
                  <span className="nav-label">{item.label}</span>
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
      <div className="main-column">
        <TopBar />
        <main id="main" className={fullBleed ? 'page page-full' : 'page'} tabIndex={-1}>
          {workspace ? (
            <Suspense fallback={<p className="muted page-loading">Loading…</p>}>
              <RoutePage key={workspace.id} route={route} workspaceId={workspace.id} />
            </Suspense>
          ) : (
            <EmptyState title="You are not a member of any workspace yet">Ask a workspace owner to add you, then sign in again.</EmptyState>
          )}
        </main>
      </div>
    </div>
  );
}

function RoutePage({ route, workspaceId }: { route: Route; workspaceId: string }) {
  switch (route.page) {
    case 'flows':
      return <FlowsPage />;
    case 'flow':
      return <FlowEditorPage key={route.flowId} flowId={route.flowId} />;
    case 'connections':
      return ConnectionsPage ? <ConnectionsPage workspaceId={workspaceId} /> : <NotInstalled what="Connections" />;
    case 'runs':
      return RunsPage ? <RunsPage workspaceId={workspaceId} onOpenRun={openRun} /> : <NotInstalled what="Runs" />;
    case 'run':
      return RunDetailPage ? <RunDetailPage key={route.runId} runId={route.runId} workspaceId={workspaceId} onOpenRun={openRun} /> : <NotInstalled what="Run details" />;
    case 'templates':
      return TemplatesPage ? <TemplatesPage workspaceId={workspaceId} /> : <EmptyState title="Templates arrive with the integrations release">Start from a blank flow or import one on the Flows page.</EmptyState>;
    default:
      return (
        <EmptyState title="This page does not exist" action={<button type="button" onClick={() => navigate('/flows')}>Go to your flows</button>}>
          Nothing lives at {route.path}.
        </EmptyState>
      );
  }
}

function NotInstalled({ what }: { what: string }) {
  return <EmptyState title={`${what} are not part of this build`}>Rebuild the editor with the {what.toLowerCase()} feature to see them here.</EmptyState>;
}

function TopBar() {
  const { session, workspaceId, chooseWorkspace, signedOut } = useSession();
  const queryClient = useQueryClient();
  const [menuOpen, setMenuOpen] = useState(false);
  const menuRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!menuOpen) return;
    const close = (event: MouseEvent) => {
      if (!menuRef.current?.contains(event.target as Node)) setMenuOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [menuOpen]);

  if (!session) return null;
  const signOut = async () => {
    try {
      await api.signOut();
      queryClient.clear();
      signedOut();
    } catch (error) {
      toast.error(`Could not sign out: ${errorMessage(error)}`);
    }
  };

  return (
    <header className="topbar">
      <label className="workspace-switcher">
        <span className="visually-hidden">Workspace</span>
        <select
          value={workspaceId ?? ''}
          onChange={(e) => {
            chooseWorkspace(e.target.value);
            navigate('/flows');
          }}
          data-testid="workspace-switcher"
        >
          {session.workspaces.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name} ({w.role})
            </option>
          ))}
        </select>
      </label>
      <div className="user-menu" ref={menuRef}>
        <button type="button" className="avatar-button" aria-haspopup="menu" aria-expanded={menuOpen} onClick={() => setMenuOpen((o) => !o)} data-testid="user-menu">
          <span className="avatar" aria-hidden="true">{session.user.email.slice(0, 1).toUpperCase()}</span>
          <span className="user-email" data-testid="signed-in-email">{session.user.email}</span>
        </button>
        {menuOpen && (
          <div className="menu" role="menu" onKeyDown={(e) => e.key === 'Escape' && setMenuOpen(false)}>
            <button type="button" role="menuitem" className="menu-item" onClick={signOut} data-testid="sign-out" autoFocus>
              Sign out
            </button>
          </div>
        )}
      </div>
    </header>
  );
}
