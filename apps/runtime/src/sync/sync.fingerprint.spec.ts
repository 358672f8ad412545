import { describe, expect, it } from 'vitest';
import { rewindCursor } from './backfill.service.js';
import { fingerprintFields, isLater, pickFields } from './sync.fingerprint.js';

describe('sync fingerprints', () => {
  it('ignore key order, surrounding spaces, number formatting and empty-vs-missing', () => {
    const written = fingerprintFields({ name: 'Acme ', amount: 12.5, email: '' });
    expect(fingerprintFields({ amount: '12.50', name: 'Acme' })).toBe(written);
    expect(fingerprintFields({ name: 'Acme', amount: 12.5, email: null })).toBe(written);
  });

  it('change when a value changes', () => {
    expect(fingerprintFields({ name: 'Acme' })).not.toBe(fingerprintFields({ name: 'Acme Inc' }));
    expect(fingerprintFields({ tags: ['a', 'b'] })).not.toBe(fingerprintFields({ tags: ['b', 'a'] }));
  });

  it('pick dotted fields from a record (missing as null) and compare times', () => {
    expect(pickFields({ a: { b: 1 }, c: 2 }, ['a.b', 'x'])).toEqual({ 'a.b': 1, x: null });
    expect(isLater('2026-01-01T00:00:01Z', '2026-01-01T00:00:00+00:00')).toBe(true);
    expect(isLater('2026-01-01T00:00:00-05:00', '2026-01-01T04:59:59Z')).toBe(true);
    expect(isLater('not a time', '2026-01-01T00:00:00Z')).toBe(false);
  });
});

describe('rewindCursor', () => {
  it('sets every watermark to the date and forgets the ids at the old boundary', () => {
    const from = '2026-01-01T00:00:00.000Z';
    expect(rewindCursor({ updatedAt: '2026-05-01T00:00:00Z', idsAtBoundary: ['a'] }, from)).toEqual({ updatedAt: from, idsAtBoundary: [] });
    expect(rewindCursor({ watermark: 'w', idsAtWatermark: ['1'], deleted: { watermark: 'd', idsAtWatermark: ['2'] } }, from)).toEqual({
      watermark: from, idsAtWatermark: [], deleted: { watermark: from, idsAtWatermark: [] },
    });
  });

  it('cannot rewind a cursor without a time watermark', () => {
    expect(rewindCursor({ nextToken: 'abc' }, '2026-01-01T00:00:00.000Z')).toBeUndefined();
    expect(rewindCursor(null, '2026-01-01T00:00:00.000Z')).toBeUndefined();
  });
});
