import type { FlowEdit } from '@braid/flow-model';
import { useCallback } from 'react';
import { toast } from '../../app/toasts';
import { useEditorContext } from '../canvas/editor.context';

/** Applies edits to the open flow; a refused edit becomes an error toast with flow-model's message. */
export function useApply() {
  const { store } = useEditorContext();
  return useCallback(
    (edits: FlowEdit | FlowEdit[], coalesceKey?: string) => {
      const result = store.getState().apply(edits, coalesceKey ? { coalesceKey } : {});
      if (!result.ok) toast.error(result.error.message);
      return result.ok;
    },
    [store],
  );
}
