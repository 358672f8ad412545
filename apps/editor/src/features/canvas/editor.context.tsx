import type { ConnectorDescriptor, Problem } from '@braid/flow-model';
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { FlowsApi } from '../../api/flows';
import type { EditorState, EditorStore } from './editor.store';

export interface EditorContextValue {
  store: EditorStore;
  workspaceId: string;
  flowId: string;
  catalog: ConnectorDescriptor[];
  api: FlowsApi;
  editable: boolean;
  /** Problems by step id ('' = trigger and flow-level), client and server merged. */
  problems: Map<string, Problem[]>;
}

export const EditorContext = createContext<EditorContextValue | null>(null);

export function useEditorContext(): EditorContextValue {
  const value = useContext(EditorContext);
  if (!value) throw new Error('useEditorContext() outside the flow editor');
  return value;
}

/** Reads from the open flow's store. */
export function useEditor<T>(selector: (state: EditorState) => T): T {
  return useStore(useEditorContext().store, selector);
}
