import { applyEdit, type FlowEdit } from '@braid/flow-model';
import { describe, expect, it } from 'vitest';
import { branchyFlow } from '../../test-support/fixtures';
import { applyOptimistic, applyOptimisticAll, applyOptimisticSome } from './edit.optimistic';

describe('applyOptimistic', () => {
  const value: FlowEdit[] = [
    { type: 'renameFlow', name: 'New name' },
    { type: 'updateStep', stepId: 'create', patch: { title: 'Create it', continueOnError: true } },
    { type: 'updateStep', stepId: 'find_contact', patch: { title: null } },
    { type: 'updateInput', stepId: 'create', path: ['customer_id'], value: { $expr: '$steps.find_contact.contact_id' } },
    { type: 'updateInput', stepId: 'create', path: '/customer_id', value: undefined },
    { type: 'updateInput', stepId: 'use_it', path: ['id'], value: 'fixed' },
    { type: 'updateBranch', stepId: 'found', branchId: 'yes', patch: { label: 'Exists' } },
    { type: 'updateTriggerConfig', path: ['events'], value: ['created'] },
    { type: 'setTrigger', trigger: { connector: 'core', trigger: 'schedule', config: { cron: '0 6 * * 1-5' } } },
  ];
  it.each(value.map((e) => [e.type, e] as const))('%s gives what flow-model gives', (_type, edit) => {
    expect(applyOptimistic(branchyFlow(), edit)).toEqual(applyEdit(branchyFlow(), edit));
  });
  it('leaves structural and nested edits to the server', () => {
    expect(applyOptimistic(branchyFlow(), { type: 'deleteStep', stepId: 'create' })).toBeNull();
    expect(applyOptimistic(branchyFlow(), { type: 'updateInput', stepId: 'create', path: ['lines', 0], value: 1 })).toBeNull();
    expect(applyOptimisticAll(branchyFlow(), [value[0]!, { type: 'deleteStep', stepId: 'create' }])).toBeNull();
    expect(applyOptimisticAll(branchyFlow(), value.slice(0, 3))?.name).toBe('New name');
  });
});

describe('applyOptimisticSome', () => {
  it('shows the value edits and leaves the structural ones for the server', () => {
    const flow = applyOptimisticSome(branchyFlow(), [
      { type: 'renameFlow', name: 'Typed' },
      { type: 'deleteStep', stepId: 'create' },
      { type: 'updateInput', stepId: 'create', path: ['customer_id'], value: 'x' },
      { type: 'updateInput', stepId: 'not_there_yet', path: ['a'], value: 1 },
    ]);
    expect(flow.name).toBe('Typed');
    expect((flow.steps.create as { input: Record<string, unknown> }).input.customer_id).toBe('x');
    expect(flow.steps.not_there_yet).toBeUndefined();
  });
});

