import { describe, expect, it } from 'vitest';
import { fitsSchema, structuralValidator } from './rjsf.validator';

describe('structural rjsf validator', () => {
  const root = {
    $defs: { tax: { type: 'object', required: ['tax_id'], properties: { tax_id: { type: 'string' } } } },
    oneOf: [{ $ref: '#/$defs/tax' }, { type: 'object', required: ['tax_percentage'], properties: { tax_percentage: { type: 'number' } } }],
  } as const;

  it('picks the oneOf option a value fits', () => {
    expect(fitsSchema(root.oneOf[0] as never, { tax_id: 'x' }, root as never)).toBe(true);
    expect(fitsSchema(root.oneOf[1] as never, { tax_id: 'x' }, root as never)).toBe(false);
    expect(fitsSchema(root as never, { tax_percentage: 19 }, root as never)).toBe(true);
    expect(fitsSchema(root as never, {}, root as never)).toBe(false);
  });
  it('checks type, const, enum, items and not', () => {
    expect(fitsSchema({ type: 'integer' }, 2)).toBe(true);
    expect(fitsSchema({ type: 'number' }, 2)).toBe(true);
    expect(fitsSchema({ type: 'integer' }, 2.5)).toBe(false);
    expect(fitsSchema({ const: 'a' }, 'b')).toBe(false);
    expect(fitsSchema({ enum: ['a', 'b'] }, 'b')).toBe(true);
    expect(fitsSchema({ type: 'array', items: { type: 'string' } }, ['a', 1])).toBe(false);
    expect(fitsSchema({ not: { type: 'string' } }, 'a')).toBe(false);
  });
  it('never reports form errors (flow-model validates)', () => {
    expect(structuralValidator.validateFormData({ a: 1 }, { type: 'object', properties: { a: { type: 'string' } } }).errors).toEqual([]);
  });
});
