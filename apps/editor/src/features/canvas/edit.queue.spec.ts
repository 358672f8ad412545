import type { FlowEdit } from '@braid/flow-model';
import { describe, expect, it } from 'vitest';
import { compactEdits, keepEqualParts } from './edit.queue';

const typed = (stepId: string, path: string[] | string, text: string): FlowEdit => ({ type: 'updateInput', stepId, path, value: { $expr: text } });

describe('compactEdits', () => {
  it('keeps one edit per field for a run of keystrokes', () => {
    const keys = '$trigger.data.primaryEmail';
    const edits = [...keys].map((_, i) => typed('find', ['email'], keys.slice(0, i + 1)));
    expect(compactEdits(edits)).toEqual([typed('find', ['email'], keys)]);
    // the same place written as a pointer or as segments
    expect(compactEdits([typed('find', '/email', 'a'), typed('find', ['email'], 'ab')])).toEqual([typed('find', ['email'], 'ab')]);
  });

  it('keeps edits of other fields, other steps and structural edits, in order', () => {
    const edits: FlowEdit[] = [
      typed('find', ['email'], 'a'),
      typed('find', ['name'], 'b'),
      typed('find', ['email'], 'ab'),
      typed('other', ['email'], 'c'),
      { type: 'deleteStep', stepId: 'x' },
      { type: 'deleteStep', stepId: 'x' },
      typed('find', ['address', 'line1'], 'd'),
      typed('find', ['address'], { line1: 'de' } as never),
    ];
    expect(compactEdits(edits)).toEqual(edits);
  });

  it('drops an updateStep or updateBranch whose keys the next one sets again', () => {
    const title = (t: string): FlowEdit => ({ type: 'updateStep', stepId: 's', patch: { title: t } });
    expect(compactEdits([title('a'), title('ab')])).toEqual([title('ab')]);
    const both: FlowEdit = { type: 'updateStep', stepId: 's', patch: { title: 'x', continueOnError: true } };
    expect(compactEdits([both, title('y')])).toEqual([both, title('y')]);
    expect(compactEdits([title('y'), both])).toEqual([both]);
    const condition = (t: string): FlowEdit => ({ type: 'updateBranch', stepId: 'b', branchId: 'p1', patch: { condition: { $expr: t } } });
    expect(compactEdits([condition('$a'), condition('$a.b')])).toEqual([condition('$a.b')]);
    expect(compactEdits([{ type: 'renameFlow', name: 'A' }, { type: 'renameFlow', name: 'AB' }])).toEqual([{ type: 'renameFlow', name: 'AB' }]);
    const config = (v: string): FlowEdit => ({ type: 'updateTriggerConfig', path: ['cron'], value: v });
    expect(compactEdits([config('0'), config('0 6')])).toEqual([config('0 6')]);
  });
});

describe('keepEqualParts', () => {
  it('answers the current object when the next one has the same content in another key order', () => {
    const current = { name: 'Flow', steps: { a: { input: { url: 'x', method: 'GET' } } }, list: [1, { b: 2, a: 1 }] };
    const fromJsonb = { list: [1, { a: 1, b: 2 }], steps: { a: { input: { method: 'GET', url: 'x' } } }, name: 'Flow' };
    expect(keepEqualParts(current, fromJsonb)).toBe(current);
  });

  it('shares the unchanged parts and takes the changed ones, keeping the current key order', () => {
    const current = { steps: { a: { input: { url: 'x', method: 'GET' } }, b: { title: 'B' } }, start: 'a' };
    const next = { start: 'a', steps: { b: { title: 'B2' }, a: { input: { method: 'GET', url: 'x' } }, c: { title: 'C' } } };
    const merged = keepEqualParts(current, next) as typeof next;
    expect(merged).toEqual(next);
    expect(merged.steps.a).toBe(current.steps.a);
    expect(Object.keys(merged.steps)).toEqual(['a', 'b', 'c']);
    expect(merged.steps.b).toEqual({ title: 'B2' });
  });

  it('follows removed keys, shorter lists and changed types', () => {
    expect(keepEqualParts({ a: 1, b: 2 }, { a: 1 })).toEqual({ a: 1 });
    expect(keepEqualParts([1, 2, 3], [1, 2])).toEqual([1, 2]);
    expect(keepEqualParts({ v: { $expr: 'a' } }, { v: 'a' })).toEqual({ v: 'a' });
    expect(keepEqualParts({ v: [1] }, { v: { 0: 1 } })).toEqual({ v: { 0: 1 } });
  });
});
