import { createConnectorContext, runAction } from '@braid/connector-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionsService } from '../connections/connections.service.js';
import { ConnectorsService } from '../connectors/connectors.service.js';
import { type E2eHarness, type Json, startE2eHarness, stepOutput } from './test-support/e2e.harness.js';

// S2: a generated Togai invoice → a Books draft invoice for the linked customer, VAT matched by rate.
describe('template S2 end to end: Togai invoices → Zoho Books draft invoices', () => {
  let h: E2eHarness;
  let integration: Json;
  let flowId: string;
  let taxByRate: Map<number, string>;
  let firstInvoice: { togaiId: string; booksId: string };
  const booksInvoicesFor = async (reference: string) => (await h.books('invoices')).filter((i) => i.reference_number === reference);

  /** A DRAFT billing-cycle invoice with 19 % and 7 % lines and a discount, then generated (DUE). */
  const generateInvoice = async (accountId: string, lines: Json[]): Promise<string> => {
    const created = await h.togai('/_sandbox/invoices', {
      method: 'POST',
      body: { accountId, startDate: '2026-10-01T00:00:00.000Z', endDate: '2026-11-01T00:00:00.000Z', status: 'DRAFT', lineItems: lines },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const generated = await h.togai(`/_sandbox/invoices/${created.body.id}/status`, { method: 'POST', body: { status: 'DUE' } });
    expect(generated.status).toBe(200);
    return created.body.id as string;
  };
  const vatLines = [
    { description: 'Platform fee', quantity: 1, valuePerQuantity: 100, value: 100, metadata: { taxRate: 19 } },
    { description: 'Support hours', quantity: 3, valuePerQuantity: 20, value: 60, metadata: { taxRate: 7 } },
    { description: 'Loyalty discount', value: -10, metadata: { taxRate: 19, discount: true } },
  ];

  beforeAll(async () => {
    h = await startE2eHarness();
    integration = await h.createIntegration('s2-platform-invoices-to-books', { name: 'Oscorp', settings: { notes: 'Thank you for your business.' } });
    flowId = (integration.flows as Json[])[0]!.flowId as string;
    const taxes = (await h.admin.state('books')).taxes as Json[] | undefined;
    taxByRate = new Map((taxes ?? []).filter((t) => t.organization_id === undefined || t.organization_id === '10234695').map((t) => [t.tax_percentage as number, t.tax_id as string]));
    const account = await h.togai('/customers', {
      method: 'POST',
      body: { id: 'oscorp', name: 'Oscorp Industries', primaryEmail: 'ap@oscorp.example', address: { country: 'US' }, account: { id: 'oscorp-main', name: 'Oscorp Industries', invoiceCurrency: 'USD', primaryEmail: 'ap@oscorp.example' } },
    });
    expect(account.status).toBe(201);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a generated invoice becomes one Books draft: customer upserted and linked, lines with matched taxes, discount as a negative line, reference = Togai id', async () => {
    const invoiceId = await generateInvoice('oscorp-main', vatLines);
    const [run] = await h.nextRuns(flowId);
    firstInvoice = { togaiId: invoiceId, booksId: stepOutput(run!, 'upsert_invoice')?.targetId as string };
    expect(run!.status, JSON.stringify(run!.error)).toBe('succeeded');
    const customer = stepOutput(run!, 'upsert_customer')!;
    const upsert = stepOutput(run!, 'upsert_invoice')!;
    expect(customer).toMatchObject({ path: 'created', sourceId: 'oscorp-main' });
    expect(upsert).toMatchObject({ path: 'created', sourceId: invoiceId });

    const [invoice] = await booksInvoicesFor(invoiceId);
    expect(await booksInvoicesFor(invoiceId)).toHaveLength(1);
    expect(invoice).toMatchObject({ invoice_id: upsert.targetId, status: 'draft', customer_id: customer.targetId, notes: 'Thank you for your business.' });
    const lines = (invoice!.line_items as Json[]).map((l) => ({ description: l.description, quantity: l.quantity, rate: l.rate, tax_percentage: l.tax_percentage }));
    expect(lines).toEqual([
      { description: 'Platform fee', quantity: 1, rate: 100, tax_percentage: 19 },
      { description: 'Support hours', quantity: 3, rate: 20, tax_percentage: 7 },
      { description: 'Loyalty discount', quantity: 1, rate: -10, tax_percentage: 19 },
    ]);
    if (taxByRate.size > 0) expect((invoice!.line_items as Json[])[1]!.tax_id).toBe(taxByRate.get(7));

    expect(await h.links('togai', 'invoice', invoiceId)).toEqual([expect.objectContaining({ appB: 'zoho-books', typeB: 'invoice', idB: upsert.targetId })]);
    expect(await h.links('zoho-books', 'invoice', upsert.targetId as string)).toEqual([expect.objectContaining({ appB: 'togai', typeB: 'invoice', idB: invoiceId })]);
    expect(await h.links('togai', 'account', 'oscorp-main')).toEqual([expect.objectContaining({ typeB: 'contact', idB: customer.targetId })]);

    // Updated while the Books invoice is a draft → the same invoice is updated; a replay creates nothing.
    expect((await h.togai(`/invoices/${invoiceId}`, { method: 'PATCH', body: { metadata: { po: 'PO-7' } } })).status).toBe(200);
    const [updated] = await h.nextRuns(flowId);
    expect(updated!.status).toBe('succeeded');
    expect(stepOutput(updated!, 'upsert_invoice')).toMatchObject({ path: 'linked', targetId: upsert.targetId });
    expect(stepOutput(updated!, 'upsert_customer')).toMatchObject({ path: 'linked', targetId: customer.targetId });
    await h.owner.client.post(h.api(`/runs/${run!.id}/replay`)).send({ version: 'current' });
    const [replayed] = await h.nextRuns(flowId);
    expect(replayed!.status).toBe('succeeded');
    expect(await booksInvoicesFor(invoiceId)).toHaveLength(1);
    expect((await h.books('contacts')).filter((c) => c.contact_name === 'Oscorp Industries')).toHaveLength(1);
  });

  it('once the Books invoice is no longer a draft, a Togai update leaves it alone (the run says why)', async () => {
    // Someone sends the invoice in Books (through the Books connector with the integration's connection).
    const { connection, credentials, ssrf } = await h.t.braid.app.get(ConnectionsService).contextFor(h.ws, h.booksConnection);
    const connector = h.t.braid.app.get(ConnectorsService).definition('zoho-books');
    await runAction(connector, 'mark_invoice_sent', createConnectorContext({ connector, connection, credentials, ssrf }), { invoice_id: firstInvoice.booksId });
    const [sent] = await booksInvoicesFor(firstInvoice.togaiId);
    expect(sent!.status).not.toBe('draft');

    expect((await h.togai(`/invoices/${firstInvoice.togaiId}`, { method: 'PATCH', body: { metadata: { po: 'PO-8' } } })).status).toBe(200);
    const [run] = await h.nextRuns(flowId);
    expect(run!.status).toBe('succeeded');
    expect(JSON.stringify(run)).toContain('only drafts are updated');
    expect(stepOutput(run!, 'upsert_invoice')).toBeUndefined();
    const after = await booksInvoicesFor(firstInvoice.togaiId);
    expect(after).toEqual([expect.objectContaining({ invoice_id: firstInvoice.booksId, status: sent!.status, last_modified_time: sent!.last_modified_time })]);
  });

  it('a VAT rate with no Books tax fails the run naming the rate; no invoice is created', async () => {
    const invoiceId = await generateInvoice('oscorp-main', [{ description: 'Odd rate', quantity: 1, valuePerQuantity: 50, value: 50, metadata: { taxRate: 13 } }]);
    const [failed] = await h.nextRuns(flowId);
    expect(failed!.status).toBe('failed');
    expect(JSON.stringify(failed!.error)).toMatch(/13 ?%/);
    expect(await booksInvoicesFor(invoiceId)).toHaveLength(0);
  });

  it('Books 500s on reads are retried: the run succeeds with one invoice', async () => {
    const errorsBefore = await h.booksCallsWithStatus(500);
    await h.admin.armFault({ service: 'books', kind: 'server-error', count: 2, method: 'GET' });
    const invoiceId = await generateInvoice('oscorp-main', vatLines.slice(0, 1));
    const [run] = await h.nextRuns(flowId, 1, 45_000);
    expect(run!.status, JSON.stringify(run!.error)).toBe('succeeded');
    expect(await h.booksCallsWithStatus(500)).toBe(errorsBefore + 2);
    expect(await booksInvoicesFor(invoiceId)).toHaveLength(1);
  });

  it('a revoked Books token fails the run clearly; after reconnecting, replaying it creates the invoice once', async () => {
    await h.revokeBooks();
    const invoiceId = await generateInvoice('oscorp-main', vatLines.slice(1, 2));
    const [failed] = await h.nextRuns(flowId);
    expect(failed!.status).toBe('failed');
    expect(JSON.stringify(failed!.error)).toMatch(/Acme Books.{0,10} needs to be reconnected/);
    expect(((await h.owner.client.get(h.api(`/integrations/${integration.id}`))).body as Json).status).toBe('needs-attention');
    await h.reconnectBooks();
    await h.owner.client.post(h.api(`/runs/${failed!.id}/replay`)).send({ version: 'current' });
    const [after] = await h.nextRuns(flowId);
    expect(after!.status).toBe('succeeded');
    expect(await booksInvoicesFor(invoiceId)).toHaveLength(1);
  });
});
