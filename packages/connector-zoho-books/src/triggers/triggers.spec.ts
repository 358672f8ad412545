import {
  validateOutput,
  validateTriggerConfig,
  type AppWebhookTriggerDefinition,
  type PollingTriggerDefinition,
  type WebhookRequest,
  type WebhookTriggerDefinition,
} from '@braid/connector-sdk';
import { wellKnown } from '@braid/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { booksCall } from '../books.http.js';
import {
  connectBooks,
  eventually,
  records,
  startBooksSandbox,
  startReceiver,
  type BooksConnection,
  type BooksSandbox,
  type ReceivedCall,
} from '../test-support/books.fixture.js';
import { zohoBooksConnector } from '../zoho-books.connector.js';
import type { ModifiedCursor, ModifiedRecordsConfig } from './modified-records.trigger.js';
import { booksWebhookSecret, computeSignature } from './books.webhook.js';
import type { RecordEventsConfig, WorkflowWebhookConfig } from './webhook.triggers.js';

const trigger = <T>(key: string) => zohoBooksConnector.triggers.find((t) => t.key === key) as unknown as T;
const recordEvents = trigger<AppWebhookTriggerDefinition<RecordEventsConfig>>('record_events');
const workflowWebhook = trigger<WebhookTriggerDefinition<WorkflowWebhookConfig>>('workflow_webhook');
const modifiedRecords = trigger<PollingTriggerDefinition<ModifiedRecordsConfig, ModifiedCursor>>('modified_records');

const asRequest = (call: ReceivedCall): WebhookRequest & { path: string } => ({
  method: call.method,
  headers: call.headers,
  query: call.query,
  rawBody: call.rawBody,
  contentType: call.contentType,
  path: call.path,
});
const parseContext = <C>(config: C) => ({ config, logger: console as never, now: () => new Date() });

describe('instant triggers through Books webhooks (sandbox deliveries over HTTP)', () => {
  let sandbox: BooksSandbox;
  let books: BooksConnection;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    sandbox = await startBooksSandbox('demo');
    books = await connectBooks(sandbox);
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await sandbox?.close();
  });

  it('a Books webhook registered on publish fires on a sandbox change and is removed on unpublish', async () => {
    const config = validateTriggerConfig<RecordEventsConfig>(zohoBooksConnector, 'record_events', {
      entities: ['contact', 'invoice'],
    });
    // The runtime's secret need not fit Books' 12–50 alphanumerics: a Books secret is derived from it.
    const secret = 'rt_5ecret/with+symbols=';
    const registration = await recordEvents.register(books.ctx, { webhookUrl: `${receiver.url}/hooks/flow-1`, config, secret });
    // Created + updated share one rule: Books allows only 10 rules per module.
    expect(records(sandbox, 'webhooks')).toHaveLength(4);
    expect(records(sandbox, 'workflows').map((w) => `${w.entity}:${w.event}`).sort()).toEqual(
      ['contact:on_create_or_edit', 'contact:on_delete', 'invoice:on_create_or_edit', 'invoice:on_delete'],
    );
    expect(registration.externalId.split(',')).toHaveLength(4);
    expect(JSON.stringify(registration.state)).not.toContain(secret);

    const receive = async (count: number) => {
      await eventually(() => receiver.received.length >= count);
      const call = receiver.received[count - 1]!;
      const request = asRequest(call);
      await recordEvents.verifyRequest!({ config, secret, state: registration.state, request, now: () => new Date() });
      const { events } = await recordEvents.parseRequest(parseContext(config), request);
      for (const e of events) expect(validateOutput(recordEvents.outputSchema, e.payload).issues).toEqual([]);
      return { events, request };
    };

    const contact = await books.run('create_contact', { contact_name: 'Hooli', email: 'gavin@hooli.example' });
    const created = await receive(1);
    expect(created.events).toEqual([
      { payload: expect.objectContaining({ entity: 'contact', event: 'created', record_id: contact.contact_id, deleted: false, contact_type: 'customer' }) },
    ]);
    // A tampered body fails verification.
    const tampered = { ...created.request, rawBody: Buffer.from(created.request.rawBody.toString().replace('Hooli', 'Evil')) };
    await expect(
      Promise.resolve().then(() => recordEvents.verifyRequest!({ config, secret, state: registration.state, request: tampered, now: () => new Date() })),
    ).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });

    const invoice = (await books.run('list_invoices', { status: 'draft' })).invoices[0];
    await sandbox.admin.advanceClock(5000);
    await books.run('update_invoice', { invoice_id: invoice.invoice_id, notes: 'edited in Books' });
    const edited = await receive(2);
    expect(edited.events[0]!.payload).toMatchObject({ entity: 'invoice', event: 'updated', record_id: invoice.invoice_id, record: { notes: 'edited in Books' } });

    await books.run('delete_contact', { contact_id: contact.contact_id });
    const deleted = await receive(3);
    expect(deleted.events[0]!.payload).toMatchObject({ entity: 'contact', event: 'deleted', deleted: true, record_id: contact.contact_id });

    // Only customers wanted: a vendor's change is dropped by the trigger.
    const customersOnly = { ...config, contactTypes: ['customer' as const] };
    const vendorCall = { ...deleted.request, rawBody: Buffer.from(JSON.stringify({ contact: { contact_id: '1', contact_type: 'vendor' } })) };
    expect((await recordEvents.parseRequest(parseContext(customersOnly), vendorCall)).events).toEqual([]);

    await recordEvents.unregister(books.ctx, { state: registration.state, config });
    expect(records(sandbox, 'webhooks')).toHaveLength(0);
    expect(records(sandbox, 'workflows')).toHaveLength(0);
    await books.run('create_contact', { contact_name: 'After Unpublish Ltd' });
    await books.run('update_invoice', { invoice_id: invoice.invoice_id, notes: 'edited again' });
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received).toHaveLength(3);
    // Unregistering twice is harmless (already gone counts as removed).
    await recordEvents.unregister(books.ctx, { state: registration.state, config });
  });

  it('registers one rule per event when asked for exact events, or when only one of created/updated is wanted', async () => {
    const register = async (c: Partial<RecordEventsConfig>, path: string) => {
      const config = validateTriggerConfig<RecordEventsConfig>(zohoBooksConnector, 'record_events', c);
      const registration = await recordEvents.register(books.ctx, { webhookUrl: `${receiver.url}/hooks/${path}`, config, secret: 'PaymentsSecret2026x' });
      const rules = records(sandbox, 'workflows').map((w) => `${w.entity}:${w.event}`).sort();
      await recordEvents.unregister(books.ctx, { state: registration.state, config });
      return rules;
    };
    expect(await register({ entities: ['customerpayment'], events: ['created'] }, 'flow-3')).toEqual(['customerpayment:on_create']);
    expect(await register({ entities: ['bill'], exactEvents: true }, 'flow-4')).toEqual(['bill:on_create', 'bill:on_delete', 'bill:on_edit']);
    expect(records(sandbox, 'workflows')).toHaveLength(0);
    expect(records(sandbox, 'webhooks')).toHaveLength(0);
  });

  it('backfills the chosen modules one after another', async () => {
    const config = validateTriggerConfig<RecordEventsConfig>(zohoBooksConnector, 'record_events', {
      entities: ['contact', 'invoice'],
      contactTypes: ['vendor'],
    });
    const first = await recordEvents.listExisting!(books.ctx, { cursor: null, config });
    const vendors = records(sandbox, 'contacts').filter((c) => c.contact_type === 'vendor');
    expect(first.items.map((i) => (i.payload as { record_id: string }).record_id).sort()).toEqual(vendors.map((v) => v.contact_id).sort());
    expect(first.hasMore).toBe(true);
    const second = await recordEvents.listExisting!(books.ctx, { cursor: first.nextCursor, config });
    expect(second.items).toHaveLength(records(sandbox, 'invoices').length);
    expect(second.items.every((i) => (i.payload as { entity: string }).entity === 'invoice')).toBe(true);
    expect(second).toMatchObject({ hasMore: false, nextCursor: null });
  });

  it('explains when the organisation\'s plan has no workflow rules', async () => {
    const uk = await connectBooks(sandbox, { organizationId: wellKnown.booksOrgs.acmeUk });
    const config = validateTriggerConfig<RecordEventsConfig>(zohoBooksConnector, 'record_events', { entities: ['invoice'] });
    const error = await recordEvents
      .register(uk.ctx, { webhookUrl: `${receiver.url}/hooks/uk`, config, secret: 'UkSecret2026abcdef' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFLICT' });
    expect((error as Error).message).toContain('plan');
    expect(records(sandbox, 'webhooks', wellKnown.booksOrgs.acmeUk)).toHaveLength(0);
  });

  it('removes what it created when a registration step fails', async () => {
    const before = records(sandbox, 'webhooks').length;
    await sandbox.admin.armFault({ service: 'books', kind: 'server-error', count: 1, method: 'POST', pathContains: '/settings/workflows' });
    const config = validateTriggerConfig<RecordEventsConfig>(zohoBooksConnector, 'record_events', { entities: ['bill'] });
    await expect(
      recordEvents.register(books.ctx, { webhookUrl: `${receiver.url}/hooks/flow-2`, config, secret: 'AnotherSecret2026xyz' }),
    ).rejects.toMatchObject({ code: 'RETRYABLE' });
    expect(records(sandbox, 'webhooks')).toHaveLength(before);
    expect(records(sandbox, 'workflows')).toHaveLength(0);
  });

  it('workflow_webhook verifies and parses a form-encoded webhook a Books user configured by hand', async () => {
    const secret = 'UserPastedSecret2026';
    const config = validateTriggerConfig<WorkflowWebhookConfig>(zohoBooksConnector, 'workflow_webhook', {});
    const hook = await booksCall(books.ctx, 'POST', '/settings/webhooks', {
      body: {
        webhook_name: 'Bills to Braid', entity: 'bill', url: `${receiver.url}/hooks/manual`, body_type: 'form', secret,
        form_data: [{ param_name: 'bill_id', param_value: '${bill.bill_id}' }, { param_name: 'bill_number', param_value: '${bill.bill_number}' }],
      },
    });
    await booksCall(books.ctx, 'POST', '/settings/workflows', {
      body: { workflow_name: 'Bills', entity: 'bill', event: 'on_create_or_edit', webhook_id: (hook.body.webhook as { webhook_id: string }).webhook_id },
    });
    const vendorId = (await books.run('find_contact', { contact_name: 'Cloud Hosting Ltd' })).contact_id;
    const account = (await books.run('list_accounts', { account_types: ['expense'] })).accounts[0].account_id;
    const count = receiver.received.length;
    const bill = await books.run('create_bill', {
      vendor_id: vendorId, bill_number: 'CH-2026-900', line_items: [{ name: 'Hosting', rate: 10, account_id: account }],
    });
    await eventually(() => receiver.received.length > count);
    const request = asRequest(receiver.received[count]!);
    expect(request.contentType).toContain('application/x-www-form-urlencoded');
    await workflowWebhook.verifyRequest!({ config, secret, request, now: () => new Date() });
    const { events } = await workflowWebhook.parseRequest(parseContext(config), request);
    expect(events[0]!.payload).toMatchObject({ entity: 'bill', record_id: bill.bill_id, record: { bill_number: 'CH-2026-900' }, deleted: false });
    await expect(
      Promise.resolve().then(() => workflowWebhook.verifyRequest!({ config, secret: 'SomeOtherSecret999', request, now: () => new Date() })),
    ).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('both instant triggers declare the secret Books accepts, and workflow_webhook verifies with exactly that secret', async () => {
    for (const t of [recordEvents, workflowWebhook]) {
      expect(t.secret).toEqual({ format: 'alphanumeric', length: 32 });
      const length = (t.secret as { length: number }).length;
      expect(length >= 12 && length <= 50).toBe(true); // Books: 12–50 letters and digits
    }
    // A signature made with a key derived from the secret (what a hidden derivation would use) is refused.
    const secret = 'K3yPastedIntoBooksExactly2026abc';
    const config = validateTriggerConfig<WorkflowWebhookConfig>(zohoBooksConnector, 'workflow_webhook', {});
    const rawBody = Buffer.from(JSON.stringify({ invoice: { invoice_id: '1', total: 5 } }));
    const request = (key: string): WebhookRequest => ({
      method: 'POST',
      headers: { 'x-zoho-webhook-signature': computeSignature(key, { method: 'POST', headers: {}, query: {}, rawBody, contentType: 'application/json' }) },
      query: {},
      rawBody,
      contentType: 'application/json',
    });
    await workflowWebhook.verifyRequest!({ config, secret, request: request(secret), now: () => new Date() });
    const legacy = 'whsec_abc-def_ghi';
    await expect(
      Promise.resolve().then(() => workflowWebhook.verifyRequest!({ config, secret: legacy, request: request(booksWebhookSecret(legacy)), now: () => new Date() })),
    ).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
  });
});

describe('polling modified records', () => {
  let sandbox: BooksSandbox;
  let books: BooksConnection;
  beforeAll(async () => {
    sandbox = await startBooksSandbox('demo');
    books = await connectBooks(sandbox);
  });
  afterAll(async () => sandbox?.close());

  const config = (c: Partial<ModifiedRecordsConfig>) => validateTriggerConfig<ModifiedRecordsConfig>(zohoBooksConnector, 'modified_records', c);
  const ids = (items: Array<{ payload: unknown }>) => items.map((i) => (i.payload as { record_id: string }).record_id);

  it('invoices: only records changed since the cursor, oldest first, and the cursor continues without repeats', async () => {
    const cfg = config({ entity: 'invoice', batchSize: 2 });
    const first = await modifiedRecords.poll(books.ctx, { cursor: null, config: cfg });
    expect(first.items).toEqual([]);
    let cursor = first.nextCursor!;
    expect((await modifiedRecords.poll(books.ctx, { cursor, config: cfg })).items).toEqual([]);

    await sandbox.admin.advanceClock(60_000);
    const invoices = (await books.run('list_invoices', {})).invoices as Array<{ invoice_id: string; status: string }>;
    const draft = invoices.find((i) => i.status === 'draft')!;
    await books.run('update_invoice', { invoice_id: draft.invoice_id, notes: 'changed 1' });
    await sandbox.admin.advanceClock(1000);
    const customerId = (await books.run('find_contact', { contact_name: 'Globex Corporation' })).contact_id;
    const fresh = await books.run('create_invoice', { customer_id: customerId, line_items: [{ name: 'New', rate: 5 }] });
    await sandbox.admin.advanceClock(1000);
    const sent = invoices.find((i) => i.status === 'sent')!;
    await books.run('update_invoice', { invoice_id: sent.invoice_id, notes: 'changed 3' });

    const page1 = await modifiedRecords.poll(books.ctx, { cursor, config: cfg });
    expect(ids(page1.items)).toEqual([draft.invoice_id, fresh.invoice_id]);
    expect(page1.hasMore).toBe(true);
    expect((page1.items[1]!.payload as { event: string }).event).toBe('created');
    expect((page1.items[0]!.payload as { event: string }).event).toBe('updated');
    for (const item of page1.items) expect(validateOutput(modifiedRecords.outputSchema, item.payload).issues).toEqual([]);
    cursor = page1.nextCursor!;
    const page2 = await modifiedRecords.poll(books.ctx, { cursor, config: cfg });
    expect(ids(page2.items)).toEqual([sent.invoice_id]);
    expect(page2.hasMore).toBe(false);
    cursor = page2.nextCursor!;
    expect((await modifiedRecords.poll(books.ctx, { cursor, config: cfg })).items).toEqual([]);

    // Changed again later: it comes again, once.
    await sandbox.admin.advanceClock(60_000);
    await books.run('update_invoice', { invoice_id: draft.invoice_id, notes: 'changed 4' });
    const again = await modifiedRecords.poll(books.ctx, { cursor, config: cfg });
    expect(ids(again.items)).toEqual([draft.invoice_id]);
    expect(again.items[0]!.id).not.toBe(page1.items[0]!.id);
    expect((await modifiedRecords.poll(books.ctx, { cursor: again.nextCursor, config: cfg })).items).toEqual([]);
  });

  it('contacts (sorted by modification, stopping at the watermark), bills and payments; with full records on request', async () => {
    const start = async (entity: ModifiedRecordsConfig['entity'], extra: Partial<ModifiedRecordsConfig> = {}) => {
      const cfg = config({ entity, ...extra });
      return { cfg, cursor: (await modifiedRecords.poll(books.ctx, { cursor: null, config: cfg })).nextCursor! };
    };
    const contacts = await start('contact', { contactType: 'customer', includeDetails: true });
    const bills = await start('bill');
    const payments = await start('customerpayment');
    await sandbox.admin.advanceClock(60_000);

    const customer = await books.run('create_contact', { contact_name: 'Pied Piper', email: 'richard@piedpiper.example' });
    await books.run('create_contact', { contact_name: 'Vendor Co', contact_type: 'vendor' });
    const vendorId = (await books.run('find_contact', { contact_name: 'Office Supplies Co' })).contact_id;
    const account = (await books.run('list_accounts', { account_types: ['expense'] })).accounts[0].account_id;
    const bill = await books.run('create_bill', { vendor_id: vendorId, bill_number: 'POLL-1', line_items: [{ name: 'x', rate: 3, account_id: account }] });
    const invoice = (await books.run('list_invoices', { status: 'sent' })).invoices[0];
    const payment = await books.run('record_payment', {
      customer_id: invoice.customer_id, amount: 1, date: invoice.date, invoices: [{ invoice_id: invoice.invoice_id, amount_applied: 1 }],
    });

    const contactPoll = await modifiedRecords.poll(books.ctx, { cursor: contacts.cursor, config: contacts.cfg });
    expect(ids(contactPoll.items)).toEqual([customer.contact_id]);
    expect((contactPoll.items[0]!.payload as { record: { contact_persons: unknown[] } }).record.contact_persons).toHaveLength(1);
    expect((await modifiedRecords.poll(books.ctx, { cursor: contactPoll.nextCursor, config: contacts.cfg })).items).toEqual([]);

    const billPoll = await modifiedRecords.poll(books.ctx, { cursor: bills.cursor, config: bills.cfg });
    expect(ids(billPoll.items)).toEqual([bill.bill_id]);
    const paymentPoll = await modifiedRecords.poll(books.ctx, { cursor: payments.cursor, config: payments.cfg });
    expect(ids(paymentPoll.items)).toEqual([payment.payment_id]);
    expect((await modifiedRecords.poll(books.ctx, { cursor: paymentPoll.nextCursor, config: payments.cfg })).items).toEqual([]);
  });

  it('backfills existing records: the last 12 months first, then the older history', async () => {
    const customerId = (await books.run('find_contact', { contact_name: 'Initech' })).contact_id;
    const old = await books.run('create_invoice', {
      customer_id: customerId, date: '2023-03-01', line_items: [{ name: 'Old work', rate: 80 }],
    });
    const cfg = config({ entity: 'invoice' });
    const listExisting = modifiedRecords.listExisting!;
    const recent = await listExisting(books.ctx, { cursor: null, config: cfg, phase: 'recent' });
    const older = await listExisting(books.ctx, { cursor: null, config: cfg, phase: 'older' });
    const all = await listExisting(books.ctx, { cursor: null, config: cfg });
    expect(ids(older.items)).toEqual([old.invoice_id]);
    expect(ids(recent.items)).not.toContain(old.invoice_id);
    expect(all.items).toHaveLength(recent.items.length + older.items.length);
    expect(all.hasMore).toBe(false);
    expect(all.nextCursor).toBeNull();
  });
});

describe('backfill pages through large lists', () => {
  let sandbox: BooksSandbox;
  beforeAll(async () => {
    sandbox = await startBooksSandbox({ name: 'empty', books: { customers: 450 } });
  });
  afterAll(async () => sandbox?.close());

  it('returns 200 contacts per call with a cursor until done', async () => {
    const books = await connectBooks(sandbox);
    const cfg = validateTriggerConfig<ModifiedRecordsConfig>(zohoBooksConnector, 'modified_records', { entity: 'contact' });
    const seen: string[] = [];
    let cursor: unknown = null;
    for (let i = 0; i < 5; i++) {
      const page = await modifiedRecords.listExisting!(books.ctx, { cursor: cursor as ModifiedCursor | null, config: cfg });
      seen.push(...page.items.map((item) => item.id.split('@')[0]!));
      if (!page.hasMore) break;
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(450);
    expect(new Set(seen).size).toBe(450);
  });
});
