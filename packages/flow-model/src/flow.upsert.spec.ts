import { describe, expect, it } from 'vitest';
import { evaluateInput } from './expression.evaluate.js';
import { diffFlows } from './flow.diff.js';
import { applyEdit } from './flow.edit.js';
import { parseFlowDefinition } from './flow.schema.js';
import { STEP_KINDS, type UpsertWithLinkStep } from './flow.types.js';
import { mergeAtPath, validateFlow } from './flow.validate.js';
import { action, chainFlow, connector, trigger } from './test-support/catalog.builder.js';

const crm = connector('zoho-crm', 'Zoho CRM', {
  actions: [
    action('search_records', 'Search records', {
      type: 'object', required: ['module'], additionalProperties: false,
      properties: { module: { type: 'string' }, criteria: { type: 'string' }, limit: { type: 'integer' } },
    }, { classification: 'read', idempotent: true }),
    action('upsert_account', 'Upsert account', {
      type: 'object', required: ['Account_Name'], additionalProperties: false,
      'x-braid-mandatory-targets': ['Account_Name'],
      properties: { Account_Name: { type: 'string' }, Email: { type: 'string' }, Currency: { type: 'string', pattern: '^[A-Z]{3}$' } },
    }),
    action('update_records', 'Update records', {
      type: 'object', required: ['module', 'records'], additionalProperties: false,
      properties: { module: { type: 'string' }, records: { type: 'array', minItems: 1, items: { type: 'object', required: ['id'] } } },
    }),
  ],
});
const catalog = [crm, connector('core', 'Core', { auth: { kind: 'none' }, triggers: [trigger('manual', 'Manual', { type: 'object' }, { kind: 'manual', requiresConnection: false })] })];

function upsertStep(extra: Partial<UpsertWithLinkStep> = {}): UpsertWithLinkStep {
  return {
    kind: 'upsertWithLink',
    id: 'upsert_account',
    connector: 'zoho-crm',
    connectionRef: 'crm',
    source: { app: 'togai', type: 'customer', id: { $expr: '$trigger.id' }, record: { $expr: '$trigger' } },
    target: { type: 'Accounts' },
    find: [{ key: 'name', action: 'search_records', input: { module: 'Accounts', criteria: { $expr: '"(Account_Name:equals:" & $trigger.name & ")"' } }, idPath: 'records.0.id' }],
    create: { action: 'upsert_account', input: {}, idPath: 'id' },
    update: { action: 'update_records', input: { module: 'Accounts', records: [{ id: { $expr: '$target.id' } }] }, mapInto: 'records.0' },
    mapping: {
      pairs: [
        { source: { $expr: '$trigger.name' }, target: 'Account_Name' },
        { source: { $expr: '$trigger.primaryEmail' }, target: 'Email' },
      ],
      mandatoryTargets: ['Email'],
    },
    sync: { conflict: 'last-writer-wins' },
    ...extra,
  };
}

describe('upsertWithLink step kind', () => {
  it('is a step kind the schema accepts, and a valid step has no problems', () => {
    expect(STEP_KINDS).toContain('upsertWithLink');
    const flow = chainFlow([upsertStep()]);
    const parsed = parseFlowDefinition(flow);
    expect(parsed.ok).toBe(true);
    const withDelete = chainFlow([upsertStep({ source: { app: 'togai', type: 'customer', id: { $expr: '$trigger.id' }, deleted: { $expr: '$trigger.deleted' } }, delete: { action: 'search_records', input: { module: 'Accounts' } } })]);
    expect(parseFlowDefinition(withDelete).ok).toBe(true);
    expect(validateFlow(withDelete, catalog, { connections: new Set(['crm']) })).toEqual([]);
    expect(validateFlow(flow, catalog, { connections: new Set(['crm']) })).toEqual([]);
  });

  it('rejects malformed parts structurally (missing create, unknown conflict rule)', () => {
    const { create: _create, ...withoutCreate } = upsertStep();
    const parsed = parseFlowDefinition(chainFlow([withoutCreate as UpsertWithLinkStep]));
    expect(parsed.ok).toBe(false);
    const bad = parseFlowDefinition(chainFlow([upsertStep({ sync: { conflict: 'coin-flip' as 'source-wins' } })]));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems.map((p) => p.pointer)).toContain('/steps/upsert_account/sync/conflict');
  });

  it('names a missing mandatory mapping pair (from the mapping and from the create action schema)', () => {
    const step = upsertStep({ mapping: { pairs: [{ source: { $expr: '$trigger.primaryEmail' }, target: 'Email' }], mandatoryTargets: ['Email', 'Currency'] } });
    const problems = validateFlow(chainFlow([step]), catalog, { connections: new Set(['crm']) });
    const missing = problems.filter((p) => p.code === 'MANDATORY_MAPPING_MISSING');
    expect(missing.map((p) => p.message)).toEqual([
      expect.stringContaining('must map "Account_Name"'),
      expect.stringContaining('must map "Currency"'),
    ]);
    expect(missing[0]!.pointer).toBe('/steps/upsert_account/mapping/pairs');
    expect(missing[0]!.stepId).toBe('upsert_account');
  });

  it('reports an incomplete pair, unknown actions, nested inputs against the action schemas, and the connection', () => {
    const step = upsertStep({
      connectionRef: 'gone',
      find: [{ key: 'name', action: 'search_records', input: { module: 'Accounts', limit: 'ten' as unknown as number }, idPath: 'records.0.id' }],
      update: { action: 'no_such_action', input: {} },
      mapping: { pairs: [{ source: { $expr: '$trigger.name' }, target: 'Account_Name' }, { source: '', target: 'Email' }] },
    });
    const problems = validateFlow(chainFlow([step]), catalog, { connections: new Set(['crm']) });
    const codes = problems.map((p) => [p.code, p.pointer]);
    expect(codes).toEqual(expect.arrayContaining([
      ['INPUT_SCHEMA', '/steps/upsert_account/find/0/input/limit'],
      ['UNKNOWN_ACTION', '/steps/upsert_account/update/action'],
      ['INCOMPLETE_MAPPING', '/steps/upsert_account/mapping/pairs/1'],
      ['MISSING_CONNECTION', '/steps/upsert_account/connectionRef'],
    ]));
    // Account_Name is required by upsert_account, but the mapping provides it: not reported.
    expect(problems.some((p) => p.pointer === '/steps/upsert_account/create/input/Account_Name')).toBe(false);
  });

  it('checks literal mapped values against the write schema (merged where they will be sent)', () => {
    const step = upsertStep({ mapping: { pairs: [{ source: 'x', target: 'Account_Name' }, { source: 'euro', target: 'Currency' }, { source: 'a@b.c', target: 'Email' }] } });
    const problems = validateFlow(chainFlow([step]), catalog, { connections: new Set(['crm']) });
    expect(problems.map((p) => [p.code, p.pointer])).toEqual([['INPUT_SCHEMA', '/steps/upsert_account/create/input/Currency']]);
    expect(mergeAtPath({ records: [{ id: 1 }] }, 'records.0', { a: 2 })).toEqual({ records: [{ id: 1, a: 2 }] });
  });

  it('checks expressions inside the step (unknown steps) and binds $target at run time', async () => {
    const step = upsertStep({ source: { app: 'togai', type: 'customer', id: { $expr: '$steps.nope.id' } } });
    const problems = validateFlow(chainFlow([step]), catalog, { connections: new Set(['crm']) });
    expect(problems.map((p) => p.code)).toContain('UNKNOWN_STEP_REFERENCE');
    expect(await evaluateInput({ id: { $expr: '$target.id' } }, { target: { id: '42' } })).toEqual({ id: '42' });
  });

  it('is renamed, patched and diffed like other steps', () => {
    const flow = chainFlow([
      { kind: 'map', id: 'prep', output: { name: 'x' } },
      upsertStep({ source: { app: 'togai', type: 'customer', id: { $expr: '$steps.prep.name' } } }),
    ]);
    const renamed = applyEdit(flow, { type: 'renameStep', stepId: 'prep', newId: 'prepare' });
    expect((renamed.steps.upsert_account as UpsertWithLinkStep).source.id).toEqual({ $expr: '$steps.prepare.name' });
    const patched = applyEdit(renamed, { type: 'updateStep', stepId: 'upsert_account', patch: { sync: { conflict: 'source-wins' } } });
    expect((patched.steps.upsert_account as UpsertWithLinkStep).sync).toEqual({ conflict: 'source-wins' });
    expect(() => applyEdit(patched, { type: 'updateStep', stepId: 'upsert_account', patch: { create: null as never } })).toThrow(/required/);
    const diff = diffFlows(renamed, patched);
    expect(JSON.stringify(diff)).toContain('sync');
  });
});
