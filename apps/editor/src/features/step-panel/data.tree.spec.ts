import { availableData } from '@braid/flow-model';
import { describe, expect, it } from 'vitest';
import { branchyFlow, catalog } from '../../test-support/fixtures';
import { buildDataTree, filterDataTree } from './data.tree';

describe('buildDataTree', () => {
  it('offers the trigger, earlier steps and the loop item, browsable through samples', () => {
    const tree = buildDataTree(availableData(branchyFlow(), catalog, 'line'));
    expect(tree.map((n) => n.expression)).toEqual(['$trigger', '$steps.find_contact', '$steps.found', '$steps.use_it', '$steps.create', '$item', '$index', '$vars']);
    const trigger = tree[0]!;
    const account = trigger.children!.find((c) => c.label === 'account')!;
    expect(account.children!.map((c) => [c.label, c.expression, c.sample])).toEqual([
      ['id', '$trigger.account.id', '"A-17"'],
      ['name', '$trigger.account.name', '"Acme"'],
      ['primaryEmail', '$trigger.account.primaryEmail', '"billing@acme.test"'],
      ['lines', '$trigger.account.lines', 'list of 2'],
    ]);
    const lines = account.children!.find((c) => c.label === 'lines')!;
    expect(lines.children![0]!.children![0]).toMatchObject({ label: 'amount', expression: '$trigger.account.lines[0].amount', sample: '5' });
    // steps behind a branch path may not have run
    expect(tree.find((n) => n.expression === '$steps.use_it')?.optional).toBe(true);
  });

  it('prefers the real output of the last preview over the sample', () => {
    const tree = buildDataTree(availableData(branchyFlow(), catalog, 'found'), { steps: { find_contact: { contact_id: 'real-1' } } });
    const step = tree.find((n) => n.expression === '$steps.find_contact')!;
    expect(step.children).toEqual([{ label: 'contact_id', expression: '$steps.find_contact.contact_id', sample: '"real-1"' }]);
  });

  it('filters by words and keeps the ancestors of matches', () => {
    const tree = buildDataTree(availableData(branchyFlow(), catalog, 'found'));
    const filtered = filterDataTree(tree, 'email');
    expect(filtered.map((n) => n.expression)).toEqual(['$trigger']);
    expect(filtered[0]!.children![0]!.children!.map((c) => c.label)).toEqual(['primaryEmail']);
  });
});
