/** pg-boss queue that executes runs: job data `{ runId }`. */
export const RUN_QUEUE = 'run.execute';

export interface RunJobData {
  runId: string;
}

/** Sources a run can come from (what fired it). */
export const runSources = ['webhook', 'poll', 'app-webhook', 'schedule', 'manual', 'replay', 'backfill', 'preview'] as const;
export type RunSource = (typeof runSources)[number];

export const runStatuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof runStatuses)[number];
export type RunMode = 'live' | 'preview' | 'dry-run';

function expireSeconds(): number {
  const raw = Number(process.env.BRAID_RUN_JOB_EXPIRE_SECONDS ?? '');
  return Number.isInteger(raw) && raw >= 2 && raw <= 86_400 ? raw : 15 * 60;
}

/**
 * A job whose worker died expires and is retried; executing a run twice at once is prevented by the
 * run's lease (src/engine/run.executor.ts), so an early expiry of a long run is harmless.
 */
export const runQueueDefinition = () => ({ retryLimit: 1000, retryDelay: 1, retryBackoff: false, expireInSeconds: expireSeconds() });
