// @braid/connector-zoho-books — see README.md.
export { zohoBooksConnector, ZOHO_BOOKS_SCOPES } from './zoho-books.connector.js';
export { mapBooksError, BOOKS_RATE_LIMIT, BOOKS_PAGE_SIZE } from './books.http.js';
export { matchTaxByRate } from './actions/reference.actions.js';
export {
  booksWebhookSecret,
  computeSignature as computeBooksWebhookSignature,
  parseBooksEvent,
  type BooksEventPayload,
} from './triggers/books.webhook.js';
export type { ModifiedCursor, ModifiedRecordsConfig } from './triggers/modified-records.trigger.js';
export type { RecordEventsConfig, RecordEventsState, WorkflowWebhookConfig } from './triggers/webhook.triggers.js';
