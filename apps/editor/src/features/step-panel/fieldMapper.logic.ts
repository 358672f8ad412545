import { isExpression, type FieldMapping, type FieldMappingPair, type InputValue, type JsonSchema } from '@braid/flow-model';

/** Targets that must be mapped: the schema's `x-braid-mandatory-targets` plus the value's own. */
export function mandatoryTargets(schema: JsonSchema, mapping: FieldMapping | undefined): string[] {
  const fromSchema = Array.isArray(schema['x-braid-mandatory-targets']) ? (schema['x-braid-mandatory-targets'] as unknown[]).filter((t): t is string => typeof t === 'string') : [];
  return [...new Set([...fromSchema, ...(mapping?.mandatoryTargets ?? [])])];
}

/** Reads a mapping from an input value (anything else becomes an empty mapping). */
export function asMapping(value: InputValue | undefined): FieldMapping {
  if (value && typeof value === 'object' && !Array.isArray(value) && !isExpression(value) && Array.isArray((value as { pairs?: unknown }).pairs)) {
    return value as unknown as FieldMapping;
  }
  return { pairs: [] };
}

export interface MapperRow {
  index: number;
  pair: FieldMappingPair;
  /** Mandatory target: the pair cannot be removed and its target cannot change. */
  locked: boolean;
  /** Empty source or target (cannot be published). */
  incomplete: boolean;
  /** Target already mapped by an earlier pair. */
  duplicate: boolean;
}

const blank = (value: InputValue | undefined) => value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (isExpression(value) && value.$expr.trim() === '');

/** The rows the field mapper shows, with locks and problems per pair. */
export function mapperRows(mapping: FieldMapping, mandatory: readonly string[]): MapperRow[] {
  const seen = new Set<string>();
  const lockedTargets = new Set(mandatory);
  const firstLock = new Set<string>();
  return mapping.pairs.map((pair, index) => {
    const duplicate = pair.target !== '' && seen.has(pair.target);
    seen.add(pair.target);
    // Only the first pair of a mandatory target is locked: a duplicate of it may go.
    const locked = lockedTargets.has(pair.target) && !firstLock.has(pair.target);
    if (locked) firstLock.add(pair.target);
    return { index, pair, locked, incomplete: blank(pair.source) || blank(pair.target), duplicate };
  });
}

/** Adds a pair for every mandatory target that has none (with an empty source to fill in). */
export function ensureMandatoryPairs(mapping: FieldMapping, mandatory: readonly string[]): FieldMapping {
  const present = new Set(mapping.pairs.map((p) => p.target));
  const missing = mandatory.filter((t) => !present.has(t));
  if (missing.length === 0) return mapping;
  return { ...mapping, pairs: [...mapping.pairs, ...missing.map((target) => ({ source: { $expr: '' }, target }))] };
}

export function addPair(mapping: FieldMapping): FieldMapping {
  return { ...mapping, pairs: [...mapping.pairs, { source: { $expr: '' }, target: '' }] };
}

/** Removes a pair unless it is the locked pair of a mandatory target. */
export function removePair(mapping: FieldMapping, index: number, mandatory: readonly string[]): FieldMapping {
  const row = mapperRows(mapping, mandatory)[index];
  if (!row || row.locked) return mapping;
  return { ...mapping, pairs: mapping.pairs.filter((_, i) => i !== index) };
}

/** Changes one pair; the target of a locked pair stays. */
export function updatePair(mapping: FieldMapping, index: number, patch: Partial<FieldMappingPair>, mandatory: readonly string[]): FieldMapping {
  const row = mapperRows(mapping, mandatory)[index];
  if (!row) return mapping;
  const next = { ...row.pair, ...patch, ...(row.locked ? { target: row.pair.target } : {}) };
  return { ...mapping, pairs: mapping.pairs.map((p, i) => (i === index ? next : p)) };
}

/** Switches an optional module's mandatory targets on or off (e.g. "billing address" pairs). */
export function setModuleTargets(mapping: FieldMapping, targets: readonly string[], on: boolean): FieldMapping {
  const current = new Set(mapping.mandatoryTargets ?? []);
  for (const t of targets) {
    if (on) current.add(t);
    else current.delete(t);
  }
  const { mandatoryTargets: _drop, ...rest } = mapping;
  const next = current.size ? { ...rest, mandatoryTargets: [...current] } : rest;
  return on ? ensureMandatoryPairs(next, targets) : next;
}
