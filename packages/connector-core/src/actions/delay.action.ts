import { ConnectorError, defineAction } from '@braid/connector-sdk';

/**
 * Longest wait done inside one step. The engine keeps a worker busy while a step runs, so longer pauses
 * belong to the engine (a scheduled resume), not to this action.
 */
export const MAX_IN_STEP_DELAY_MS = 5 * 60 * 1000;

export const delayAction = defineAction<{ ms?: number; until?: string }, { waitedMs: number; resumedAt: string }>({
  key: 'delay',
  title: 'Delay',
  description: `Wait a number of milliseconds, or until a moment, before the next step (at most ${MAX_IN_STEP_DELAY_MS / 60000} minutes).`,
  input: {
    type: 'object',
    properties: {
      ms: {
        type: 'integer',
        title: 'Wait (milliseconds)',
        minimum: 0,
        maximum: MAX_IN_STEP_DELAY_MS,
      },
      until: { type: 'string', format: 'date-time', title: 'Wait until', description: 'ISO date-time.' },
    },
    oneOf: [{ required: ['ms'] }, { required: ['until'] }],
    additionalProperties: false,
  },
  output: {
    type: 'object',
    properties: { waitedMs: { type: 'integer', minimum: 0 }, resumedAt: { type: 'string', format: 'date-time' } },
    required: ['waitedMs', 'resumedAt'],
  },
  sampleOutput: { waitedMs: 1000, resumedAt: '2026-01-01T00:00:01.000Z' },
  classification: 'read',
  idempotent: true,
  requiresConnection: false,
  run: async (ctx, input) => {
    let waitMs = input.ms ?? 0;
    if (input.until !== undefined) {
      waitMs = Math.max(0, Date.parse(input.until) - ctx.now().getTime());
      if (waitMs > MAX_IN_STEP_DELAY_MS) {
        throw new ConnectorError(
          'INVALID_INPUT',
          `"Wait until" is more than ${MAX_IN_STEP_DELAY_MS / 60000} minutes away; use a schedule trigger for long pauses.`,
          { retryable: false, issues: [{ pointer: '/until', message: `must be within ${MAX_IN_STEP_DELAY_MS} ms` }] },
        );
      }
    }
    await ctx.sleep(waitMs);
    return { waitedMs: waitMs, resumedAt: ctx.now().toISOString() };
  },
});
