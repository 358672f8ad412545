import { describeInitialSync, type InitialSyncView } from '../../api/integrations';
import { toast, useToasts } from '../../app/toasts';

/**
 * Follows an initial sync to its end with a live toast (done / total / failed / phase), polling the
 * progress endpoint. Bounded: gives up (and says so) after `maxPolls`.
 */
export async function followInitialSync(
  load: () => Promise<InitialSyncView>,
  onProgress: (sync: InitialSyncView) => void,
  options: { intervalMs?: number; maxPolls?: number; label?: string } = {},
): Promise<InitialSyncView> {
  const intervalMs = options.intervalMs ?? 1000;
  const maxPolls = options.maxPolls ?? 3600;
  const id = useToasts.getState().push({ tone: 'info', message: `${options.label ?? 'Initial sync'} starting…`, busy: true });
  try {
    for (let poll = 0; poll < maxPolls; poll++) {
      const sync = await load();
      onProgress(sync);
      const { fraction, text } = describeInitialSync(sync);
      if (sync.status === 'succeeded') {
        useToasts.getState().update(id, { tone: 'success', busy: false, progress: undefined, message: text });
        return sync;
      }
      if (sync.status === 'failed') {
        useToasts.getState().update(id, { tone: 'error', busy: false, progress: undefined, message: text }, 8000);
        return sync;
      }
      useToasts.getState().update(id, { message: text, progress: fraction });
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    useToasts.getState().update(id, { tone: 'info', busy: false, progress: undefined, message: 'The initial sync is still running: its progress stays on the integration page.' });
    return await load();
  } catch (error) {
    useToasts.getState().dismiss(id);
    toast.error(`Could not follow the initial sync: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
}
