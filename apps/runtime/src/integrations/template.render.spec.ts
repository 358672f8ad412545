import { evaluateInput, type FlowDefinition } from '@braid/flow-model';
import { describe, expect, it } from 'vitest';
import { connectionRefsIn, renderTemplateFlow } from './template.render.js';

const flow: FlowDefinition = {
  schemaVersion: 1,
  name: 'Template flow',
  direction: 'outbound',
  trigger: { connector: 'togai', trigger: 'events', connectionRef: 'togai', config: { events: ['account.created'] } },
  start: 'write',
  steps: {
    write: {
      kind: 'action',
      id: 'write',
      connector: 'togai',
      action: 'update_invoice_metadata',
      connectionRef: 'togai',
      input: {
        invoiceId: { $expr: '$trigger.objectId' },
        metadata: { $expr: '{ $vars.metadataKey: "INV-1" }' },
        note: { $expr: '$vars.notes' },
        account: { $expr: '$vars.accountId' },
        list: [{ $expr: '$vars.missing' }, 'literal'],
        both: { $expr: '$vars.notes & " / " & $string($vars.count) & ($vars.missing ? "x" : "y")' },
      },
      next: 'other',
    },
    other: { kind: 'action', id: 'other', connector: 'zoho-books', action: 'list_taxes', connectionRef: 'not-a-slot', input: {} },
  },
};

describe('renderTemplateFlow', () => {
  const rendered = renderTemplateFlow(flow, {
    connections: { togai: '11111111-1111-4111-8111-111111111111' },
    settings: { metadataKey: 'booksInvoiceNumber', notes: 'Thanks "friend"', count: 3 },
    name: 'Acme · Template flow',
  });
  const input = (rendered.steps.write as { input: Record<string, unknown> }).input;

  it('puts the chosen connection ids in place of slot names, wherever connectionRef appears', () => {
    expect(rendered.trigger.connectionRef).toBe('11111111-1111-4111-8111-111111111111');
    expect((rendered.steps.write as { connectionRef: string }).connectionRef).toBe('11111111-1111-4111-8111-111111111111');
    // not a slot of this integration: left as it is (validation names it)
    expect((rendered.steps.other as { connectionRef: string }).connectionRef).toBe('not-a-slot');
    expect(rendered.name).toBe('Acme · Template flow');
  });

  it('writes settings into expressions: exact $vars become literals, empty ones are left out, others become JSON literals', async () => {
    expect(input.note).toBe('Thanks "friend"');
    expect('account' in input).toBe(false);
    expect(input.list).toEqual([null, 'literal']);
    const resolved = (await evaluateInput({ metadata: input.metadata, both: input.both }, { trigger: {}, steps: {}, vars: {} })) as Record<string, unknown>;
    expect(resolved).toEqual({ metadata: { booksInvoiceNumber: 'INV-1' }, both: 'Thanks "friend" / 3y' });
  });

  it('does not change the template', () => {
    expect(flow.trigger.connectionRef).toBe('togai');
    expect((flow.steps.write as { input: Record<string, unknown> }).input.note).toEqual({ $expr: '$vars.notes' });
  });

  it('lists connection references with the connector of the node using them', () => {
    expect(connectionRefsIn(flow)).toEqual([
      { ref: 'togai', connector: 'togai', at: '/trigger/connectionRef' },
      { ref: 'togai', connector: 'togai', at: '/steps/write/connectionRef' },
      { ref: 'not-a-slot', connector: 'zoho-books', at: '/steps/other/connectionRef' },
    ]);
  });
});
