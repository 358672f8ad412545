import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, URL-safe. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Session ids and API tokens are high-entropy secrets, so a plain sha256 is a sufficient at-rest hash. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * The CSRF token of a session, derived from its secret: the browser learns it from the sign-in and /me
 * responses (a cross-site page cannot read those) and sends it back in `X-CSRF-Token`.
 */
export function csrfTokenFor(sessionSecret: string): string {
  return createHash('sha256').update(`braid-csrf:${sessionSecret}`).digest('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
