import {
  ConnectorError,
  InMemoryRecordLinkStore,
  StopRunSignal,
  createConnectorContext,
  runAction,
  validateOutput,
} from '@braid/connector-sdk';
import { describe, expect, it } from 'vitest';
import { coreConnector } from '../core.connector.js';
import { MAX_IN_STEP_DELAY_MS } from './delay.action.js';

const ctx = (extra: Parameters<typeof createConnectorContext>[0] extends infer O ? Partial<O> : never = {}) =>
  createConnectorContext({ connector: coreConnector, ...extra });

function outputSchema(key: string) {
  return coreConnector.actions.find((a) => a.key === key)!.output;
}

describe('stop and fail', () => {
  it('stop ends the run successfully with its message', async () => {
    const error = await runAction(coreConnector, 'stop', ctx(), { message: 'Nothing to sync.' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StopRunSignal);
    expect((error as StopRunSignal).message).toBe('Nothing to sync.');
    expect(validateOutput(outputSchema('stop'), (error as StopRunSignal).output).valid).toBe(true);
  });

  it('fail fails the run with a non-retryable FLOW_FAILED error', async () => {
    const error = await runAction(coreConnector, 'fail', ctx(), { message: 'No tax for DE', code: 'MISSING_TAX' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'FLOW_FAILED', retryable: false, message: 'No tax for DE', vendorCode: 'MISSING_TAX' });
  });
});

describe('transform', () => {
  it('evaluates a JSONata expression over the data', async () => {
    const output = await runAction(coreConnector, 'transform', ctx(), {
      data: { lines: [{ qty: 2, price: 10 }, { qty: 1, price: 0.5 }], customer: { name: 'Acme' } },
      expression: '{ "total": $sum(lines.(qty * price)), "who": $uppercase(customer.name) }',
    });
    expect(output).toEqual({ result: { total: 20.5, who: 'ACME' } });
    expect(validateOutput(outputSchema('transform'), output).valid).toBe(true);
    expect(await runAction(coreConnector, 'transform', ctx(), { data: {}, expression: 'missing' })).toEqual({ result: null });
  });

  it('points at the expression when it does not parse', async () => {
    await expect(
      runAction(coreConnector, 'transform', ctx(), { data: {}, expression: '$sum(' }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', issues: [expect.objectContaining({ pointer: '/expression' })] });
  });

  it('stops runaway expressions (depth and size limits)', async () => {
    const started = Date.now();
    await expect(
      runAction(coreConnector, 'transform', ctx(), { data: {}, expression: '($f := function($x){ $f($x + 1) }; $f(1))' }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(
      runAction(coreConnector, 'transform', ctx(), { data: {}, expression: '$count([1..100000000])' }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('aggregate', () => {
  it('sums decimal strings and numbers with rounding', async () => {
    const output = await runAction(coreConnector, 'aggregate', ctx(), {
      items: [{ usage: { value: '0.1' } }, { usage: { value: 0.2 } }, { other: 1 }],
      field: 'usage.value',
      operation: 'sum',
      decimals: 2,
    });
    expect(output).toEqual({ value: 0.3, count: 2 });
    expect(validateOutput(outputSchema('aggregate'), output).valid).toBe(true);
  });

  it('counts, averages, finds min/max and rejects non-numbers with a pointer', async () => {
    const items = [{ a: 3 }, { a: 1 }, { a: 8 }];
    expect(await runAction(coreConnector, 'aggregate', ctx(), { items, field: 'a', operation: 'max' })).toEqual({ value: 8, count: 3 });
    expect(await runAction(coreConnector, 'aggregate', ctx(), { items, field: 'a', operation: 'min' })).toEqual({ value: 1, count: 3 });
    expect(await runAction(coreConnector, 'aggregate', ctx(), { items, field: 'a', operation: 'avg' })).toEqual({ value: 4, count: 3 });
    expect(await runAction(coreConnector, 'aggregate', ctx(), { items: [], operation: 'max' })).toEqual({ value: null, count: 0 });
    await expect(
      runAction(coreConnector, 'aggregate', ctx(), { items: [{ a: 1 }, { a: 'x' }], field: 'a' }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', issues: [expect.objectContaining({ pointer: '/items/1' })] });
  });
});

describe('delay', () => {
  it('waits in-step for a bounded time', async () => {
    const slept: number[] = [];
    const output = await runAction(coreConnector, 'delay', ctx({ sleep: async (ms) => void slept.push(ms) }), { ms: 1500 });
    expect(slept).toEqual([1500]);
    expect(output).toMatchObject({ waitedMs: 1500 });
    await expect(runAction(coreConnector, 'delay', ctx(), { ms: MAX_IN_STEP_DELAY_MS + 1 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(runAction(coreConnector, 'delay', ctx(), {})).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('waits until a moment, refusing moments beyond the in-step maximum', async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const slept: number[] = [];
    const context = ctx({ now: () => now, sleep: async (ms) => void slept.push(ms) });
    await runAction(coreConnector, 'delay', context, { until: '2026-01-01T00:00:30Z' });
    expect(slept).toEqual([30_000]);
    await expect(runAction(coreConnector, 'delay', context, { until: '2026-01-01T01:00:00Z' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      issues: [expect.objectContaining({ pointer: '/until' })],
    });
  });

  it('is cancelled with the run', async () => {
    const controller = new AbortController();
    const pending = runAction(coreConnector, 'delay', ctx({ signal: controller.signal }), { ms: 10_000 });
    setTimeout(() => controller.abort(), 10);
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('record links', () => {
  const key = { appA: 'togai', typeA: 'account', idA: 'A-17', appB: 'zoho-books', typeB: 'contact' };

  it('upserts, finds and deletes links through the injected store', async () => {
    const context = ctx({ links: new InMemoryRecordLinkStore() });
    expect(await runAction(coreConnector, 'find_link', context, key)).toEqual({ found: false, idB: null, link: null });
    const upserted = await runAction(coreConnector, 'upsert_link', context, { ...key, idB: '4600', metadata: { hash: 'a' } });
    expect(upserted).toMatchObject({ created: true, link: { idB: '4600' } });
    expect(validateOutput(outputSchema('upsert_link'), upserted).valid).toBe(true);
    const found = await runAction(coreConnector, 'find_link', context, key);
    expect(found).toMatchObject({ found: true, idB: '4600' });
    expect(validateOutput(outputSchema('find_link'), found).valid).toBe(true);
    expect(await runAction(coreConnector, 'delete_link', context, key)).toEqual({ deleted: 1 });
    expect(await runAction(coreConnector, 'find_link', context, key)).toMatchObject({ found: false });
  });

  it('explains when the runtime gave no link store', async () => {
    await expect(runAction(coreConnector, 'find_link', ctx(), key)).rejects.toThrow(/no link store/);
  });
});
