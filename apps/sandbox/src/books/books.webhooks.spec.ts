import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { wellKnown } from '../core/sandbox.tenants.js';
import { verifyBooksWebhookSignature } from './books.signature.js';
import { type BooksHarness, startBooksHarness } from './test-support/books.harness.js';

interface Received {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
}

async function startReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: new URL(req.url ?? '/', 'http://receiver'), headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const INVOICE_SECRET = 'InvoiceSecret2026';
const CONTACT_SECRET = 'ContactSecret2026';

describe('Books v3 workflow webhooks', () => {
  let h: BooksHarness | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  afterEach(async () => {
    await h?.close();
    await receiver?.close();
    h = undefined;
    receiver = undefined;
  });

  it('fires signed HTTP calls on create, edit and delete, configured through the settings API', async () => {
    h = await startBooksHarness();
    receiver = await startReceiver();

    const invoiceHook = await h.call('POST', '/settings/webhooks', {
      body: {
        webhook_name: 'Invoices to Braid', entity: 'invoice', method: 'POST', url: `${receiver.url}/hooks/invoices`,
        query_parameters: [{ param_name: 'token', param_value: 'braid-123' }, { param_name: 'number', param_value: '${invoice.invoice_number}' }],
        headers: [{ param_name: 'X-Braid-Flow', param_value: 'books-inbound' }],
        secret: INVOICE_SECRET, events: ['invoice.created', 'invoice.updated', 'invoice.deleted'],
      },
    });
    expect(invoiceHook.status).toBe(201);
    expect(invoiceHook.body.webhook.has_secret).toBe(true);
    expect(JSON.stringify(invoiceHook.body)).not.toContain(INVOICE_SECRET);

    const contactForm = (await h.call('POST', '/settings/webhooks', {
      body: {
        webhook_name: 'Contacts form', entity: 'contact', url: `${receiver.url}/hooks/contacts`, body_type: 'form',
        form_data: [{ param_name: 'name', param_value: '${contact.contact_name}' }, { param_name: 'id', param_value: '${contact_id}' }],
        secret: CONTACT_SECRET,
      },
    })).body.webhook;
    const contactDelete = (await h.call('POST', '/settings/webhooks', {
      body: { webhook_name: 'Contact deleted', entity: 'contact', method: 'DELETE', url: `${receiver.url}/hooks/contacts/\${contact_id}` },
    })).body.webhook;
    const rule1 = await h.call('POST', '/settings/workflows', {
      body: { workflow_name: 'Contact saved', entity: 'contact', event: 'on_create_or_edit', webhook_id: contactForm.webhook_id },
    });
    expect(rule1.status).toBe(201);
    await h.call('POST', '/settings/workflows', {
      body: { workflow_name: 'Contact removed', entity: 'contact', event: 'on_delete', webhook_id: contactDelete.webhook_id },
    });
    expect((await h.call('POST', '/settings/webhooks', { body: { entity: 'invoice', url: `${receiver.url}/x`, secret: 'short' } })).status).toBe(400);

    const contact = (await h.call('POST', '/contacts', { body: { contact_name: 'Hooked Ltd' } })).body.contact;
    const invoice = (await h.call('POST', '/invoices', {
      body: { customer_id: contact.contact_id, line_items: [{ name: 'Work', rate: 42 }] },
    })).body.invoice;
    await h.call('PUT', `/invoices/${invoice.invoice_id}`, { body: { notes: 'edited' } });
    await h.call('DELETE', `/invoices/${invoice.invoice_id}`);
    await h.call('DELETE', `/contacts/${contact.contact_id}`);
    await h.running.sandbox.context.webhooks.idle();

    const byPath = (path: string) => receiver!.received.filter((r) => r.url.pathname === path);
    const invoiceCalls = byPath('/hooks/invoices');
    expect(invoiceCalls).toHaveLength(3);
    for (const call of invoiceCalls) {
      expect(call.method).toBe('POST');
      expect(call.headers['content-type']).toBe('application/json');
      expect(call.headers['x-braid-flow']).toBe('books-inbound');
      expect(call.url.searchParams.get('token')).toBe('braid-123');
      expect(call.url.searchParams.get('number')).toBe(invoice.invoice_number);
      const signature = call.headers['x-zoho-webhook-signature'] as string;
      expect(verifyBooksWebhookSignature(INVOICE_SECRET, { query: call.url.searchParams, rawBody: call.body }, signature)).toBe(true);
      expect(verifyBooksWebhookSignature('SomeOtherSecret1', { query: call.url.searchParams, rawBody: call.body }, signature)).toBe(false);
    }
    // deliveries run concurrently, so they may arrive in any order: tell them apart by content
    const payloads = invoiceCalls.map((c) => JSON.parse(c.body).invoice);
    expect(payloads.map((p) => p.invoice_id)).toEqual([invoice.invoice_id, invoice.invoice_id, invoice.invoice_id]);
    const deleted = payloads.filter((p) => p.exist === false);
    const edited = payloads.filter((p) => p.exist === undefined && p.notes === 'edited');
    const created = payloads.filter((p) => p.exist === undefined && p.notes === '');
    expect([deleted.length, edited.length, created.length]).toEqual([1, 1, 1]);
    expect(created[0]).toMatchObject({ status: 'draft', total: 42, line_items: [expect.objectContaining({ name: 'Work' })] });

    const formCalls = byPath('/hooks/contacts');
    expect(formCalls).toHaveLength(1); // created; the delete goes to the other webhook
    expect(formCalls[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(formCalls[0]!.body);
    expect(Object.fromEntries(form)).toEqual({ name: 'Hooked Ltd', id: contact.contact_id });
    expect(verifyBooksWebhookSignature(CONTACT_SECRET, { query: formCalls[0]!.url.searchParams, form }, formCalls[0]!.headers['x-zoho-webhook-signature'] as string)).toBe(true);

    const deleteCalls = byPath(`/hooks/contacts/${contact.contact_id}`);
    expect(deleteCalls).toHaveLength(1);
    expect(deleteCalls[0]!.method).toBe('DELETE');
    expect(deleteCalls[0]!.headers['x-zoho-webhook-signature']).toBeUndefined();
    expect(JSON.parse(deleteCalls[0]!.body).contact).toMatchObject({ contact_id: contact.contact_id, exist: false });

    const log = h.running.sandbox.context.webhooks.list({ service: 'books' });
    expect(log.map((d) => d.event)).toEqual([
      'books:contact.created', 'books:invoice.created', 'books:invoice.updated', 'books:invoice.deleted', 'books:contact.deleted',
    ]);
    expect(log.every((d) => d.succeeded)).toBe(true);
  });

  it('fires invoice updates when payments change the balance, and stops when a rule is switched off', async () => {
    h = await startBooksHarness();
    receiver = await startReceiver();
    const hook = (await h.call('POST', '/settings/webhooks', { body: { entity: 'invoice', url: `${receiver.url}/inv` } })).body.webhook;
    const rule = (await h.call('POST', '/settings/workflows', {
      body: { workflow_name: 'Invoice edits', entity: 'invoice', event: 'on_edit', webhook_id: hook.webhook_id },
    })).body.workflow;
    expect((await h.call('DELETE', `/settings/webhooks/${hook.webhook_id}`)).status).toBe(400); // still used by the rule

    const customer = (await h.call('POST', '/contacts', { body: { contact_name: 'Payer Ltd' } })).body.contact;
    const invoice = (await h.call('POST', '/invoices', { query: { send: true }, body: { customer_id: customer.contact_id, line_items: [{ name: 'Work', rate: 100 }] } })).body.invoice;
    await h.call('POST', '/customerpayments', {
      body: { customer_id: customer.contact_id, payment_mode: 'cash', amount: 40, date: invoice.date, invoices: [{ invoice_id: invoice.invoice_id, amount_applied: 40 }] },
    });
    await h.running.sandbox.context.webhooks.idle();
    expect(receiver.received).toHaveLength(1); // on_edit only: no call for the creation
    expect(JSON.parse(receiver.received[0]!.body).invoice).toMatchObject({ status: 'partially_paid', balance: 60 });

    await h.call('PUT', `/settings/workflows/${rule.workflow_id}`, { body: { is_active: false } });
    await h.call('PUT', `/invoices/${invoice.invoice_id}`, { body: { notes: 'quiet' } });
    await h.running.sandbox.context.webhooks.idle();
    expect(receiver.received).toHaveLength(1);
    expect((await h.call('GET', '/settings/workflows')).body.workflows[0].is_active).toBe(false);
  });

  it('offers workflow automation only on plans that include it and caps rules per module', async () => {
    h = await startBooksHarness();
    const onStandard = await h.call('POST', '/settings/webhooks', { orgId: wellKnown.booksOrgs.acmeUk, body: { entity: 'invoice', url: 'http://127.0.0.1:9/x' } });
    expect(onStandard.status).toBe(400);
    expect(onStandard.body.message).toContain('standard plan');
    const hook = (await h.call('POST', '/settings/webhooks', { body: { entity: 'bill', url: 'http://127.0.0.1:9/x' } })).body.webhook;
    for (let i = 0; i < 10; i++) {
      const ok = await h.call('POST', '/settings/workflows', { body: { workflow_name: `r${i}`, entity: 'bill', event: 'on_create', webhook_id: hook.webhook_id } });
      expect(ok.status).toBe(201);
    }
    const eleventh = await h.call('POST', '/settings/workflows', { body: { workflow_name: 'r10', entity: 'bill', event: 'on_create', webhook_id: hook.webhook_id } });
    expect(eleventh.status).toBe(400);
  });
});
