import { describe, expect, it } from 'vitest';
import { checkFlowFragment, flowDefinitionSchema, parseFlowDefinition } from './flow.schema.js';
import { ProblemCode } from './flow.problems.js';
import type { FlowDefinition } from './flow.types.js';

const validFlow: FlowDefinition = {
  schemaVersion: 1,
  name: 'Accounts to Books',
  description: 'S1',
  direction: 'outbound',
  trigger: { connector: 'togai', trigger: 'account_updated', connectionRef: 'togai_main', config: { events: ['created'] } },
  start: 'find_contact',
  steps: {
    find_contact: {
      kind: 'action',
      id: 'find_contact',
      title: 'Find contact',
      connector: 'zoho-books',
      action: 'find_contact',
      connectionRef: 'books',
      input: { email: { $expr: '$trigger.account.primaryEmail' }, nested: { list: [1, { $expr: '$vars.x' }] } },
      retry: { maxAttempts: 3, backoff: 'exponential', delayMs: 500, maxDelayMs: 10_000 },
      continueOnError: false,
      next: 'check',
    },
    check: {
      kind: 'branch',
      id: 'check',
      branches: [{ id: 'found', label: 'Found', condition: { $expr: '$exists($steps.find_contact.contact_id)' }, start: 'shape' }],
      else: {},
      next: 'each_line',
    },
    shape: { kind: 'map', id: 'shape', output: { id: { $expr: '$steps.find_contact.contact_id' } } },
    each_line: { kind: 'forEach', id: 'each_line', items: { $expr: '$trigger.lines' }, concurrency: 1 },
  },
  settings: { timezone: 'Europe/Berlin', maxConcurrentRuns: 1, runTimeoutSeconds: 600 },
};

function problemsOf(json: unknown) {
  const result = parseFlowDefinition(json);
  if (result.ok) throw new Error('expected problems');
  return result.problems;
}

describe('parseFlowDefinition', () => {
  it('accepts a complete flow using every step kind, and a JSON string', () => {
    expect(parseFlowDefinition(validFlow)).toEqual({ ok: true, flow: validFlow });
    expect(parseFlowDefinition(JSON.stringify(validFlow)).ok).toBe(true);
  });

  it('accepts an empty flow (start null)', () => {
    expect(parseFlowDefinition({ ...validFlow, start: null, steps: {} }).ok).toBe(true);
  });

  it('reports broken JSON text', () => {
    const [p] = problemsOf('{"name": ');
    expect(p).toMatchObject({ code: ProblemCode.INVALID_STRUCTURE, pointer: '' });
    expect(p!.message).toMatch(/not valid JSON/);
  });

  it('reports every missing top-level field with its pointer', () => {
    const problems = problemsOf({ schemaVersion: 1 });
    expect(problems.map((p) => p.pointer).sort()).toEqual(['/direction', '/name', '/start', '/steps', '/trigger']);
    expect(problems.find((p) => p.pointer === '/name')!.message).toBe('"name" is required.');
  });

  it('explains a wrong schemaVersion', () => {
    const problems = problemsOf({ ...validFlow, schemaVersion: 2 });
    expect(problems).toEqual([
      expect.objectContaining({ pointer: '/schemaVersion', message: expect.stringMatching(/must be 1/) }),
    ]);
  });

  it('points into a step input for a malformed expression object', () => {
    const flow = structuredClone(validFlow) as unknown as { steps: { find_contact: { input: Record<string, unknown> } } };
    flow.steps.find_contact.input.email = { $expr: 42 };
    flow.steps.find_contact.input.other = { $expr: 'a', extra: true };
    const problems = problemsOf(flow);
    const pointers = problems.map((p) => p.pointer);
    expect(pointers).toContain('/steps/find_contact/input/email/$expr');
    // `{ $expr, ...more }` is a literal object (CONTRACTS.md §2), so only the single-key one is wrong
    expect(pointers).not.toContain('/steps/find_contact/input/other/extra');
    expect(problems.every((p) => p.stepId === 'find_contact')).toBe(true);
    expect(problems.find((p) => p.pointer === '/steps/find_contact/input/email/$expr')!.message).toBe(
      '"steps.find_contact.input.email.$expr" must be text (got a whole number).',
    );
  });

  it('reports an unknown step kind at /steps/<id>/kind', () => {
    const problems = problemsOf({ ...validFlow, steps: { ...validFlow.steps, shape: { kind: 'loop', id: 'shape' } } });
    expect(problems).toEqual([expect.objectContaining({ pointer: '/steps/shape/kind', stepId: 'shape' })]);
    expect(problems[0]!.message).toMatch(/"action", "branch", "forEach", "map"/);
  });

  it('reports bad step ids (as keys and as edges) and unknown fields', () => {
    const problems = problemsOf({
      ...validFlow,
      start: 'Find Contact',
      steps: { ...validFlow.steps, 'Bad-Id': { kind: 'map', id: 'bad', output: 1, colour: 'red' } },
    });
    const byPointer = new Map(problems.map((p) => [p.pointer, p.message]));
    expect(byPointer.get('/start')).toMatch(/must be a step id/);
    expect(byPointer.get('/steps/Bad-Id')).toMatch(/not a valid step id/);
    expect(byPointer.get('/steps/Bad-Id/colour')).toMatch(/not a known field/);
  });

  it('checks field types inside steps (retry, branches, concurrency)', () => {
    const problems = problemsOf({
      ...validFlow,
      steps: {
        ...validFlow.steps,
        find_contact: { ...validFlow.steps.find_contact, retry: { maxAttempts: 0, backoff: 'linear', delayMs: 1 } },
        check: { kind: 'branch', id: 'check', branches: [] },
        each_line: { kind: 'forEach', id: 'each_line', items: { $expr: '$x' }, concurrency: 4 },
      },
    });
    const pointers = problems.map((p) => p.pointer);
    expect(pointers).toEqual(
      expect.arrayContaining([
        '/steps/find_contact/retry/maxAttempts',
        '/steps/find_contact/retry/backoff',
        '/steps/check/branches',
        '/steps/each_line/concurrency',
      ]),
    );
    expect(problems.find((p) => p.pointer === '/steps/check/branches')!.message).toMatch(/at least 1 item/);
    expect(problems.find((p) => p.pointer === '/steps/find_contact/retry/backoff')!.message).toMatch(/"fixed", "exponential"/);
  });

  it('checks fragments (a step, the trigger) with pointers into the flow', () => {
    expect(checkFlowFragment('step', validFlow.steps.find_contact, ['steps', 'find_contact'])).toEqual([]);
    expect(checkFlowFragment('step', { kind: 'map', id: 'x' }, ['steps', 'x'])).toEqual([
      { code: ProblemCode.INVALID_STRUCTURE, pointer: '/steps/x/output', stepId: 'x', message: '"steps.x.output" is required.' },
    ]);
    expect(checkFlowFragment('trigger', { connector: 'a', trigger: 'b', config: [] }, ['trigger']).map((p) => p.pointer)).toEqual(['/trigger/config']);
    expect(checkFlowFragment('expression', { $expr: 1 }, ['steps', 'b', 'items']).map((p) => p.pointer)).toEqual(['/steps/b/items/$expr']);
  });

  it('is a JSON Schema 2020-12 document with an id', () => {
    expect(flowDefinitionSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(JSON.parse(JSON.stringify(flowDefinitionSchema))).toEqual(flowDefinitionSchema);
  });
});
