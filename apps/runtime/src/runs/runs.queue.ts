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
