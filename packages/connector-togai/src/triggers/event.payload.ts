// The payload every Togai trigger emits (instant and polling alike, so a flow can switch between them), and how
// records become such events.
import type { JsonSchema } from '@braid/connector-sdk';
import type { TogaiInvoiceRow } from '../actions/invoices.action.js';
import type { TogaiPayment } from '../actions/payments.action.js';
import { sampleInvoice } from '../togai.schemas.js';

export const togaiEventTypes = [
  'customer.created',
  'customer.updated',
  'account.created',
  'account.updated',
  'invoice.generated',
  'invoice.updated',
  'payment.recorded',
] as const;
export type TogaiEventType = (typeof togaiEventTypes)[number];

/** What every Togai trigger emits (instant and polling alike, so a flow can switch between them). */
export interface TogaiEventPayload {
  eventId: string | null;
  type: TogaiEventType;
  objectType: 'customer' | 'account' | 'invoice' | 'payment';
  objectId: string | null;
  occurredAt: string;
  data: Record<string, unknown>;
}

export const eventPayloadSchema: JsonSchema = {
  type: 'object',
  properties: {
    eventId: { type: ['string', 'null'], description: 'Delivery id (webhook-id) used to drop duplicates.' },
    type: { type: 'string', enum: [...togaiEventTypes] },
    objectType: { type: 'string', enum: ['customer', 'account', 'invoice', 'payment'] },
    objectId: { type: ['string', 'null'], description: 'Id of the customer, account, invoice or payment.' },
    occurredAt: { type: 'string' },
    data: { type: 'object', additionalProperties: true, description: 'The record as the Togai API returns it.' },
  },
  required: ['eventId', 'type', 'objectType', 'objectId', 'occurredAt', 'data'],
  additionalProperties: false,
};

export const sampleEventPayload: TogaiEventPayload = {
  eventId: 'msg_2f1c9a7e0b5d4c3e8f6a1b2c3d4e5f60',
  type: 'invoice.generated',
  objectType: 'invoice',
  objectId: sampleInvoice.id,
  occurredAt: '2026-02-01T00:00:00.000Z',
  data: sampleInvoice,
};

/** Config field "which events" shared by the instant triggers. */
export const eventsProperty: JsonSchema = {
  type: 'array',
  title: 'Events',
  description: 'Which platform events start the flow.',
  items: { type: 'string', enum: [...togaiEventTypes] },
  minItems: 1,
  uniqueItems: true,
  default: [...togaiEventTypes],
};

export function objectTypeOf(type: TogaiEventType): TogaiEventPayload['objectType'] {
  return type.split('.')[0] as TogaiEventPayload['objectType'];
}

export type RecordRow = { id: string; status?: unknown; createdAt?: unknown; updatedAt?: unknown; [key: string]: unknown };

export function recordEvent(record: 'account' | 'customer', row: RecordRow): TogaiEventPayload {
  const updatedAt = String(row.updatedAt ?? row.createdAt ?? '');
  const created = typeof row.createdAt === 'string' && row.createdAt !== '' && Date.parse(row.createdAt) === Date.parse(updatedAt);
  return {
    eventId: `${row.id}@${updatedAt}`,
    type: `${record}.${created ? 'created' : 'updated'}` as TogaiEventType,
    objectType: record,
    objectId: row.id,
    occurredAt: updatedAt,
    data: row,
  };
}

export function invoiceEvent(invoice: TogaiInvoiceRow): TogaiEventPayload {
  const updatedAt = String(invoice.updatedAt ?? invoice.generatedAt ?? '');
  const generated =
    typeof invoice.generatedAt === 'string' && updatedAt !== '' && Date.parse(invoice.generatedAt) === Date.parse(updatedAt);
  return {
    eventId: `${invoice.id}@${updatedAt}`,
    type: generated ? 'invoice.generated' : 'invoice.updated',
    objectType: 'invoice',
    objectId: invoice.id,
    occurredAt: updatedAt,
    data: invoice,
  };
}

export function paymentEvent(payment: TogaiPayment): TogaiEventPayload {
  const createdAt = String(payment.createdAt ?? '');
  return { eventId: `${payment.id}@${createdAt}`, type: 'payment.recorded', objectType: 'payment', objectId: payment.id, occurredAt: createdAt, data: payment };
}

