// What Books workflow webhooks and custom functions send, turned into one event shape; and the signature
// check for webhooks with a secret (apis.md E2, E3).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ConnectorError, type WebhookRequest } from '@braid/connector-sdk';
import type { BooksRecord } from '../books.http.js';

export const BOOKS_ENTITIES = ['contact', 'invoice', 'bill', 'customerpayment'] as const;
export type BooksEntity = (typeof BOOKS_ENTITIES)[number] | 'item';
export const RECORD_EVENTS = ['created', 'updated', 'deleted'] as const;
export type RecordEvent = (typeof RECORD_EVENTS)[number];

export const SIGNATURE_HEADER = 'x-zoho-webhook-signature';

/** Default-payload keys (`{"invoice": {…}}`) and aliases custom functions use. */
const ENTITY_KEYS: Record<string, BooksEntity> = {
  contact: 'contact', customer: 'contact', vendor: 'contact', contacts: 'contact',
  invoice: 'invoice', invoices: 'invoice',
  bill: 'bill', bills: 'bill',
  payment: 'customerpayment', customerpayment: 'customerpayment', customer_payment: 'customerpayment', customerpayments: 'customerpayment',
  item: 'item', items: 'item',
};

/** Id field of each entity, most specific first (a payment row carries invoice ids only in its nested list). */
const ID_FIELDS: Array<[string, BooksEntity]> = [
  ['payment_id', 'customerpayment'],
  ['bill_id', 'bill'],
  ['invoice_id', 'invoice'],
  ['contact_id', 'contact'],
  ['item_id', 'item'],
];

export const ID_FIELD_OF: Record<BooksEntity, string> = {
  contact: 'contact_id', invoice: 'invoice_id', bill: 'bill_id', customerpayment: 'payment_id', item: 'item_id',
};

export interface BooksEventPayload {
  entity: BooksEntity;
  event: RecordEvent;
  record_id: string | null;
  record: BooksRecord;
  deleted: boolean;
  /** customer | vendor for contacts */
  contact_type?: string;
}

/**
 * Books accepts 12–50 letters and digits as a webhook secret: both Books triggers declare this format, so the
 * runtime generates, shows and hands over exactly such a secret (BOOKS_SECRET).
 */
export const BOOKS_SECRET = { format: 'alphanumeric', length: 32 } as const;

/**
 * The key Books was given for a runtime secret: the secret itself when it fits Books (every secret generated in
 * BOOKS_SECRET's format). Only `record_events` registrations made before the format was declared got a key
 * derived from an older `whsec_` secret (32 hex characters, same input → same key); their deliveries still verify.
 */
export function booksWebhookSecret(secret: string): string {
  if (/^[A-Za-z0-9]{12,50}$/.test(secret)) return secret;
  return createHmac('sha256', secret).update('braid:zoho-books:webhook-secret').digest('hex').slice(0, 32);
}

function firstHeader(request: WebhookRequest, name: string): string | undefined {
  const value = request.headers[name] ?? request.headers[name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
}

function isForm(request: WebhookRequest): boolean {
  return /application\/x-www-form-urlencoded/i.test(request.contentType || firstHeader(request, 'content-type') || '');
}

function queryPairs(request: WebhookRequest): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(request.query ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) pairs.push([key, String(v)]);
  }
  return pairs;
}

/**
 * The signed text (Zoho Billing's scheme, which Books is assumed to share): every query and form key/value
 * pair sorted by key (stable) as `keyvalue…`, then the raw body for JSON/raw bodies.
 */
export function signatureBase(request: WebhookRequest): string {
  const form = isForm(request) ? [...new URLSearchParams(request.rawBody.toString('utf8')).entries()] : [];
  const pairs = [...queryPairs(request), ...form];
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}${v}`).join('') + (isForm(request) ? '' : request.rawBody.toString('utf8'));
}

export function computeSignature(secret: string, request: WebhookRequest): string {
  return createHmac('sha256', secret).update(signatureBase(request), 'utf8').digest('hex');
}

/** Throws SIGNATURE_INVALID unless `X-Zoho-Webhook-Signature` is the HMAC-SHA256 of the request with `secret`. */
export function verifySignature(secret: string, request: WebhookRequest): void {
  const given = firstHeader(request, SIGNATURE_HEADER)?.trim();
  if (!given) {
    throw new ConnectorError('SIGNATURE_INVALID', 'The Books webhook call carries no X-Zoho-Webhook-Signature header; set the webhook\'s secret in Books.', {
      retryable: false,
    });
  }
  const expected = Buffer.from(computeSignature(secret, request), 'hex');
  const received = /^[0-9a-fA-F]+$/.test(given) ? Buffer.from(given, 'hex') : Buffer.alloc(0);
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    throw new ConnectorError('SIGNATURE_INVALID', 'The X-Zoho-Webhook-Signature of the Books webhook call does not match its secret.', {
      retryable: false,
    });
  }
}

/** Constant-time comparison of a shared-secret query parameter. */
export function verifyQueryToken(secret: string, request: WebhookRequest, param: string): void {
  const raw = request.query?.[param];
  const given = Array.isArray(raw) ? raw[0] : raw;
  const a = Buffer.from(String(given ?? ''), 'utf8');
  const b = Buffer.from(secret, 'utf8');
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new ConnectorError('SIGNATURE_INVALID', `The Books webhook call does not carry the right "${param}" query parameter.`, {
      retryable: false,
    });
  }
}

function isObject(value: unknown): value is BooksRecord {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function firstQuery(request: WebhookRequest, name: string): string | undefined {
  const value = request.query?.[name];
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v === '' ? undefined : String(v);
}

/** Reads the body as the JSON default payload, raw JSON, a form (with or without a JSONString field) or nothing. */
function readBody(request: WebhookRequest): { body: BooksRecord; source: 'json' | 'form' | 'empty' } {
  const text = request.rawBody.toString('utf8').trim();
  if (text === '') return { body: {}, source: 'empty' };
  if (isForm(request)) {
    const form = new URLSearchParams(text);
    const jsonString = form.get('JSONString');
    if (jsonString !== null) return { body: parseJsonObject(jsonString), source: 'json' };
    const body: BooksRecord = {};
    for (const [key, value] of form.entries()) body[key] = value;
    return { body, source: 'form' };
  }
  return { body: parseJsonObject(text), source: 'json' };
}

function parseJsonObject(text: string): BooksRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConnectorError('BAD_REQUEST', 'The Books webhook body is neither JSON nor form fields.', { retryable: false });
  }
  if (!isObject(value)) {
    throw new ConnectorError('BAD_REQUEST', 'The Books webhook body must be a JSON object (e.g. {"invoice": {…}}).', {
      retryable: false,
    });
  }
  return value;
}

function isExistFalse(value: unknown): boolean {
  return value === false || value === 'false' || value === 0 || value === '0';
}

/**
 * One incoming Books call → one event. Understands the default payload (`{"invoice": {…}}`, a deleted record
 * carries `exist: false`), a raw record, form fields, and HTTP DELETE with the id in the query
 * (`<entity>_id`, `id`) or as the last path segment. `hint` overrides what the body cannot say.
 */
export function parseBooksEvent(
  request: WebhookRequest & { path?: string },
  hint: { entity?: BooksEntity; event?: RecordEvent } = {},
): BooksEventPayload {
  const { body } = readBody(request);
  let entity: BooksEntity | undefined =
    hint.entity ?? (firstQuery(request, 'braid_entity') ? ENTITY_KEYS[firstQuery(request, 'braid_entity')!] : undefined);
  let record: BooksRecord = body;

  // Default payload: one known key holding the record (custom functions may add `organization`).
  const wrapped = Object.entries(body).filter(([key, value]) => ENTITY_KEYS[key] && isObject(value));
  if (wrapped.length > 0) {
    const [key, value] = wrapped.find(([k]) => entity && ENTITY_KEYS[k] === entity) ?? wrapped[0]!;
    entity ??= ENTITY_KEYS[key];
    record = value as BooksRecord;
    if (body.exist !== undefined && record.exist === undefined) record = { ...record, exist: body.exist };
  }
  entity ??= ID_FIELDS.find(([field]) => record[field] !== undefined && record[field] !== '')?.[1];

  // DELETE calls often carry only the id: in the query or as the last path segment.
  const method = request.method.toUpperCase();
  if (method === 'DELETE') {
    for (const [field, e] of ID_FIELDS) {
      const fromQuery = firstQuery(request, field);
      if (fromQuery && (!entity || entity === e)) {
        entity ??= e;
        record = { ...record, [field]: fromQuery };
        break;
      }
    }
    const genericId = firstQuery(request, 'id') ?? firstQuery(request, 'record_id') ?? /\/(\d+)\/?$/.exec(request.path ?? '')?.[1];
    if (entity && genericId && record[ID_FIELD_OF[entity]] === undefined) record = { ...record, [ID_FIELD_OF[entity]]: genericId };
  }
  if (!entity) {
    throw new ConnectorError(
      'BAD_REQUEST',
      'Could not tell which Books record this call is about: send the default payload ({"invoice": {…}}), a record ' +
        'with its id field (invoice_id, contact_id, bill_id, payment_id), or choose the module in the trigger settings.',
      { retryable: false },
    );
  }
  const idField = ID_FIELD_OF[entity];
  const recordId = record[idField] === undefined || record[idField] === '' ? null : String(record[idField]);
  const deleted = method === 'DELETE' || isExistFalse(record.exist) || isExistFalse(body.exist);
  const queryEvent = firstQuery(request, 'braid_event') ?? firstQuery(request, 'event');
  const event: RecordEvent = deleted
    ? 'deleted'
    : (hint.event ??
      (RECORD_EVENTS.includes(queryEvent as RecordEvent)
        ? (queryEvent as RecordEvent)
        : record.created_time !== undefined && record.created_time === record.last_modified_time
          ? 'created'
          : 'updated'));
  const payload: BooksEventPayload = { entity, event, record_id: recordId, record, deleted: event === 'deleted' };
  if (entity === 'contact' && typeof record.contact_type === 'string') payload.contact_type = record.contact_type;
  return payload;
}

export const eventOutputSchema = {
  type: 'object',
  properties: {
    entity: { type: 'string', enum: ['contact', 'invoice', 'bill', 'customerpayment', 'item'] },
    event: { type: 'string', enum: [...RECORD_EVENTS] },
    record_id: { type: ['string', 'null'] },
    record: { type: 'object', additionalProperties: true },
    deleted: { type: 'boolean' },
    contact_type: { type: 'string' },
  },
  required: ['entity', 'event', 'record_id', 'record', 'deleted'],
  additionalProperties: false,
};

export const sampleEvent: BooksEventPayload = {
  entity: 'invoice',
  event: 'updated',
  record_id: '460000000027001',
  record: {
    invoice_id: '460000000027001',
    invoice_number: 'INV-000042',
    customer_id: '460000000026049',
    status: 'sent',
    total: 317.79,
    balance: 317.79,
    last_modified_time: '2026-01-05T09:30:00-0500',
  },
  deleted: false,
};
