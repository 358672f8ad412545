import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { booksSignatureBase, signBooksWebhook, verifyBooksWebhookSignature } from './books.signature.js';

describe('Books webhook signature (Zoho Billing scheme)', () => {
  const secret = 'abcdEFGH1234';

  it('signs sorted query/form pairs followed by the raw body', () => {
    const parts = { query: new URLSearchParams('zeta=1&alpha=2'), form: { mid: 'x' }, rawBody: '{"a":1}' };
    expect(booksSignatureBase(parts)).toBe('alpha2midxzeta1{"a":1}');
    const expected = createHmac('sha256', secret).update('alpha2midxzeta1{"a":1}').digest('hex');
    expect(signBooksWebhook(secret, parts)).toBe(expected);
    expect(verifyBooksWebhookSignature(secret, parts, expected)).toBe(true);
  });

  it('rejects a wrong secret, a changed body or a malformed signature', () => {
    const parts = { rawBody: '{"invoice":{"total":10}}' };
    const signature = signBooksWebhook(secret, parts);
    expect(verifyBooksWebhookSignature('otherSecret1234', parts, signature)).toBe(false);
    expect(verifyBooksWebhookSignature(secret, { rawBody: '{"invoice":{"total":11}}' }, signature)).toBe(false);
    expect(verifyBooksWebhookSignature(secret, parts, 'zz')).toBe(false);
    expect(verifyBooksWebhookSignature(secret, parts, undefined)).toBe(false);
  });
});
