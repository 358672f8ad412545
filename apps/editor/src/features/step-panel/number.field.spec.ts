import { describe, expect, it } from 'vitest';
import { settledNumber, typedNumber } from './number.field';

describe('typedNumber', () => {
  const attempts = { min: 2, max: 20, integer: true };
  it('applies each keystroke that makes a complete number within the limits', () => {
    expect(typedNumber('10', attempts)).toBe(10);
    expect(typedNumber('1500', { min: 0, integer: true })).toBe(1500);
    expect(typedNumber('-10.5')).toBe(-10.5);
    expect(typedNumber(' 7 ', attempts)).toBe(7);
  });

  it('waits while the text is on its way to a number', () => {
    // "1" on the way to "10" must not become 2 under the cursor
    expect(typedNumber('1', attempts)).toBeUndefined();
    expect(typedNumber('', attempts)).toBeUndefined();
    expect(typedNumber('-')).toBeUndefined();
    expect(typedNumber('1.')).toBeUndefined();
    expect(typedNumber('2.5', attempts)).toBeUndefined();
    expect(typedNumber('21', attempts)).toBeUndefined();
    expect(typedNumber('1e3')).toBeUndefined();
  });
});

describe('settledNumber', () => {
  it('brings what was left in the field within the limits, or keeps the value', () => {
    const attempts = { min: 2, max: 20, integer: true };
    expect(settledNumber('1', 3, attempts)).toBe(2);
    expect(settledNumber('99', 3, attempts)).toBe(20);
    expect(settledNumber('4.6', 3, attempts)).toBe(5);
    expect(settledNumber('', 3, attempts)).toBe(3);
    expect(settledNumber('-', 3, attempts)).toBe(3);
    expect(settledNumber('-5', 1000, { min: 0 })).toBe(0);
  });
});
