import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../core/sandbox.server.js';
import { verifyTogaiWebhookSignature } from './togai.signature.js';
import { customerBody, FrozenClock, type JsonBody, relaxedLimits, startReceiver, startTogai, type TogaiHarness, TOKEN } from './test-support/togai-client.js';

describe('Togai service', () => {
  let t: TogaiHarness | undefined;
  afterEach(async () => {
    await t?.running.close();
    t = undefined;
  });

  it('requires an API token (Bearer or X-API-Key) and answers 401 with a message otherwise', async () => {
    t = await startTogai();
    const missing = await t.call('GET', '/customers', undefined, {});
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ message: expect.stringContaining('Authorization') });
    expect((await t.call('GET', '/customers', undefined, { authorization: 'Bearer wrong-token' })).status).toBe(401);
    expect((await t.call('GET', '/customers', undefined, { authorization: TOKEN })).status).toBe(401);
    expect((await t.call('GET', '/customers', undefined, { 'x-api-key': TOKEN })).status).toBe(200);
    const unknownRoute = await t.call('GET', '/nowhere');
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.body.message).toContain('/togai/nowhere');
    const malformed = await fetch(`${t.base}/customers`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{"id":' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ message: expect.stringContaining('JSON') });
  });

  it('turns the API token into a 24 h JWT that authenticates and is echoed back', async () => {
    t = await startTogai();
    const issued = await t.call('POST', '/authenticate');
    expect(issued.status).toBe(200);
    const jwt: string = issued.body.token;
    expect(jwt.split('.')).toHaveLength(3);
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));
    expect(payload.exp - payload.iat).toBe(24 * 3600);
    const bearer = { authorization: `Bearer ${jwt}` };
    expect((await t.call('GET', '/customers', undefined, bearer)).status).toBe(200);
    expect((await t.call('POST', '/authenticate', undefined, bearer)).body).toEqual({ token: jwt });
    t.clock.advance(24 * 3600_000 + 1);
    expect((await t.call('GET', '/customers', undefined, bearer)).status).toBe(401);
    expect((await t.call('GET', '/customers')).status).toBe(200);
  });

  it('throttles the 11th API request within a second with 429 and no Retry-After, and recovers', async () => {
    t = await startTogai({ limits: {}, clock: new FrozenClock() });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await t.call('GET', '/customers')).status);
    expect(statuses).toEqual(Array(10).fill(200));
    const throttled = await t.call('GET', '/customers');
    expect(throttled.status).toBe(429);
    expect(throttled.body).toEqual({ message: 'Request throttled' });
    expect(throttled.headers.get('retry-after')).toBeNull();
    // ingestion has its own, larger quota
    const event = { schemaName: 's', id: 'e1', timestamp: '2024-01-01T00:00:00Z', accountId: 'a', attributes: [], dimensions: {} };
    expect((await t.call('POST', '/ingest', { event })).status).toBe(202);
    t.clock.advance(1000);
    expect((await t.call('GET', '/customers')).status).toBe(200);
  });

  it('allows 50 ingestion requests per second, separately for /ingest and /ingestBatch', async () => {
    t = await startTogai({ limits: {}, clock: new FrozenClock() });
    const event = { schemaName: 's', id: 'e1', timestamp: '2024-01-01T00:00:00Z', accountId: 'a', attributes: [], dimensions: {} };
    const statuses: number[] = [];
    for (let i = 0; i < 51; i++) statuses.push((await t.call('POST', '/ingest', { event })).status);
    expect(statuses.slice(0, 50)).toEqual(Array(50).fill(202));
    expect(statuses[50]).toBe(429);
    expect((await t.call('POST', '/ingestBatch', { events: [event] })).status).toBe(202);
    t.clock.advance(1000);
    expect((await t.call('POST', '/ingest', { event })).status).toBe(202);
  });

  it('serves injected faults in Togai\'s error envelope and records calls', async () => {
    t = await startTogai();
    const ctx = t.running.sandbox.context;
    ctx.faults.arm({ service: 'togai', kind: 'rate-limit', pathContains: '/customers' });
    ctx.faults.arm({ service: 'togai', kind: 'server-error', pathContains: '/invoices' });
    ctx.faults.arm({ service: 'togai', kind: 'unavailable', pathContains: '/ingest' });
    const limited = await t.call('GET', '/customers');
    expect(limited).toMatchObject({ status: 429, body: { message: 'Request throttled' } });
    expect(limited.headers.get('retry-after')).toBeNull();
    expect(await t.call('GET', '/invoices')).toMatchObject({ status: 500, body: { message: expect.any(String) } });
    expect((await t.call('POST', '/ingest', {})).status).toBe(503);
    expect((await t.call('GET', '/customers')).status).toBe(200);
    expect(ctx.calls.counts({ service: 'togai' })['GET /togai/customers']).toBe(2);
  });

  it('seeds demo records: orders and invoices in several states with 19 % and 7 % VAT and a discount', async () => {
    t = await startTogai({ seed: 'demo' });
    const customers = (await t.call('GET', '/customers')).body.data;
    expect(customers.map((c: { id: string }) => c.id)).toEqual(['globex', 'initech', 'umbrella']);
    const invoices = (await t.call('GET', '/invoices')).body.data as Array<{ id: string; status: string; invoiceClass: string }>;
    expect(invoices.map((i) => `${i.invoiceClass}:${i.status}`).sort()).toEqual(
      ['INVOICE:DUE', 'INVOICE:DRAFT', 'ORDER:PAID', 'ORDER:DUE', 'INVOICE:PARTIALLY_PAID', 'INVOICE:VOID'].sort(),
    );
    const paidOrder = invoices.find((i) => i.invoiceClass === 'ORDER' && i.status === 'PAID')!;
    const detail = (await t.call('GET', `/invoices/${paidOrder.id}`)).body;
    const rates = new Set(detail.lineItems.map((l: { metadata: { taxRate?: number } }) => l.metadata.taxRate));
    expect(rates).toEqual(new Set([19, 7]));
    expect(detail.lineItems.some((l: { value: number }) => l.value < 0)).toBe(true);
    const payments = (await t.call('GET', '/payments')).body.data;
    expect(payments).toHaveLength(2);
  });

  it('seeds bulk customers with shared and Togai-only names', async () => {
    t = await startTogai({ seed: { name: 'empty', togai: { customers: 5, invoices: 4 }, sharedNames: 2 } });
    const customers = (await t.call('GET', '/customers')).body.data;
    expect(customers.map((c: { id: string; name: string }) => `${c.id}=${c.name}`)).toEqual([
      'cust-0001=Customer 0001', 'cust-0002=Customer 0002', 'cust-0003=Togai Customer 0003', 'cust-0004=Togai Customer 0004', 'cust-0005=Togai Customer 0005',
    ]);
    expect((await t.call('GET', '/accounts/acct-0003')).body.customerId).toBe('cust-0003');
    expect((await t.call('GET', '/invoices')).body.data).toHaveLength(4);
  });

  it('keeps records across a snapshot restart and lists them for the console', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'togai-')), 'state.json');
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    let running = await startSandbox({ port: 0, seed: 'empty', snapshotFile: file, limits: relaxedLimits });
    const created = await fetch(`${running.url}/togai/customers`, { method: 'POST', headers, body: JSON.stringify(customerBody('kept')) });
    expect(created.status).toBe(201);
    const contact = await fetch(`${running.url}/togai/customers/kept/contacts`, { method: 'POST', headers, body: JSON.stringify({ name: 'Kept Person', email: 'kept@example.com' }) });
    expect(contact.status).toBe(201);
    await running.close();
    running = await startSandbox({ port: 0, snapshotFile: file, limits: relaxedLimits });
    try {
      expect((await fetch(`${running.url}/togai/customers/kept`, { headers })).status).toBe(200);
      const state = running.sandbox.service('togai')!.inspect();
      expect(Object.keys(state).sort()).toEqual(['accounts', 'contacts', 'customers', 'events', 'invoices', 'payments', 'subscriptions']);
      expect(state.contacts).toEqual([expect.objectContaining({ customerId: 'kept', name: 'Kept Person', username: expect.any(String) })]);
      expect(state.customers).toEqual([expect.objectContaining({ id: 'kept', orgId: 'togai-org-1' })]);
      expect(state.accounts).toHaveLength(1);
    } finally {
      await running.close();
    }
  });

  it('offers console actions that change records like the API does (events included)', async () => {
    t = await startTogai({ seed: 'demo' });
    const receiver = await startReceiver();
    try {
      const console = async (action: string, values: Record<string, string>) => {
        const response = await fetch(`${t!.running.url}/_admin/console/togai/${action}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ values }),
        });
        return { status: response.status, body: (await response.json()) as { ok?: boolean; result: JsonBody; message?: string } };
      };
      const keys = t.running.sandbox.service('togai')!.consoleActions!.map((a) => a.key);
      expect(keys).toEqual(['create-customer', 'rename-customer', 'generate-invoice', 'set-invoice-status', 'record-payment', 'subscribe-webhook']);
      const subscribed = await console('subscribe-webhook', { url: receiver.url, events: 'invoice.generated,payment.recorded' });
      expect(subscribed.body.result.secret).toMatch(/^whsec_/);
      const created = await console('create-customer', { id: 'hooli', name: 'Hooli GmbH', email: 'ap@hooli.example', currency: 'EUR', country: 'de' });
      expect(created.body.result).toEqual({ customer: 'hooli', account: 'hooli-main' });
      const generated = await console('generate-invoice', { accountId: 'hooli-main', invoiceClass: 'ORDER', amount: '100', taxRate: '7', discount: '10' });
      expect(generated.body.result.totalAmount).toBe(96.3);
      const invoice = (await t.call('GET', `/invoices/${generated.body.result.invoice}`)).body;
      expect(invoice).toMatchObject({ status: 'DUE', invoiceClass: 'ORDER' });
      const paid = await console('record-payment', { invoiceId: invoice.id });
      expect(paid.body.result.invoiceStatus).toBe('PAID');
      expect((await console('record-payment', { invoiceId: invoice.id })).status).toBeGreaterThanOrEqual(400);
      await t.running.sandbox.context.webhooks.idle();
      expect(receiver.received.map((r) => JSON.parse(r.body).type).sort()).toEqual(['invoice.generated', 'payment.recorded']);
      for (const r of receiver.received) {
        expect(verifyTogaiWebhookSignature(subscribed.body.result.secret, r.headers as Record<string, string>, r.body)).toBe(true);
      }
    } finally {
      await receiver.close();
    }
  });
});
