import type { AvailableData, JsonSchema } from '@braid/flow-model';
import { referencePath } from './expression.field';

export interface DataTreeNode {
  /** The key, index or source label. */
  label: string;
  /** What clicking inserts. */
  expression: string;
  /** A short sample of the value (leaf values, list lengths). */
  sample?: string;
  children?: DataTreeNode[];
  optional?: boolean;
}

const MAX_DEPTH = 5;
const MAX_KEYS = 60;

function sampleText(value: unknown): string | undefined {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `list of ${value.length}`;
  if (typeof value === 'object') return undefined;
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 39)}…"` : text;
}

function fromSample(base: string, path: Array<string | number>, value: unknown, depth: number): DataTreeNode[] | undefined {
  if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    // One element stands for all: `$trigger.lines[0].amount` for a look, `$trigger.lines.amount` maps over all.
    const first = value[0];
    return [{ label: '[0] first element', expression: referencePath(base, [...path, 0]), ...(sampleText(first) ? { sample: sampleText(first) } : {}), ...childrenOf(base, [...path, 0], first, depth + 1) }];
  }
  return Object.entries(value as Record<string, unknown>)
    .slice(0, MAX_KEYS)
    .map(([key, child]) => ({ label: key, expression: referencePath(base, [...path, key]), ...(sampleText(child) !== undefined ? { sample: sampleText(child)! } : {}), ...childrenOf(base, [...path, key], child, depth + 1) }));
}

function childrenOf(base: string, path: Array<string | number>, value: unknown, depth: number): { children?: DataTreeNode[] } {
  const children = fromSample(base, path, value, depth);
  return children && children.length ? { children } : {};
}

function fromSchema(base: string, path: string[], schema: JsonSchema | undefined, depth: number): DataTreeNode[] | undefined {
  if (!schema || depth >= MAX_DEPTH) return undefined;
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (!properties) return undefined;
  return Object.entries(properties)
    .slice(0, MAX_KEYS)
    .map(([key, child]) => {
      const children = fromSchema(base, [...path, key], child, depth + 1);
      const type = typeof child.type === 'string' ? child.type : undefined;
      return { label: key, expression: referencePath(base, [...path, key]), ...(type ? { sample: type } : {}), ...(children?.length ? { children } : {}) };
    });
}

/**
 * The data picker's tree: one root per source (trigger, earlier steps, loop item, settings), browsable
 * through the sample output (or the last preview's real output when given), else the output schema.
 */
export function buildDataTree(available: readonly AvailableData[], actualOutputs: { trigger?: unknown; steps?: Record<string, unknown> } = {}): DataTreeNode[] {
  return available.map((source) => {
    const actual = source.expression === '$trigger' ? actualOutputs.trigger : source.stepId ? actualOutputs.steps?.[source.stepId] : undefined;
    const value = actual !== undefined ? actual : source.sample;
    const children = value !== undefined ? fromSample(source.expression, [], value, 0) : fromSchema(source.expression, [], source.schema, 0);
    return {
      label: source.label,
      expression: source.expression,
      ...(children?.length ? { children } : {}),
      ...(source.optional ? { optional: true } : {}),
      ...(value !== undefined && sampleText(value) ? { sample: sampleText(value)! } : {}),
    };
  });
}

/** Nodes whose label or expression matches every word of `query`, with their ancestors kept. */
export function filterDataTree(nodes: readonly DataTreeNode[], query: string): DataTreeNode[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...nodes];
  const matches = (n: DataTreeNode) => words.every((w) => `${n.label} ${n.expression}`.toLowerCase().includes(w));
  const walk = (list: readonly DataTreeNode[]): DataTreeNode[] =>
    list.flatMap((node) => {
      const children = node.children ? walk(node.children) : [];
      if (matches(node) || children.length) return [{ ...node, ...(children.length ? { children } : {}) }];
      return [];
    });
  return walk(nodes);
}
