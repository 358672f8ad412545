import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/client';
import { describeInitialSync } from '../../api/integrations';
import { initialSettings, parseFieldInput, settingsFields, settingsProblems } from './settings.form';

const schema = {
  type: 'object',
  required: ['depositAccountId', 'fee'],
  properties: {
    depositAccountId: { type: 'string', title: 'Deposit to', 'x-dynamic-options': { connection: 'books', optionsKey: 'deposit_accounts' } },
    fee: { type: 'number', title: 'Fee', default: 0 },
    mode: { type: 'string', enum: ['a', 'b'] },
    on: { type: 'boolean' },
    tags: { type: 'array' },
  },
};

describe('settingsFields', () => {
  it('reads kinds, titles, required and dropdown hints from the schema', () => {
    const fields = settingsFields(schema);
    expect(fields.map((f) => [f.name, f.kind, f.required])).toEqual([
      ['depositAccountId', 'dynamic', true],
      ['fee', 'number', true],
      ['mode', 'enum', false],
      ['on', 'boolean', false],
      ['tags', 'json', false],
    ]);
    expect(fields[0]!.dynamic).toEqual({ connection: 'books', optionsKey: 'deposit_accounts' });
    expect(initialSettings(fields, { mode: 'b' })).toEqual({ fee: 0, mode: 'b' });
  });

  it('parses typed input and keeps bad numbers for the API to report', () => {
    const [, fee, , , tags] = settingsFields(schema);
    expect(parseFieldInput(fee!, '2.5')).toBe(2.5);
    expect(parseFieldInput(fee!, 'x')).toBe('x');
    expect(parseFieldInput(fee!, '')).toBeUndefined();
    expect(parseFieldInput(tags!, '["a"]')).toEqual(['a']);
  });
});

describe('settingsProblems', () => {
  it('maps the API problems to their field by pointer', () => {
    const error = new ApiError(400, 'INVALID_SETTINGS', 'The settings do not fit', '/settings/fee', {
      problems: [
        { pointer: '/settings/fee', message: '/fee must be number' },
        { pointer: '/settings/depositAccountId', message: 'must match pattern' },
      ],
    });
    expect(settingsProblems(error)).toEqual({ byField: { 'settings.fee': '/fee must be number', 'settings.depositAccountId': 'must match pattern' }, general: null });
    const slot = new ApiError(400, 'INVALID_CONNECTIONS', 'Choose a togai connection', '/connections/togai');
    expect(settingsProblems(slot).byField).toEqual({ 'connections.togai': 'Choose a togai connection' });
    expect(settingsProblems(new ApiError(500, 'X', 'boom')).general).toBe('boom');
  });
});

describe('describeInitialSync', () => {
  it('says done/total/failed and the phase', () => {
    const running = describeInitialSync({
      status: 'running', startedAt: 'x', done: 3, total: 10, failed: 1,
      flows: [{ flowKey: 'f', flowId: 'id', backfill: { id: 'b', flowId: 'id', status: 'running', phase: 'recent', done: 3, total: 10, failed: 1 } }],
    });
    expect(running).toEqual({ fraction: 0.4, text: 'Initial sync running: 3 of 10 done, 1 failed (phase recent)' });
    expect(describeInitialSync({ status: 'succeeded', startedAt: 'x', done: 4, total: null, failed: 0, flows: [] })).toEqual({ fraction: 1, text: 'Initial sync finished: 4 done' });
  });
});
