// Fingerprints of written field values: equal values give equal fingerprints whatever the app did to their form
// (key order, surrounding spaces, "12.50" vs 12.5, "" vs null vs missing).
import { createHash } from 'node:crypto';

const NUMERIC = /^-?\d+(\.\d+)?$/;

function canonical(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed === '') return null;
    if (NUMERIC.test(trimmed)) return Number(trimmed);
    return trimmed;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as Record<string, unknown>).sort()) {
      const v = canonical((value as Record<string, unknown>)[key]);
      if (v !== null) out[key] = v;
    }
    return Object.keys(out).length === 0 ? null : out;
  }
  return String(value);
}

/** sha256 of the canonical JSON of `fields` (an object of field name → value). */
export function fingerprintFields(fields: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(canonical(fields) ?? {})).digest('hex');
}

/** A value at a dotted path (`records.0.id`); undefined when any part is missing. */
export function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const segment of path.split('.')) {
    if (current === null || current === undefined || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** The named fields of a record (dotted paths allowed), missing ones as null. */
export function pickFields(record: unknown, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = readPath(record, field);
    out[field] = value === undefined ? null : value;
  }
  return out;
}

/** Whether ISO time `a` is after `b` (unparseable times are never later). */
export function isLater(a: string, b: string): boolean {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return Number.isFinite(ta) && Number.isFinite(tb) && ta > tb;
}
