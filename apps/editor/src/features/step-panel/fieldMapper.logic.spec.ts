import { applyEdit, validateFlow, type FieldMapping, type FlowDefinition } from '@braid/flow-model';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../test-support/fixtures';
import { addPair, asMapping, ensureMandatoryPairs, mandatoryTargets, mapperRows, removePair, setModuleTargets, updatePair } from './fieldMapper.logic';

const schema = { type: 'object', 'x-braid-widget': 'field-mapper', 'x-braid-mandatory-targets': ['Account_Name', 'Currency'] };

describe('field mapper', () => {
  it('adds the mandatory pairs and locks them', () => {
    const mapping = ensureMandatoryPairs(asMapping(undefined), mandatoryTargets(schema, undefined));
    expect(mapping.pairs.map((p) => p.target)).toEqual(['Account_Name', 'Currency']);
    const rows = mapperRows(mapping, ['Account_Name', 'Currency']);
    expect(rows.every((r) => r.locked && r.incomplete)).toBe(true);
    expect(removePair(mapping, 0, ['Account_Name', 'Currency'])).toBe(mapping);
    const renamed = updatePair(mapping, 0, { target: 'Other', source: { $expr: '$trigger.name' } }, ['Account_Name', 'Currency']);
    expect(renamed.pairs[0]).toEqual({ target: 'Account_Name', source: { $expr: '$trigger.name' } });
  });

  it('lets free pairs be added, edited and removed, and flags duplicates', () => {
    const mandatory = mandatoryTargets(schema, undefined);
    let mapping: FieldMapping = ensureMandatoryPairs({ pairs: [] }, mandatory);
    mapping = addPair(mapping);
    mapping = updatePair(mapping, 2, { target: 'Account_Name', source: 'x' }, mandatory);
    const rows = mapperRows(mapping, mandatory);
    expect(rows[2]).toMatchObject({ locked: false, duplicate: true, incomplete: false });
    mapping = removePair(mapping, 2, mandatory);
    expect(mapping.pairs).toHaveLength(2);
  });

  it('switches module targets on (adding their pairs) and off', () => {
    const on = setModuleTargets({ pairs: [] }, ['Billing_Street'], true);
    expect(on).toEqual({ pairs: [{ source: { $expr: '' }, target: 'Billing_Street' }], mandatoryTargets: ['Billing_Street'] });
    expect(mandatoryTargets(schema, on)).toEqual(['Account_Name', 'Currency', 'Billing_Street']);
    const off = setModuleTargets(on, ['Billing_Street'], false);
    expect(off).not.toHaveProperty('mandatoryTargets');
    expect(mapperRows(off, mandatoryTargets(schema, off))[0]!.locked).toBe(false);
  });

  it('produces mappings flow-model accepts once complete', () => {
    const flow: FlowDefinition = {
      schemaVersion: 1, name: 'x', direction: 'inbound', trigger: { connector: 'core', trigger: 'manual', config: {} }, start: 'sync',
      steps: { sync: { kind: 'action', id: 'sync', connector: 'zoho-crm', action: 'sync_account', connectionRef: 'c', input: {} } },
    };
    const mandatory = mandatoryTargets(schema, undefined);
    let mapping = ensureMandatoryPairs({ pairs: [] }, mandatory);
    const withIncomplete = applyEdit(flow, { type: 'updateInput', stepId: 'sync', path: '/fields', value: mapping as never });
    expect(validateFlow(withIncomplete, catalog).map((p) => p.code)).toContain('INCOMPLETE_MAPPING');
    mapping = updatePair(mapping, 0, { source: { $expr: '$trigger.name' } }, mandatory);
    mapping = updatePair(mapping, 1, { source: 'EUR' }, mandatory);
    const complete = applyEdit(flow, { type: 'updateInput', stepId: 'sync', path: '/fields', value: mapping as never });
    expect(validateFlow(complete, catalog).filter((p) => p.code.includes('MAPPING'))).toEqual([]);
  });
});
