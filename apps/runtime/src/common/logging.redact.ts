/** Keys whose values never reach the logs, wherever they appear (headers, bodies, query strings, errors). */
const secretKey = /pass(word)?|secret|token|authorization|cookie|api[-_]?key|credential|session|csrf|private[-_]?key|client[-_]?secret/i;

export const REDACTED = '[redacted]';

export function isSecretKey(key: string): boolean {
  return secretKey.test(key);
}

/** Deep copy of a JSON-like value with secret-looking keys replaced; bounded depth, breadth and cycles. */
export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[truncated]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.slice(0, 50).map((item) => redactSecrets(item, depth + 1, seen));
  // Class instances (requests, responses, errors) are left to pino's serializers.
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>).slice(0, 100)) {
    out[key] = isSecretKey(key) ? REDACTED : redactSecrets(item, depth + 1, seen);
  }
  return out;
}

/** `/path?token=abc&x=1` → `/path?token=[redacted]&x=1`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  // `code` is an OAuth authorization code in callback URLs.
  for (const key of [...params.keys()]) if (isSecretKey(key) || key === 'code') params.set(key, REDACTED);
  return `${url.slice(0, q)}?${params.toString().replace(/%5Bredacted%5D/g, REDACTED)}`;
}

export function redactHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(headers)) out[key] = isSecretKey(key) ? REDACTED : value;
  return out;
}
