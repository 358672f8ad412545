import { defineAction } from '@braid/connector-sdk';
import { evaluateExpression } from '../jsonata.evaluate.js';

/**
 * One JSONata expression over a given object. (flow-model's `map` step builds an object field by field; this
 * action is for a whole reshaping/calculation in one expression.)
 */
export const transformAction = defineAction<{ data?: unknown; expression: string }, { result: unknown }>({
  key: 'transform',
  title: 'Transform data',
  description: 'Compute a value from data with a JSONata expression (e.g. `$sum(lines.(qty * price))`).',
  input: {
    type: 'object',
    properties: {
      data: { title: 'Data', description: 'The value the expression reads (usually from an earlier step).' },
      expression: { type: 'string', title: 'JSONata expression', minLength: 1, maxLength: 20_000 },
    },
    required: ['expression'],
    additionalProperties: false,
  },
  output: { type: 'object', properties: { result: {} }, required: ['result'] },
  sampleOutput: { result: { total: 120.5 } },
  classification: 'read',
  idempotent: true,
  requiresConnection: false,
  run: async (_ctx, input) => {
    const result = await evaluateExpression(input.expression, input.data ?? null);
    // JSONata yields undefined for "no match"; a run record needs JSON.
    return { result: result === undefined ? null : JSON.parse(JSON.stringify(result)) };
  },
});
