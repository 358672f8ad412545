// A run's outcome in one line for the runs list and run detail: what a person wants to know without opening the
// run ("created contact 4600000123", "skipped: echo of run 8f2…", "failed at find: Zoho Books is unavailable").
// Derived only from what the engine records: the run's status, error and output, and the outputs of its
// upsert-with-link steps ({ path, targetId, matchedBy, result }).
import type { RunStatus } from './runs.queue.js';

/** What an upsert-with-link step did, as its recorded output says (one per execution). */
export interface UpsertOutcome {
  /** linked | matched | created | deleted | skipped */
  path: string;
  targetId: string | null;
  matchedBy?: string | null;
  /** The step's target record type (from the flow version), e.g. "contact". */
  targetType?: string | null;
  /** The step wrote the found record (an update action ran). */
  wrote?: boolean;
  /** How many executions had this outcome (loops); default 1. */
  count?: number;
}

export interface RunOutcomeFacts {
  status: RunStatus;
  /** runs.error: { code, message, stepId } */
  error: unknown;
  /** The message a run that stopped early ended with (an upsert's skip, the Stop action), else null. */
  stopMessage: string | null;
  upserts: UpsertOutcome[];
  succeededSteps: number;
}

const MAX = 300;
const clip = (text: string) => (text.length > MAX ? `${text.slice(0, MAX - 1)}…` : text);

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** One upsert's outcome as a phrase ("created contact 46", "updated contact 46", "linked contact 46 (matched by email)"). */
function upsertPhrase(upsert: UpsertOutcome): string | null {
  const what = [upsert.targetType || 'record', upsert.targetId].filter(Boolean).join(' ');
  switch (upsert.path) {
    case 'created':
      return `created ${what}`;
    case 'matched':
      return `${upsert.wrote ? 'matched and updated' : 'linked existing'} ${what}${upsert.matchedBy ? ` (by ${upsert.matchedBy})` : ''}`;
    case 'linked':
      return upsert.wrote ? `updated ${what}` : `already linked to ${what}`;
    case 'deleted':
      return `deleted ${what}`;
    default:
      return null;
  }
}

const verbs: Record<string, string> = { created: 'created', matched: 'matched', linked: 'updated', deleted: 'deleted' };

/** The verb an upsert counts under: a found record that was written is "updated", one only linked is "linked". */
function countVerb(upsert: UpsertOutcome): string | undefined {
  if (upsert.path === 'matched' || upsert.path === 'linked') return upsert.wrote ? 'updated' : 'linked';
  return verbs[upsert.path];
}

/** Several upserts (a loop, or several upsert steps): counts per verb and record type. */
function upsertCounts(upserts: UpsertOutcome[]): string {
  const counts = new Map<string, number>();
  for (const upsert of upserts) {
    const verb = countVerb(upsert);
    if (!verb) continue;
    const key = `${verb}\u0000${upsert.targetType || 'record'}`;
    counts.set(key, (counts.get(key) ?? 0) + (upsert.count ?? 1));
  }
  return [...counts]
    .map(([key, count]) => {
      const [verb, type] = key.split('\u0000') as [string, string];
      return `${verb} ${count} ${type}${count === 1 ? '' : 's'}`;
    })
    .join(', ');
}

/** The one-line outcome of a run; null while it is queued or running. */
export function runOutcomeSummary(facts: RunOutcomeFacts): string | null {
  if (facts.status === 'queued' || facts.status === 'running') return null;
  const error = record(facts.error);
  const message = typeof error.message === 'string' && error.message ? error.message : typeof error.code === 'string' ? error.code : '';
  if (facts.status === 'cancelled') return clip(message && message !== 'The run was cancelled.' ? `cancelled: ${message}` : 'cancelled');
  if (facts.status === 'failed') {
    const stepId = typeof error.stepId === 'string' && error.stepId ? error.stepId : null;
    return clip(`failed${stepId ? ` at ${stepId}` : ''}: ${message || 'no error message was recorded'}`);
  }
  if (facts.stopMessage) return clip(/^skipped:/.test(facts.stopMessage) ? facts.stopMessage : `stopped: ${facts.stopMessage}`);
  const written = facts.upserts.filter((u) => u.path in verbs && (u.count ?? 1) > 0);
  const total = written.reduce((sum, u) => sum + (u.count ?? 1), 0);
  if (total === 1) return clip(upsertPhrase(written[0]!) ?? '');
  if (total > 1) return clip(upsertCounts(written));
  return `completed: ${facts.succeededSteps} step${facts.succeededSteps === 1 ? '' : 's'}`;
}
