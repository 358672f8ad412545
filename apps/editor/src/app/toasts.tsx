import { create } from 'zustand';

export type ToastTone = 'info' | 'success' | 'error';

export interface Toast {
  id: number;
  tone: ToastTone;
  message: string;
  /** 0..1 for a long operation in progress; undefined = no progress bar. */
  progress?: number;
  /** True while the operation runs (the toast stays until it finishes). */
  busy?: boolean;
}

interface ToastState {
  toasts: Toast[];
  push(toast: Omit<Toast, 'id'>, timeoutMs?: number): number;
  update(id: number, patch: Partial<Omit<Toast, 'id'>>, timeoutMs?: number): void;
  dismiss(id: number): void;
}

let nextId = 1;

export const useToasts = create<ToastState>((set, get) => {
  const autoDismiss = (id: number, timeoutMs: number | undefined) => {
    if (timeoutMs && timeoutMs > 0) setTimeout(() => get().dismiss(id), timeoutMs);
  };
  return {
    toasts: [],
    push(toast, timeoutMs = toast.busy ? 0 : toast.tone === 'error' ? 8000 : 4000) {
      const id = nextId++;
      set((s) => ({ toasts: [...s.toasts.slice(-4), { ...toast, id }] }));
      autoDismiss(id, timeoutMs);
      return id;
    },
    update(id, patch, timeoutMs) {
      set((s) => ({ toasts: s.toasts.map((t) => (t.id === id ? { ...t, ...patch } : t)) }));
      autoDismiss(id, timeoutMs ?? (patch.busy === false ? 4000 : 0));
    },
    dismiss(id) {
      set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
    },
  };
});

export const toast = {
  info: (message: string) => useToasts.getState().push({ tone: 'info', message }),
  success: (message: string) => useToasts.getState().push({ tone: 'success', message }),
  error: (message: string) => useToasts.getState().push({ tone: 'error', message }),
  /** A toast that stays while `work` runs, with optional progress, and then says how it went. */
  async during<T>(message: string, work: (progress: (fraction: number) => void) => Promise<T>, done?: (result: T) => string): Promise<T> {
    const store = useToasts.getState();
    const id = store.push({ tone: 'info', message, busy: true });
    try {
      const result = await work((fraction) => useToasts.getState().update(id, { progress: Math.max(0, Math.min(1, fraction)) }));
      useToasts.getState().update(id, { tone: 'success', busy: false, progress: undefined, message: done ? done(result) : `${message.replace(/…$/, '')}: done` });
      return result;
    } catch (error) {
      useToasts.getState().update(id, { tone: 'error', busy: false, progress: undefined, message: error instanceof Error ? error.message : String(error) }, 8000);
      throw error;
    }
  },
};

/** The toast stack (bottom right), announced to screen readers. */
export function Toaster() {
  const toasts = useToasts((s) => s.toasts);
  const dismiss = useToasts((s) => s.dismiss);
  return (
    <div className="toaster" role="region" aria-label="Notifications">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.tone}`} role={t.tone === 'error' ? 'alert' : 'status'} data-testid="toast">
          <div className="toast-body">
            {t.busy && <span className="spinner" aria-hidden="true" />}
            <span>{t.message}</span>
            <button type="button" className="icon-button" aria-label="Dismiss notification" onClick={() => dismiss(t.id)}>
              ×
            </button>
          </div>
          {t.progress !== undefined && (
            <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(t.progress * 100)}>
              <div style={{ width: `${Math.round(t.progress * 100)}%` }} />
            </div>
          )}
        </div>
      ))}
    </div>
  );
}
