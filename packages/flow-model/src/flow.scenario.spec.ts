// The pieces together, the way the editor and the runtime use them: build a flow with edits only, validate
// it, "run" it on an event with the shared semantics, then see what a later edit changed.
import { describe, expect, it } from 'vitest';
import { evaluateInput, type EvaluationBindings } from './expression.evaluate.js';
import { diffFlows } from './flow.diff.js';
import { applyEdits, type FlowEdit } from './flow.edit.js';
import { parseFlowDefinition } from './flow.schema.js';
import type { FlowDefinition, Step } from './flow.types.js';
import { validateFlow } from './flow.validate.js';
import { chooseBranch, loopItems } from './step.semantics.js';
import { buildTestCatalog, flowOf } from './test-support/catalog.builder.js';

const e = (source: string) => ({ $expr: source });
const catalog = buildTestCatalog();

const buildInvoiceFlow: FlowEdit[] = [
  { type: 'renameFlow', name: 'Togai invoice → Zoho Books draft' },
  { type: 'setTrigger', trigger: { connector: 'togai', trigger: 'account_updated', connectionRef: 'togai', config: { events: ['created'] } } },
  {
    type: 'addStep',
    after: 'trigger',
    step: { kind: 'action', id: 'find_contact', title: 'Find contact', connector: 'zoho-books', action: 'find_contact', connectionRef: 'books', input: {} },
  },
  { type: 'updateInput', stepId: 'find_contact', path: '/email', value: e('$trigger.account.email') },
  {
    type: 'addStep',
    after: 'find_contact',
    step: { kind: 'branch', id: 'found', title: 'Contact found?', branches: [{ id: 'yes', label: 'Found', condition: e('$exists($steps.find_contact.contact_id)') }] },
  },
  {
    type: 'addStep',
    after: { elseOf: 'found' },
    step: { kind: 'action', id: 'create_contact', title: 'Create contact', connector: 'zoho-books', action: 'create_contact', connectionRef: 'books', input: { contact_name: e('$trigger.account.name') } },
  },
  { type: 'addStep', after: 'found', step: { kind: 'forEach', id: 'lines', title: 'Each line', items: e('$trigger.invoice.lines') } },
  { type: 'addStep', after: { bodyOf: 'lines' }, step: { kind: 'map', id: 'line', output: { description: e('$item.name'), rate: e('$item.amount'), quantity: 1 } } },
  {
    type: 'addStep',
    after: 'lines',
    step: {
      kind: 'action',
      id: 'invoice',
      title: 'Create invoice',
      connector: 'zoho-books',
      action: 'create_invoice',
      connectionRef: 'books',
      input: {
        customer_id: e('$steps.find_contact.contact_id ? $steps.find_contact.contact_id : $steps.create_contact.contact_id'),
        status: 'draft',
        reference_number: e('$trigger.invoice.id'),
        line_items: e('$trigger.invoice.lines.{ "description": name, "rate": amount, "quantity": 1 }'),
      },
    },
  },
];

describe('a flow built with edits, validated, run and diffed', () => {
  const empty = flowOf([], null);
  const flow = applyEdits(empty, buildInvoiceFlow);

  it('is well-formed and has no problems', () => {
    expect(parseFlowDefinition(JSON.parse(JSON.stringify(flow))).ok).toBe(true);
    expect(validateFlow(flow, catalog, { connections: new Set(['togai', 'books']) })).toEqual([]);
  });

  it('runs on an event with the shared semantics', async () => {
    const event = { account: { name: 'Acme', email: 'ops@acme.test' }, invoice: { id: 'INV-9', lines: [{ name: 'Seats', amount: 40 }, { name: 'Support', amount: 10 }] } };
    const bindings: EvaluationBindings = { trigger: event, steps: {} };
    const visited: string[] = [];
    const outputs = bindings.steps!;
    // A tiny interpreter: actions "return" canned outputs, as a connector would.
    const fakeAction = (step: Extract<Step, { kind: 'action' }>, input: unknown) =>
      step.action === 'find_contact' ? {} : step.action === 'create_contact' ? { contact_id: 'C-1' } : { invoice: input };
    const run = async (first: string | undefined, scope: EvaluationBindings): Promise<void> => {
      let id = first;
      for (let guard = 0; id !== undefined && guard < 100; guard++) {
        const step = flow.steps[id]!;
        visited.push(id);
        if (step.kind === 'action') outputs[id] = fakeAction(step, await evaluateInput(step.input, scope));
        if (step.kind === 'map') outputs[id] = await evaluateInput(step.output, scope);
        if (step.kind === 'branch') await run((await chooseBranch(step, scope)).start, scope);
        if (step.kind === 'forEach') {
          const items = await loopItems(step, scope);
          for (const [index, item] of items.entries()) await run(step.bodyStart, { ...scope, item, index });
        }
        // Inner chains ran above (recursively), so within this chain only `next` is followed.
        id = step.next;
      }
    };
    await run(flow.start ?? undefined, bindings);
    expect(visited).toEqual(['find_contact', 'found', 'create_contact', 'lines', 'line', 'line', 'invoice']);
    expect(outputs.invoice).toEqual({
      invoice: {
        customer_id: 'C-1',
        status: 'draft',
        reference_number: 'INV-9',
        line_items: [
          { description: 'Seats', rate: 40, quantity: 1 },
          { description: 'Support', rate: 10, quantity: 1 },
        ],
      },
    });
  });

  it('a careless edit is caught by validation and shown by the diff', () => {
    const changed: FlowDefinition = applyEdits(flow, [
      { type: 'moveStep', stepId: 'invoice', after: 'trigger' },
      { type: 'updateInput', stepId: 'invoice', path: '/status', value: 'paid' },
    ]);
    const problems = validateFlow(changed, catalog);
    expect(problems.map((p) => `${p.code} ${p.pointer}`)).toEqual([
      'INPUT_SCHEMA /steps/invoice/input/status',
      'NOT_UPSTREAM /steps/invoice/input/customer_id',
      'NOT_UPSTREAM /steps/invoice/input/customer_id',
    ]);
    expect(problems[2]!.message).toMatch(/refers to step "create_contact", which runs later/);
    expect(problems[1]!.message).toBe(
      'Step "Create invoice": the expression in "customer_id" refers to step "find_contact", which runs later — only the trigger and earlier steps can be used.',
    );
    expect(diffFlows(flow, changed, { catalog }).map((c) => c.message)).toEqual([
      'Step "Create invoice" moved at the start of the flow.',
      'Step "Create invoice": input "status" changed from "draft" to "paid".',
    ]);
  });
});
