import { createConnectorContext, runAction } from '@braid/connector-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionsService } from '../connections/connections.service.js';
import { ConnectorsService } from '../connectors/connectors.service.js';
import { TriggersService } from '../triggers/triggers.service.js';
import { type E2eHarness, type Json, startE2eHarness, stepOutput } from './test-support/e2e.harness.js';

// S6: paid orders (Togai invoices of class ORDER) → Books draft invoices, every 10 minutes and on demand.
describe('template S6 end to end: paid orders → Zoho Books draft invoices', () => {
  let h: E2eHarness;
  let integration: Json;
  let scheduleFlow: string;
  let onDemandFlow: string;
  let orderId: string;
  let existingContactId: string;
  const booksInvoicesFor = async (reference: string) => (await h.books('invoices')).filter((i) => i.reference_number === reference);
  const paidOrders = async () => ((await h.togai('/invoices?status=PAID&invoiceClass=ORDER&pageSize=50')).body.data as Json[]).filter((i) => i.invoiceClass === 'ORDER');
  const order = async (id: string) => (await h.togai(`/invoices/${id}`)).body;

  /** Fires the flow's schedule the way the minute tick does, at its next due time. */
  const fireSchedule = async (): Promise<number> => {
    const [state] = await h.t.query<{ next_run_at: Date }>(`SELECT next_run_at FROM trigger_states WHERE flow_id = $1`, [scheduleFlow]);
    if (!state?.next_run_at) return 0;
    return h.t.braid.app.get(TriggersService).fireDueSchedules(new Date(state.next_run_at.getTime() + 1000));
  };
  const runOnDemand = async (payload: Json) => {
    const started = await h.owner.client.post(h.api(`/flows/${onDemandFlow}/runs`)).send({ payload });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const [run] = await h.nextRuns(onDemandFlow);
    return run!;
  };

  beforeAll(async () => {
    h = await startE2eHarness();
    integration = await h.createIntegration('s6-paid-orders-to-books', { name: 'Shop' });
    const flows = Object.fromEntries((integration.flows as Json[]).map((f) => [f.key, f.flowId as string]));
    scheduleFlow = flows.automatic_sending!;
    onDemandFlow = flows.order_on_demand!;
    const customer = await h.togai('/customers', {
      method: 'POST',
      body: { id: 'hooli', name: 'Hooli Shop Customer', primaryEmail: 'orders@hooli.example', address: { country: 'US' }, account: { id: 'hooli-main', name: 'Hooli Shop Customer', invoiceCurrency: 'USD', primaryEmail: 'orders@hooli.example' } },
    });
    expect(customer.status).toBe(201);
    // The shop customer already exists in Books (another display name, same email): it must be found, not duplicated.
    const { connection, credentials, ssrf } = await h.t.braid.app.get(ConnectionsService).contextFor(h.ws, h.booksConnection);
    const connector = h.t.braid.app.get(ConnectorsService).definition('zoho-books');
    const contact = (await runAction(connector, 'create_contact', createConnectorContext({ connector, connection, credentials, ssrf }), {
      contact_name: 'Hooli (Books)', contact_type: 'customer', email: 'orders@hooli.example',
    })) as { contact_id: string };
    existingContactId = contact.contact_id;
    const created = await h.togai('/_sandbox/invoices', {
      method: 'POST',
      body: {
        accountId: 'hooli-main', invoiceClass: 'ORDER', status: 'DRAFT', startDate: '2026-11-01T00:00:00.000Z', endDate: '2026-11-02T00:00:00.000Z',
        lineItems: [
          { description: 'Headphones', quantity: 2, valuePerQuantity: 50, value: 100, metadata: { taxRate: 19 } },
          { description: 'Book', quantity: 1, valuePerQuantity: 20, value: 20, metadata: { taxRate: 7 } },
          { description: 'Coupon SPRING', value: -15, metadata: { taxRate: 19, discount: true } },
        ],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    orderId = created.body.id as string;
    expect((await h.togai(`/_sandbox/invoices/${orderId}/status`, { method: 'POST', body: { status: 'PAID' } })).status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is created with automatic sending on (a 10-minute schedule) and the on-demand flow', () => {
    expect(integration).toMatchObject({
      status: 'active',
      settings: { metadataKey: 'booksInvoiceNumber' },
      modules: [{ key: 'automatic-sending', enabled: true }, { key: 'on-demand', enabled: true }],
    });
    expect((integration.flows as Json[]).every((f) => f.enabled === true && f.publishedVersion === 1)).toBe(true);
  });

  it('every 10 minutes: each paid order not yet in Books becomes one draft, the number is written back; the next tick adds nothing', async () => {
    const orders = await paidOrders();
    expect(orders.map((o) => o.id)).toContain(orderId);
    expect(await fireSchedule()).toBe(1);
    const [run] = await h.nextRuns(scheduleFlow, 1, 60_000);
    expect(run!.status, JSON.stringify(run!.error)).toBe('succeeded');
    expect(run!.source).toBe('schedule');

    for (const paid of orders) {
      const invoices = await booksInvoicesFor(paid.id as string);
      expect(invoices, `order ${paid.id}`).toHaveLength(1);
      expect(invoices[0]).toMatchObject({ status: 'draft' });
      expect((await order(paid.id as string)).metadata).toMatchObject({ booksInvoiceNumber: invoices[0]!.invoice_number });
      expect(await h.links('togai', 'order', paid.id as string)).toEqual([expect.objectContaining({ appB: 'zoho-books', typeB: 'invoice', idB: invoices[0]!.invoice_id })]);
    }
    const [mine] = await booksInvoicesFor(orderId);
    expect((mine!.line_items as Json[]).map((l) => [l.description, l.quantity, l.rate, l.tax_percentage])).toEqual([
      ['Headphones', 2, 50, 19],
      ['Book', 1, 20, 7],
      ['Coupon SPRING', 1, -15, 19],
    ]);
    const hooliContacts = (await h.books('contacts')).filter((c) => c.email === 'orders@hooli.example');
    expect(hooliContacts).toHaveLength(1);
    expect(mine!.customer_id).toBe(existingContactId);
    const hooliUpsert = (run!.steps as Json[]).find((s) => s.stepId === 'upsert_customer' && (s.output as Json | null)?.sourceId === 'hooli-main');
    expect(hooliUpsert?.output).toMatchObject({ path: 'matched', matchedBy: 'email', targetId: existingContactId });
    expect(await h.links('togai', 'account', 'hooli-main')).toEqual([expect.objectContaining({ typeB: 'contact', idB: existingContactId })]);

    const invoicesBefore = (await h.books('invoices')).length;
    expect(await fireSchedule()).toBe(1);
    const [again] = await h.nextRuns(scheduleFlow, 1, 60_000);
    expect(again!.status).toBe('succeeded');
    expect((await h.books('invoices')).length).toBe(invoicesBefore);
    expect((again!.steps as Json[]).filter((s) => String(s.stepId) === 'upsert_invoice')).toEqual([]);
  });

  it('on demand: update keeps the same invoice, delete removes it (link and number too), create makes it again', async () => {
    const [existing] = await booksInvoicesFor(orderId);
    const updated = await runOnDemand({ orderId, action: 'update' });
    expect(updated.status, JSON.stringify(updated.error)).toBe('succeeded');
    expect(stepOutput(updated, 'upsert_invoice')).toMatchObject({ path: 'linked', targetId: existing!.invoice_id });
    expect(await booksInvoicesFor(orderId)).toHaveLength(1);

    const deleted = await runOnDemand({ orderId, action: 'delete' });
    expect(deleted.status, JSON.stringify(deleted.error)).toBe('succeeded');
    expect(await booksInvoicesFor(orderId)).toHaveLength(0);
    expect(await h.links('togai', 'order', orderId)).toEqual([]);
    expect((await order(orderId)).metadata?.booksInvoiceNumber).toBeUndefined();

    const nothing = await runOnDemand({ orderId, action: 'delete' });
    expect(nothing.status).toBe('succeeded');

    const created = await runOnDemand({ orderId, action: 'create' });
    expect(created.status, JSON.stringify(created.error)).toBe('succeeded');
    const [again] = await booksInvoicesFor(orderId);
    expect(await booksInvoicesFor(orderId)).toHaveLength(1);
    expect(again!.invoice_id).not.toBe(existing!.invoice_id);
    expect((await order(orderId)).metadata).toMatchObject({ booksInvoiceNumber: again!.invoice_number });

    const refused = await h.owner.client.post(h.api(`/flows/${onDemandFlow}/runs`)).send({ payload: { orderId, action: 'archive' } });
    expect(refused.status).toBe(400);
  });

  it('faults: a 429 is retried without a duplicate; a revoked token fails clearly and a replay after reconnecting recreates the invoice once', async () => {
    await runOnDemand({ orderId, action: 'delete' });
    const throttled = await h.booksCallsWithStatus(429);
    await h.admin.armFault({ service: 'books', kind: 'rate-limit', count: 2 });
    const created = await runOnDemand({ orderId, action: 'create' });
    expect(created.status, JSON.stringify(created.error)).toBe('succeeded');
    expect(await h.booksCallsWithStatus(429)).toBe(throttled + 2);
    expect(await booksInvoicesFor(orderId)).toHaveLength(1);

    await runOnDemand({ orderId, action: 'delete' });
    await h.revokeBooks();
    const failed = await runOnDemand({ orderId, action: 'create' });
    expect(failed.status).toBe('failed');
    expect(JSON.stringify(failed.error)).toMatch(/Acme Books.{0,10} needs to be reconnected/);
    expect(await booksInvoicesFor(orderId)).toHaveLength(0);
    await h.reconnectBooks();
    await h.owner.client.post(h.api(`/runs/${failed.id}/replay`)).send({ version: 'current' });
    const [replayed] = await h.nextRuns(onDemandFlow);
    expect(replayed!.status).toBe('succeeded');
    expect(await booksInvoicesFor(orderId)).toHaveLength(1);
  });

  it('switching automatic sending off disables the schedule: no more runs', async () => {
    const patched = await h.owner.client.patch(h.api(`/integrations/${integration.id}`)).send({ modules: { 'automatic-sending': false } });
    expect(patched.status).toBe(200);
    expect((patched.body.flows as Json[]).find((f) => f.key === 'automatic_sending')).toMatchObject({ enabled: false });
    expect(await fireSchedule()).toBe(0);
    expect(await h.runs(scheduleFlow)).toHaveLength(2);
  });
});
