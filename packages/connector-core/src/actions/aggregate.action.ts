import { ConnectorError, defineAction } from '@braid/connector-sdk';

type Operation = 'sum' | 'count' | 'min' | 'max' | 'avg';

function readPath(value: unknown, path: string | undefined): unknown {
  if (!path) return value;
  let current: unknown = value;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** Sum, count, min, max or average of a field over a list (amounts as numbers or decimal strings). */
export const aggregateAction = defineAction<
  { items: unknown[]; field?: string; operation: Operation; decimals?: number; skipEmpty: boolean },
  { value: number | null; count: number }
>({
  key: 'aggregate',
  title: 'Aggregate a list',
  description: 'Sum, count, min, max or average of one field over a list of records (e.g. invoice line amounts).',
  input: {
    type: 'object',
    properties: {
      items: { type: 'array', title: 'Records', maxItems: 100_000 },
      field: {
        type: 'string',
        title: 'Field',
        description: 'Dot path inside each record (e.g. `amount` or `usage.value`); empty = the records themselves.',
        pattern: '^[^.]+(\\.[^.]+)*$',
      },
      operation: { type: 'string', title: 'Operation', enum: ['sum', 'count', 'min', 'max', 'avg'], default: 'sum' },
      decimals: { type: 'integer', title: 'Round to decimals', minimum: 0, maximum: 10 },
      skipEmpty: { type: 'boolean', title: 'Skip records without the field', default: true },
    },
    required: ['items'],
    additionalProperties: false,
  },
  output: {
    type: 'object',
    properties: { value: { type: ['number', 'null'] }, count: { type: 'integer', minimum: 0 } },
    required: ['value', 'count'],
  },
  sampleOutput: { value: 1250.75, count: 3 },
  classification: 'read',
  idempotent: true,
  requiresConnection: false,
  run: async (_ctx, input) => {
    const numbers: number[] = [];
    input.items.forEach((item, index) => {
      const raw = readPath(item, input.field);
      if (raw === undefined || raw === null || raw === '') {
        if (input.skipEmpty) return;
        throw new ConnectorError('INVALID_INPUT', `Record ${index} has no value at "${input.field ?? ''}".`, {
          retryable: false,
          issues: [{ pointer: `/items/${index}`, message: `has no value at "${input.field ?? ''}"` }],
        });
      }
      const number = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : Number.NaN;
      if (!Number.isFinite(number)) {
        throw new ConnectorError('INVALID_INPUT', `Record ${index} has a non-numeric value at "${input.field ?? ''}".`, {
          retryable: false,
          issues: [{ pointer: `/items/${index}`, message: 'is not a number' }],
        });
      }
      numbers.push(number);
    });
    let value: number | null;
    if (input.operation === 'count') value = numbers.length;
    else if (numbers.length === 0) value = input.operation === 'sum' ? 0 : null;
    else if (input.operation === 'sum') value = numbers.reduce((a, b) => a + b, 0);
    else if (input.operation === 'avg') value = numbers.reduce((a, b) => a + b, 0) / numbers.length;
    else if (input.operation === 'min') value = numbers.reduce((a, b) => (b < a ? b : a));
    else value = numbers.reduce((a, b) => (b > a ? b : a));
    if (value !== null && input.decimals !== undefined) {
      const factor = 10 ** input.decimals;
      // Round half away from zero after removing binary noise (0.1 + 0.2 → 0.3).
      value = (Math.sign(value) * Math.round(Number((Math.abs(value) * factor).toPrecision(15)))) / factor;
    }
    return { value, count: numbers.length };
  },
});
