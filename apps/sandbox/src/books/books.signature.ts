import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signature (apis.md E3, the Zoho Billing scheme, which Books' `secret` is assumed to follow):
 * hex HMAC-SHA256, keyed by the webhook's secret, over every query-string and form key/value pair sorted by key
 * and concatenated as `keyvalue…`, followed by the raw body. Sent in `X-Zoho-Webhook-Signature`.
 */
export const BOOKS_SIGNATURE_HEADER = 'x-zoho-webhook-signature';

export interface SignedParts {
  query?: URLSearchParams | Record<string, string> | Array<[string, string]>;
  form?: URLSearchParams | Record<string, string> | Array<[string, string]>;
  /** the body as sent, for JSON / raw bodies; empty for form bodies (their pairs are in `form`) */
  rawBody?: string;
}

function pairs(source: SignedParts['query']): Array<[string, string]> {
  if (!source) return [];
  if (source instanceof URLSearchParams) return [...source.entries()];
  if (Array.isArray(source)) return source;
  return Object.entries(source);
}

/** The exact string that gets signed. */
export function booksSignatureBase(parts: SignedParts): string {
  const all = [...pairs(parts.query), ...pairs(parts.form)];
  // Stable sort by key only: pairs with the same key keep their order.
  all.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return all.map(([k, v]) => `${k}${v}`).join('') + (parts.rawBody ?? '');
}

export function signBooksWebhook(secret: string, parts: SignedParts): string {
  return createHmac('sha256', secret).update(booksSignatureBase(parts), 'utf8').digest('hex');
}

/** Constant-time check of a received `X-Zoho-Webhook-Signature` value. */
export function verifyBooksWebhookSignature(secret: string, parts: SignedParts, signature: string | undefined): boolean {
  if (!signature || !/^[0-9a-fA-F]+$/.test(signature)) return false;
  const expected = Buffer.from(signBooksWebhook(secret, parts), 'hex');
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
