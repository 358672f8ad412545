import { describe, expect, it } from 'vitest';
import { runOutcomeSummary, type RunOutcomeFacts } from './runs.outcome.js';

const facts = (over: Partial<RunOutcomeFacts>): RunOutcomeFacts => ({ status: 'succeeded', error: null, stopMessage: null, upserts: [], succeededSteps: 0, ...over });

describe('runOutcomeSummary', () => {
  it('says nothing while a run is queued or running', () => {
    expect(runOutcomeSummary(facts({ status: 'queued' }))).toBeNull();
    expect(runOutcomeSummary(facts({ status: 'running', succeededSteps: 2 }))).toBeNull();
  });

  it('names the failing step and its message; a cancelled run says so', () => {
    expect(runOutcomeSummary(facts({ status: 'failed', error: { code: 'UPSTREAM_UNAVAILABLE', message: 'Zoho Books answered 503.', stepId: 'find' } }))).toBe('failed at find: Zoho Books answered 503.');
    expect(runOutcomeSummary(facts({ status: 'failed', error: { code: 'RUN_TIMEOUT' } }))).toBe('failed: RUN_TIMEOUT');
    expect(runOutcomeSummary(facts({ status: 'failed', error: null }))).toBe('failed: no error message was recorded');
    expect(runOutcomeSummary(facts({ status: 'cancelled', error: { code: 'CANCELLED', message: 'The run was cancelled.' } }))).toBe('cancelled');
    expect(runOutcomeSummary(facts({ status: 'failed', error: { message: 'x'.repeat(400) } }))!.length).toBe(300);
  });

  it('passes a skip (echo, conflict) through and prefixes other early stops', () => {
    const echo = 'skipped: echo of run 8f2c1a4e-0000-4000-8000-000000000001';
    expect(runOutcomeSummary(facts({ stopMessage: echo, upserts: [{ path: 'skipped', targetId: '46', targetType: 'contact' }] }))).toBe(echo);
    expect(runOutcomeSummary(facts({ stopMessage: 'Not a paying customer.' }))).toBe('stopped: Not a paying customer.');
  });

  it('says what one upsert did to which record', () => {
    const one = (path: string, extra: object = {}) => runOutcomeSummary(facts({ upserts: [{ path, targetId: '4600000123', targetType: 'contact', ...extra }] }));
    expect(one('created')).toBe('created contact 4600000123');
    expect(one('matched', { matchedBy: 'email', wrote: true })).toBe('matched and updated contact 4600000123 (by email)');
    expect(one('matched', { matchedBy: 'name', wrote: false })).toBe('linked existing contact 4600000123 (by name)');
    expect(one('linked', { wrote: true })).toBe('updated contact 4600000123');
    expect(one('linked', { wrote: false })).toBe('already linked to contact 4600000123');
    expect(one('deleted')).toBe('deleted contact 4600000123');
    expect(runOutcomeSummary(facts({ upserts: [{ path: 'created', targetId: '7', targetType: null }] }))).toBe('created record 7');
  });

  it('counts the upserts of a loop per verb and record type', () => {
    const upserts = [
      { path: 'created', targetId: '1', targetType: 'contact', count: 3 },
      { path: 'linked', targetId: '9', targetType: 'contact', wrote: true, count: 1 },
      { path: 'matched', targetId: '8', targetType: 'contact', wrote: true, count: 2 },
      { path: 'matched', targetId: '7', targetType: 'contact', wrote: false, count: 1 },
      { path: 'created', targetId: '5', targetType: 'invoice', count: 2 },
    ];
    expect(runOutcomeSummary(facts({ upserts }))).toBe('created 3 contacts, updated 3 contacts, linked 1 contact, created 2 invoices');
  });

  it('falls back to the number of steps that succeeded', () => {
    expect(runOutcomeSummary(facts({ succeededSteps: 3 }))).toBe('completed: 3 steps');
    expect(runOutcomeSummary(facts({ succeededSteps: 1 }))).toBe('completed: 1 step');
  });
});
