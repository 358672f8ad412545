/** pg-boss queue that executes runs: job data `{ runId }`. */
export const RUN_QUEUE = 'run.execute';

export interface RunJobData {
  runId: string;
  /** Lets the worker read the (cached) definition before claiming, e.g. for settings.maxConcurrentRuns. */
  flowId?: string;
  flowVersionId?: string;
}

/** Sources a run can come from (what fired it). */
export const runSources = ['webhook', 'poll', 'app-webhook', 'schedule', 'manual', 'replay', 'backfill', 'preview'] as const;
export type RunSource = (typeof runSources)[number];

export const runStatuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof runStatuses)[number];
export type RunMode = 'live' | 'preview' | 'dry-run';

/**
 * A job whose worker died expires and is retried; executing a run twice at once is prevented by the
 * run's lease (src/engine/run.executor.ts), so an early expiry of a long run is harmless.
 */
export const runQueueDefinition = (expireInSeconds: number) => ({ retryLimit: 1000, retryDelay: 1, retryBackoff: false, expireInSeconds });
