import type { PreviewResult } from '../../api/flows';

const rank: Record<string, number> = { failed: 4, running: 3, retrying: 3, succeeded: 2, skipped: 1 };

/**
 * One status per step id from a preview: a step that ran several times (inside a loop) shows its worst
 * outcome, so one failed iteration colours the node red.
 */
export function stepStatuses(preview: PreviewResult | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const step of preview?.steps ?? []) {
    const current = out.get(step.stepId);
    if (!current || (rank[step.status] ?? 0) > (rank[current] ?? 0)) out.set(step.stepId, step.status);
  }
  return out;
}

/** The runs of one step in a preview (several inside a loop), in order. */
export function stepRuns(preview: PreviewResult | null, stepId: string) {
  return (preview?.steps ?? []).filter((s) => s.stepId === stepId);
}
