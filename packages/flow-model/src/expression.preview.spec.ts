import { describe, expect, it } from 'vitest';
import { evaluateInput } from './expression.evaluate.js';
import { previewBindings } from './expression.preview.js';
import type { Step } from './flow.types.js';
import { action, buildTestCatalog, connector, flowOf, trigger } from './test-support/catalog.builder.js';

const e = (source: string) => ({ $expr: source });

const catalog = [
  ...buildTestCatalog(),
  connector('shop', 'Shop', {
    triggers: [trigger('order_paid', 'Order paid', { type: 'object' }, { sampleOutput: { order: { id: 'O-1', lines: [{ sku: 'A', qty: 2 }, { sku: 'B', qty: 1 }] } } })],
    actions: [action('lookup', 'Lookup', { type: 'object' }, { sampleOutput: { customer: { id: 'C-9' } } })],
  }),
];

function flow() {
  const steps: Step[] = [
    { kind: 'action', id: 'lookup', connector: 'shop', action: 'lookup', input: {}, next: 'shape' },
    { kind: 'map', id: 'shape', output: { customer: e('$steps.lookup.customer.id'), lines: e('$trigger.order.lines') }, next: 'broken' },
    { kind: 'map', id: 'broken', output: e('$steps.lookup.customer.id + 1'), next: 'each' },
    { kind: 'forEach', id: 'each', items: e('$steps.shape.lines'), bodyStart: 'line', next: 'after' },
    { kind: 'map', id: 'line', output: { sku: e('$item.sku'), at: e('$index') }, next: 'inner' },
    { kind: 'map', id: 'inner', output: e('$steps.line') },
    { kind: 'map', id: 'after', output: { n: 1 } },
  ];
  return flowOf(steps, 'lookup', { trigger: { connector: 'shop', trigger: 'order_paid', config: {} } });
}

describe('previewBindings', () => {
  it('uses trigger and action samples, evaluates maps, and records failures', async () => {
    const { bindings, errors } = await previewBindings(flow(), catalog, 'each', { vars: { currency: 'EUR' } });
    expect(bindings.trigger).toEqual({ order: { id: 'O-1', lines: [{ sku: 'A', qty: 2 }, { sku: 'B', qty: 1 }] } });
    expect(bindings.steps).toEqual({
      lookup: { customer: { id: 'C-9' } },
      shape: { customer: 'C-9', lines: [{ sku: 'A', qty: 2 }, { sku: 'B', qty: 1 }] },
    });
    expect(bindings.vars).toEqual({ currency: 'EUR' });
    expect(bindings.item).toBeUndefined();
    expect(errors.map((x) => [x.stepId, x.error.code])).toEqual([['broken', 'EXPRESSION_EVALUATION']]);
  });

  it('inside a loop: $item is the first element and earlier body steps are evaluated with it', async () => {
    const { bindings } = await previewBindings(flow(), catalog, 'inner');
    expect(bindings.item).toEqual({ sku: 'A', qty: 2 });
    expect(bindings.index).toBe(0);
    expect(bindings.steps!.line).toEqual({ sku: 'A', at: 0 });
    expect(await evaluateInput(e('$steps.line.sku & "/" & $steps.shape.customer'), bindings)).toBe('A/C-9');
    const first = await previewBindings(flow(), catalog, 'line');
    expect(first.bindings.item).toEqual({ sku: 'A', qty: 2 });
  });

  it('after a loop: no $item, and no output for the loop itself', async () => {
    const { bindings } = await previewBindings(flow(), catalog, 'after');
    expect(bindings.item).toBeUndefined();
    expect(Object.keys(bindings.steps!)).toEqual(['lookup', 'shape']);
  });
});
