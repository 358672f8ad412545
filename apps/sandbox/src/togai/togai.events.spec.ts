import { afterEach, describe, expect, it } from 'vitest';
import { generateWebhookSecret, signTogaiWebhook, verifyTogaiWebhookSignature } from './togai.signature.js';
import { customerBody, startReceiver, startTogai, type TogaiHarness } from './test-support/togai-client.js';

describe('Togai webhook signature (Standard Webhooks)', () => {
  // A fixed key so the expected HMAC can be computed independently of the implementation under test.
  const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

  it('verifies what it signs and rejects tampering, other secrets and stale timestamps', () => {
    const body = JSON.stringify({ type: 'customer.created', data: { id: 'c1' } });
    const now = 1_700_000_000;
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(now), 'webhook-signature': signTogaiWebhook(secret, 'msg_1', now, body) };
    expect(verifyTogaiWebhookSignature(secret, headers, body, 300, now)).toBe(true);
    expect(verifyTogaiWebhookSignature(secret, new Headers(headers), Buffer.from(body), 300, now + 299)).toBe(true);
    expect(verifyTogaiWebhookSignature(secret, headers, body.replace('c1', 'c2'), 300, now)).toBe(false);
    expect(verifyTogaiWebhookSignature(generateWebhookSecret(), headers, body, 300, now)).toBe(false);
    expect(verifyTogaiWebhookSignature(secret, headers, body, 300, now + 301)).toBe(false);
    expect(verifyTogaiWebhookSignature(secret, { ...headers, 'webhook-id': 'msg_2' }, body, 300, now)).toBe(false);
    expect(verifyTogaiWebhookSignature(secret, { ...headers, 'webhook-signature': `v1,bogus ${headers['webhook-signature']}` }, body, 300, now)).toBe(true);
    expect(verifyTogaiWebhookSignature(secret, { 'webhook-id': 'msg_1' }, body, 300, now)).toBe(false);
    expect(verifyTogaiWebhookSignature('not-a-secret', headers, body, 300, now)).toBe(false);
  });

  it('signs HMAC-SHA256 over "id.timestamp.body" with the base64-decoded key', async () => {
    const { createHmac } = await import('node:crypto');
    const expected = createHmac('sha256', Buffer.alloc(32, 7)).update('msg_x.1700000000.{}').digest('base64');
    expect(signTogaiWebhook(secret, 'msg_x', 1_700_000_000, '{}')).toBe(`v1,${expected}`);
    expect(generateWebhookSecret()).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  });
});

describe('Togai outbound events', () => {
  let t: TogaiHarness | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  afterEach(async () => {
    await t?.running.close();
    await receiver?.close();
    t = undefined;
    receiver = undefined;
  });

  const bodies = () => receiver!.received.map((r) => JSON.parse(r.body) as { type: string; timestamp: string; data: Record<string, unknown> });

  it('delivers signed events for customers, accounts, invoices and payments to the subscribed URL', async () => {
    t = await startTogai();
    receiver = await startReceiver();
    const subscription = await t.call('POST', '/_sandbox/webhooks', { url: receiver.url });
    expect(subscription.status).toBe(201);
    const secret: string = subscription.body.secret;
    expect(secret).toMatch(/^whsec_/);
    expect(subscription.body.events).toHaveLength(7);
    const listed = await t.call('GET', '/_sandbox/webhooks');
    expect(listed.body.data).toEqual([expect.objectContaining({ id: subscription.body.id, url: receiver.url })]);
    expect(JSON.stringify(listed.body)).not.toContain(secret);

    await t.call('POST', '/customers', customerBody('c1'));
    await t.call('PATCH', '/accounts/c1-acct', { name: 'Renamed account' });
    const draft = (await t.call('POST', '/invoices', {
      accountId: 'c1-acct', startDate: '2024-01-01T00:00:00Z', endDate: '2024-02-01T00:00:00Z', status: 'DRAFT',
      lineItems: [{ description: 'Fee', value: 100, metadata: { taxRate: 19 } }],
    })).body;
    const generated = await t.call('POST', `/_sandbox/invoices/${draft.id}/status`, { status: 'DUE' });
    expect(generated.body.status).toBe('DUE');
    await t.call('PATCH', `/invoices/${draft.id}`, { metadata: { booksInvoiceNumber: 'INV-1' } });
    await t.call('POST', '/payments', {
      accountId: 'c1-acct', currency: 'EUR', totalAmount: 119,
      externalPaymentReference: { sourceName: 'Bank', sourceType: 'BANK_TRANSFER', transactionNumber: 'T1' },
      lineItemRecords: [{ type: 'INVOICE', togaiId: draft.id, amount: 119, order: 1 }],
    });
    await t.running.sandbox.context.webhooks.idle();

    // deliveries run concurrently: no ordering promise (like most webhook feeds), so compare as sets
    expect(bodies().map((b) => b.type).sort()).toEqual(
      ['customer.created', 'account.created', 'account.updated', 'invoice.generated', 'invoice.updated', 'payment.recorded', 'invoice.updated'].sort(),
    );
    for (const request of receiver.received) {
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['webhook-id']).toMatch(/^msg_/);
      expect(verifyTogaiWebhookSignature(secret, request.headers as Record<string, string>, request.body)).toBe(true);
    }
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(7);
    const byType = (type: string) => bodies().filter((b) => b.type === type);
    const [customerCreated] = byType('customer.created');
    expect(customerCreated!.data).toMatchObject({ id: 'c1', name: 'Customer c1', primaryEmail: 'c1@example.com' });
    expect(customerCreated!.timestamp).toMatch(/Z$/);
    expect(byType('account.updated')[0]!.data).toMatchObject({ id: 'c1-acct', name: 'Renamed account' });
    const [invoiceGenerated] = byType('invoice.generated');
    expect(invoiceGenerated!.data).toMatchObject({ id: draft.id, status: 'DUE', totalAmount: 119 });
    expect((invoiceGenerated!.data.lineItems as unknown[])[0]).toMatchObject({ description: 'Fee', metadata: { taxRate: 19 } });
    const updates = byType('invoice.updated').map((b) => b.data);
    expect(updates).toContainEqual(expect.objectContaining({ status: 'DUE', metadata: { booksInvoiceNumber: 'INV-1' } }));
    expect(updates).toContainEqual(expect.objectContaining({ status: 'PAID', paidAmount: 119 }));
    expect(byType('payment.recorded')[0]!.data).toMatchObject({ accountId: 'c1-acct', totalAmount: 119 });
    const log = t.running.sandbox.context.webhooks.list({ service: 'togai' });
    expect(log.map((d) => d.event)).toContain('togai:invoice.generated');
  });

  it('retries a delivery the receiver refused, with the same message id and a valid signature', async () => {
    t = await startTogai();
    receiver = await startReceiver([500, 503]);
    const { secret } = (await t.call('POST', '/_sandbox/webhooks', { url: receiver.url, events: ['customer.created'] })).body;
    await t.call('POST', '/customers', customerBody('c1'));
    await t.running.sandbox.context.webhooks.idle();
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    for (const request of receiver.received) {
      expect(verifyTogaiWebhookSignature(secret, request.headers as Record<string, string>, request.body)).toBe(true);
    }
    const [delivery] = t.running.sandbox.context.webhooks.list({ service: 'togai' });
    expect(delivery!.attempts.map((a) => a.status)).toEqual([500, 503, 200]);
    expect(delivery!.succeeded).toBe(true);
    expect(JSON.stringify(delivery)).not.toContain(secret);
  });

  it('sends only the subscribed types, uses a given secret, and stops after unsubscribing', async () => {
    t = await startTogai();
    receiver = await startReceiver();
    const secret = `whsec_${Buffer.alloc(24, 1).toString('base64')}`;
    expect((await t.call('POST', '/_sandbox/webhooks', { url: receiver.url, secret: 'plain' })).body.message).toContain('secret');
    expect((await t.call('POST', '/_sandbox/webhooks', { url: 'ftp://x' })).body.message).toContain('url');
    expect((await t.call('POST', '/_sandbox/webhooks', { url: receiver.url, events: ['invoice.paid'] })).body.message).toContain('events[0]');
    const created = await t.call('POST', '/_sandbox/webhooks', { url: receiver.url, events: ['account.created'], secret });
    expect(created.body.secret).toBe(secret);
    await t.call('POST', '/customers', customerBody('c1'));
    await t.running.sandbox.context.webhooks.idle();
    expect(bodies().map((b) => b.type)).toEqual(['account.created']);
    expect(verifyTogaiWebhookSignature(secret, receiver.received[0]!.headers as Record<string, string>, receiver.received[0]!.body)).toBe(true);
    expect((await t.call('DELETE', `/_sandbox/webhooks/${created.body.id}`)).status).toBe(200);
    expect((await t.call('DELETE', `/_sandbox/webhooks/${created.body.id}`)).status).toBe(404);
    await t.call('POST', '/customers', customerBody('c2'));
    await t.running.sandbox.context.webhooks.idle();
    expect(receiver.received).toHaveLength(1);
  });

  it('needs the org token for the sandbox routes', async () => {
    t = await startTogai();
    expect((await t.call('GET', '/_sandbox/webhooks', undefined, {})).status).toBe(401);
  });
});
