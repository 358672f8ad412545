// JSONata evaluation with a time and depth limit (never JavaScript eval).
import { ConnectorError } from '@braid/connector-sdk';
import jsonata from 'jsonata';

export interface ExpressionLimits {
  timeoutMs?: number;
  maxDepth?: number;
  /** Longest sequence an expression may build (stops `[1..1e9]`). */
  maxSequence?: number;
}

interface JsonataFailure {
  code?: string;
  message?: string;
  position?: number;
  token?: string;
}

function describeFailure(error: unknown): string {
  const failure = error as JsonataFailure;
  const where = failure.position !== undefined ? ` at position ${failure.position}` : '';
  return `${failure.code ? `${failure.code}: ` : ''}${failure.message ?? String(error)}${where}`;
}

/**
 * Compiles and evaluates `expression` over `data`. Syntax and evaluation errors become INVALID_INPUT
 * pointing at `pointer` (the input field holding the expression).
 */
export async function evaluateExpression(
  expression: string,
  data: unknown,
  bindings: Record<string, unknown> = {},
  limits: ExpressionLimits = {},
  pointer = '/expression',
): Promise<unknown> {
  let compiled: jsonata.Expression;
  try {
    compiled = jsonata(expression, {
      timeout: limits.timeoutMs ?? 1000,
      stack: limits.maxDepth ?? 200,
      sequence: limits.maxSequence ?? 100_000,
    });
  } catch (error) {
    throw new ConnectorError('INVALID_INPUT', `The expression does not parse: ${describeFailure(error)}`, {
      retryable: false,
      issues: [{ pointer, message: describeFailure(error) }],
    });
  }
  try {
    return await compiled.evaluate(data, bindings);
  } catch (error) {
    throw new ConnectorError('INVALID_INPUT', `The expression failed: ${describeFailure(error)}`, {
      retryable: false,
      issues: [{ pointer, message: describeFailure(error) }],
    });
  }
}
