// Usage-event ingestion: batches of at most 500 (POST /ingestBatch); the event id is Togai's idempotency key
// (duplicates within 45 days are dropped), which also makes a batch safe to resend after a 5xx or timeout.
import { ConnectorError, defineAction } from '@braid/connector-sdk';
import { accountIdProperty } from './accounts.action.js';

export const MAX_BATCH_EVENTS = 500;

interface EventInput {
  id: string;
  schemaName: string;
  timestamp: string;
  accountId: string;
  attributes: Array<{ name: string; value: string | number; unit?: string }>;
  dimensions: Record<string, string>;
}

interface IngestInput {
  events: EventInput[];
  batchSize: number;
}

interface IngestOutput {
  received: number;
  accepted: number;
  rejected: Array<{ id: string | null; message: string }>;
  duplicatesInInput: number;
  batches: number;
}

/** Togai wants decimal strings (`^-?\d+(\.\d+)?$`); numbers like 1e-7 are written out. */
export function toDecimalString(value: string | number): string {
  if (typeof value === 'string') return value.trim();
  if (!Number.isFinite(value)) throw new ConnectorError('INVALID_INPUT', `Attribute value ${value} is not a finite number.`, { retryable: false });
  const text = String(value);
  if (!/e/i.test(text)) return text;
  return value.toFixed(20).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

export const ingestEventsAction = defineAction<IngestInput, IngestOutput>({
  key: 'ingest_events',
  title: 'Send usage events',
  description:
    'Sends usage events to Togai in batches of up to 500. Each event needs a unique id: Togai drops an id it has ' +
    'seen in the last 45 days, so sending the same events again never counts usage twice. "accepted" means accepted ' +
    'for processing; rejected events are listed with Togai\'s reason.',
  input: {
    type: 'object',
    properties: {
      events: {
        type: 'array',
        title: 'Events',
        minItems: 1,
        maxItems: 50_000,
        items: {
          type: 'object',
          properties: {
            id: { type: 'string', title: 'Event id', description: 'Unique id (idempotency key).', minLength: 1, maxLength: 512 },
            schemaName: { type: 'string', title: 'Event schema', minLength: 1, maxLength: 50 },
            timestamp: { type: 'string', format: 'date-time', title: 'Time of usage' },
            accountId: { ...accountIdProperty, maxLength: 512, description: 'Account id or alias.' },
            attributes: {
              type: 'array',
              title: 'Attributes',
              maxItems: 10,
              items: {
                type: 'object',
                properties: {
                  name: { type: 'string', title: 'Name', minLength: 1, maxLength: 50 },
                  value: {
                    title: 'Value',
                    description: 'A number or a decimal string such as "12.5".',
                    anyOf: [{ type: 'number' }, { type: 'string', pattern: '^-?\\d{1,512}(\\.\\d+)?$' }],
                  },
                  unit: { type: 'string', title: 'Unit', maxLength: 50 },
                },
                required: ['name', 'value'],
                additionalProperties: false,
              },
              default: [],
            },
            dimensions: {
              type: 'object',
              title: 'Dimensions',
              additionalProperties: { type: 'string', minLength: 1, maxLength: 200 },
              default: {},
            },
          },
          required: ['id', 'schemaName', 'timestamp', 'accountId'],
          additionalProperties: false,
        },
      },
      batchSize: { type: 'integer', title: 'Batch size', minimum: 1, maximum: MAX_BATCH_EVENTS, default: MAX_BATCH_EVENTS },
    },
    required: ['events'],
    additionalProperties: false,
  },
  output: {
    type: 'object',
    properties: {
      received: { type: 'integer', minimum: 0 },
      accepted: { type: 'integer', minimum: 0, description: 'Events Togai accepted for processing.' },
      rejected: {
        type: 'array',
        items: {
          type: 'object',
          properties: { id: { type: ['string', 'null'] }, message: { type: 'string' } },
          required: ['id', 'message'],
          additionalProperties: false,
        },
      },
      duplicatesInInput: { type: 'integer', minimum: 0, description: 'Events dropped before sending because their id repeated in this input.' },
      batches: { type: 'integer', minimum: 0, description: 'Calls made.' },
    },
    required: ['received', 'accepted', 'rejected', 'duplicatesInInput', 'batches'],
    additionalProperties: false,
  },
  sampleOutput: { received: 1200, accepted: 1199, rejected: [{ id: 'evt-17', message: 'events[16].attributes[0].value: "x" must be a decimal string' }], duplicatesInInput: 0, batches: 3 },
  classification: 'write',
  idempotent: true,
  run: async (ctx, input) => {
    const seen = new Set<string>();
    const unique: Array<Omit<EventInput, 'attributes'> & { attributes: Array<{ name: string; value: string; unit?: string }> }> = [];
    for (const event of input.events) {
      if (seen.has(event.id)) continue;
      seen.add(event.id);
      unique.push({
        ...event,
        timestamp: new Date(event.timestamp).toISOString(),
        attributes: event.attributes.map((a) => ({ ...a, value: toDecimalString(a.value) })),
      });
    }
    const output: IngestOutput = { received: input.events.length, accepted: 0, rejected: [], duplicatesInInput: input.events.length - unique.length, batches: 0 };
    for (let start = 0; start < unique.length; start += input.batchSize) {
      const batch = unique.slice(start, start + input.batchSize);
      const response = await ctx.http.post<{ message?: string; errors?: Array<{ message?: string; eventPayload?: { id?: unknown } }> }>(
        '/ingestBatch',
        { events: batch },
        { retrySafe: true, expect: [200, 202, 207, 400] },
      );
      output.batches += 1;
      const errors = Array.isArray(response.body?.errors) ? response.body.errors : [];
      if (response.status === 400 && errors.length === 0) {
        const message = response.body?.message ?? 'the batch was rejected';
        throw new ConnectorError('VALIDATION', `Togai rejected usage events ${start + 1}–${start + batch.length}: ${message}`, {
          status: 400,
          retryable: false,
          vendorMessage: message,
          details: { acceptedBefore: output.accepted },
        });
      }
      for (const error of errors) {
        const id = typeof error.eventPayload?.id === 'string' ? error.eventPayload.id : null;
        // Togai numbers events within the batch; say which event of the whole input it was.
        const message = String(error.message ?? 'rejected').replace(/^events\[(\d+)\]/, (_m, i: string) => `events[${start + Number(i)}]`);
        output.rejected.push({ id, message });
      }
      output.accepted += batch.length - errors.length;
    }
    return output;
  },
});
