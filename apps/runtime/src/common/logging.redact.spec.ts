import { describe, expect, it } from 'vitest';
import { redactHeaders, redactSecrets, redactUrl } from './logging.redact.js';

describe('redaction', () => {
  it('replaces secret-looking keys at any depth and keeps the rest', () => {
    const value = { user: 'a', password: 'p', nested: [{ refresh_token: 't', ok: 1 }], deep: { clientSecret: 's', x: { apiKey: 'k' } } };
    expect(redactSecrets(value)).toEqual({
      user: 'a',
      password: '[redacted]',
      nested: [{ refresh_token: '[redacted]', ok: 1 }],
      deep: { clientSecret: '[redacted]', x: { apiKey: '[redacted]' } },
    });
    expect(value.password).toBe('p'); // the original is untouched
  });

  it('survives cycles and leaves class instances to the serializers', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(redactSecrets(cyclic)).toEqual({ a: 1, self: '[circular]' });
    const date = new Date(0);
    expect(redactSecrets({ date })).toEqual({ date });
  });

  it('redacts query parameters and headers', () => {
    expect(redactUrl('/cb?code=1&access_token=abc&state=x')).toBe('/cb?code=[redacted]&access_token=[redacted]&state=x');
    expect(redactUrl('/plain')).toBe('/plain');
    expect(redactHeaders({ authorization: 'Bearer x', cookie: 'c', 'x-csrf-token': 't', accept: '*/*' })).toEqual({
      authorization: '[redacted]',
      cookie: '[redacted]',
      'x-csrf-token': '[redacted]',
      accept: '*/*',
    });
  });
});
