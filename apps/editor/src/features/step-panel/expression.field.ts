import { evaluateInput, ExpressionError, isExpression, type EvaluationBindings, type InputValue } from '@braid/flow-model';

/** The JSONata text that produces a literal (used when a value field switches to an expression). */
export function literalToExpression(value: InputValue | undefined): string {
  if (value === undefined || value === null || value === '') return '';
  return JSON.stringify(value);
}

/**
 * The literal an expression stands for when it switches back to a value: a JSON literal (`"abc"`, `5`,
 * `true`) becomes that value; anything computed becomes undefined (the field is emptied).
 */
export function expressionToLiteral(source: string): InputValue | undefined {
  const text = source.trim();
  if (text === '') return undefined;
  try {
    const parsed = JSON.parse(text) as InputValue;
    return parsed;
  } catch {
    return undefined;
  }
}

/** Switches a field between value and expression. */
export function toggleExpression(value: InputValue | undefined): InputValue | undefined {
  if (isExpression(value)) return expressionToLiteral(value.$expr);
  return { $expr: literalToExpression(value) };
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A JSONata path: `$steps.find_contact.contact.name`, with backticks for odd keys and `[0]` for indexes. */
export function referencePath(base: string, segments: ReadonlyArray<string | number>): string {
  let out = base;
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += `.${segment}`;
    else out += `.\`${segment.replace(/`/g, '')}\``;
  }
  return out;
}

/**
 * Inserts a reference into an expression at the cursor (replacing a selection), with a space where it would
 * otherwise run into a neighbouring word. Returns the new text and the cursor after the reference.
 */
export function insertReference(text: string, reference: string, selectionStart = text.length, selectionEnd = selectionStart): { text: string; cursor: number } {
  const before = text.slice(0, selectionStart);
  const after = text.slice(selectionEnd);
  const padLeft = before.length > 0 && /[\w$`)\]"']$/.test(before) ? ' & ' : '';
  const padRight = after.length > 0 && /^[\w$`(]/.test(after) ? ' ' : '';
  const inserted = `${padLeft}${reference}${padRight}`;
  return { text: before + inserted + after, cursor: before.length + padLeft.length + reference.length };
}

export type LiveValue = { state: 'empty' } | { state: 'value'; value: unknown } | { state: 'nothing' } | { state: 'error'; message: string };

/** Evaluates an expression on sample bindings for the live preview under a field. */
export async function evaluateLive(source: string, bindings: EvaluationBindings): Promise<LiveValue> {
  if (source.trim() === '') return { state: 'empty' };
  try {
    const value = await evaluateInput({ $expr: source }, bindings, { timeoutMs: 250 });
    return value === undefined ? { state: 'nothing' } : { state: 'value', value };
  } catch (error) {
    if (error instanceof ExpressionError) return { state: 'error', message: error.message };
    return { state: 'error', message: error instanceof Error ? error.message : String(error) };
  }
}

/** A short rendering of a value for the live preview. */
export function previewText(value: unknown, max = 300): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value, null, 1)?.replace(/\n\s*/g, ' ') ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
