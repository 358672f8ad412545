import { describe, expect, it } from 'vitest';
import { checkFlowDefinition, validateFlow } from './flow.validate.js';
import { ProblemCode, type Problem } from './flow.problems.js';
import type { ActionStep, FlowDefinition, Step } from './flow.types.js';
import { action, buildTestCatalog, connector, delayStep, flowOf } from './test-support/catalog.builder.js';

const catalog = buildTestCatalog();
const e = (source: string) => ({ $expr: source });

function createInvoice(id: string, input: ActionStep['input'], extra: Partial<ActionStep> = {}): ActionStep {
  return { kind: 'action', id, title: 'Create invoice', connector: 'zoho-books', action: 'create_invoice', connectionRef: 'books', input, ...extra };
}

/** A valid S1/S2-like flow: Togai trigger, find contact, branch, loop over lines. */
function goodFlow(): FlowDefinition {
  const steps: Step[] = [
    {
      kind: 'action',
      id: 'find_contact',
      title: 'Find contact',
      connector: 'zoho-books',
      action: 'find_contact',
      connectionRef: 'books',
      input: { email: e('$trigger.account.primaryEmail') },
      next: 'check',
    },
    {
      kind: 'branch',
      id: 'check',
      title: 'Contact found?',
      branches: [{ id: 'found', label: 'Found', condition: e('$exists($steps.find_contact.contact_id)'), start: 'use_existing' }],
      else: { start: 'create_contact' },
      next: 'lines',
    },
    { kind: 'map', id: 'use_existing', output: { id: e('$steps.find_contact.contact_id') } },
    {
      kind: 'action',
      id: 'create_contact',
      title: 'Create contact',
      connector: 'zoho-books',
      action: 'create_contact',
      connectionRef: 'books',
      input: { contact_name: e('$trigger.account.name'), email: e('$trigger.account.primaryEmail') },
    },
    { kind: 'forEach', id: 'lines', items: e('$trigger.invoice.lines'), bodyStart: 'line_shape', next: 'invoice' },
    { kind: 'map', id: 'line_shape', output: { rate: e('$item.amount'), position: e('$index'), contact: e('$steps.use_existing.id') } },
    createInvoice('invoice', {
      customer_id: e('$steps.use_existing.id ? $steps.use_existing.id : $steps.create_contact.contact_id'),
      status: 'draft',
      line_items: e('$steps.lines'),
    }),
  ];
  return flowOf(steps, 'find_contact', {
    trigger: { connector: 'togai', trigger: 'account_updated', connectionRef: 'togai', config: { events: ['created', 'updated'] } },
  });
}

function only(problems: Problem[], code: ProblemCode): Problem[] {
  return problems.filter((p) => p.code === code);
}

describe('validateFlow', () => {
  it('finds nothing wrong with a good flow', () => {
    expect(validateFlow(goodFlow(), catalog, { connections: new Set(['books', 'togai']) })).toEqual([]);
  });

  it('UNKNOWN_CONNECTOR and UNKNOWN_ACTION', () => {
    const flow = flowOf(
      [
        { kind: 'action', id: 'a', title: 'Send', connector: 'slack', action: 'post', input: {}, next: 'b' },
        { kind: 'action', id: 'b', connector: 'zoho-books', action: 'fly', connectionRef: 'x', input: {} },
      ],
      'a',
    );
    expect(validateFlow(flow, catalog)).toEqual([
      {
        code: ProblemCode.UNKNOWN_CONNECTOR,
        pointer: '/steps/a/connector',
        stepId: 'a',
        message: 'Step "Send": there is no connector "slack" in this Braid. Pick another app, or install the connector.',
      },
      {
        code: ProblemCode.UNKNOWN_ACTION,
        pointer: '/steps/b/action',
        stepId: 'b',
        message: 'Step "b": Zoho Books has no action "fly". Pick one of its actions.',
      },
    ]);
  });

  it('UNKNOWN_TRIGGER and an unknown trigger connector', () => {
    const flow = goodFlow();
    flow.trigger = { connector: 'togai', trigger: 'invoice_paid', config: {} };
    const [p] = validateFlow(flow, catalog);
    expect(p).toEqual({
      code: ProblemCode.UNKNOWN_TRIGGER,
      pointer: '/trigger/trigger',
      message: 'The trigger "invoice_paid" does not exist in Togai (it has: "Account created or updated").',
    });
    flow.trigger = { connector: 'nope', trigger: 'x', config: {} };
    expect(validateFlow(flow, catalog)).toEqual([expect.objectContaining({ code: ProblemCode.UNKNOWN_CONNECTOR, pointer: '/trigger/connector' })]);
  });

  it('INPUT_SCHEMA: a missing required field, named in the words of the issue', () => {
    const flow = flowOf([createInvoice('invoice', { line_items: [{ rate: 10 }] })], 'invoice');
    expect(validateFlow(flow, catalog)).toEqual([
      {
        code: ProblemCode.INPUT_SCHEMA,
        pointer: '/steps/invoice/input/customer_id',
        stepId: 'invoice',
        message: 'Step "Create invoice": field "customer_id" is required by Zoho Books › Create invoice.',
      },
    ]);
  });

  it('INPUT_SCHEMA: literal values are type-checked at any depth; unknown fields are reported', () => {
    const flow = flowOf(
      [createInvoice('invoice', { customer_id: '1', status: 'paid', line_items: [{ rate: 'ten', quantity: -1 }, {}], colour: 'red' })],
      'invoice',
    );
    const problems = validateFlow(flow, catalog);
    const byPointer = Object.fromEntries(problems.map((p) => [p.pointer, p.message]));
    expect(byPointer).toEqual({
      '/steps/invoice/input/status': 'Step "Create invoice": field "status" must be one of "draft", "sent".',
      '/steps/invoice/input/line_items/0/rate': 'Step "Create invoice": field "line_items[0].rate" must be a number (got text).',
      '/steps/invoice/input/line_items/0/quantity': 'Step "Create invoice": field "line_items[0].quantity" must be >= 0.',
      '/steps/invoice/input/line_items/1/rate': 'Step "Create invoice": field "line_items[1].rate" is required by Zoho Books › Create invoice.',
      '/steps/invoice/input/colour': 'Step "Create invoice": "colour" is not a field of Zoho Books › Create invoice; remove it.',
    });
    expect(problems.every((p) => p.code === ProblemCode.INPUT_SCHEMA)).toBe(true);
  });

  it('INPUT_SCHEMA: an expression counts as present and is not type-checked, nested ones too', () => {
    const flow = flowOf(
      [createInvoice('invoice', { customer_id: e('$trigger.id'), line_items: [{ rate: e('$trigger.amount'), quantity: e('1') }] })],
      'invoice',
    );
    expect(validateFlow(flow, catalog)).toEqual([]);
    // ...but a literal sibling of an expression is still checked, and required keys still have to exist.
    const flow2 = flowOf([createInvoice('invoice', { customer_id: e('$trigger.id'), line_items: [{ quantity: e('1'), description: 5 }] })], 'invoice');
    expect(validateFlow(flow2, catalog).map((p) => p.pointer).sort()).toEqual([
      '/steps/invoice/input/line_items/0/description',
      '/steps/invoice/input/line_items/0/rate',
    ]);
  });

  it('INPUT_SCHEMA: a missing required field that has a schema default counts as present (the runtime applies it)', () => {
    const schema = {
      type: 'object',
      properties: {
        mode: { type: 'string', enum: ['fast', 'safe'], default: 'safe' },
        name: { type: 'string' },
        options: { type: 'object', properties: { limit: { type: 'integer', default: 10 } }, required: ['limit'] },
      },
      required: ['mode', 'name'],
      additionalProperties: false,
    };
    const cat = [connector('x', 'X', { auth: { kind: 'none' }, actions: [action('a', 'A', schema, { requiresConnection: false })] }), ...catalog];
    const input: ActionStep['input'] = { name: 'n', options: {} };
    const flow = flowOf([{ kind: 'action', id: 'a', connector: 'x', action: 'a', input }], 'a');
    expect(validateFlow(flow, cat)).toEqual([]);
    expect(input).toEqual({ name: 'n', options: {} }); // the draft itself is not changed
    // Without a default, a missing required field is still a problem; a default does not excuse a wrong value.
    const noName = flowOf([{ kind: 'action', id: 'a', connector: 'x', action: 'a', input: { mode: 'slow' } }], 'a');
    expect(validateFlow(noName, cat).map((p) => [p.pointer, p.message]).sort()).toEqual([
      ['/steps/a/input/mode', 'Step "a": field "mode" must be one of "fast", "safe".'],
      ['/steps/a/input/name', 'Step "a": field "name" is required by X › A.'],
    ]);
  });

  it('INPUT_SCHEMA: formats are checked (email)', () => {
    const flow = flowOf(
      [{ kind: 'action', id: 'find', connector: 'zoho-books', action: 'find_contact', connectionRef: 'b', input: { email: 'not-an-email' } }],
      'find',
    );
    expect(validateFlow(flow, catalog)).toEqual([
      expect.objectContaining({ pointer: '/steps/find/input/email', message: 'Step "find": field "email" must be a valid email.' }),
    ]);
  });

  it('INPUT_SCHEMA on trigger settings', () => {
    const flow = goodFlow();
    flow.trigger.config = { events: [] };
    expect(validateFlow(flow, catalog)).toEqual([
      {
        code: ProblemCode.INPUT_SCHEMA,
        pointer: '/trigger/config/events',
        message: 'Trigger "Account created or updated": field "events" must have at least 1 item.',
      },
    ]);
  });

  it('INPUT_SCHEMA: anyOf failures are reported once', () => {
    const cat = [
      connector('x', 'X', {
        auth: { kind: 'none' },
        actions: [action('a', 'A', { type: 'object', properties: { v: { anyOf: [{ type: 'string' }, { type: 'integer' }] } } }, { requiresConnection: false })],
      }),
    ];
    const flow = flowOf([{ kind: 'action', id: 'a', connector: 'x', action: 'a', input: { v: true } }], 'a');
    expect(validateFlow(flow, [...cat, ...catalog])).toEqual([
      expect.objectContaining({ pointer: '/steps/a/input/v', message: 'Step "a": field "v" does not match any of the allowed forms.' }),
    ]);
  });

  it('INPUT_SCHEMA: a choice between fields (oneOf of required) is named', () => {
    const cat = [
      connector('x', 'X', {
        auth: { kind: 'none' },
        actions: [
          action(
            'wait',
            'Wait',
            { type: 'object', properties: { ms: { type: 'integer' }, until: { type: 'string' } }, oneOf: [{ required: ['ms'] }, { required: ['until'] }] },
            { requiresConnection: false },
          ),
        ],
      }),
      ...catalog,
    ];
    const none = flowOf([{ kind: 'action', id: 'w', connector: 'x', action: 'wait', input: {} }], 'w');
    expect(validateFlow(none, cat)).toEqual([
      { code: ProblemCode.INPUT_SCHEMA, pointer: '/steps/w/input', stepId: 'w', message: 'Step "w": the input needs "ms" or "until".' },
    ]);
    const both = flowOf([{ kind: 'action', id: 'w', connector: 'x', action: 'wait', input: { ms: 5, until: e('$trigger.at') } }], 'w');
    expect(validateFlow(both, cat).map((p) => p.message)).toEqual(['Step "w": the input must use only one of "ms" or "until".']);
  });

  it('INVALID_CONNECTOR_SCHEMA when a connector ships a schema ajv cannot compile', () => {
    const cat = [
      connector('x', 'X', { actions: [action('a', 'A', { type: 'object', properties: { v: { $ref: '#/$defs/missing' } } }, { requiresConnection: false })] }),
    ];
    const flow = flowOf([{ kind: 'action', id: 'a', connector: 'x', action: 'a', input: {} }], 'a');
    expect(only(validateFlow(flow, cat), ProblemCode.INVALID_CONNECTOR_SCHEMA)).toEqual([
      expect.objectContaining({ pointer: '/steps/a/input', message: expect.stringMatching(/bug in the connector/) }),
    ]);
  });

  it('EXPRESSION_SYNTAX with the position', () => {
    const flow = goodFlow();
    (flow.steps.create_contact as ActionStep).input.email = e('$trigger.account.');
    (flow.steps.check as Extract<Step, { kind: 'branch' }>).branches[0]!.condition = e('');
    const problems = only(validateFlow(flow, catalog), ProblemCode.EXPRESSION_SYNTAX);
    expect(problems).toEqual([
      {
        code: ProblemCode.EXPRESSION_SYNTAX,
        pointer: '/steps/check/branches/0/condition',
        stepId: 'check',
        message: 'Step "Contact found?": the expression in the condition of path "Found" is not valid JSONata at character 0: The expression is empty.',
      },
      {
        code: ProblemCode.EXPRESSION_SYNTAX,
        pointer: '/steps/create_contact/input/email',
        stepId: 'create_contact',
        message: 'Step "Create contact": the expression in "email" is not valid JSONata at character 17: Unexpected end of expression',
      },
    ]);
  });

  it('UNKNOWN_STEP_REFERENCE', () => {
    const flow = goodFlow();
    (flow.steps.create_contact as ActionStep).input.email = e('$steps.find_contakt.email');
    expect(only(validateFlow(flow, catalog), ProblemCode.UNKNOWN_STEP_REFERENCE)).toEqual([
      {
        code: ProblemCode.UNKNOWN_STEP_REFERENCE,
        pointer: '/steps/create_contact/input/email',
        stepId: 'create_contact',
        message: 'Step "Create contact": the expression in "email" refers to step "find_contakt", which does not exist.',
      },
    ]);
  });

  describe('NOT_UPSTREAM', () => {
    it('a later step', () => {
      const flow = goodFlow();
      (flow.steps.create_contact as ActionStep).input.email = e('$steps.invoice.email');
      expect(only(validateFlow(flow, catalog), ProblemCode.NOT_UPSTREAM)).toEqual([
        {
          code: ProblemCode.NOT_UPSTREAM,
          pointer: '/steps/create_contact/input/email',
          stepId: 'create_contact',
          message:
            'Step "Create contact": the expression in "email" refers to step "invoice", which runs later — only the trigger and earlier steps can be used.',
        },
      ]);
    });

    it('a sibling branch path', () => {
      const flow = goodFlow();
      (flow.steps.create_contact as ActionStep).input.contact_name = e('$steps.use_existing.id');
      expect(only(validateFlow(flow, catalog), ProblemCode.NOT_UPSTREAM)[0]!.message).toBe(
        'Step "Create contact": the expression in "contact_name" refers to step "use_existing", which is in another path of "Contact found?" — only one path of it runs.',
      );
    });

    it('the enclosing loop, a loop body from after the loop, itself, and an unreachable step', () => {
      const flow = goodFlow();
      flow.steps.line_shape = { kind: 'map', id: 'line_shape', output: { a: e('$steps.lines'), b: e('$steps.line_shape.x') } };
      (flow.steps.invoice as ActionStep).input.reference_number = e('$steps.line_shape.rate');
      flow.steps.lost = delayStep('lost');
      (flow.steps.invoice as ActionStep).input.status = e('$steps.lost.x');
      const messages = only(validateFlow(flow, catalog), ProblemCode.NOT_UPSTREAM).map((p) => `${p.pointer} ${p.message}`);
      expect(messages).toEqual([
        '/steps/line_shape/output/a Step "line_shape": the expression in output field "a" refers to step "lines", which is the loop this step runs in — its output exists only after the loop; use $item and $index for the current element.',
        '/steps/line_shape/output/b Step "line_shape": the expression in output field "b" refers to step "line_shape", which is this step itself — a step cannot read its own output.',
        '/steps/invoice/input/status Step "Create invoice": the expression in "status" refers to step "lost", which is not connected to the flow and never runs.',
        '/steps/invoice/input/reference_number Step "Create invoice": the expression in "reference_number" refers to step "line_shape", which runs inside the loop "lines" — read the loop\'s output instead.',
      ]);
    });

    it('trigger settings cannot read steps or the trigger', () => {
      const flow = goodFlow();
      flow.trigger.config = { events: ['created'], since: e('$steps.find_contact.x & $trigger.y') };
      const problems = only(validateFlow(flow, catalog), ProblemCode.NOT_UPSTREAM);
      expect(problems.map((p) => p.pointer)).toEqual(['/trigger/config/since', '/trigger/config/since']);
      expect(problems[1]!.message).toMatch(/uses \$trigger/);
    });
  });

  it('LOOP_VARIABLE_OUTSIDE_LOOP (but a lambda parameter named $item is fine)', () => {
    const flow = goodFlow();
    (flow.steps.create_contact as ActionStep).input.email = e('$item.email');
    (flow.steps.find_contact as ActionStep).input.name = e('$map([1,2], function($item){ $item * 2 })');
    (flow.steps.lines as Extract<Step, { kind: 'forEach' }>).items = e('$trigger.lines[$index > 0]');
    expect(only(validateFlow(flow, catalog), ProblemCode.LOOP_VARIABLE_OUTSIDE_LOOP)).toEqual([
      {
        code: ProblemCode.LOOP_VARIABLE_OUTSIDE_LOOP,
        pointer: '/steps/create_contact/input/email',
        stepId: 'create_contact',
        message: 'Step "Create contact": the expression in "email" uses $item, which only exists inside a for-each loop.',
      },
      expect.objectContaining({ pointer: '/steps/lines/items', message: expect.stringMatching(/uses \$index/) }),
    ]);
  });

  it('MISSING_CONNECTION: none chosen, or one that no longer exists', () => {
    const flow = goodFlow();
    delete (flow.steps.find_contact as ActionStep).connectionRef;
    const problems = validateFlow(flow, catalog, { connections: new Set(['togai']) });
    expect(only(problems, ProblemCode.MISSING_CONNECTION)).toEqual([
      {
        code: ProblemCode.MISSING_CONNECTION,
        pointer: '/steps/find_contact/connectionRef',
        stepId: 'find_contact',
        message: 'Step "Find contact": choose a Zoho Books connection — Zoho Books › Find contact needs one.',
      },
      expect.objectContaining({ pointer: '/steps/create_contact/connectionRef', message: expect.stringMatching(/connection "books" does not exist/) }),
      expect.objectContaining({ pointer: '/steps/invoice/connectionRef' }),
    ]);
    // core actions need no connection
    expect(validateFlow(flowOf([delayStep('wait')], 'wait'), catalog, { connections: new Set() })).toEqual([]);
  });

  it('UNREACHABLE_STEP', () => {
    const flow = goodFlow();
    flow.steps.orphan = delayStep('orphan', { title: 'Wait a bit' });
    expect(validateFlow(flow, catalog)).toEqual([
      {
        code: ProblemCode.UNREACHABLE_STEP,
        pointer: '/steps/orphan',
        stepId: 'orphan',
        message: 'Step "Wait a bit" is not connected to the flow, so it never runs. Connect it after another step, or delete it.',
      },
    ]);
  });

  it('CYCLE', () => {
    const flow = flowOf([delayStep('a', { next: 'b' }), delayStep('b', { next: 'a', title: 'Wait' })], 'a');
    expect(validateFlow(flow, catalog)).toEqual([
      {
        code: ProblemCode.CYCLE,
        pointer: '/steps/b/next',
        stepId: 'b',
        message: 'Steps "a" → "Wait" → "a" form a loop: a flow cannot go back to an earlier step. Use a for-each step to repeat work.',
      },
    ]);
  });

  it('DANGLING_EDGE and SHARED_STEP', () => {
    const flow = goodFlow();
    flow.steps.use_existing = { ...flow.steps.use_existing!, next: 'ghost' };
    (flow.steps.create_contact as ActionStep).next = 'lines';
    const problems = validateFlow(flow, catalog);
    expect(only(problems, ProblemCode.DANGLING_EDGE)).toEqual([
      {
        code: ProblemCode.DANGLING_EDGE,
        pointer: '/steps/use_existing/next',
        stepId: 'use_existing',
        message: 'Step "use_existing" continues with step "ghost", which does not exist. Pick an existing step or remove the link.',
      },
    ]);
    expect(only(problems, ProblemCode.SHARED_STEP)).toEqual([
      {
        code: ProblemCode.SHARED_STEP,
        pointer: '/steps/check/next',
        stepId: 'check',
        message: 'Step "Contact found?" continues with step "lines", which already follows step "Create contact". A step can follow only one place; duplicate it instead.',
      },
    ]);
    const empty = flowOf([], 'nothing');
    expect(validateFlow(empty, catalog)[0]).toMatchObject({ pointer: '/start', message: expect.stringMatching(/^The flow starts at step "nothing", which does not exist/) });
  });

  it('DUPLICATE_ID (paths, steps) and STEP_ID_MISMATCH', () => {
    const flow = goodFlow();
    const check = flow.steps.check as Extract<Step, { kind: 'branch' }>;
    check.branches.push({ id: 'found', label: 'Again', condition: e('true') });
    flow.steps.use_existing = { ...flow.steps.use_existing!, id: 'create_contact' };
    flow.steps.create_contact = { ...flow.steps.create_contact!, id: 'make_contact' };
    const problems = validateFlow(flow, catalog);
    expect(only(problems, ProblemCode.DUPLICATE_ID)).toEqual([
      expect.objectContaining({ pointer: '/steps/check/branches/1/id', message: 'Step "Contact found?": paths 1 and 2 both have the id "found". Each path needs its own id.' }),
      expect.objectContaining({ pointer: '/steps/use_existing/id', message: expect.stringMatching(/which is the id of another step/) }),
    ]);
    expect(only(problems, ProblemCode.STEP_ID_MISMATCH)).toEqual([
      expect.objectContaining({ pointer: '/steps/create_contact/id', message: expect.stringMatching(/must be the same as its key/) }),
    ]);
  });

  describe('field mappers', () => {
    function syncFlow(fields: unknown): FlowDefinition {
      return flowOf(
        [{ kind: 'action', id: 'sync', title: 'Sync account', connector: 'zoho-crm', action: 'sync_account', connectionRef: 'crm', input: { fields } as ActionStep['input'] }],
        'sync',
      );
    }

    it('accepts a complete mapping with literal and expression sources', () => {
      const fields = {
        pairs: [
          { source: e('$trigger.name'), target: 'Account_Name' },
          { source: 'EUR', target: 'Currency' },
        ],
      };
      expect(validateFlow(syncFlow(fields), catalog)).toEqual([]);
    });

    it('MANDATORY_MAPPING_MISSING from the schema and from the value', () => {
      const fields = { pairs: [{ source: e('$trigger.name'), target: 'Account_Name' }], mandatoryTargets: ['Email'] };
      expect(validateFlow(syncFlow(fields), catalog)).toEqual([
        {
          code: ProblemCode.MANDATORY_MAPPING_MISSING,
          pointer: '/steps/sync/input/fields/pairs',
          stepId: 'sync',
          message: 'Step "Sync account": the field mapping "fields" must map "Currency" — it is mandatory for Zoho CRM › Sync account.',
        },
        expect.objectContaining({ code: ProblemCode.MANDATORY_MAPPING_MISSING, message: expect.stringMatching(/must map "Email"/) }),
      ]);
    });

    it('INCOMPLETE_MAPPING and DUPLICATE_MAPPING_TARGET', () => {
      const fields = {
        pairs: [
          { source: e('$trigger.name'), target: 'Account_Name' },
          { source: 'EUR', target: 'Currency' },
          { source: e('  '), target: 'Phone' },
          { source: 'x', target: '' },
          { source: 'USD', target: 'Currency' },
        ],
      };
      const problems = validateFlow(syncFlow(fields), catalog);
      expect(problems.map((p) => [p.code, p.pointer])).toEqual([
        [ProblemCode.INCOMPLETE_MAPPING, '/steps/sync/input/fields/pairs/2'],
        [ProblemCode.INCOMPLETE_MAPPING, '/steps/sync/input/fields/pairs/3'],
        [ProblemCode.DUPLICATE_MAPPING_TARGET, '/steps/sync/input/fields/pairs/4/target'],
        [ProblemCode.EXPRESSION_SYNTAX, '/steps/sync/input/fields/pairs/2/source'],
      ]);
      expect(problems[0]!.message).toBe('Step "Sync account": pair 3 of the field mapping "fields" is incomplete — choose a source value for "Phone", or remove the pair.');
      expect(problems[1]!.message).toMatch(/pair 4 .* choose a target field/);
      expect(problems[2]!.message).toBe('Step "Sync account": the field mapping "fields" writes "Currency" twice (pairs 2 and 5); keep one.');
    });

    it('a malformed mapping value is an INPUT_SCHEMA problem; expression sources are checked for references', () => {
      const problems = validateFlow(syncFlow({ pairs: [{ source: 'a' }] }), catalog);
      expect(problems).toEqual([
        expect.objectContaining({ code: ProblemCode.INPUT_SCHEMA, pointer: '/steps/sync/input/fields/pairs/0/target', message: 'Step "Sync account": field "fields.pairs[0].target" is required by Zoho CRM › Sync account.' }),
      ]);
      const refs = validateFlow(syncFlow({ pairs: [{ source: e('$steps.sync.x'), target: 'Account_Name' }, { source: 'EUR', target: 'Currency' }] }), catalog);
      expect(refs.map((p) => p.code)).toEqual([ProblemCode.NOT_UPSTREAM]);
      expect(validateFlow(syncFlow(e('$trigger.mapping')), catalog)).toEqual([]);
    });
  });

  it('collects every problem at once', () => {
    const flow = goodFlow();
    (flow.steps.create_contact as ActionStep).input = { email: e('$steps.invoice.x') };
    (flow.steps.find_contact as ActionStep).action = 'nope';
    flow.steps.orphan = delayStep('orphan');
    const codes = validateFlow(flow, catalog).map((p) => p.code).sort();
    expect(codes).toEqual([ProblemCode.INPUT_SCHEMA, ProblemCode.NOT_UPSTREAM, ProblemCode.UNKNOWN_ACTION, ProblemCode.UNREACHABLE_STEP].sort());
  });
});

describe('checkFlowDefinition', () => {
  it('returns structural problems without validating further, else the flow and its problems', () => {
    expect(checkFlowDefinition({ schemaVersion: 1 }, catalog).flow).toBeUndefined();
    expect(checkFlowDefinition({ schemaVersion: 1 }, catalog).problems.every((p) => p.code === ProblemCode.INVALID_STRUCTURE)).toBe(true);
    const flow = goodFlow();
    flow.steps.orphan = delayStep('orphan');
    const checked = checkFlowDefinition(JSON.stringify(flow), catalog);
    expect(checked.flow).toEqual(flow);
    expect(checked.problems.map((p) => p.code)).toEqual([ProblemCode.UNREACHABLE_STEP]);
  });
});
