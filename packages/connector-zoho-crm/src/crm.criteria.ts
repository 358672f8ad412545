// Search API `criteria` built from structured conditions (apis.md C6): `(Field:operator:value)` joined by and/or,
// values escaped so `(`, `)`, `,` and `\` inside them cannot change the query. At most 10 conditions.
import { ConnectorError } from '@braid/connector-sdk';

export const CRITERIA_OPERATORS = [
  'equals',
  'not_equal',
  'starts_with',
  'in',
  'not_in',
  'greater_than',
  'greater_equal',
  'less_than',
  'less_equal',
  'between',
] as const;
export type CriteriaOperator = (typeof CRITERIA_OPERATORS)[number];

export const MAX_CRITERIA_CONDITIONS = 10;

export interface CriteriaCondition {
  field: string;
  operator: CriteriaOperator;
  /** A list for `in`/`not_in` (any length) and `between` (exactly two). */
  value: string | number | boolean | Array<string | number | boolean>;
}

const FIELD = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)?$/;

/** Escapes one value: backslash first, then the characters the criteria grammar gives meaning to. */
export function escapeCriteriaValue(value: string | number | boolean): string {
  return String(value).replace(/[\\(),]/g, (c) => `\\${c}`);
}

function invalid(pointer: string, message: string): ConnectorError {
  return new ConnectorError('INVALID_INPUT', `${pointer} ${message}`, { retryable: false, issues: [{ pointer, message }] });
}

export function conditionToCriteria(condition: CriteriaCondition, pointer = ''): string {
  if (!FIELD.test(condition.field)) throw invalid(`${pointer}/field`, 'must be a field API name like Account_Name');
  if (!(CRITERIA_OPERATORS as readonly string[]).includes(condition.operator)) {
    throw invalid(`${pointer}/operator`, `must be one of ${CRITERIA_OPERATORS.join(', ')}`);
  }
  const multi = condition.operator === 'in' || condition.operator === 'not_in' || condition.operator === 'between';
  const values = Array.isArray(condition.value) ? condition.value : [condition.value];
  if (!multi && Array.isArray(condition.value)) throw invalid(`${pointer}/value`, `takes one value for "${condition.operator}"`);
  if (condition.operator === 'between' && values.length !== 2) throw invalid(`${pointer}/value`, 'needs exactly two values for "between"');
  if (values.length === 0) throw invalid(`${pointer}/value`, 'needs at least one value');
  return `(${condition.field}:${condition.operator}:${values.map(escapeCriteriaValue).join(',')})`;
}

/** `((A:equals:x)and(B:starts_with:y))`; one condition is `(A:equals:x)`. */
export function buildCriteria(conditions: CriteriaCondition[], match: 'and' | 'or' = 'and'): string {
  if (conditions.length === 0) throw invalid('/conditions', 'needs at least one condition');
  if (conditions.length > MAX_CRITERIA_CONDITIONS) {
    throw invalid('/conditions', `has ${conditions.length} conditions; Zoho CRM search allows at most ${MAX_CRITERIA_CONDITIONS}`);
  }
  const parts = conditions.map((c, i) => conditionToCriteria(c, `/conditions/${i}`));
  return parts.length === 1 ? parts[0]! : `(${parts.join(match)})`;
}
