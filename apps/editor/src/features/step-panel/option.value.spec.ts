import { describe, expect, it } from 'vitest';
import { canonicalJson } from './option.value';

describe('canonicalJson', () => {
  it('is the same for the same value in any key order, and differs for different values', () => {
    expect(canonicalJson({ name: 'VAT 19', id: 'tax-1', rates: [{ b: 2, a: 1 }] })).toBe(canonicalJson({ id: 'tax-1', rates: [{ a: 1, b: 2 }], name: 'VAT 19' }));
    expect(canonicalJson('tax-1')).toBe('"tax-1"');
    expect(canonicalJson({ id: 1 })).not.toBe(canonicalJson({ id: '1' }));
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });
});
