// Evaluates step inputs: literals stay as they are, `{ "$expr": ... }` values (at any depth) are evaluated with
// JSONata under a time limit, a depth limit, a sequence-length limit and a result-size limit.
// Used by the runtime to run steps and by the editor's live preview, so both resolve values the same way.
import jsonata from 'jsonata';
import { fieldPath, toPointer } from './flow.problems.js';
import { isExpression } from './flow.types.js';

export interface EvaluationBindings {
  /** The trigger's output (the event): `$trigger`. */
  trigger?: unknown;
  /** Outputs of earlier steps by step id: `$steps.<id>`. */
  steps?: Record<string, unknown>;
  /** Inside a for-each body: the current element (`$item`) and its position (`$index`, from 0). */
  item?: unknown;
  index?: number;
  /** Flow / integration settings: `$vars`. */
  vars?: Record<string, unknown>;
  /** Inside an upsert-with-link step's update: the linked or matched record, `$target.id`. */
  target?: unknown;
}

export interface EvaluationLimits {
  /** Time budget for all expressions of one evaluateInput call, in ms. */
  timeoutMs?: number;
  /** Maximum nesting depth of JSONata's evaluator (stops runaway recursion). */
  maxDepth?: number;
  /** Maximum length of a sequence (array) built during evaluation. */
  maxSequence?: number;
  /** Maximum size of the resolved value, in characters of its JSON. */
  maxResultChars?: number;
}

export const DEFAULT_EVALUATION_LIMITS: Required<EvaluationLimits> = {
  timeoutMs: 1000,
  maxDepth: 1000,
  maxSequence: 100_000,
  maxResultChars: 5_000_000,
};

export const ExpressionErrorCode = {
  EXPRESSION_SYNTAX: 'EXPRESSION_SYNTAX',
  /** The expression ran and failed (type error, $error(), bad function argument, ...). */
  EXPRESSION_EVALUATION: 'EXPRESSION_EVALUATION',
  EXPRESSION_TIMEOUT: 'EXPRESSION_TIMEOUT',
  EXPRESSION_TOO_DEEP: 'EXPRESSION_TOO_DEEP',
  /** A sequence or the result grew beyond the limits. */
  EXPRESSION_TOO_LARGE: 'EXPRESSION_TOO_LARGE',
} as const;
export type ExpressionErrorCode = (typeof ExpressionErrorCode)[keyof typeof ExpressionErrorCode];

export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  constructor(
    readonly code: ExpressionErrorCode,
    message: string,
    /** Where the expression sits inside the evaluated value (segments, and as a JSON pointer). */
    readonly path: Array<string | number>,
    readonly expression: string,
    /** JSONata's own error code (e.g. T2001) and 0-based character position, when it gave them. */
    readonly jsonataCode?: string,
    readonly position?: number,
  ) {
    super(message);
  }

  get pointer(): string {
    return toPointer(this.path);
  }
}

interface JsonataFailure {
  code?: string;
  message?: string;
  position?: number;
}

function codeFor(err: JsonataFailure, isRangeError: boolean): ExpressionErrorCode {
  const code = err.code ?? '';
  if (code.startsWith('S')) return ExpressionErrorCode.EXPRESSION_SYNTAX;
  if (code === 'D1012') return ExpressionErrorCode.EXPRESSION_TIMEOUT;
  if (code === 'D1011') return ExpressionErrorCode.EXPRESSION_TOO_DEEP;
  if (code === 'D2014' || code === 'D2015') return ExpressionErrorCode.EXPRESSION_TOO_LARGE;
  if (isRangeError) {
    return /call stack/i.test(err.message ?? '') ? ExpressionErrorCode.EXPRESSION_TOO_DEEP : ExpressionErrorCode.EXPRESSION_TOO_LARGE;
  }
  return ExpressionErrorCode.EXPRESSION_EVALUATION;
}

function where(path: Array<string | number>): string {
  return path.length === 0 ? 'The expression' : `The expression in "${fieldPath(path)}"`;
}

function failure(code: ExpressionErrorCode, detail: string, path: Array<string | number>, source: string, err?: JsonataFailure): ExpressionError {
  const at = err?.position !== undefined && err.position > 0 ? ` at character ${err.position}` : '';
  const tag = err?.code ? ` (JSONata ${err.code}${at})` : '';
  return new ExpressionError(code, `${where(path)} ${detail}${tag}.`, path, source, err?.code, err?.position);
}

/** Copies a JSONata result into plain JSON (JSONata marks arrays as sequences), counting its size. */
function toPlainJson(value: unknown, budget: { left: number }, path: Array<string | number>, source: string, limit: number): unknown {
  const spend = (n: number) => {
    budget.left -= n;
    if (budget.left < 0) {
      throw failure(ExpressionErrorCode.EXPRESSION_TOO_LARGE, `produced a value larger than ${limit} characters`, path, source);
    }
  };
  if (value === undefined) return undefined;
  if (value === null || typeof value === 'boolean') {
    spend(5);
    return value;
  }
  if (typeof value === 'number') {
    spend(String(value).length);
    return value;
  }
  if (typeof value === 'string') {
    spend(value.length + 2);
    return value;
  }
  if (typeof value === 'function') {
    throw failure(ExpressionErrorCode.EXPRESSION_EVALUATION, 'returned a function, not a value', path, source);
  }
  if (Array.isArray(value)) {
    spend(2);
    const out: unknown[] = [];
    for (const v of value) {
      const plain = toPlainJson(v, budget, path, source, limit);
      if (plain !== undefined) {
        spend(1);
        out.push(plain);
      }
    }
    return out;
  }
  if (typeof value === 'object') {
    if ((value as { _jsonata_lambda?: boolean })._jsonata_lambda || (value as { _jsonata_function?: boolean })._jsonata_function) {
      throw failure(ExpressionErrorCode.EXPRESSION_EVALUATION, 'returned a function, not a value', path, source);
    }
    spend(2);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const plain = toPlainJson(v, budget, path, source, limit);
      if (plain !== undefined) {
        spend(k.length + 4);
        out[k] = plain;
      }
    }
    return out;
  }
  return undefined;
}

/**
 * A compiled JSONata expression with the options object it reads its limits from. JSONata reads the time limit
 * from that object while it evaluates, so one compiled expression serves one evaluation at a time: it is
 * borrowed for an evaluation (with this call's remaining time set) and given back after. Compiling (parsing)
 * was most of the cost of evaluating the short expressions of a run, and most of its garbage.
 */
interface CompiledExpression {
  key: string;
  expression: ReturnType<typeof jsonata>;
  options: { timeout: number; stack: number; sequence: number };
}

/** Compiled expressions not in use, by limits and source; bounded (emptied when full). */
const idleCompiled = new Map<string, CompiledExpression[]>();
let idleCompiledCount = 0;
const MAX_IDLE_COMPILED = 2000;

function borrowCompiled(source: string, limits: Required<EvaluationLimits>): CompiledExpression {
  const key = `${limits.maxDepth}:${limits.maxSequence}:${source}`;
  const idle = idleCompiled.get(key)?.pop();
  if (idle) {
    idleCompiledCount -= 1;
    return idle;
  }
  const options = { timeout: limits.timeoutMs, stack: limits.maxDepth, sequence: limits.maxSequence };
  return { key, expression: jsonata(source, options), options };
}

function returnCompiled(compiled: CompiledExpression): void {
  if (idleCompiledCount >= MAX_IDLE_COMPILED) {
    idleCompiled.clear();
    idleCompiledCount = 0;
  }
  const idle = idleCompiled.get(compiled.key);
  if (idle) idle.push(compiled);
  else idleCompiled.set(compiled.key, [compiled]);
  idleCompiledCount += 1;
}

interface RunState {
  limits: Required<EvaluationLimits>;
  deadline: number;
  budget: { left: number };
}

async function runExpression(source: string, bindings: EvaluationBindings, path: Array<string | number>, state: RunState): Promise<unknown> {
  const remaining = state.deadline - Date.now();
  if (remaining <= 0) {
    throw failure(ExpressionErrorCode.EXPRESSION_TIMEOUT, `was not started: the time limit of ${state.limits.timeoutMs} ms was used up`, path, source);
  }
  if (source.trim() === '') throw failure(ExpressionErrorCode.EXPRESSION_SYNTAX, 'is empty', path, source);
  let compiled: CompiledExpression;
  try {
    compiled = borrowCompiled(source, state.limits);
  } catch (err) {
    const e = err as JsonataFailure;
    throw failure(ExpressionErrorCode.EXPRESSION_SYNTAX, `is not valid JSONata: ${e.message ?? String(err)}`, path, source, e);
  }
  compiled.options.timeout = Math.max(1, remaining);
  let result: unknown;
  try {
    result = await compiled.expression.evaluate(undefined, {
      trigger: bindings.trigger,
      steps: bindings.steps ?? {},
      item: bindings.item,
      index: bindings.index,
      vars: bindings.vars ?? {},
      ...(bindings.target !== undefined ? { target: bindings.target } : {}),
    });
  } catch (err) {
    const e = (err ?? {}) as JsonataFailure;
    const code = codeFor(e, err instanceof RangeError);
    const detail =
      code === ExpressionErrorCode.EXPRESSION_TIMEOUT
        ? `took longer than the limit of ${state.limits.timeoutMs} ms (is it looping forever?)`
        : code === ExpressionErrorCode.EXPRESSION_TOO_DEEP
          ? `nested too deeply (over ${state.limits.maxDepth} levels — a recursive function that never stops?)`
          : `failed: ${e.message ?? String(err)}`;
    throw failure(code, detail, path, source, e);
  } finally {
    returnCompiled(compiled);
  }
  return toPlainJson(result, state.budget, path, source, state.limits.maxResultChars);
}

async function resolve(value: unknown, bindings: EvaluationBindings, path: Array<string | number>, state: RunState): Promise<unknown> {
  if (isExpression(value)) return runExpression(value.$expr, bindings, path, state);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      const v = await resolve(value[i], bindings, [...path, i], state);
      out.push(v === undefined ? null : v);
    }
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const resolved = await resolve(v, bindings, [...path, k], state);
      if (resolved !== undefined) out[k] = resolved;
    }
    return out;
  }
  return value;
}

function withDefaults(limits: EvaluationLimits): Required<EvaluationLimits> {
  return { ...DEFAULT_EVALUATION_LIMITS, ...Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)) };
}

/**
 * Resolves an input value: every `{ "$expr": ... }` inside it is replaced by its result. An object key whose
 * expression yields nothing (undefined) is left out; a list element that yields nothing becomes null.
 * Throws ExpressionError (with the path of the failing expression) on any failure.
 */
export async function evaluateInput(value: unknown, bindings: EvaluationBindings, limits: EvaluationLimits = {}): Promise<unknown> {
  const full = withDefaults(limits);
  return resolve(value, bindings, [], { limits: full, deadline: Date.now() + full.timeoutMs, budget: { left: full.maxResultChars } });
}

/** Evaluates one JSONata expression source with the same bindings and limits as evaluateInput. */
export async function evaluateExpression(source: string, bindings: EvaluationBindings, limits: EvaluationLimits = {}): Promise<unknown> {
  const full = withDefaults(limits);
  return runExpression(source, bindings, [], { limits: full, deadline: Date.now() + full.timeoutMs, budget: { left: full.maxResultChars } });
}
