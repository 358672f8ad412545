import { describe, expect, it } from 'vitest';
import { diffFlows, previewValue } from './flow.diff.js';
import { applyEdits } from './flow.edit.js';
import type { FlowDefinition, Step } from './flow.types.js';
import { buildTestCatalog, deepFreeze, delayStep, flowOf } from './test-support/catalog.builder.js';

const e = (source: string) => ({ $expr: source });

function base(): FlowDefinition {
  const steps: Step[] = [
    { kind: 'action', id: 'find', title: 'Find contact', connector: 'zoho-books', action: 'find_contact', connectionRef: 'books', input: { email: e('$trigger.email') }, next: 'check' },
    { kind: 'branch', id: 'check', title: 'Found?', branches: [{ id: 'yes', label: 'Yes', condition: e('$exists($steps.find)'), start: 'y1' }], next: 'loop' },
    delayStep('y1'),
    { kind: 'forEach', id: 'loop', title: 'Each line', items: e('$trigger.lines'), bodyStart: 'b1', next: 'done' },
    { kind: 'map', id: 'b1', output: { rate: e('$item.amount') } },
    { kind: 'map', id: 'done', title: 'Done', output: { ok: true } },
  ];
  return deepFreeze(
    flowOf(steps, 'find', {
      name: 'Invoices',
      trigger: { connector: 'togai', trigger: 'account_updated', connectionRef: 'togai', config: { events: ['created'] } },
    }),
  );
}

const messages = (a: FlowDefinition, b: FlowDefinition) => diffFlows(a, b, { catalog: buildTestCatalog() }).map((c) => c.message);

describe('diffFlows', () => {
  it('finds nothing between equal flows', () => {
    expect(diffFlows(base(), structuredClone(base()))).toEqual([]);
  });

  it('flow-level changes', () => {
    const b = applyEdits(base(), [
      { type: 'renameFlow', name: 'Invoices v2' },
      { type: 'setDescription', description: 'New' },
      { type: 'setDirection', direction: 'inbound' },
      { type: 'setSettings', settings: { timezone: 'UTC' } },
    ]);
    expect(messages(base(), b)).toEqual([
      'Flow renamed from "Invoices" to "Invoices v2".',
      'Description changed.',
      'Direction changed from outbound to inbound.',
      'Setting "timezone" set to "UTC".',
    ]);
  });

  it('trigger changes: another trigger, its connection, its settings', () => {
    const b = applyEdits(base(), [{ type: 'updateTriggerConfig', path: '/events/-', value: 'updated' }]);
    expect(diffFlows(base(), b)).toEqual([
      {
        kind: 'triggerChanged',
        pointer: '/trigger/config/events',
        before: ['created'],
        after: ['created', 'updated'],
        message: 'Trigger setting "events" changed from ["created"] to ["created","updated"].',
      },
    ]);
    const c = applyEdits(base(), [{ type: 'setTrigger', trigger: { connector: 'core', trigger: 'manual', config: {} } }]);
    expect(messages(base(), c)).toEqual(['Trigger changed from Togai › Account created or updated to Core › Run manually.']);
    const d = applyEdits(base(), [{ type: 'setTrigger', trigger: { ...base().trigger, connectionRef: 'togai2' } }]);
    expect(messages(base(), d)).toEqual(['Trigger connection changed from "togai" to "togai2".']);
  });

  it('steps added, removed and changed (input, action, connection, title, retry)', () => {
    const b = applyEdits(base(), [
      { type: 'addStep', after: { elseOf: 'check' }, step: delayStep('wait', { title: 'Wait' }) },
      { type: 'deleteStep', stepId: 'done' },
      { type: 'updateInput', stepId: 'find', path: '/email', value: e('$lowercase($trigger.email)') },
      { type: 'updateInput', stepId: 'find', path: '/name', value: 'Acme' },
      { type: 'updateStep', stepId: 'find', patch: { connectionRef: 'books2', title: 'Find Books contact', retry: { maxAttempts: 2, backoff: 'fixed', delayMs: 5 } } },
      { type: 'updateStep', stepId: 'y1', patch: { action: 'http_request' } },
    ]);
    expect(messages(base(), b)).toEqual([
      'Step "Find Books contact": title changed from "Find contact" to "Find Books contact".',
      'Step "Find Books contact": connection changed from "books" to "books2".',
      'Step "Find Books contact": input "email" changed from `$trigger.email` to `$lowercase($trigger.email)`.',
      'Step "Find Books contact": input "name" set to "Acme".',
      'Step "Find Books contact": retry policy set to {"maxAttempts":2,"backoff":"fixed","delayMs":5}.',
      'Step "y1": action changed from Core › Delay to Core › HTTP request.',
      'Step "Wait" added at the start in the "else" path of "Found?".',
      'Step "Done" removed.',
    ]);
    const added = diffFlows(base(), b).find((c) => c.kind === 'stepAdded')!;
    expect(added).toMatchObject({ stepId: 'wait', pointer: '/steps/wait' });
  });

  it('branch paths and loop lists', () => {
    const b = applyEdits(base(), [
      { type: 'addBranch', stepId: 'check', branch: { id: 'maybe', label: 'Maybe', condition: e('false') }, index: 0 },
      { type: 'updateBranch', stepId: 'check', branchId: 'yes', patch: { label: 'Found it', condition: e('true') } },
      { type: 'updateStep', stepId: 'loop', patch: { items: e('$trigger.items') } },
      { type: 'updateInput', stepId: 'b1', path: '/rate', value: undefined },
    ]);
    expect(messages(base(), b)).toEqual([
      'Step "Found?": path "Maybe" added.',
      'Step "Found?": path "Yes" renamed to "Found it".',
      'Step "Found?": condition of path "Found it" changed from `$exists($steps.find)` to `true`.',
      'Step "Each line": list to loop over changed from `$trigger.lines` to `$trigger.items`.',
      'Step "b1": output "rate" removed (was `$item.amount`).',
    ]);
    const c = applyEdits(b, [{ type: 'removeBranch', stepId: 'check', branchId: 'maybe' }]);
    expect(messages(b, c)).toEqual(['Step "Found?": path "Maybe" removed.']);
  });

  it('moves: into a loop, to the start, a swap; not steps that only got a new neighbour', () => {
    const b = applyEdits(base(), [
      { type: 'moveStep', stepId: 'done', after: { bodyOf: 'loop' } },
      { type: 'addStep', after: 'find', step: delayStep('new_one') },
    ]);
    expect(messages(base(), b)).toEqual(['Step "new_one" added after "Find contact".', 'Step "Done" moved at the start inside the loop "Each line".']);
    const c = applyEdits(base(), [{ type: 'moveStep', stepId: 'loop', after: 'trigger' }]);
    expect(diffFlows(base(), c).map((x) => [x.kind, x.stepId])).toEqual([['stepMoved', 'loop']]);
    // swapping two neighbours reports one move
    const d = applyEdits(base(), [{ type: 'moveStep', stepId: 'check', after: 'trigger' }]);
    expect(messages(base(), d)).toEqual(['Step "Find contact" moved after "Found?".']);
    expect(messages(base(), c)[0]).toBe('Step "Each line" moved at the start of the flow.');
  });

  it('a step whose kind changed', () => {
    const b = structuredClone(base()) as FlowDefinition;
    b.steps.y1 = { kind: 'map', id: 'y1', output: {} };
    expect(messages(base(), b)).toEqual(['Step "y1": changed from a action step to a map step.']);
  });

  it('previews long values briefly', () => {
    expect(previewValue('x'.repeat(100))).toHaveLength(60);
    expect(previewValue(undefined)).toBe('(nothing)');
  });
});
