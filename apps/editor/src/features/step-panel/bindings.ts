import { previewBindings, type EvaluationBindings, type StepId } from '@braid/flow-model';
import type { PreviewResult } from '../../api/flows';
import { useDeferredValue, useEffect, useState } from 'react';
import { useEditor, useEditorContext } from '../canvas/editor.context';

/**
 * The bindings a step's expressions see in the live preview: the catalog samples (map steps evaluated on
 * them), overlaid with the real outputs of the last preview run when there is one.
 */
export function usePreviewBindings(stepId: StepId | null): EvaluationBindings | undefined {
  const { catalog } = useEditorContext();
  const flow = useDeferredValue(useEditor((s) => s.flow));
  const preview = useEditor((s) => s.preview);
  const [bindings, setBindings] = useState<EvaluationBindings>();

  useEffect(() => {
    let cancelled = false;
    const real = realOutputs(preview);
    if (stepId === null) {
      setBindings({ trigger: real.trigger, steps: {}, vars: {} });
      return;
    }
    previewBindings(flow, catalog, stepId)
      .then(({ bindings: sample }) => {
        if (cancelled) return;
        setBindings({ ...sample, ...(real.trigger !== undefined ? { trigger: real.trigger } : {}), steps: { ...sample.steps, ...pick(real.steps, Object.keys(sample.steps ?? {})) } });
      })
      .catch(() => !cancelled && setBindings({ trigger: real.trigger, steps: {}, vars: {} }));
    return () => {
      cancelled = true;
    };
  }, [flow, catalog, stepId, preview]);
  return bindings;
}

function pick(from: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => from[k] !== undefined).map((k) => [k, from[k]]));
}

/** The trigger output and each top-level step's output of a preview run. */
export function realOutputs(preview: PreviewResult | null): { trigger?: unknown; steps: Record<string, unknown> } {
  if (!preview) return { steps: {} };
  const steps: Record<string, unknown> = {};
  for (const step of preview.steps) if (step.path === step.stepId && step.status === 'succeeded') steps[step.stepId] = step.output;
  return { trigger: preview.triggerOutput, steps };
}
