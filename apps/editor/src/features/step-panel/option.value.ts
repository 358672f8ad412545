/**
 * A value's JSON with object keys sorted: the same for `{ "id": 1, "name": "x" }` and `{ "name": "x", "id": 1 }`.
 * Choices are compared this way because a saved draft comes back from the server's jsonb with its keys in
 * another order than the options' — a plain JSON.stringify showed the chosen option as "not in the list".
 */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])])) : v;
  return JSON.stringify(sort(value)) ?? '';
}
