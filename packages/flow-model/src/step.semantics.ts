// How steps behave when a flow runs, shared by the runtime (real runs) and the editor (previews):
// what comes after a step, which branch path is taken, what a for-each loops over.
import jsonata from 'jsonata';
import { ExpressionError, ExpressionErrorCode, evaluateInput, type EvaluationBindings, type EvaluationLimits } from './expression.evaluate.js';
import { analyzeGraph, type FlowGraph } from './flow.graph.js';
import type { BranchStep, FlowDefinition, ForEachStep, StepId } from './flow.types.js';

/** What happens once a step (and everything inside it) has finished. */
export type Continuation =
  /** Run this step next. */
  | { kind: 'step'; stepId: StepId }
  /** The body of this loop is done for the current element: run the next element, or continue after the loop. */
  | { kind: 'loopBodyEnd'; loopId: StepId }
  /** The run is complete. */
  | { kind: 'end' };

/**
 * Where execution goes after `stepId`: its `next`; at the end of a branch path, what follows the branch
 * (recursively); at the end of a loop body, back to the loop. Undefined for an unreachable or unknown step.
 */
export function continuationAfter(flow: FlowDefinition, stepId: StepId, graph: FlowGraph = analyzeGraph(flow)): Continuation | undefined {
  const placement = graph.placement.get(stepId);
  if (!placement) return undefined;
  const step = flow.steps[stepId]!;
  if (step.next !== undefined) return { kind: 'step', stepId: step.next };
  switch (placement.scope.kind) {
    case 'root':
      return { kind: 'end' };
    case 'body':
      return { kind: 'loopBodyEnd', loopId: placement.scope.stepId };
    case 'branch':
    case 'else':
      return continuationAfter(flow, placement.scope.stepId, graph);
  }
}

/** Where a loop continues once every element has been processed (same as continuationAfter). */
export function continuationAfterLoop(flow: FlowDefinition, loopId: StepId, graph?: FlowGraph): Continuation | undefined {
  return continuationAfter(flow, loopId, graph);
}

export interface BranchChoice {
  /** The path taken, or null for the "else" path. */
  branchId: string | null;
  /** First step of that path (undefined: the path is empty; continue after the branch). */
  start: StepId | undefined;
}

let booleanCast: ReturnType<typeof jsonata> | undefined;

/** JSONata's own truthiness ($boolean): "", 0, null, empty lists and objects, functions are false. */
export async function isTruthy(value: unknown): Promise<boolean> {
  booleanCast ??= jsonata('$boolean($v)');
  return (await booleanCast.evaluate(undefined, { v: value })) === true;
}

/** Evaluates the paths' conditions in order; the first truthy one wins, else the "else" path. */
export async function chooseBranch(step: BranchStep, bindings: EvaluationBindings, limits?: EvaluationLimits): Promise<BranchChoice> {
  for (const [index, path] of step.branches.entries()) {
    let value: unknown;
    try {
      value = await evaluateInput(path.condition, bindings, limits);
    } catch (err) {
      if (err instanceof ExpressionError) {
        const where = ['branches', index, 'condition'];
        throw new ExpressionError(err.code, err.message.replace(/^The expression/, `The condition of path "${path.label || path.id}"`), where, err.expression, err.jsonataCode, err.position);
      }
      throw err;
    }
    if (await isTruthy(value)) return { branchId: path.id, start: path.start };
  }
  return { branchId: null, start: step.else?.start };
}

/**
 * The elements a for-each runs over: a list as is, a single value as a one-element list (JSONata returns a
 * one-element sequence as its element), nothing as an empty list. More than `maxItems` elements is an error.
 */
export async function loopItems(step: ForEachStep, bindings: EvaluationBindings, options: { limits?: EvaluationLimits; maxItems?: number } = {}): Promise<unknown[]> {
  const maxItems = options.maxItems ?? 10_000;
  let value: unknown;
  try {
    value = await evaluateInput(step.items, bindings, options.limits);
  } catch (err) {
    if (err instanceof ExpressionError) {
      throw new ExpressionError(err.code, err.message.replace(/^The expression/, 'The list to loop over'), ['items'], err.expression, err.jsonataCode, err.position);
    }
    throw err;
  }
  const items = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
  if (items.length > maxItems) {
    throw new ExpressionError(
      ExpressionErrorCode.EXPRESSION_TOO_LARGE,
      `The list to loop over has ${items.length} elements; a for-each runs over at most ${maxItems}. Filter the list or split the work.`,
      ['items'],
      step.items.$expr,
    );
  }
  return items;
}
