// S3 end to end: the template's flows created through the API, Books (the sandbox) calling their webhook URLs the way
// a workflow rule does (signed with the secret the user pasted), records and links asserted in Togai and the
// request bin; a redelivery and an edit create nothing twice; a Togai 500 and a revoked Books token end in a
// retry or a failed run that a replay completes.
import { booksWebhookSecret } from '@braid/connector-zoho-books';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { booksRequest, obtainZohoTokens } from '../../../sandbox/src/test-support/index.js';
import { BOOKS_ORG, type E2eHarness, type Json, startE2eHarness, stepOutput } from './test-support/e2e.harness.js';

describe('S3 template: Zoho Books events → Togai and an HTTP endpoint (against the sandbox)', () => {
  let h: E2eHarness;
  let booksToken: string;
  let booksApi: string;

  const books = (method: string, path: string, body?: unknown) =>
    booksRequest({ apiDomain: booksApi, accessToken: booksToken, organizationId: BOOKS_ORG }, method, path, body) as Promise<Json>;

  /** Braid's set-up help for a flow and its secret (created once: Books signs with it). */
  async function webhookSetUp(flowId: string): Promise<{ info: Json; booksSecret: string }> {
    const info = (await h.owner.client.get(h.api(`/flows/${flowId}/webhook`))).body as Json;
    const { secret } = (await h.owner.client.post(h.api(`/flows/${flowId}/webhook/secret`)).send({})).body as { secret: string };
    return { info, booksSecret: booksWebhookSecret(secret) };
  }

  /** What a Books user pastes: a webhook for the module pointing at the flow's URL, signed with the secret. */
  async function addBooksWebhook(entity: string, setUp: { info: Json; booksSecret: string }, events: string[], method = 'POST', query: Array<{ param_name: string; param_value: string }> = []) {
    await books('POST', '/settings/webhooks', {
      webhook_name: `braid ${entity} ${method}`, entity, url: setUp.info.url, method, body_type: 'default', secret: setUp.booksSecret, query_parameters: query,
      events: events.map((e) => `${entity}.${e}`),
    });
  }

  beforeAll(async () => {
    h = await startE2eHarness();
    const tokens = await obtainZohoTokens(h.sandbox.url, { scopes: ['ZohoBooks.fullaccess.all'], booksOrgId: BOOKS_ORG });
    booksToken = tokens.accessToken;
    booksApi = tokens.apiDomain;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('customers → Togai customers (linked, deleted → archived), invoices → Togai invoices (deleted → voided), vendors, bills and reference data → the endpoint; module switch; no duplicates; faults end in a retry or a replayable failed run', async () => {
    const integration = await h.createIntegration('s3-books-events-to-platform', { settings: { endpointUrl: `${h.sandbox.url}/bin/erp`, batchSize: 10 } });
    const flow = (key: string) => (integration.flows as Json[]).find((f) => f.key === key)!.flowId as string;
    expect((integration.flows as Json[]).map((f) => [f.key, f.enabled])).toEqual([['contacts', true], ['invoices', true], ['bills', true], ['reference_data', true]]);

    // Set-up help: URL, method, headers and the notes a Books user follows (never the secret).
    const contactsHook = await webhookSetUp(flow('contacts'));
    expect(contactsHook.info).toMatchObject({ method: 'POST', url: expect.stringContaining('/hooks/') });
    expect(JSON.stringify(contactsHook.info)).toMatch(/Workflow Rule/);
    expect(JSON.stringify(contactsHook.info)).not.toContain(contactsHook.booksSecret);
    // Created/edited: POST with the default payload; deleted: an HTTP DELETE with the id in the query.
    await addBooksWebhook('contact', contactsHook, ['created', 'updated']);
    await addBooksWebhook('contact', contactsHook, ['deleted'], 'DELETE', [{ param_name: 'contact_id', param_value: '${contact.contact_id}' }]);
    const invoicesHook = await webhookSetUp(flow('invoices'));
    await addBooksWebhook('invoice', invoicesHook, ['created', 'updated', 'deleted']);
    await addBooksWebhook('bill', await webhookSetUp(flow('bills')), ['created', 'updated', 'deleted']);

    // A customer created in Books → a Togai customer with its account, linked.
    const created = await books('POST', '/contacts', {
      contact_name: 'Zylofon Holdings', contact_type: 'customer',
      contact_persons: [{ first_name: 'Hank', last_name: 'Scorpio', email: 'hank@zylofon.example', is_primary_contact: true }],
    });
    const contactId = (created.contact as Json).contact_id as string;
    const customerId = `books-${contactId}`;
    const [first] = await h.finishedRuns(flow('contacts'), 1);
    expect(first!.status, JSON.stringify(first!.error)).toBe('succeeded');
    expect(stepOutput(first!, 'upsert_customer')).toMatchObject({ path: 'created', targetId: customerId });
    expect((await h.togai(`/customers/${customerId}`)).body).toMatchObject({ name: 'Zylofon Holdings', primaryEmail: 'hank@zylofon.example' });
    expect(JSON.stringify(await h.links('zoho-books', 'contact', contactId))).toContain(customerId);

    // The same delivery again (a sender retrying) is acknowledged as a duplicate and not run again.
    const delivery = (await h.admin.deliveries('books')).find((d) => d.url === contactsHook.info.url) as Json;
    const again = await fetch(delivery.url as string, { method: delivery.method as string, headers: delivery.requestHeaders as Record<string, string>, body: delivery.requestBody as string });
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ duplicate: true });

    // Edited in Books while Togai answers one 429 → retried; the same Togai customer is updated (link), none created.
    await h.admin.armFault({ service: 'togai', kind: 'rate-limit', count: 1, pathContains: '/customers' });
    await books('PUT', `/contacts/${contactId}`, { contact_name: 'Zylofon Trading' });
    const afterEdit = await h.finishedRuns(flow('contacts'), 2);
    expect(afterEdit[1]!.status, JSON.stringify(afterEdit[1]!.error)).toBe('succeeded');
    expect(stepOutput(afterEdit[1]!, 'upsert_customer')).toMatchObject({ path: 'linked', targetId: customerId });
    expect((await h.togai(`/customers/${customerId}`)).body.name).toBe('Zylofon Trading');
    const zylofon = ((await h.togai('/customers?pageSize=50')).body.data as Json[]).filter((c) => String(c.name).startsWith('Zylofon'));
    expect(zylofon).toHaveLength(1);

    // An invoice for that customer → a Togai invoice of its account, linked, with the Books number in the metadata.
    const invoice = await books('POST', '/invoices', { customer_id: contactId, date: '2026-11-20', line_items: [{ name: 'Consulting', rate: 150, quantity: 2 }] });
    const invoiceId = (invoice.invoice as Json).invoice_id as string;
    const [invoiceRun] = await h.finishedRuns(flow('invoices'), 1);
    expect(invoiceRun!.status, JSON.stringify(invoiceRun!.error)).toBe('succeeded');
    expect(stepOutput(invoiceRun!, 'upsert_customer')).toMatchObject({ path: 'linked', targetId: customerId });
    const togaiInvoiceId = stepOutput(invoiceRun!, 'upsert_invoice')!.targetId as string;
    const togaiInvoice = (await h.togai(`/invoices/${togaiInvoiceId}`)).body;
    expect(togaiInvoice).toMatchObject({ ownerId: customerId, status: 'DUE', metadata: expect.objectContaining({ booksInvoiceId: invoiceId }) });
    expect(JSON.stringify(await h.links('zoho-books', 'invoice', invoiceId))).toContain(togaiInvoiceId);

    // A revoked Books token: the next edit's run fails with a clear reason; reconnecting and replaying completes it.
    await h.revokeBooks();
    const fresh = await obtainZohoTokens(h.sandbox.url, { scopes: ['ZohoBooks.fullaccess.all'], booksOrgId: BOOKS_ORG });
    booksToken = fresh.accessToken;
    await books('PUT', `/invoices/${invoiceId}`, { reference_number: 'PO-77' });
    const failed = (await h.finishedRuns(flow('invoices'), 2))[1]!;
    expect(failed.status).toBe('failed');
    expect(JSON.stringify(failed.error)).toMatch(/reconnect/i);
    await h.reconnectBooks();
    const replay = await h.owner.client.post(h.api(`/runs/${failed.id}/replay`)).send({});
    expect(replay.status, replay.text).toBeLessThan(300);
    const afterReplay = await h.finishedRuns(flow('invoices'), 3);
    expect(afterReplay[2]!.status, JSON.stringify(afterReplay[2]!.error)).toBe('succeeded');
    expect(stepOutput(afterReplay[2]!, 'upsert_invoice')).toMatchObject({ path: 'linked', targetId: togaiInvoiceId });
    const invoicesOfAccount = ((await h.togai(`/invoices?account_id=${customerId}`)).body.data as Json[] | undefined) ?? [];
    expect(invoicesOfAccount.filter((i) => i.id !== togaiInvoiceId && (i.metadata as Json | undefined)?.booksInvoiceId === invoiceId)).toEqual([]);

    // The invoice deleted in Books → the Togai invoice voided.
    await books('DELETE', `/invoices/${invoiceId}`);
    const afterDelete = await h.finishedRuns(flow('invoices'), 4);
    expect(afterDelete[3]!.status, JSON.stringify(afterDelete[3]!.error)).toBe('succeeded');
    expect((await h.togai(`/invoices/${togaiInvoiceId}`)).body.status).toBe('VOID');

    // A vendor → the endpoint (request bin), not Togai.
    const vendor = await books('POST', '/contacts', { contact_name: 'Initech Supplies', contact_type: 'vendor' });
    const vendorId = (vendor.contact as Json).contact_id as string;
    await h.finishedRuns(flow('contacts'), 3);
    const vendorCalls = (await h.admin.binRequests('erp')).filter((r) => r.path.endsWith('/vendors'));
    expect(vendorCalls.map((r) => r.json)).toEqual([expect.objectContaining({ module: 'vendors', event: 'created', id: vendorId })]);
    expect(await h.links('zoho-books', 'contact', vendorId)).toEqual([]);

    // Deletions (HTTP DELETE ?contact_id=…): the customer → its Togai customer archived; the vendor → the endpoint.
    await books('DELETE', `/contacts/${contactId}`);
    await books('DELETE', `/contacts/${vendorId}`);
    const afterDeletes = await h.finishedRuns(flow('contacts'), 5);
    expect(afterDeletes.slice(3).map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    const deletes = (await h.admin.deliveries('books')).filter((d) => String(d.event).startsWith('books:contact.deleted'));
    expect(deletes.map((d) => [d.method, new URL(d.url as string).searchParams.get('contact_id')])).toEqual([['DELETE', contactId], ['DELETE', vendorId]]);
    expect((await h.togai(`/customers/${customerId}`)).body.status).toBe('ARCHIVED');
    const vendorEvents = (await h.admin.binRequests('erp')).filter((r) => r.path.endsWith('/vendors')).map((r) => r.json as Json);
    expect(vendorEvents.map((v) => [v.event, v.id])).toEqual([['created', vendorId], ['deleted', vendorId]]);

    // Bills: created and deleted (record with exist: false) → the endpoint.
    const billVendor = await books('POST', '/contacts', { contact_name: 'Umbrella Parts', contact_type: 'vendor' });
    await h.finishedRuns(flow('contacts'), 6);
    const expense = ((await books('GET', '/chartofaccounts')).chartofaccounts as Json[]).find((a) => a.account_type === 'expense')!;
    const bill = await books('POST', '/bills', {
      vendor_id: (billVendor.contact as Json).contact_id, bill_number: 'B-100', date: '2026-11-20',
      line_items: [{ account_id: expense.account_id, name: 'Bolts', rate: 12, quantity: 3 }],
    });
    const billId = (bill.bill as Json).bill_id as string;
    await books('DELETE', `/bills/${billId}`);
    const billRuns = await h.finishedRuns(flow('bills'), 2);
    expect(billRuns.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    const billCalls = (await h.admin.binRequests('erp')).filter((r) => r.path.endsWith('/bills')).map((r) => r.json as Json);
    // the two runs may finish in either order
    expect(billCalls.map((b) => [b.event, b.id, b.deleted]).sort()).toEqual([['created', billId, false], ['deleted', billId, true]]);

    // Reference data: the daily schedule run now → every list in batches of 10.
    const scheduledAt = new Date().toISOString();
    const started = await h.owner.client.post(h.api(`/flows/${flow('reference_data')}/runs`)).send({ payload: { scheduledAt, timezone: 'UTC' } });
    expect(started.status, started.text).toBe(202);
    const [refRun] = await h.finishedRuns(flow('reference_data'), 1);
    expect(refRun!.status, JSON.stringify(refRun!.error)).toBe('succeeded');
    const reference = (await h.admin.binRequests('erp')).filter((r) => r.path.includes('/reference/')).map((r) => r.json as Json);
    const chart = ((await books('GET', '/chartofaccounts?filter_by=AccountType.All')).chartofaccounts as Json[]).length;
    const accountBatches = reference.filter((r) => r.type === 'accounts');
    expect(accountBatches.length).toBe(Math.ceil(chart / 10));
    expect(accountBatches.every((b) => (b.items as unknown[]).length <= 10 && b.batches === accountBatches.length)).toBe(true);
    const types = new Set(reference.map((r) => r.type as string));
    expect([...types].every((t) => ['currencies', 'accounts', 'taxes', 'reporting_tags', 'bank_transactions'].includes(t))).toBe(true);
    for (const t of ['currencies', 'accounts', 'taxes']) expect(types.has(t), t).toBe(true);
    expect(reference.some((r) => r.type === 'currencies' && (r.items as Json[]).some((c) => c.currency_code === 'USD'))).toBe(true);

    // Module switch: bills off → its flow is disabled; Books' next bill call is refused (410) and nothing is sent.
    const switched = await h.owner.client.patch(h.api(`/integrations/${integration.id}`)).send({ modules: { bills: false } });
    expect(switched.status, switched.text).toBe(200);
    expect((switched.body.flows as Json[]).map((f) => [f.key, f.enabled])).toEqual([['contacts', true], ['invoices', true], ['bills', false], ['reference_data', true]]);
    const billsBefore = (await h.admin.binRequests('erp')).filter((r) => r.path.endsWith('/bills')).length;
    await books('POST', '/bills', {
      vendor_id: (billVendor.contact as Json).contact_id, bill_number: 'B-101', date: '2026-11-20',
      line_items: [{ account_id: expense.account_id, name: 'Nuts', rate: 2, quantity: 5 }],
    });
    let refused: Json | undefined;
    for (let i = 0; i < 100 && !refused; i++) {
      refused = (await h.admin.deliveries('books')).find((d) => d.event === 'books:bill.created' && ((d.attempts as Json[])[0]?.status === 410));
      if (!refused) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(refused).toBeDefined();
    expect((await h.runs(flow('bills'))).length).toBe(2);
    expect((await h.admin.binRequests('erp')).filter((r) => r.path.endsWith('/bills')).length).toBe(billsBefore);
  });
});
