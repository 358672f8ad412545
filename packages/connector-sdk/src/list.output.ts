import type { JsonSchema } from './connector.types.js';

/** The output schema of a list action: `{ <key>: [...], count, truncated }` (see collectRows). */
export function listOutput(key: string, item: JsonSchema): JsonSchema {
  return {
    type: 'object',
    properties: {
      [key]: { type: 'array', items: item },
      count: { type: 'integer', minimum: 0 },
      truncated: { type: 'boolean', description: 'True when more records matched than the limit returned.' },
    },
    required: [key, 'count', 'truncated'],
    additionalProperties: false,
  };
}
