import { create } from 'zustand';
import type { PreviewRequest, PreviewResult } from '../../api/flows';

export interface PreviewSettings {
  source: PreviewRequest['source'];
  mode: 'normal' | 'dry-run';
  payloadText: string;
  set(patch: Partial<Pick<PreviewSettings, 'source' | 'mode' | 'payloadText'>>): void;
}

/** How previews run (shared by the preview panel and "test this step"). */
export const usePreviewSettings = create<PreviewSettings>((set) => ({
  source: 'sample',
  mode: 'dry-run',
  payloadText: '',
  set: (patch) => set(patch),
}));

/** The request body for the current settings; throws a readable error for pasted JSON that does not parse. */
export function previewRequest(settings: Pick<PreviewSettings, 'source' | 'mode' | 'payloadText'>, stepId?: string): PreviewRequest {
  const request: PreviewRequest = { source: settings.source, mode: settings.mode, ...(stepId ? { stepId } : {}) };
  if (settings.source === 'payload') {
    if (settings.payloadText.trim() === '') throw new Error('Paste the event (JSON) to preview with.');
    try {
      request.payload = JSON.parse(settings.payloadText);
    } catch (error) {
      throw new Error(`The pasted event is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return request;
}

/**
 * Folds the result of "test this step" into the last full preview: the step's entries are replaced,
 * the other steps keep what they showed.
 */
export function mergeStepPreview(previous: PreviewResult | null, single: PreviewResult, stepId: string): PreviewResult {
  if (!previous) return single;
  const others = previous.steps.filter((s) => s.stepId !== stepId);
  const mine = single.steps.filter((s) => s.stepId === stepId);
  return { ...previous, steps: [...others, ...mine] };
}
