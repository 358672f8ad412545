// Static analysis of JSONata expressions: syntax errors with a position, and what the expression reads
// (`$steps.<id>`, `$trigger`, `$item`, `$index`, `$vars`).
import jsonata from 'jsonata';
import { isExpression, type InputValue } from './flow.types.js';

export interface StepReference {
  stepId: string;
  /** Offset of the step id in the expression source (start inclusive, end exclusive). */
  start: number;
  end: number;
}

export interface ExpressionSyntaxError {
  /** 0-based character offset where the parser gave up. */
  position: number;
  /** JSONata's error code (e.g. S0207) and message. */
  jsonataCode: string;
  message: string;
}

export type ExpressionAnalysis =
  | {
      ok: true;
      stepRefs: StepReference[];
      /** Which bindings the expression reads (not counting ones it declares itself). */
      uses: { trigger: boolean; steps: boolean; item: boolean; index: boolean; vars: boolean };
    }
  | { ok: false; error: ExpressionSyntaxError };

interface AstNode {
  type?: string;
  value?: unknown;
  position?: number;
  steps?: AstNode[];
  [key: string]: unknown;
}

/** Parses an expression with JSONata and lists what it reads. Never evaluates anything. */
export function analyzeExpression(source: string): ExpressionAnalysis {
  if (source.trim() === '') {
    return { ok: false, error: { position: 0, jsonataCode: 'S0207', message: 'The expression is empty.' } };
  }
  let ast: AstNode;
  try {
    ast = jsonata(source).ast() as AstNode;
  } catch (err) {
    const e = err as { code?: string; position?: number; message?: string };
    return {
      ok: false,
      error: {
        position: typeof e.position === 'number' ? e.position : 0,
        jsonataCode: e.code ?? 'S0000',
        message: e.message ?? String(err),
      },
    };
  }

  const stepRefs: StepReference[] = [];
  const used = new Set<string>();
  const declared = new Set<string>();
  const seen = new Set<object>();

  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const n of node) visit(n);
      return;
    }
    const n = node as AstNode;
    if (n.type === 'variable' && typeof n.value === 'string') used.add(n.value);
    if (n.type === 'bind' && isVariable(n.lhs)) declared.add((n.lhs as AstNode).value as string);
    if (n.type === 'lambda' && Array.isArray(n.arguments)) {
      for (const a of n.arguments as AstNode[]) if (isVariable(a)) declared.add(a.value as string);
    }
    if (n.type === 'path' && Array.isArray(n.steps)) {
      const [head, second] = n.steps;
      if (head && head.type === 'variable' && head.value === 'steps' && second && second.type === 'name') {
        const id = String(second.value);
        const end = typeof second.position === 'number' ? second.position : 0;
        const quoted = source.slice(end - id.length - 2, end) === '`' + id + '`';
        stepRefs.push({ stepId: id, start: quoted ? end - id.length - 1 : end - id.length, end: quoted ? end - 1 : end });
      }
    }
    for (const value of Object.values(n)) visit(value);
  };
  visit(ast);

  const reads = (name: string) => used.has(name) && !declared.has(name);
  return {
    ok: true,
    stepRefs,
    uses: { trigger: reads('trigger'), steps: reads('steps'), item: reads('item'), index: reads('index'), vars: reads('vars') },
  };
}

function isVariable(node: unknown): node is AstNode {
  return typeof node === 'object' && node !== null && (node as AstNode).type === 'variable';
}

export interface FoundExpression {
  /** Path of the expression inside the value (object keys and array indexes). */
  path: Array<string | number>;
  source: string;
}

/** Every expression inside an input value, depth first, with its path. */
export function findExpressions(value: unknown, path: Array<string | number> = []): FoundExpression[] {
  if (isExpression(value)) return [{ path, source: value.$expr }];
  if (Array.isArray(value)) return value.flatMap((v, i) => findExpressions(v, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => findExpressions(v, [...path, k]));
  }
  return [];
}

/** True when the value contains an expression at any depth. */
export function containsExpression(value: unknown): boolean {
  return findExpressions(value).length > 0;
}

/**
 * Rewrites `$steps.<from>` references in an expression to `$steps.<to>`. An expression that does not parse
 * is returned unchanged.
 */
export function renameStepInExpression(source: string, from: string, to: string): string {
  const analysis = analyzeExpression(source);
  if (!analysis.ok) return source;
  const refs = analysis.stepRefs.filter((r) => r.stepId === from).sort((a, b) => b.start - a.start);
  let out = source;
  for (const r of refs) out = out.slice(0, r.start) + to + out.slice(r.end);
  return out;
}

/** Applies renameStepInExpression to every expression inside an input value (returns a new value). */
export function renameStepInValue<T extends InputValue | undefined>(value: T, from: string, to: string): T {
  if (value === undefined) return value;
  if (isExpression(value)) return { $expr: renameStepInExpression(value.$expr, from, to) } as T;
  if (Array.isArray(value)) return value.map((v) => renameStepInValue(v, from, to)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renameStepInValue(v, from, to)])) as T;
  }
  return value;
}
