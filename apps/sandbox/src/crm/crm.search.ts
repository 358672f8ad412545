/**
 * The Search API's `criteria` language (apis.md C6), e.g.
 * `((Email:equals:a@b.com)and(Account_Name:starts_with:Zyl))`: conditions `Field:operator:value` in brackets,
 * joined by `and` / `or`, nested with brackets, at most 10 conditions; `\(`, `\)`, `\,` (and `\\`) escape
 * characters inside values; `in`/`not_in`/`between` take comma-separated values. Pure: parse, validate, evaluate.
 */
import type { CrmDataType, CrmFieldDef, CrmModuleDef } from './crm.fields.js';

export const criteriaOperators = [
  'equals', 'not_equal', 'starts_with', 'in', 'not_in',
  'greater_than', 'greater_equal', 'less_than', 'less_equal', 'between',
] as const;
export type CriteriaOperator = (typeof criteriaOperators)[number];

export type Criteria =
  | { kind: 'condition'; field: string; operator: CriteriaOperator; values: string[] }
  | { kind: 'group'; join: 'and' | 'or'; items: Criteria[] };

export class CriteriaError extends Error {
  constructor(message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
  }
}

/** Parses a criteria string; throws CriteriaError naming the position and what was expected. */
export function parseCriteria(input: string, maxConditions = 10): Criteria {
  const source = input.trim();
  if (source === '') throw new CriteriaError('criteria is empty');
  let pos = 0;
  let conditions = 0;

  const skipSpaces = () => {
    while (pos < source.length && source[pos] === ' ') pos++;
  };

  // term := '(' expr ')' | '(' condition ')'
  const parseTerm = (): Criteria => {
    skipSpaces();
    if (source[pos] !== '(') throw new CriteriaError(`expected "(" at position ${pos} of the criteria`, { position: pos });
    pos++;
    skipSpaces();
    let result: Criteria;
    if (source[pos] === '(') {
      result = parseExpr();
    } else {
      result = parseCondition();
    }
    skipSpaces();
    if (source[pos] !== ')') throw new CriteriaError(`expected ")" at position ${pos} of the criteria`, { position: pos });
    pos++;
    return result;
  };

  const parseExpr = (): Criteria => {
    const items = [parseTerm()];
    let join: 'and' | 'or' | undefined;
    for (;;) {
      skipSpaces();
      const rest = source.slice(pos, pos + 3).toLowerCase();
      const next = rest.startsWith('and') ? 'and' : rest.startsWith('or') ? 'or' : undefined;
      if (!next) break;
      if (join && join !== next) {
        throw new CriteriaError(`mixing "and" and "or" at position ${pos}: group them with brackets, e.g. ((a)and(b))or(c)`, {
          position: pos,
        });
      }
      join = next;
      pos += next.length;
      items.push(parseTerm());
    }
    return items.length === 1 ? items[0]! : { kind: 'group', join: join ?? 'and', items };
  };

  // condition text runs to the first unescaped ')'
  const parseCondition = (): Criteria => {
    const start = pos;
    let raw = '';
    while (pos < source.length && source[pos] !== ')') {
      if (source[pos] === '\\' && pos + 1 < source.length) {
        raw += source.slice(pos, pos + 2);
        pos += 2;
        continue;
      }
      if (source[pos] === '(') throw new CriteriaError(`unescaped "(" inside a condition at position ${pos}; write \\(`, { position: pos });
      raw += source[pos];
      pos++;
    }
    conditions++;
    if (conditions > maxConditions) {
      throw new CriteriaError(`more than ${maxConditions} conditions in the criteria`, { limit: maxConditions });
    }
    return conditionFrom(raw, start);
  };

  let result: Criteria;
  if (source.startsWith('(')) {
    result = parseExpr();
  } else {
    // a bare `Field:operator:value` without brackets
    pos = source.length;
    conditions = 1;
    result = conditionFrom(source, 0);
  }
  skipSpaces();
  if (pos !== source.length) throw new CriteriaError(`unexpected text at position ${pos} of the criteria`, { position: pos });
  return result;
}

function conditionFrom(raw: string, position: number): Criteria {
  const first = raw.indexOf(':');
  const second = first < 0 ? -1 : raw.indexOf(':', first + 1);
  if (first < 0 || second < 0) {
    throw new CriteriaError(`condition "${raw}" at position ${position} is not Field:operator:value`, { position });
  }
  const field = raw.slice(0, first).trim();
  const operator = raw.slice(first + 1, second).trim().toLowerCase();
  if (!field) throw new CriteriaError(`condition at position ${position} has no field name`, { position });
  if (!(criteriaOperators as readonly string[]).includes(operator)) {
    throw new CriteriaError(`unknown operator "${operator}" in the criteria; use one of ${criteriaOperators.join(', ')}`, {
      operator,
    });
  }
  const rawValue = raw.slice(second + 1);
  const multi = operator === 'in' || operator === 'not_in' || operator === 'between';
  const values = multi ? splitUnescaped(rawValue, ',').map(unescapeValue) : [unescapeValue(rawValue)];
  if (operator === 'between' && values.length !== 2) {
    throw new CriteriaError(`"between" on ${field} needs exactly two comma-separated values`, { api_name: field });
  }
  return { kind: 'condition', field, operator: operator as CriteriaOperator, values };
}

function splitUnescaped(value: string, separator: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '\\' && i + 1 < value.length) {
      current += value.slice(i, i + 2);
      i++;
    } else if (value[i] === separator) {
      out.push(current);
      current = '';
    } else {
      current += value[i];
    }
  }
  out.push(current);
  return out;
}

function unescapeValue(value: string): string {
  return value.replace(/\\(.)/g, '$1');
}

const textTypes: CrmDataType[] = ['text', 'textarea', 'email', 'phone', 'website', 'picklist'];
const orderedTypes: CrmDataType[] = ['integer', 'double', 'currency', 'datetime', 'date'];

export function conditionsOf(criteria: Criteria): Array<Extract<Criteria, { kind: 'condition' }>> {
  return criteria.kind === 'condition' ? [criteria] : criteria.items.flatMap(conditionsOf);
}

/** Checks every condition names a field of the module and uses an operator that field's type supports. */
export function validateCriteria(criteria: Criteria, module: CrmModuleDef): void {
  for (const condition of conditionsOf(criteria)) {
    const field = searchableField(module, condition.field);
    if (!field) {
      throw new CriteriaError(`${module.apiName} has no field "${condition.field}" to search on`, { api_name: condition.field });
    }
    const op = condition.operator;
    const allowed =
      op === 'equals' || op === 'not_equal' || op === 'in' || op === 'not_in'
        ? true
        : op === 'starts_with'
          ? textTypes.includes(field.dataType)
          : orderedTypes.includes(field.dataType);
    if (!allowed) {
      throw new CriteriaError(`operator "${op}" cannot be used on ${field.apiName} (${field.dataType})`, {
        api_name: field.apiName,
        operator: op,
      });
    }
    if (orderedTypes.includes(field.dataType)) {
      for (const v of condition.values) {
        if (Number.isNaN(orderedValue(field, v))) {
          throw new CriteriaError(`value "${v}" for ${field.apiName} is not a valid ${field.dataType}`, {
            api_name: field.apiName,
            expected_data_type: field.dataType,
          });
        }
      }
    }
  }
}

const idField: CrmFieldDef = { apiName: 'id', label: 'Record Id', dataType: 'text' };

function searchableField(module: CrmModuleDef, apiName: string): CrmFieldDef | undefined {
  if (apiName === 'id') return idField;
  return module.fields.find((f) => f.apiName === apiName);
}

function orderedValue(field: CrmFieldDef, value: string): number {
  if (field.dataType === 'datetime' || field.dataType === 'date') return Date.parse(value);
  return value.trim() === '' ? Number.NaN : Number(value);
}

/** A record's value for search: plain value, or for lookups/users the id and display name. */
export type SearchValue = { value: unknown; id?: string; name?: string };

/** Evaluates validated criteria against one record. `read(apiName)` gives the record's value of that field. */
export function matchesCriteria(criteria: Criteria, module: CrmModuleDef, read: (apiName: string) => SearchValue): boolean {
  if (criteria.kind === 'group') {
    return criteria.join === 'and'
      ? criteria.items.every((c) => matchesCriteria(c, module, read))
      : criteria.items.some((c) => matchesCriteria(c, module, read));
  }
  const field = searchableField(module, criteria.field);
  if (!field) return false;
  const actual = read(field.apiName);
  const { operator, values } = criteria;

  if (field.dataType === 'lookup' || field.dataType === 'ownerlookup') {
    const hit = values.some(
      (v) => (actual.id !== undefined && actual.id === v) || (actual.name ?? '').toLowerCase() === v.toLowerCase(),
    );
    return operator === 'not_equal' || operator === 'not_in' ? !hit : hit;
  }
  if (field.dataType === 'boolean') {
    const hit = values.some((v) => String(actual.value === true) === v.toLowerCase());
    return operator === 'not_equal' || operator === 'not_in' ? !hit : hit;
  }
  if (orderedTypes.includes(field.dataType)) {
    if (actual.value === null || actual.value === undefined) return operator === 'not_equal' || operator === 'not_in';
    const a = typeof actual.value === 'number' ? actual.value : orderedValue(field, String(actual.value));
    const vs = values.map((v) => orderedValue(field, v));
    switch (operator) {
      case 'equals': return a === vs[0];
      case 'not_equal': return a !== vs[0];
      case 'in': return vs.includes(a);
      case 'not_in': return !vs.includes(a);
      case 'greater_than': return a > vs[0]!;
      case 'greater_equal': return a >= vs[0]!;
      case 'less_than': return a < vs[0]!;
      case 'less_equal': return a <= vs[0]!;
      case 'between': return a >= vs[0]! && a <= vs[1]!;
      default: return false;
    }
  }
  // text-like: case-insensitive, as Zoho's search is
  const a = actual.value === null || actual.value === undefined ? '' : String(actual.value).toLowerCase();
  const vs = values.map((v) => v.toLowerCase());
  switch (operator) {
    case 'equals': return a === vs[0];
    case 'not_equal': return a !== vs[0];
    case 'in': return vs.includes(a);
    case 'not_in': return !vs.includes(a);
    case 'starts_with': return a.startsWith(vs[0]!);
    default: return false;
  }
}
