// Instant triggers on platform events.
// - `events` (app-webhook): Braid subscribes itself through the sandbox-style subscription API
//   (`POST {baseUrl}/_sandbox/webhooks`) and verifies Standard Webhooks signatures with the secret it got back.
//   Real Togai has NO webhook API: its "webhooks" are no-code Flows built in Togai's UI (apis.md D8), so on a
//   production connection `register` fails and tells the user to use `events_manual` with a Togai Flow.
// - `events_manual` (webhook): the same events posted by something the user set up (a Togai Flow, or a
//   subscription made by hand), verified with a pasted `whsec_` secret or a shared-secret header.
import { timingSafeEqual } from 'node:crypto';
import {
  ConnectorError,
  defineTrigger,
  validateInput,
  type ConnectorContext,
  type JsonSchema,
  type PolledItem,
  type PollResult,
  type TriggerEvent,
  type WebhookRequest,
} from '@braid/connector-sdk';
import { isNotFound } from '../actions/action.helpers.js';
import type { TogaiInvoiceRow } from '../actions/invoices.action.js';
import type { TogaiPayment } from '../actions/payments.action.js';
import { encodeId, ENTITY_PAGE_SIZE, FILTER_PAGE_SIZE, isTogaiHosted, type TogaiPage } from '../togai.http.js';
import {
  eventPayloadSchema,
  eventsProperty,
  invoiceEvent,
  objectTypeOf,
  paymentEvent,
  recordEvent,
  type RecordRow,
  sampleEventPayload,
  togaiEventTypes,
  type TogaiEventPayload,
  type TogaiEventType,
} from './event.payload.js';
import { verifyStandardWebhook } from './standard-webhooks.signature.js';

/** Turns one delivery into trigger events: `{type, timestamp, data}` JSON; types outside `wanted` give none. */
export function parseTogaiEvent(request: WebhookRequest, wanted: readonly string[], fallbackTime: Date): TriggerEvent[] {
  let body: unknown;
  try {
    body = JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    throw new ConnectorError('BAD_REQUEST', 'The Togai event body is not valid JSON.', { retryable: false });
  }
  const record = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  const type = record?.type;
  const data = record?.data;
  if (typeof type !== 'string' || !(togaiEventTypes as readonly string[]).includes(type)) {
    throw new ConnectorError(
      'BAD_REQUEST',
      `The Togai event has no known "type" (expected one of ${togaiEventTypes.join(', ')}).`,
      { retryable: false },
    );
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new ConnectorError('BAD_REQUEST', `The Togai "${type}" event has no "data" object.`, { retryable: false });
  }
  if (!wanted.includes(type)) return [];
  const eventId = request.headers['webhook-id'] ?? (typeof record!.eventId === 'string' ? record!.eventId : undefined);
  const dataRecord = data as Record<string, unknown>;
  const payload: TogaiEventPayload = {
    eventId: eventId ?? null,
    type: type as TogaiEventType,
    objectType: objectTypeOf(type as TogaiEventType),
    objectId: typeof dataRecord.id === 'string' ? dataRecord.id : null,
    occurredAt: typeof record!.timestamp === 'string' ? record!.timestamp : fallbackTime.toISOString(),
    data: dataRecord,
  };
  return [{ ...(eventId ? { id: eventId } : {}), payload }];
}

// ------------------------------------------------------------------------------------------------------ backfill

const OBJECT_ORDER = ['customer', 'account', 'invoice', 'payment'] as const;
type ObjectType = (typeof OBJECT_ORDER)[number];
const LIST_PATH: Record<ObjectType, { path: string; pageSize: number }> = {
  customer: { path: '/customers', pageSize: ENTITY_PAGE_SIZE },
  account: { path: '/accounts', pageSize: ENTITY_PAGE_SIZE },
  invoice: { path: '/invoices', pageSize: FILTER_PAGE_SIZE },
  payment: { path: '/payments', pageSize: FILTER_PAGE_SIZE },
};

function eventOf(objectType: ObjectType, row: RecordRow): TogaiEventPayload {
  if (objectType === 'invoice') return invoiceEvent(row as TogaiInvoiceRow);
  if (objectType === 'payment') return paymentEvent(row as unknown as TogaiPayment);
  return recordEvent(objectType, row);
}

/**
 * Existing records of the object types the configured events are about (customers, then accounts, invoices as
 * summaries, payments), one page per call, as the events a live delivery would carry. `phase` may name one object
 * type to list only that one.
 */
export async function listExistingRecords(ctx: ConnectorContext, events: readonly TogaiEventType[], cursor: unknown, phase?: string): Promise<PollResult> {
  let types: ObjectType[] = OBJECT_ORDER.filter((o) => events.some((e) => objectTypeOf(e) === o));
  if (phase !== undefined && phase !== '' && phase !== 'all') {
    if (!(OBJECT_ORDER as readonly string[]).includes(phase)) {
      throw new ConnectorError('INVALID_INPUT', `Unknown backfill phase "${phase}": use all, ${OBJECT_ORDER.join(', ')}.`, { retryable: false });
    }
    types = types.filter((t) => t === phase);
  }
  const position = cursor as { index?: number; nextToken?: string | null } | null | undefined;
  const index = position?.index ?? 0;
  const objectType = types[index];
  if (!objectType) return { items: [], nextCursor: null, hasMore: false };
  const { path, pageSize } = LIST_PATH[objectType];
  const query = position?.nextToken ? { nextToken: position.nextToken } : { pageSize };
  const page = (await ctx.http.get<TogaiPage<RecordRow>>(path, query)).body ?? {};
  const rows = Array.isArray(page.data) ? page.data : [];
  const items: PolledItem[] = rows.map((row) => {
    const payload = eventOf(objectType, row);
    return { id: `${objectType}:${row.id}`, payload, modifiedAt: payload.occurredAt };
  });
  const nextToken = rows.length > 0 ? (page.nextToken ?? null) : null;
  if (nextToken) return { items, nextCursor: { index, nextToken }, hasMore: true };
  const more = index + 1 < types.length;
  return { items, nextCursor: more ? { index: index + 1, nextToken: null } : null, hasMore: more };
}

// ------------------------------------------------------------------------------------------------------ events

export interface EventsConfig {
  events: TogaiEventType[];
}

const eventsConfigSchema: JsonSchema = {
  type: 'object',
  properties: { events: eventsProperty },
  additionalProperties: false,
};

interface SubscriptionState {
  subscriptionId: string;
  secret: string;
  events: string[];
}

function eventsConfig(config: unknown): EventsConfig {
  return validateInput<EventsConfig>(eventsConfigSchema, config ?? {}, 'configuration of "Platform events"');
}

function subscriptionState(state: unknown): SubscriptionState {
  const s = state as Partial<SubscriptionState> | undefined;
  if (!s || typeof s.subscriptionId !== 'string' || typeof s.secret !== 'string') {
    throw new ConnectorError('SIGNATURE_INVALID', 'This trigger has no webhook subscription; publish the flow again to register it.', {
      retryable: false,
    });
  }
  return s as SubscriptionState;
}

export const eventsTrigger = defineTrigger<EventsConfig>({
  key: 'events',
  kind: 'app-webhook',
  title: 'Platform events (instant)',
  description:
    'Starts the flow when a customer or account is created or updated, an invoice is generated or updated, or a ' +
    'payment is recorded. Braid subscribes automatically where the platform offers a subscription API (Braid\'s ' +
    'sandbox). Togai itself has no webhook API: for a production connection use "Platform events (Togai Flow webhook)". ' +
    'The initial sync lists existing customers, accounts, invoices and payments as events.',
  configSchema: eventsConfigSchema,
  outputSchema: eventPayloadSchema,
  sampleOutput: sampleEventPayload,
  register: async (ctx, { webhookUrl, config }) => {
    const connection = ctx.connection;
    if (!connection) throw new ConnectorError('AUTH', 'Platform events need a Togai connection.', { retryable: false, needsReconnect: true });
    if (isTogaiHosted(connection.apiBaseUrl)) {
      throw new ConnectorError(
        'VALIDATION',
        `Togai has no API to subscribe to events, so Braid cannot register this trigger on "${connection.name}". ` +
          `Use the "Platform events (Togai Flow webhook)" trigger instead and, in Togai, create a Flow (trigger: the ` +
          `Togai event; action: Webhook → Initiate Webhook) that POSTs to ${webhookUrl}.`,
        { retryable: false },
      );
    }
    const { events } = eventsConfig(config);
    const response = await ctx.http.post<{ id: string; secret: string; events: string[] }>('/_sandbox/webhooks', {
      url: webhookUrl,
      events,
      description: 'Braid trigger "Platform events"',
    });
    const { id, secret } = response.body;
    if (typeof id !== 'string' || typeof secret !== 'string') {
      throw new ConnectorError('VENDOR', 'The webhook subscription answer has no id or secret.', { retryable: false });
    }
    const state: SubscriptionState = { subscriptionId: id, secret, events: response.body.events ?? events };
    return { externalId: id, state };
  },
  unregister: async (ctx, { state }) => {
    const s = state as Partial<SubscriptionState> | undefined;
    if (!s?.subscriptionId) return;
    try {
      await ctx.http.delete(`/_sandbox/webhooks/${encodeId(s.subscriptionId)}`);
    } catch (error) {
      if (!isNotFound(error)) throw error; // already gone: nothing to undo
    }
  },
  verifyRequest: ({ state, request, now }) => verifyStandardWebhook(subscriptionState(state).secret, request, now()),
  parseRequest: async (ctx, request) => ({ events: parseTogaiEvent(request, eventsConfig(ctx.config).events, ctx.now()) }),
  listExisting: async (ctx, { cursor, config, phase }) => listExistingRecords(ctx, eventsConfig(config).events, cursor, phase),
});

// ------------------------------------------------------------------------------------------------------ events_manual

export interface ManualConfig {
  events: TogaiEventType[];
  verification: 'standard-webhooks' | 'secret-header';
  signingSecret?: string;
  secretHeader: string;
  toleranceSeconds: number;
}

const manualConfigSchema: JsonSchema = {
  type: 'object',
  properties: {
    events: eventsProperty,
    verification: {
      type: 'string',
      title: 'Verification',
      description:
        '"standard-webhooks": signed deliveries (webhook-id/-timestamp/-signature headers) checked with the signing ' +
        'secret. "secret-header": the sender puts this trigger\'s secret in a header (what a Togai Flow can do).',
      enum: ['standard-webhooks', 'secret-header'],
      default: 'secret-header',
    },
    signingSecret: {
      type: 'string',
      title: 'Signing secret',
      description: 'The "whsec_…" secret of the subscription (standard-webhooks). Empty: this trigger\'s own secret.',
      format: 'password',
      writeOnly: true,
      pattern: '^whsec_[A-Za-z0-9+/]+={0,2}$',
    },
    secretHeader: {
      type: 'string',
      title: 'Secret header',
      description: 'Header carrying this trigger\'s secret (secret-header).',
      pattern: '^[A-Za-z0-9-]+$',
      default: 'x-braid-secret',
    },
    toleranceSeconds: { type: 'integer', title: 'Max age (s)', minimum: 30, maximum: 3600, default: 300 },
  },
  additionalProperties: false,
};

function manualConfig(config: unknown): ManualConfig {
  return validateInput<ManualConfig>(manualConfigSchema, config ?? {}, 'configuration of "Platform events (Togai Flow webhook)"');
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export const eventsManualTrigger = defineTrigger<ManualConfig>({
  key: 'events_manual',
  kind: 'webhook',
  title: 'Platform events (Togai Flow webhook)',
  description:
    'Starts the flow when the platform POSTs an event to this trigger\'s URL. In Togai, build a Flow (trigger: e.g. ' +
    'account creation or invoice generation; action: Webhook → Initiate Webhook) whose payload is ' +
    '{"type": "<event type>", "data": <the record>}.',
  configSchema: manualConfigSchema,
  outputSchema: eventPayloadSchema,
  sampleOutput: sampleEventPayload,
  requiresConnection: false,
  verifyRequest: ({ config: raw, secret, request, now }) => {
    const config = manualConfig(raw);
    if (config.verification === 'standard-webhooks') {
      const key = config.signingSecret ?? (secret?.startsWith('whsec_') ? secret : undefined);
      if (!key) {
        throw new ConnectorError('SIGNATURE_INVALID', 'Paste the subscription\'s "whsec_…" signing secret into the trigger settings.', {
          retryable: false,
        });
      }
      verifyStandardWebhook(key, request, now(), config.toleranceSeconds);
      return;
    }
    if (!secret) throw new ConnectorError('SIGNATURE_INVALID', 'This trigger has no secret; regenerate it.', { retryable: false });
    const given = request.headers[config.secretHeader.toLowerCase()];
    if (!given || !sameSecret(given, secret)) {
      throw new ConnectorError('SIGNATURE_INVALID', `The ${config.secretHeader} header is missing or does not match this trigger's secret.`, {
        retryable: false,
      });
    }
  },
  parseRequest: async (ctx, request) => {
    const method = request.method.toUpperCase();
    if (method !== 'POST') {
      throw new ConnectorError('BAD_REQUEST', `Platform events arrive as POST, not ${method}.`, { retryable: false, status: 405 });
    }
    return { events: parseTogaiEvent(request, manualConfig(ctx.config).events, ctx.now()) };
  },
  setupInstructions: (raw, webhookUrl) => {
    const config = manualConfig(raw);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const notes = [
      'Togai has no webhook API: create a Flow in Togai (Flows → new Flow). Trigger: the Togai event (account ' +
        'creation, invoice generation, invoice update, order generation …). Action: Webhook app → "Initiate Webhook".',
      `Method POST, URL ${webhookUrl}, body JSON {"type": "<one of ${config.events.join(', ')}>", "data": <the account, invoice or payment>}.`,
    ];
    if (config.verification === 'secret-header') {
      headers[config.secretHeader] = '<this trigger\'s secret>';
      notes.push(`Add the header ${config.secretHeader} with this trigger's secret (shown under the trigger's secret, not here).`);
    } else {
      notes.push('Deliveries must be signed the Standard Webhooks way (webhook-id, webhook-timestamp, webhook-signature) with the signing secret pasted in the settings.');
    }
    notes.push('Events of other types are acknowledged and ignored.');
    return { method: 'POST', url: webhookUrl, headers, notes };
  },
});
