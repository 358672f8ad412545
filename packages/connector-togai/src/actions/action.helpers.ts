// Small helpers shared by the Togai actions.
import { ConnectorError, isConnectorError } from '@braid/connector-sdk';

/** An input problem the JSON Schema cannot express (e.g. "at least one of"), with a pointer into the input. */
export function invalidInput(pointer: string, message: string): ConnectorError {
  return new ConnectorError('INVALID_INPUT', `${pointer || '(root)'} ${message}`, {
    retryable: false,
    issues: [{ pointer, message }],
  });
}

export function isNotFound(error: unknown): boolean {
  return isConnectorError(error) && error.code === 'NOT_FOUND';
}

export function isConflict(error: unknown): boolean {
  return isConnectorError(error) && error.code === 'CONFLICT';
}

/** Copies the keys of `source` whose value is not undefined. */
export function definedOnly<T extends Record<string, unknown>>(source: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [key, value] of Object.entries(source)) if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  return out;
}

/** Comparison key for exact matching of names and emails: trimmed, case-folded, inner whitespace collapsed. */
export function matchKey(value: unknown): string {
  return typeof value === 'string' ? value.trim().replace(/\s+/g, ' ').toLowerCase() : '';
}
