import { checkAgainstSchema, compileSchema, defineTrigger, validateInput, type JsonSchema } from '@braid/connector-sdk';

export interface ManualTriggerConfig {
  /** JSON Schema of the payload a user (or the API) provides when running the flow by hand. */
  payloadSchema: JsonSchema;
  samplePayload?: unknown;
}

export const manualTrigger = defineTrigger<ManualTriggerConfig>({
  key: 'manual',
  kind: 'manual',
  title: 'Run manually',
  description: 'Start the flow by hand (button or API) with a payload you describe.',
  configSchema: {
    type: 'object',
    properties: {
      payloadSchema: {
        type: 'object',
        title: 'Payload schema',
        description: 'JSON Schema of the payload; the run form is generated from it.',
        default: { type: 'object', properties: {} },
      },
      samplePayload: { title: 'Sample payload' },
    },
    additionalProperties: false,
  },
  outputSchema: { type: 'object', description: 'The payload, as described by the payload schema.' },
  sampleOutput: { accountId: 'A-17' },
  requiresConnection: false,
  validateConfig: (config) => {
    try {
      compileSchema(config.payloadSchema);
    } catch (error) {
      return [{ pointer: '/payloadSchema', message: `is not a valid JSON Schema: ${(error as Error).message}` }];
    }
    if (config.samplePayload !== undefined) {
      return checkAgainstSchema(config.payloadSchema, config.samplePayload).issues.map((issue) => ({
        pointer: `/samplePayload${issue.pointer}`,
        message: issue.message,
      }));
    }
    return [];
  },
});

/** Validates a manual run's payload against the trigger config (defaults applied; INVALID_INPUT with pointers). */
export function validateManualPayload(config: ManualTriggerConfig, payload: unknown): unknown {
  return validateInput(config.payloadSchema, payload ?? {}, 'manual run payload');
}
