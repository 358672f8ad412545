import { applyEdit, checkFlowFragment } from '@braid/flow-model';
import { describe, expect, it } from 'vitest';
import { branchyFlow, catalog } from '../test-support/fixtures';
import { newActionStep } from './action/action.defaults';
import { newBranchStep, newPathId } from './branch/branch.defaults';
import { newForEachStep } from './forEach/forEach.defaults';
import { newMapStep } from './map/map.defaults';
import { newUpsertWithLinkStep, upsertTargets } from './upsertWithLink/upsertWithLink.defaults';

describe('new steps of every kind', () => {
  const flow = branchyFlow();
  const books = catalog.find((c) => c.key === 'zoho-books')!;
  const steps = [newActionStep(flow, books, books.actions[0]!, 'c-books'), newBranchStep(flow), newForEachStep(flow), newMapStep(flow), newUpsertWithLinkStep(flow, books, 'c-books')!];

  it.each(steps.map((s) => [s.kind, s] as const))('a new %s step is well-formed and can be added', (_kind, step) => {
    expect(checkFlowFragment('step', step, ['steps', step.id])).toEqual([]);
    const next = applyEdit(flow, { type: 'addStep', after: 'trigger', step });
    expect(next.start).toBe(step.id);
  });

  it('offers upserts into apps with a write action, creating with it', () => {
    expect(upsertTargets(catalog).map((c) => c.key)).toEqual(['zoho-books', 'zoho-crm']);
    expect(newUpsertWithLinkStep(flow, books)).toMatchObject({ connector: 'zoho-books', create: { action: 'create_invoice', idPath: 'id' }, source: { app: 'togai' } });
    expect(newUpsertWithLinkStep(flow, catalog.find((c) => c.key === 'togai')!)).toBeNull();
  });

  it('picks ids that are not taken', () => {
    const action = newActionStep(flow, books, books.actions[0]!);
    expect(action.id).toBe('find_contact_2');
    expect(action).not.toHaveProperty('connectionRef');
    const branch = newBranchStep(flow);
    expect(newPathId({ ...branch, branches: [...branch.branches, { id: 'path_3', label: '', condition: { $expr: 'true' } }] })).toBe('path_4');
  });
});
