/**
 * A minimal COQL (apis.md C7): `select F1, F2 from Module [where …] [order by F [asc|desc]] [limit [offset,] count]`.
 * Where clauses: `=`, `!=`, `<`, `>`, `<=`, `>=`, `like` ('%' wildcards), `in (…)`, `not in (…)`, `is null`,
 * `is not null`, combined with `and` / `or` and brackets. Lookups compare and return by id (`{id}`), as COQL does.
 * Joins, aggregates and group by are not simulated (INVALID_QUERY says so).
 */
import { requireScope, type CrmCaller } from './crm.auth.js';
import { CrmError, CrmErrorCode } from './crm.errors.js';
import { type CrmModuleDef, findModule } from './crm.fields.js';
import type { CrmRecord, CrmStore } from './crm.store.js';

type Token = { kind: 'word' | 'string' | 'number' | 'op' | 'punct'; text: string };
type Expr =
  | { kind: 'cmp'; field: string; op: string; values: Array<string | number | boolean | null> }
  | { kind: 'bool'; join: 'and' | 'or'; items: Expr[] };

const invalid = (message: string, details: Record<string, unknown> = {}): never => {
  throw new CrmError(400, CrmErrorCode.InvalidQuery, message, details);
};

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === "'") {
      let text = '';
      i++;
      for (;;) {
        if (i >= query.length) invalid('unterminated string literal in select_query');
        if (query[i] === '\\' && i + 1 < query.length) { text += query[i + 1]; i += 2; continue; }
        if (query[i] === "'" && query[i + 1] === "'") { text += "'"; i += 2; continue; }
        if (query[i] === "'") { i++; break; }
        text += query[i]; i++;
      }
      tokens.push({ kind: 'string', text });
      continue;
    }
    const op = /^(!=|<=|>=|=|<|>)/.exec(query.slice(i));
    if (op) { tokens.push({ kind: 'op', text: op[1]! }); i += op[1]!.length; continue; }
    if ('(),'.includes(c)) { tokens.push({ kind: 'punct', text: c }); i++; continue; }
    const num = /^-?\d+(\.\d+)?/.exec(query.slice(i));
    if (num && !/[A-Za-z_]/.test(query[i + num[0].length] ?? '')) { tokens.push({ kind: 'number', text: num[0] }); i += num[0].length; continue; }
    const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(query.slice(i));
    if (word) { tokens.push({ kind: 'word', text: word[0] }); i += word[0].length; continue; }
    invalid(`unexpected character "${c}" at position ${i} of select_query`, { position: i });
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}
  peek(): Token | undefined { return this.tokens[this.pos]; }
  isWord(w: string): boolean { const t = this.peek(); return t?.kind === 'word' && t.text.toLowerCase() === w; }
  take(): Token { const t = this.tokens[this.pos++]; if (!t) invalid('select_query ends too early'); return t!; }
  expectWord(w: string): void { if (!this.isWord(w)) invalid(`expected "${w}" in select_query`); this.pos++; }
  expectPunct(p: string): void { const t = this.take(); if (t.kind !== 'punct' || t.text !== p) invalid(`expected "${p}" in select_query`); }
  done(): boolean { return this.pos >= this.tokens.length; }

  value(): string | number | boolean | null {
    const t = this.take();
    if (t.kind === 'string') return t.text;
    if (t.kind === 'number') return Number(t.text);
    if (t.kind === 'word' && ['true', 'false'].includes(t.text.toLowerCase())) return t.text.toLowerCase() === 'true';
    if (t.kind === 'word' && t.text.toLowerCase() === 'null') return null;
    return invalid(`expected a value, got "${t.text}"`);
  }

  expr(): Expr {
    const items = [this.term()];
    let join: 'and' | 'or' | undefined;
    while (this.isWord('and') || this.isWord('or')) {
      const next = this.take().text.toLowerCase() as 'and' | 'or';
      if (join && join !== next) invalid('mixing and/or needs brackets in the where clause');
      join = next;
      items.push(this.term());
    }
    return items.length === 1 ? items[0]! : { kind: 'bool', join: join!, items };
  }

  term(): Expr {
    const t = this.peek();
    if (t?.kind === 'punct' && t.text === '(') {
      this.pos++;
      const inner = this.expr();
      this.expectPunct(')');
      return inner;
    }
    const field = this.take();
    if (field.kind !== 'word') invalid(`expected a field name, got "${field.text}"`);
    const next = this.take();
    if (next.kind === 'op') return { kind: 'cmp', field: field.text, op: next.text, values: [this.value()] };
    const w = next.text.toLowerCase();
    if (w === 'is') {
      const not = this.isWord('not');
      if (not) this.pos++;
      this.expectWord('null');
      return { kind: 'cmp', field: field.text, op: not ? 'is not null' : 'is null', values: [] };
    }
    if (w === 'like') return { kind: 'cmp', field: field.text, op: 'like', values: [this.value()] };
    if (w === 'not' && this.isWord('like')) { this.pos++; return { kind: 'cmp', field: field.text, op: 'not like', values: [this.value()] }; }
    if (w === 'in' || (w === 'not' && this.isWord('in'))) {
      if (w === 'not') this.pos++;
      this.expectPunct('(');
      const values = [this.value()];
      while (this.peek()?.text === ',') { this.pos++; values.push(this.value()); }
      this.expectPunct(')');
      if (values.length > 50) invalid('in/not in take at most 50 values');
      return { kind: 'cmp', field: field.text, op: w === 'in' ? 'in' : 'not in', values };
    }
    return invalid(`unsupported comparison "${next.text}" after ${field.text}`);
  }
}

function fieldValue(store: CrmStore, record: CrmRecord, module: CrmModuleDef, apiName: string): unknown {
  const dot = apiName.indexOf('.');
  if (dot > 0) {
    // one level through a lookup, e.g. Account_Name.Account_Name or Account_Name.id
    const lookup = module.fields.find((f) => f.apiName === apiName.slice(0, dot));
    if (!lookup?.lookupModule) return invalid(`${apiName.slice(0, dot)} is not a lookup field of ${module.apiName}`, { api_name: apiName });
    const target = store.get(record.orgId, lookup.lookupModule, String(record.values[lookup.apiName] ?? ''));
    if (!target) return null;
    return fieldValue(store, target, findModule(lookup.lookupModule)!, apiName.slice(dot + 1));
  }
  if (apiName === 'id') return record.id;
  if (apiName === 'Created_Time') return record.createdTime;
  if (apiName === 'Modified_Time') return record.modifiedTime;
  const field = module.fields.find((f) => f.apiName === apiName);
  if (!field) return invalid(`${module.apiName} has no field ${apiName}`, { api_name: apiName });
  if (field.dataType === 'lookup' || field.dataType === 'ownerlookup') return (record.values[apiName] as string | undefined) ?? null;
  if (field.dataType === 'datetime') return record.values[apiName] ? Date.parse(String(record.values[apiName])) : null;
  return store.renderField(record, field!);
}

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'string') return a - Date.parse(b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a ?? '').toLowerCase().localeCompare(String(b ?? '').toLowerCase());
}

function evaluate(expr: Expr, read: (f: string) => unknown): boolean {
  if (expr.kind === 'bool') return expr.join === 'and' ? expr.items.every((e) => evaluate(e, read)) : expr.items.some((e) => evaluate(e, read));
  const a = read(expr.field);
  const [v] = expr.values;
  switch (expr.op) {
    case 'is null': return a === null || a === undefined || a === '';
    case 'is not null': return !(a === null || a === undefined || a === '');
    case '=': return a !== null && compareValues(a, v) === 0;
    case '!=': return a === null || compareValues(a, v) !== 0;
    case '<': return a !== null && compareValues(a, v) < 0;
    case '>': return a !== null && compareValues(a, v) > 0;
    case '<=': return a !== null && compareValues(a, v) <= 0;
    case '>=': return a !== null && compareValues(a, v) >= 0;
    case 'in': return expr.values.some((x) => a !== null && compareValues(a, x) === 0);
    case 'not in': return !expr.values.some((x) => a !== null && compareValues(a, x) === 0);
    case 'like':
    case 'not like': {
      const pattern = String(v ?? '').toLowerCase().split('%').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
      const hit = new RegExp(`^${pattern}$`, 's').test(String(a ?? '').toLowerCase());
      return expr.op === 'like' ? hit : !hit;
    }
    default: return false;
  }
}

/** Runs a select_query; undefined when nothing matches (→ 204). */
export function runCoql(store: CrmStore, caller: CrmCaller, body: unknown, maxRows: number): { data: unknown[]; info: unknown } | undefined {
  const query = (body as { select_query?: unknown } | undefined)?.select_query;
  if (typeof query !== 'string' || query.trim() === '') {
    throw new CrmError(400, CrmErrorCode.RequiredParamMissing, 'the body needs {"select_query": "select … from … where …"}', { param_name: 'select_query' });
  }
  const p = new Parser(tokenize(query));
  p.expectWord('select');
  const fields: string[] = [];
  do {
    const t = p.take();
    if (t.kind !== 'word') invalid(`expected a field name in the select list, got "${t.text}"`);
    if (p.peek()?.text === '(') invalid('aggregate functions are not supported by the sandbox COQL');
    fields.push(t.text);
  } while (p.peek()?.text === ',' && p.take());
  if (fields.length > 50) invalid('at most 50 fields can be selected');
  p.expectWord('from');
  const moduleName = p.take().text;
  const module = findModule(moduleName);
  if (!module) return invalid(`the module ${moduleName} given seems to be invalid`, { module: moduleName });
  requireScope(caller, 'coql', undefined, 'READ');
  const subs = module!.custom ? [module!.apiName.toLowerCase(), 'custom'] : [module!.apiName.toLowerCase()];
  requireScope(caller, 'modules', subs, 'READ');
  let where: Expr | undefined;
  if (p.isWord('where')) { p.take(); where = p.expr(); }
  let orderBy: Array<{ field: string; desc: boolean }> = [{ field: 'id', desc: false }];
  if (p.isWord('order')) {
    p.take();
    p.expectWord('by');
    orderBy = [];
    do {
      const f = p.take().text;
      let desc = false;
      if (p.isWord('asc') || p.isWord('desc')) desc = p.take().text.toLowerCase() === 'desc';
      orderBy.push({ field: f, desc });
    } while (p.peek()?.text === ',' && p.take());
  }
  let offset = 0;
  let limit = 200;
  if (p.isWord('limit')) {
    p.take();
    const first = Number(p.take().text);
    if (p.peek()?.text === ',') { p.take(); offset = first; limit = Number(p.take().text); } else { limit = first; }
    if (p.isWord('offset')) { p.take(); offset = Number(p.take().text); }
  }
  if (!p.done()) invalid(`unexpected "${p.peek()!.text}" in select_query (joins, group by and aggregates are not simulated)`);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxRows) invalid(`limit must be from 1 to ${maxRows}`, { limit: maxRows });
  if (!Number.isInteger(offset) || offset < 0 || offset + limit > 100_000) invalid('offset + limit must stay within 100,000 rows');
  const rows = store.moduleRecords(caller.orgId, module!.apiName).filter((r) => !where || evaluate(where, (f) => fieldValue(store, r, module!, f)));
  rows.sort((a, b) => {
    for (const o of orderBy) {
      const c = compareValues(fieldValue(store, a, module!, o.field), fieldValue(store, b, module!, o.field));
      if (c !== 0) return o.desc ? -c : c;
    }
    return 0;
  });
  const page = rows.slice(offset, offset + limit);
  if (page.length === 0) return undefined;
  return {
    data: page.map((r) => {
      const out: Record<string, unknown> = {};
      for (const f of fields) {
        if (f.includes('.')) {
          out[f] = fieldValue(store, r, module!, f);
          continue;
        }
        const field = module!.fields.find((d) => d.apiName === f);
        if (f === 'id') continue;
        if (!field) invalid(`${module!.apiName} has no field ${f}`, { api_name: f });
        if (field!.dataType === 'lookup' || field!.dataType === 'ownerlookup') {
          const id = f === 'Owner' ? r.values.Owner : r.values[f];
          out[f] = id ? { id } : null;
        } else {
          out[f] = store.renderField(r, field!);
        }
      }
      out.id = r.id;
      return out;
    }),
    info: { count: page.length, more_records: offset + limit < rows.length },
  };
}
