/** Limits of a number typed into a field. */
export interface NumberLimits {
  min?: number;
  max?: number;
  integer?: boolean;
}

/**
 * The number a field's text stands for while it is being typed: a complete number within the limits, or
 * undefined while the text is on its way to one ("", "-", "1." or "1" on the way to "10" when the minimum is 2).
 * Such a text is kept on screen as typed instead of being replaced by a clamped value under the cursor.
 */
export function typedNumber(text: string, limits: NumberLimits = {}): number | undefined {
  const trimmed = text.trim();
  if (!/^-?(\d+\.?\d*|\.\d+)$/.test(trimmed) || trimmed.endsWith('.')) return undefined;
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return undefined;
  if (limits.integer && !Number.isInteger(value)) return undefined;
  if (limits.min !== undefined && value < limits.min) return undefined;
  if (limits.max !== undefined && value > limits.max) return undefined;
  return value;
}

/** The number a field settles on when the person leaves it: the typed value brought within the limits, else `fallback`. */
export function settledNumber(text: string, fallback: number, limits: NumberLimits = {}): number {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value)) return fallback;
  let settled = limits.integer ? Math.round(value) : value;
  if (limits.min !== undefined) settled = Math.max(limits.min, settled);
  if (limits.max !== undefined) settled = Math.min(limits.max, settled);
  return settled;
}
