import { create } from 'zustand';
import type { SessionInfo, Workspace } from '../api/client';

const STORAGE_KEY = 'braid.workspaceId';

interface SessionState {
  session: SessionInfo | null;
  workspaceId: string | null;
  signedIn(session: SessionInfo): void;
  signedOut(): void;
  chooseWorkspace(id: string): void;
}

function remembered(): string | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** The signed-in user and the workspace being worked in (remembered across reloads). */
export const useSession = create<SessionState>((set) => ({
  session: null,
  workspaceId: null,
  signedIn(session) {
    const preferred = remembered();
    const workspace = session.workspaces.find((w) => w.id === preferred) ?? session.workspaces[0];
    set({ session, workspaceId: workspace?.id ?? null });
  },
  signedOut() {
    set({ session: null, workspaceId: null });
  },
  chooseWorkspace(id) {
    try {
      localStorage.setItem(STORAGE_KEY, id);
    } catch {
      // private mode: the choice lasts for this page only
    }
    set({ workspaceId: id });
  },
}));

/** The current workspace (the shell renders pages only when there is one). */
export function useWorkspace(): Workspace {
  const { session, workspaceId } = useSession();
  const workspace = session?.workspaces.find((w) => w.id === workspaceId);
  if (!workspace) throw new Error('useWorkspace() outside a workspace');
  return workspace;
}

export const canEdit = (workspace: Workspace) => workspace.role !== 'viewer';
