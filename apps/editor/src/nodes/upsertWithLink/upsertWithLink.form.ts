import { MANDATORY_TARGETS_KEYWORD, type ActionDescriptor, type ConnectorDescriptor, type JsonSchema, type UpsertFindRule } from '@braid/flow-model';

// The pure parts of the upsert-with-link panel: which actions suit which role, the field mapper's target list
// and mandatory pairs, the match-key list edits, and where a record id is likely to be in an action's output.

export type UpsertRole = 'find' | 'create' | 'update' | 'read' | 'delete';

const rolePattern: Record<UpsertRole, RegExp> = {
  find: /find|search|get|lookup|list/,
  create: /create|upsert|add/,
  update: /update|upsert|edit/,
  read: /get|read|find/,
  delete: /delete|archive|inactive|void/,
};

/**
 * The target connector's actions offered for a role, the likely ones first: reads for find/read, writes for
 * create/update (the other actions stay pickable below them, connectors name things differently).
 */
export function actionsForRole(connector: ConnectorDescriptor | undefined, role: UpsertRole): { suggested: ActionDescriptor[]; others: ActionDescriptor[] } {
  const actions = connector?.actions ?? [];
  const wanted = role === 'find' || role === 'read' ? 'read' : role === 'delete' ? 'delete' : 'write';
  const fits = (a: ActionDescriptor) => a.classification === wanted;
  const byName = (a: ActionDescriptor) => (rolePattern[role].test(a.key) ? 0 : 1);
  const suggested = actions.filter(fits).sort((a, b) => byName(a) - byName(b));
  return { suggested, others: actions.filter((a) => !fits(a)) };
}

/** The fields the field mapper can write: the create action's inputs (and the update action's), in schema order. */
export function mapperTargets(create: ActionDescriptor | undefined, update: ActionDescriptor | undefined): string[] {
  const names = new Set<string>();
  for (const action of [create, update]) {
    const properties = action?.inputSchema.properties;
    if (properties && typeof properties === 'object') for (const name of Object.keys(properties)) names.add(name);
  }
  return [...names];
}

/** The schema the FieldMapper reads: the target's field list, and the create action's mandatory pairs (locked). */
export function mapperSchema(create: ActionDescriptor | undefined, update: ActionDescriptor | undefined): JsonSchema {
  const mandatory = create?.inputSchema[MANDATORY_TARGETS_KEYWORD];
  return {
    'x-braid-targets': mapperTargets(create, update),
    ...(Array.isArray(mandatory) ? { [MANDATORY_TARGETS_KEYWORD]: mandatory.filter((t): t is string => typeof t === 'string') } : {}),
  };
}

/**
 * An action's input schema without the fields the mapping writes (merged into the input at run time, so the
 * form does not ask for them twice). With `mapInto` the mapping lands deeper: the schema stays whole.
 */
export function withoutMappedFields(schema: JsonSchema, mapped: readonly string[], mapInto: string | undefined): JsonSchema {
  if (mapInto || mapped.length === 0 || !schema.properties || typeof schema.properties !== 'object') return schema;
  const drop = new Set(mapped);
  const properties = Object.fromEntries(Object.entries(schema.properties as Record<string, unknown>).filter(([name]) => !drop.has(name)));
  const required = Array.isArray(schema.required) ? (schema.required as string[]).filter((name) => !drop.has(name)) : undefined;
  return { ...schema, properties, ...(required ? { required } : {}) };
}

/** Moves match key `index` up (-1) or down (+1); the order is the order they are tried in. */
export function moveRule(rules: readonly UpsertFindRule[], index: number, delta: -1 | 1): UpsertFindRule[] {
  const to = index + delta;
  if (index < 0 || index >= rules.length || to < 0 || to >= rules.length) return [...rules];
  const next = [...rules];
  [next[index], next[to]] = [next[to]!, next[index]!];
  return next;
}

/** A new match key: the first suitable search action, named after the usual keys (email, then name, …). */
export function newFindRule(connector: ConnectorDescriptor | undefined, rules: readonly UpsertFindRule[]): UpsertFindRule | null {
  const action = actionsForRole(connector, 'find').suggested[0] ?? connector?.actions[0];
  if (!action) return null;
  const used = new Set(rules.map((r) => r.key));
  const key = ['email', 'name', 'external_id'].find((k) => !used.has(k)) ?? `key_${rules.length + 1}`;
  return { key, action: action.key, input: {}, idPath: idPathSuggestions(action.outputSchema)[0] ?? 'id' };
}

/** Dotted paths to id-like fields of an output schema (e.g. `contact.contact_id`, `items.0.id`), nearest first. */
export function idPathSuggestions(schema: JsonSchema | undefined, depth = 3): string[] {
  const found: Array<{ path: string; level: number }> = [];
  const visit = (node: unknown, prefix: string, level: number) => {
    if (!node || typeof node !== 'object' || level > depth) return;
    const s = node as JsonSchema;
    if (s.type === 'array' || s.items) {
      visit(s.items, prefix ? `${prefix}.0` : '0', level + 1);
      return;
    }
    const properties = s.properties && typeof s.properties === 'object' ? (s.properties as Record<string, unknown>) : {};
    for (const [name, child] of Object.entries(properties)) {
      const path = prefix ? `${prefix}.${name}` : name;
      const type = (child as JsonSchema | null)?.type;
      if (/(^|_)id$/i.test(name) && (type === 'string' || type === 'integer' || type === 'number' || (Array.isArray(type) && type.includes('string')))) found.push({ path, level });
      visit(child, path, level + 1);
    }
  };
  visit(schema, '', 0);
  return found.sort((a, b) => a.level - b.level).map((f) => f.path);
}

/** Dotted paths to modified-time-like fields of an output schema (for conflict detection). */
export function modifiedAtPaths(schema: JsonSchema | undefined, depth = 3): string[] {
  const out: string[] = [];
  const visit = (node: unknown, prefix: string, level: number) => {
    if (!node || typeof node !== 'object' || level > depth) return;
    const properties = (node as { properties?: Record<string, unknown> }).properties ?? {};
    for (const [name, child] of Object.entries(properties)) {
      const path = prefix ? `${prefix}.${name}` : name;
      if (/modified|updated/i.test(name)) out.push(path);
      visit(child, path, level + 1);
    }
  };
  visit(schema, '', 0);
  return out;
}

/**
 * The input an action on the found record starts with: its record-id field set to `$target.id` (update, delete
 * and read act on the linked or matched record). The id field is the one named like the create's id path
 * (`contact.contact_id` → `contact_id`), else `id`, else the only required `…_id` field; none when unsure.
 */
export function targetIdInput(action: ActionDescriptor | undefined, createIdPath?: string): Record<string, { $expr: string }> {
  const required = Array.isArray(action?.inputSchema.required) ? (action.inputSchema.required as unknown[]).filter((n): n is string => typeof n === 'string') : [];
  const named = createIdPath?.split('.').pop();
  const idLike = required.filter((name) => /(^|_)id$/i.test(name));
  const field = named && required.includes(named) ? named : required.includes('id') ? 'id' : idLike.length === 1 ? idLike[0] : undefined;
  return field ? { [field]: { $expr: '$target.id' } } : {};
}
