// @braid/connector-togai — the Togai usage-billing platform connector. See README.md.
export { togaiConnector } from './togai.connector.js';
export { resolveTogaiBaseUrl, isTogaiHosted, mapTogaiError, TOGAI_PRODUCTION_URL } from './togai.http.js';
export { verifyStandardWebhook } from './triggers/standard-webhooks.signature.js';
export { togaiEventTypes, eventPayloadSchema, type TogaiEventType, type TogaiEventPayload } from './triggers/event.payload.js';
export { normalizeInvoice, type TogaiInvoice, type InvoiceLine } from './actions/invoices.action.js';
export type { ChangeCursor } from './triggers/changes.cursor.js';
