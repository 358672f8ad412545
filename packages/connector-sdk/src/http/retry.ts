// Backoff with full jitter and Retry-After parsing.

export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Full jitter: random(0, min(cap, base * 2^attempt)); `attempt` counts retries from 0. */
export function computeBackoffMs(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * Retry-After is either delta-seconds or an HTTP date. Returns milliseconds from `nowMs`
 * (never negative), or undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/** Methods that may be repeated after a 5xx / network error without risking a duplicate write. */
export function isRetrySafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}
