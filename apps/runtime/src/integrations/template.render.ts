import { type FlowDefinition, isExpression } from '@braid/flow-model';

/**
 * Turns a template flow into a flow of one integration:
 * - every `connectionRef` naming a slot becomes the id of the connection chosen for that slot;
 * - `$vars.<setting>` in expressions becomes the setting's value. The engine binds no `$vars` yet, so the
 *   values are written into the flow: an expression that is exactly `$vars.x` becomes the literal value
 *   (left out when the setting is empty), and inside larger expressions `$vars.x` is replaced by its JSON
 *   literal (`[][0]`, i.e. nothing, when the setting is empty). Changing the settings renders the flows again.
 */
export function renderTemplateFlow(
  definition: FlowDefinition,
  input: { connections: Record<string, string>; settings: Record<string, unknown>; name?: string },
): FlowDefinition {
  const rendered = renderValue(definition, input) as FlowDefinition;
  return input.name ? { ...rendered, name: input.name } : rendered;
}

const VAR_REFERENCE = /\$vars\.([A-Za-z_][A-Za-z0-9_]*)/g;
const EXACT_VAR = /^\s*\$vars\.([A-Za-z_][A-Za-z0-9_]*)\s*$/;
const NOTHING = Symbol('nothing');

function jsonataLiteral(value: unknown): string {
  return value === undefined ? '[][0]' : JSON.stringify(value);
}

function renderValue(value: unknown, input: { connections: Record<string, string>; settings: Record<string, unknown> }): unknown {
  if (Array.isArray(value)) return value.map((item) => { const v = renderValue(item, input); return v === NOTHING ? null : v; });
  if (value === null || typeof value !== 'object') return value;
  if (isExpression(value)) {
    const exact = EXACT_VAR.exec(value.$expr);
    if (exact) {
      const setting = input.settings[exact[1]!];
      return setting === undefined ? NOTHING : setting;
    }
    if (!value.$expr.includes('$vars')) return value;
    return { $expr: value.$expr.replace(VAR_REFERENCE, (_, name: string) => jsonataLiteral(input.settings[name])) };
  }
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'connectionRef' && typeof child === 'string' && Object.hasOwn(input.connections, child)) {
      out[key] = input.connections[child];
      continue;
    }
    const rendered = renderValue(child, input);
    if (rendered !== NOTHING) out[key] = rendered;
  }
  return out;
}

/** Connection references (slot names or ids) used anywhere in a flow, with the connector of the node using them. */
export function connectionRefsIn(definition: FlowDefinition): Array<{ ref: string; connector: string; at: string }> {
  const refs: Array<{ ref: string; connector: string; at: string }> = [];
  const visit = (value: unknown, at: string, connector: string | undefined) => {
    if (Array.isArray(value)) return value.forEach((item, i) => visit(item, `${at}/${i}`, connector));
    if (value === null || typeof value !== 'object' || isExpression(value)) return;
    const node = value as Record<string, unknown>;
    const own = typeof node.connector === 'string' ? node.connector : connector;
    if (typeof node.connectionRef === 'string' && own) refs.push({ ref: node.connectionRef, connector: own, at: `${at}/connectionRef` });
    for (const [key, child] of Object.entries(node)) if (key !== 'connectionRef') visit(child, `${at}/${key}`, own);
  };
  visit(definition.trigger, '/trigger', undefined);
  for (const [id, step] of Object.entries(definition.steps)) visit(step, `/steps/${id}`, undefined);
  return refs;
}
