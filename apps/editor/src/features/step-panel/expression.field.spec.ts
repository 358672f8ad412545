import { describe, expect, it } from 'vitest';
import { evaluateLive, expressionToLiteral, insertReference, literalToExpression, previewText, referencePath, toggleExpression } from './expression.field';

describe('value ↔ expression', () => {
  it('turns a literal into the JSONata that produces it and back', () => {
    expect(literalToExpression('Acme')).toBe('"Acme"');
    expect(literalToExpression(5)).toBe('5');
    expect(literalToExpression(undefined)).toBe('');
    expect(toggleExpression('Acme')).toEqual({ $expr: '"Acme"' });
    expect(toggleExpression({ $expr: '"Acme"' })).toBe('Acme');
    expect(toggleExpression({ $expr: '[1, 2]' })).toEqual([1, 2]);
    expect(toggleExpression({ $expr: '$trigger.account.name' })).toBeUndefined();
    expect(expressionToLiteral('  ')).toBeUndefined();
  });
});

describe('references', () => {
  it('writes paths JSONata understands', () => {
    expect(referencePath('$steps.find_contact', ['contact', 'name'])).toBe('$steps.find_contact.contact.name');
    expect(referencePath('$trigger', ['lines', 0, 'unit price'])).toBe('$trigger.lines[0].`unit price`');
    expect(referencePath('$item', [])).toBe('$item');
  });
  it('inserts at the cursor, replacing a selection, joining words with &', () => {
    expect(insertReference('', '$trigger.id')).toEqual({ text: '$trigger.id', cursor: 11 });
    expect(insertReference('"INV-"', '$trigger.id')).toEqual({ text: '"INV-" & $trigger.id', cursor: 20 });
    expect(insertReference('$uppercase()', '$trigger.name', 11)).toEqual({ text: '$uppercase($trigger.name)', cursor: 24 });
    expect(insertReference('a old b', 'x', 2, 5).text).toBe('a x b');
  });
});

describe('evaluateLive', () => {
  const bindings = { trigger: { account: { name: 'Acme', lines: [{ amount: 5 }, { amount: 7 }] } }, steps: { find: { id: '42' } } };
  it('shows the value, nothing, or the error', async () => {
    expect(await evaluateLive('$sum($trigger.account.lines.amount)', bindings)).toEqual({ state: 'value', value: 12 });
    expect(await evaluateLive('$steps.find.id & "-x"', bindings)).toEqual({ state: 'value', value: '42-x' });
    expect(await evaluateLive('$trigger.missing', bindings)).toEqual({ state: 'nothing' });
    expect(await evaluateLive('', bindings)).toEqual({ state: 'empty' });
    const broken = await evaluateLive('$trigger.(', bindings);
    expect(broken.state).toBe('error');
  });
  it('renders previews short', () => {
    expect(previewText('abc')).toBe('"abc"');
    expect(previewText({ a: 1, b: [1, 2] })).toBe('{ "a": 1, "b": [ 1, 2 ] }');
    expect(previewText('x'.repeat(500)).length).toBe(300);
  });
});
