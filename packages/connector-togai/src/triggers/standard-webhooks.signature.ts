// Standard Webhooks verification (https://www.standardwebhooks.com): the convention of Braid's Togai event feed.
// Signed content `${webhook-id}.${webhook-timestamp}.${raw body}`, HMAC-SHA256 keyed with the base64-decoded
// `whsec_` secret, header `webhook-signature: v1,<base64> [v1,<base64> …]` (several during key rotation).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ConnectorError, type WebhookRequest } from '@braid/connector-sdk';

export const SECRET_PREFIX = 'whsec_';
export const DEFAULT_TOLERANCE_SECONDS = 300;

function invalid(message: string): ConnectorError {
  return new ConnectorError('SIGNATURE_INVALID', message, { retryable: false });
}

/** The key bytes of a `whsec_` secret; throws (without echoing the secret) when it is not one. */
export function signingKey(secret: string): Buffer {
  const trimmed = secret.trim();
  if (!trimmed.startsWith(SECRET_PREFIX)) {
    throw invalid('The signing secret must start with "whsec_"; copy it again from the webhook subscription.');
  }
  const encoded = trimmed.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw invalid('The signing secret is not valid base64 after "whsec_".');
  const key = Buffer.from(encoded, 'base64');
  if (key.length < 16) throw invalid('The signing secret is too short.');
  return key;
}

/**
 * Throws SIGNATURE_INVALID unless one `v1` signature in `webhook-signature` matches the raw body and the
 * `webhook-timestamp` is within `toleranceSeconds` of `now` (replay protection). Constant-time comparison.
 */
export function verifyStandardWebhook(
  secret: string,
  request: Pick<WebhookRequest, 'headers' | 'rawBody'>,
  now: Date,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): void {
  const key = signingKey(secret);
  const id = request.headers['webhook-id'];
  const timestamp = request.headers['webhook-timestamp'];
  const signatures = request.headers['webhook-signature'];
  if (!id || !timestamp || !signatures) {
    throw invalid('The request lacks the webhook-id, webhook-timestamp or webhook-signature header.');
  }
  if (!/^\d{1,12}$/.test(timestamp)) throw invalid('The webhook-timestamp header is not unix seconds.');
  const ageSeconds = Math.abs(now.getTime() / 1000 - Number(timestamp));
  if (ageSeconds > toleranceSeconds) {
    throw invalid(`The webhook timestamp is ${Math.round(ageSeconds)} s away from now (limit ${toleranceSeconds} s): a replay or a wrong clock.`);
  }
  const expected = createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), request.rawBody]))
    .digest();
  const matched = signatures
    .split(' ')
    .filter((entry) => entry !== '')
    .some((entry) => {
      const comma = entry.indexOf(',');
      if (comma < 0 || entry.slice(0, comma) !== 'v1') return false;
      const given = Buffer.from(entry.slice(comma + 1), 'base64');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  if (!matched) throw invalid('The webhook signature does not match: the body was changed or the secret differs.');
}
