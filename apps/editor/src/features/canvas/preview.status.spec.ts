import { describe, expect, it } from 'vitest';
import type { PreviewResult, PreviewStepView } from '../../api/flows';
import { stepRuns, stepStatuses } from './preview.status';

const step = (stepId: string, status: string, path = stepId): PreviewStepView => ({ stepId, path, status, input: {}, output: {}, error: null, attempts: 1, dryRun: false, startedAt: '', finishedAt: null });

describe('stepStatuses', () => {
  it('gives each step its worst outcome', () => {
    const preview: PreviewResult = {
      runId: 'r', mode: 'preview', status: 'failed', triggerOutput: {}, output: null, error: null,
      steps: [step('a', 'succeeded'), step('line', 'succeeded', 'lines[0].line'), step('line', 'failed', 'lines[1].line'), step('line', 'succeeded', 'lines[2].line')],
    };
    expect(Object.fromEntries(stepStatuses(preview))).toEqual({ a: 'succeeded', line: 'failed' });
    expect(stepRuns(preview, 'line').map((s) => s.path)).toEqual(['lines[0].line', 'lines[1].line', 'lines[2].line']);
    expect(stepStatuses(null).size).toBe(0);
  });
});
