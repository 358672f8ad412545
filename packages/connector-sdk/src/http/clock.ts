import { ConnectorError } from '../connector.errors.js';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export function abortError(signal: AbortSignal | undefined): ConnectorError {
  const reason = signal?.reason;
  const detail = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'cancelled';
  return new ConnectorError('ABORTED', `The step was cancelled (${detail}).`, { retryable: false });
}

/** Abortable timer; rejects with ConnectorError ABORTED when `signal` fires. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
