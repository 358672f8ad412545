import { applyEdit, orderedSteps } from '@braid/flow-model';
import { describe, expect, it } from 'vitest';
import { branchyFlow } from '../../test-support/fixtures';
import { moveTargets } from './graph.moves';

const order = (flow: ReturnType<typeof branchyFlow>) => orderedSteps(flow).map((s) => s.id);

describe('moveTargets', () => {
  it('moves a step up and down its chain with moveStep', () => {
    const flow = branchyFlow();
    expect(order(flow)).toEqual(['find_contact', 'found', 'use_it', 'create', 'lines', 'line']);
    const targets = moveTargets(flow, 'found');
    expect(targets).toEqual({ up: 'trigger', down: 'lines' });
    const up = applyEdit(flow, { type: 'moveStep', stepId: 'found', after: targets.up! });
    expect(up.start).toBe('found');
    expect(order(up).slice(0, 4)).toEqual(['found', 'use_it', 'create', 'find_contact']);
    const down = applyEdit(flow, { type: 'moveStep', stepId: 'found', after: targets.down! });
    expect(order(down)).toEqual(['find_contact', 'lines', 'line', 'found', 'use_it', 'create']);
  });

  it('has no up for the first step and no down for the last, inside paths too', () => {
    expect(moveTargets(branchyFlow(), 'find_contact').up).toBeUndefined();
    expect(moveTargets(branchyFlow(), 'lines').down).toBeUndefined();
    expect(moveTargets(branchyFlow(), 'use_it')).toEqual({});
  });

  it('moves the second step of a path to the path start', () => {
    const flow = applyEdit(branchyFlow(), { type: 'addStep', after: 'use_it', step: { kind: 'map', id: 'second', output: {} } });
    expect(moveTargets(flow, 'second').up).toEqual({ branchOf: 'found', branchId: 'yes' });
    const moved = applyEdit(flow, { type: 'moveStep', stepId: 'second', after: { branchOf: 'found', branchId: 'yes' } });
    expect((moved.steps.found as { branches: Array<{ start?: string }> }).branches[0]!.start).toBe('second');
  });
});
