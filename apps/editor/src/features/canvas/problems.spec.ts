import type { Problem } from '@braid/flow-model';
import { describe, expect, it } from 'vitest';
import { branchyFlow, catalog } from '../../test-support/fixtures';
import { collectProblems, problemsByStep } from './problems';

describe('collectProblems', () => {
  it('validates in the browser and attaches problems to their steps', () => {
    const flow = branchyFlow();
    const broken = { ...flow, steps: { ...flow.steps, create: { ...flow.steps.create!, input: {} } } } as typeof flow;
    const problems = collectProblems(broken, catalog, []);
    const byStep = problemsByStep(problems);
    expect(byStep.get('create')?.map((p) => p.code)).toContain('INPUT_SCHEMA');
    expect(byStep.get('create')?.[0]?.message).toMatch(/customer_id/);
  });

  it('adds the server\'s connection problems, not stale others', () => {
    const server: Problem[] = [
      { code: 'MISSING_CONNECTION', pointer: '/steps/create/connectionRef', stepId: 'create', message: 'Connection c-books does not exist' },
      { code: 'INPUT_SCHEMA', pointer: '/steps/create/input', stepId: 'create', message: 'old' },
      { code: 'MISSING_CONNECTION', pointer: '/steps/gone/connectionRef', stepId: 'gone', message: 'deleted step' },
    ];
    const problems = collectProblems(branchyFlow(), catalog, server);
    expect(problems.map((p) => p.message)).toEqual(['Connection c-books does not exist']);
  });
});
