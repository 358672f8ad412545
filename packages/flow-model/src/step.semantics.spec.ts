import { describe, expect, it } from 'vitest';
import { ExpressionError } from './expression.evaluate.js';
import { chooseBranch, continuationAfter, continuationAfterLoop, isTruthy, loopItems } from './step.semantics.js';
import type { BranchStep, ForEachStep, Step } from './flow.types.js';
import { delayStep, flowOf } from './test-support/catalog.builder.js';

const e = (source: string) => ({ $expr: source });

const check: BranchStep = {
  kind: 'branch',
  id: 'check',
  branches: [
    { id: 'big', label: 'Big', condition: e('$trigger.amount > 100'), start: 'big1' },
    { id: 'named', label: 'Has name', condition: e('$trigger.name'), start: 'named1' },
  ],
  else: { start: 'else1' },
  next: 'loop',
};
const loop: ForEachStep = { kind: 'forEach', id: 'loop', items: e('$trigger.lines'), bodyStart: 'body1', next: 'end1' };

function flow() {
  const steps: Step[] = [
    delayStep('a', { next: 'check' }),
    check,
    delayStep('big1', { next: 'big2' }),
    delayStep('big2'),
    delayStep('named1'),
    delayStep('else1'),
    loop,
    delayStep('body1', { next: 'inner' }),
    { kind: 'branch', id: 'inner', branches: [{ id: 'p', label: 'P', condition: e('true'), start: 'inner1' }] },
    delayStep('inner1'),
    delayStep('end1'),
  ];
  return flowOf(steps, 'a');
}

describe('continuationAfter', () => {
  const f = flow();
  it('follows next, leaves branch paths to the join, returns to the loop at the end of its body', () => {
    expect(continuationAfter(f, 'a')).toEqual({ kind: 'step', stepId: 'check' });
    expect(continuationAfter(f, 'big1')).toEqual({ kind: 'step', stepId: 'big2' });
    expect(continuationAfter(f, 'big2')).toEqual({ kind: 'step', stepId: 'loop' });
    expect(continuationAfter(f, 'else1')).toEqual({ kind: 'step', stepId: 'loop' });
    expect(continuationAfter(f, 'inner1')).toEqual({ kind: 'loopBodyEnd', loopId: 'loop' });
    expect(continuationAfterLoop(f, 'loop')).toEqual({ kind: 'step', stepId: 'end1' });
    expect(continuationAfter(f, 'end1')).toEqual({ kind: 'end' });
    expect(continuationAfter(f, 'ghost')).toBeUndefined();
  });
});

describe('chooseBranch', () => {
  it('takes the first truthy path, else the else path', async () => {
    expect(await chooseBranch(check, { trigger: { amount: 500, name: 'x' } })).toEqual({ branchId: 'big', start: 'big1' });
    expect(await chooseBranch(check, { trigger: { amount: 5, name: 'x' } })).toEqual({ branchId: 'named', start: 'named1' });
    expect(await chooseBranch(check, { trigger: { amount: 5, name: '' } })).toEqual({ branchId: null, start: 'else1' });
    expect(await chooseBranch({ ...check, else: undefined }, { trigger: {} })).toEqual({ branchId: null, start: undefined });
  });

  it('reports a failing condition with its path', async () => {
    const broken: BranchStep = { ...check, branches: [{ id: 'x', label: 'X', condition: e('$trigger.name + 1') }] };
    const err = await chooseBranch(broken, { trigger: { name: 'a' } }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ExpressionError);
    expect((err as ExpressionError).pointer).toBe('/branches/0/condition');
    expect((err as ExpressionError).message).toMatch(/^The condition of path "X" failed/);
  });

  it('uses JSONata truthiness', async () => {
    expect(await Promise.all(['', 0, null, [], {}, [0, ''], undefined].map(isTruthy))).toEqual([false, false, false, false, false, false, false]);
    expect(await Promise.all(['a', 1, true, [0, 1], { a: 1 }].map(isTruthy))).toEqual([true, true, true, true, true]);
  });
});

describe('loopItems', () => {
  it('lists, single values and nothing', async () => {
    expect(await loopItems(loop, { trigger: { lines: [1, 2] } })).toEqual([1, 2]);
    expect(await loopItems(loop, { trigger: { lines: [{ a: 1 }] } })).toEqual([{ a: 1 }]);
    expect(await loopItems(loop, { trigger: { lines: { a: 1 } } })).toEqual([{ a: 1 }]);
    expect(await loopItems(loop, { trigger: {} })).toEqual([]);
  });

  it('refuses too many elements and reports failures at /items', async () => {
    const many = await loopItems(loop, { trigger: { lines: [1, 2, 3] } }, { maxItems: 2 }).catch((x: unknown) => x);
    expect(many).toMatchObject({ code: 'EXPRESSION_TOO_LARGE', pointer: '/items' });
    const broken = await loopItems({ ...loop, items: e('$trigger.x + 1') }, { trigger: { x: 'a' } }).catch((x: unknown) => x);
    expect(broken).toMatchObject({ code: 'EXPRESSION_EVALUATION', pointer: '/items', message: expect.stringMatching(/^The list to loop over failed/) });
  });
});
