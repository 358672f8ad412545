// Sample bindings for the editor's live preview of a step's expressions: the trigger's and actions' sample
// outputs from the connector catalog, map steps evaluated on those samples, and the first element of each
// enclosing loop as `$item`.
import type { ConnectorDescriptor } from './connector.types.js';
import { ExpressionError, evaluateInput, type EvaluationBindings, type EvaluationLimits } from './expression.evaluate.js';
import { analyzeGraph, enclosingScopes, upstreamSteps } from './flow.graph.js';
import type { FlowDefinition, StepId } from './flow.types.js';

export interface PreviewBindings {
  bindings: EvaluationBindings;
  /** Expressions of upstream map steps / loops that failed on the samples (their output is left out). */
  errors: Array<{ stepId: StepId; error: ExpressionError }>;
}

/**
 * Builds the bindings a step's expressions would see, from sample data. Branch and for-each steps have no
 * sample output (the runtime defines what they produce), so `$steps.<branch or loop>` is absent.
 */
export async function previewBindings(
  flow: FlowDefinition,
  catalog: readonly ConnectorDescriptor[],
  stepId: StepId,
  options: { vars?: Record<string, unknown>; limits?: EvaluationLimits } = {},
): Promise<PreviewBindings> {
  const graph = analyzeGraph(flow);
  const connector = (key: string) => catalog.find((c) => c.key === key);
  const triggerSample = connector(flow.trigger.connector)?.triggers.find((t) => t.key === flow.trigger.trigger)?.sampleOutput;
  const bindings: EvaluationBindings = {
    trigger: structuredClone(triggerSample),
    steps: {},
    vars: options.vars ?? {},
  };
  const errors: PreviewBindings['errors'] = [];

  // Loops around the step, outermost first; each gets its first element as $item once we reach its body.
  const loops = enclosingScopes(flow, stepId, graph)
    .filter((s) => s.kind === 'body')
    .map((s) => (s.kind === 'body' ? s.stepId : ''))
    .reverse();
  let enteredLoops = 0;
  const enterLoopsAround = async (id: StepId | undefined) => {
    while (enteredLoops < loops.length) {
      const loopId = loops[enteredLoops]!;
      const inside = id === undefined || enclosingScopes(flow, id, graph).some((s) => s.kind === 'body' && s.stepId === loopId);
      if (!inside) return;
      const loop = flow.steps[loopId];
      enteredLoops++;
      if (loop?.kind !== 'forEach') continue;
      try {
        const items = await evaluateInput(loop.items, bindings, options.limits);
        bindings.item = Array.isArray(items) ? items[0] : items;
        bindings.index = 0;
      } catch (err) {
        if (!(err instanceof ExpressionError)) throw err;
        errors.push({ stepId: loopId, error: err });
      }
    }
  };

  for (const id of upstreamSteps(flow, stepId, graph)) {
    await enterLoopsAround(id);
    const step = flow.steps[id]!;
    if (step.kind === 'action') {
      const sample = connector(step.connector)?.actions.find((a) => a.key === step.action)?.sampleOutput;
      if (sample !== undefined) bindings.steps![id] = structuredClone(sample);
    } else if (step.kind === 'map') {
      try {
        const output = await evaluateInput(step.output, bindings, options.limits);
        if (output !== undefined) bindings.steps![id] = output;
      } catch (err) {
        if (!(err instanceof ExpressionError)) throw err;
        errors.push({ stepId: id, error: err });
      }
    }
  }
  await enterLoopsAround(undefined);
  return { bindings, errors };
}
