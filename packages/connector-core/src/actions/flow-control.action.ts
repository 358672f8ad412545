import { ConnectorError, StopRunSignal, defineAction } from '@braid/connector-sdk';

export const stopAction = defineAction<{ message: string }, { stopped: true; message: string }>({
  key: 'stop',
  title: 'Stop the run',
  description: 'End the run here, successfully, with a message (later steps are skipped).',
  input: {
    type: 'object',
    properties: { message: { type: 'string', title: 'Message', default: 'Stopped by the flow.', maxLength: 1000 } },
    additionalProperties: false,
  },
  output: {
    type: 'object',
    properties: { stopped: { const: true }, message: { type: 'string' } },
    required: ['stopped', 'message'],
  },
  sampleOutput: { stopped: true, message: 'Nothing to sync.' },
  classification: 'read',
  idempotent: true,
  requiresConnection: false,
  run: async (_ctx, input) => {
    throw new StopRunSignal(input.message, { stopped: true, message: input.message });
  },
});

export const failAction = defineAction<{ message: string; code?: string }, Record<string, never>>({
  key: 'fail',
  title: 'Fail the run',
  description: 'End the run here as failed, with a message the run history shows.',
  input: {
    type: 'object',
    properties: {
      message: { type: 'string', title: 'Message', minLength: 1, maxLength: 1000 },
      code: { type: 'string', title: 'Error code', description: 'Optional code for reports, e.g. MISSING_TAX.', maxLength: 100 },
    },
    required: ['message'],
    additionalProperties: false,
  },
  output: { type: 'object', description: 'Never produced: the run fails.' },
  sampleOutput: {},
  classification: 'read',
  idempotent: true,
  requiresConnection: false,
  run: async (_ctx, input) => {
    throw new ConnectorError('FLOW_FAILED', input.message, {
      retryable: false,
      ...(input.code !== undefined ? { vendorCode: input.code, details: { code: input.code } } : {}),
    });
  },
});
