import { describe, expect, it } from 'vitest';
import type { PreviewResult, PreviewStepView } from '../../api/flows';
import { mergeStepPreview, previewRequest } from './preview.settings';

const step = (stepId: string, status: string, output: unknown = {}): PreviewStepView => ({ stepId, path: stepId, status, input: {}, output, error: null, attempts: 1, dryRun: true, startedAt: '', finishedAt: null });
const result = (steps: PreviewStepView[], status: PreviewResult['status'] = 'succeeded'): PreviewResult => ({ runId: 'r', mode: 'dry-run', status, triggerOutput: { a: 1 }, output: null, error: null, steps });

describe('previewRequest', () => {
  it('builds the body for each source', () => {
    expect(previewRequest({ source: 'sample', mode: 'dry-run', payloadText: '' })).toEqual({ source: 'sample', mode: 'dry-run' });
    expect(previewRequest({ source: 'last-event', mode: 'normal', payloadText: 'ignored' }, 'find')).toEqual({ source: 'last-event', mode: 'normal', stepId: 'find' });
    expect(previewRequest({ source: 'payload', mode: 'normal', payloadText: '{"id": 7}' })).toEqual({ source: 'payload', mode: 'normal', payload: { id: 7 } });
  });
  it('says what is wrong with pasted JSON', () => {
    expect(() => previewRequest({ source: 'payload', mode: 'normal', payloadText: '' })).toThrow(/Paste the event/);
    expect(() => previewRequest({ source: 'payload', mode: 'normal', payloadText: '{nope' })).toThrow(/not valid JSON/);
  });
});

describe('mergeStepPreview', () => {
  it('replaces only the tested step', () => {
    const full = result([step('a', 'succeeded', 1), step('b', 'failed')], 'failed');
    const single = result([step('b', 'succeeded', 2)]);
    const merged = mergeStepPreview(full, single, 'b');
    expect(merged.steps.map((s) => [s.stepId, s.status, s.output])).toEqual([['a', 'succeeded', 1], ['b', 'succeeded', 2]]);
    expect(mergeStepPreview(null, single, 'b')).toBe(single);
  });
});
