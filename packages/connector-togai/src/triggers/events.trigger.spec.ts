import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectorError, noopLogger, validateTriggerConfig, type WebhookRequest } from '@braid/connector-sdk';
import { signTogaiWebhook, verifyTogaiWebhookSignature } from '@braid/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { togaiConnector } from '../togai.connector.js';
import { address, startTogaiHarness, type TogaiHarness } from '../test-support/togai.harness.js';
import { eventsManualTrigger, eventsTrigger, type EventsConfig, type ManualConfig } from './events.trigger.js';
import { verifyStandardWebhook } from './standard-webhooks.signature.js';

/** A local endpoint standing in for the runtime's webhook ingress: keeps every request as a WebhookRequest. */
async function startReceiver(): Promise<{ url: string; requests: WebhookRequest[]; close(): Promise<void> }> {
  const requests: WebhookRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name.toLowerCase()] = value;
      requests.push({ method: req.method ?? 'POST', headers, query: {}, rawBody: Buffer.concat(chunks), contentType: headers['content-type'] ?? '' });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/flow-1`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

function signedRequest(body: string, options: { id?: string; timestamp?: number; key?: string } = {}): WebhookRequest {
  const id = options.id ?? 'msg_test_1';
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signTogaiWebhook(options.key ?? secret, id, timestamp, body),
    },
    query: {},
    rawBody: Buffer.from(body),
    contentType: 'application/json',
  };
}

const parseContext = <C>(config: C, state?: unknown) => ({ config, state, logger: noopLogger, now: () => new Date() });

describe('Standard Webhooks verification', () => {
  const body = JSON.stringify({ type: 'customer.created', timestamp: '2026-03-01T00:00:00.000Z', data: { id: 'acme' } });

  it('accepts what the sandbox signs and refuses tampering, replays, wrong secrets and bad headers', () => {
    const request = signedRequest(body);
    expect(() => verifyStandardWebhook(secret, request, new Date())).not.toThrow();
    expect(verifyTogaiWebhookSignature(secret, request.headers, request.rawBody)).toBe(true);

    const tampered = { ...request, rawBody: Buffer.from(body.replace('acme', 'evil')) };
    expect(() => verifyStandardWebhook(secret, tampered, new Date())).toThrow(/does not match/);
    const old = signedRequest(body, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(() => verifyStandardWebhook(secret, old, new Date())).toThrow(/replay/);
    const otherKey = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    expect(() => verifyStandardWebhook(otherKey, request, new Date())).toThrow(/does not match/);
    const missing = { ...request, headers: { ...request.headers, 'webhook-signature': '' } };
    expect(() => verifyStandardWebhook(secret, missing, new Date())).toThrow(/lacks/);
    expect(() => verifyStandardWebhook('not-a-secret', request, new Date())).toThrow(/whsec_/);

    // Key rotation: any one of several space-separated signatures may match.
    const rotated = { ...request, headers: { ...request.headers, 'webhook-signature': `v1,AAAA ${request.headers['webhook-signature']}` } };
    expect(() => verifyStandardWebhook(secret, rotated, new Date())).not.toThrow();
    try {
      verifyStandardWebhook(secret, tampered, new Date());
    } catch (error) {
      expect((error as ConnectorError).code).toBe('SIGNATURE_INVALID');
      expect((error as Error).message).not.toContain(secret.slice(6, 20));
    }
  });
});

describe('events trigger (app-webhook) against the sandbox', () => {
  let t: TogaiHarness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    t = await startTogaiHarness('empty');
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  const delivered = async () => {
    await t.running.sandbox.context.webhooks.idle();
    return receiver.requests;
  };

  it('subscribes, receives a signed change, verifies it, parses it with the delivery id, and unsubscribes', async () => {
    const config = validateTriggerConfig<EventsConfig>(togaiConnector, 'events', { events: ['customer.created', 'account.created'] });
    const registration = await eventsTrigger.register(t.context(), { webhookUrl: receiver.url, config, secret: 'runtime-generated' });
    expect(t.state().subscriptions).toEqual([expect.objectContaining({ id: registration.externalId, url: receiver.url, events: ['customer.created', 'account.created'] })]);
    const state = registration.state as { secret: string };
    expect(state.secret).toMatch(/^whsec_/);

    await t.run('create_customer', { id: 'acme', name: 'Acme Corp', primaryEmail: 'billing@acme.example', address, account: { id: 'acme-main', name: 'Acme Main' } });
    await t.run('update_customer', { customerId: 'acme', name: 'Acme Corporation' }); // customer.updated: not subscribed
    const requests = await delivered();
    expect(requests).toHaveLength(2);

    const events = [];
    for (const request of requests) {
      await eventsTrigger.verifyRequest!({ config, state: registration.state, request, now: () => new Date() });
      expect(verifyTogaiWebhookSignature(state.secret, request.headers, request.rawBody)).toBe(true);
      events.push(...(await eventsTrigger.parseRequest(parseContext(config, registration.state), request)).events);
    }
    const byType = Object.fromEntries(events.map((e) => [(e.payload as { type: string }).type, e]));
    expect(byType['customer.created']).toMatchObject({
      id: requests.find((r) => r.rawBody.includes('customer.created'))!.headers['webhook-id'],
      payload: { type: 'customer.created', objectType: 'customer', objectId: 'acme', data: { name: 'Acme Corp' } },
    });
    expect(byType['account.created']).toMatchObject({ payload: { objectType: 'account', objectId: 'acme-main', data: { customerId: 'acme' } } });
    expect(events[0]!.id).toMatch(/^msg_/);

    // A tampered delivery is refused.
    const tampered = { ...requests[0]!, rawBody: Buffer.from(requests[0]!.rawBody.toString().replace('acme', 'evil')) };
    await expect(
      Promise.resolve().then(() => eventsTrigger.verifyRequest!({ config, state: registration.state, request: tampered, now: () => new Date() })),
    ).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
    // Without a registration state nothing verifies.
    expect(() => eventsTrigger.verifyRequest!({ config, state: undefined, request: requests[0]!, now: () => new Date() })).toThrow(/publish the flow again/);

    // Event types outside the config are acknowledged but start nothing.
    const onlyInvoices = validateTriggerConfig<EventsConfig>(togaiConnector, 'events', { events: ['invoice.generated'] });
    expect((await eventsTrigger.parseRequest(parseContext(onlyInvoices), requests[0]!)).events).toEqual([]);

    await eventsTrigger.unregister(t.context(), { state: registration.state, config });
    expect(t.state().subscriptions).toEqual([]);
    await t.run('create_customer', { id: 'later', name: 'Later Ltd', primaryEmail: 'later@example.com', address });
    expect(await delivered()).toHaveLength(2);
    // Unregistering twice is harmless.
    await eventsTrigger.unregister(t.context(), { state: registration.state, config });
  });

  it('lists existing records as events for an initial sync, object type by object type', async () => {
    const config = validateTriggerConfig<EventsConfig>(togaiConnector, 'events', { events: ['customer.updated', 'account.created'] });
    const seen: Array<[string, string, string]> = [];
    let cursor: unknown = null;
    for (let page = 0; page < 10; page++) {
      const result = await eventsTrigger.listExisting!(t.context(), { cursor, config });
      seen.push(...result.items.map((i) => [i.id, (i.payload as { type: string }).type, (i.payload as { objectId: string }).objectId] as [string, string, string]));
      cursor = result.nextCursor;
      if (!result.hasMore) break;
    }
    expect(seen).toEqual([
      ['customer:acme', 'customer.updated', 'acme'],
      ['customer:later', 'customer.created', 'later'],
      ['account:acme-main', 'account.created', 'acme-main'],
    ]);
    const onlyAccounts = await eventsTrigger.listExisting!(t.context(), { cursor: null, config, phase: 'account' });
    expect(onlyAccounts.items.map((i) => i.id)).toEqual(['account:acme-main']);
    expect(onlyAccounts.hasMore).toBe(false);
    await expect(eventsTrigger.listExisting!(t.context(), { cursor: null, config, phase: 'widgets' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('refuses to register on a production Togai connection and points to the Togai Flow webhook trigger', async () => {
    const production = t.context({ baseUrl: 'https://api.togai.com' });
    const config = validateTriggerConfig<EventsConfig>(togaiConnector, 'events', {});
    const error = (await eventsTrigger
      .register(production, { webhookUrl: 'https://braid.example.com/api/v1/hooks/abc', config, secret: 's' })
      .catch((e: unknown) => e)) as ConnectorError;
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.message).toMatch(/no API to subscribe/);
    expect(error.message).toContain('Togai Flow webhook');
    expect(error.message).toContain('https://braid.example.com/api/v1/hooks/abc');
  });

  it('rejects bodies that are not platform events', async () => {
    const config = validateTriggerConfig<EventsConfig>(togaiConnector, 'events', {});
    const notJson = { ...signedRequest('{'), rawBody: Buffer.from('{') };
    await expect(eventsTrigger.parseRequest(parseContext(config), notJson)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const unknownType = signedRequest(JSON.stringify({ type: 'invoice.exploded', data: {} }));
    await expect(eventsTrigger.parseRequest(parseContext(config), unknownType)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('events_manual trigger (webhook)', () => {
  const body = JSON.stringify({ type: 'invoice.generated', timestamp: '2026-03-01T00:00:00.000Z', data: { id: 'invoice.000007', status: 'DUE' } });

  it('verifies Standard Webhooks deliveries with a pasted signing secret', async () => {
    const config = validateTriggerConfig<ManualConfig>(togaiConnector, 'events_manual', { verification: 'standard-webhooks', signingSecret: secret });
    const request = signedRequest(body, { id: 'msg_manual_1' });
    await eventsManualTrigger.verifyRequest!({ config, secret: 'runtime-secret', request, now: () => new Date() });
    const parsed = await eventsManualTrigger.parseRequest(parseContext(config), request);
    expect(parsed.events).toEqual([
      {
        id: 'msg_manual_1',
        payload: { eventId: 'msg_manual_1', type: 'invoice.generated', objectType: 'invoice', objectId: 'invoice.000007', occurredAt: '2026-03-01T00:00:00.000Z', data: { id: 'invoice.000007', status: 'DUE' } },
      },
    ]);
    const tampered = { ...request, rawBody: Buffer.from(body.replace('DUE', 'PAID')) };
    expect(() => eventsManualTrigger.verifyRequest!({ config, secret: 'runtime-secret', request: tampered, now: () => new Date() })).toThrow(
      /does not match/,
    );
    const noSecret = validateTriggerConfig<ManualConfig>(togaiConnector, 'events_manual', { verification: 'standard-webhooks' });
    expect(() => eventsManualTrigger.verifyRequest!({ config: noSecret, secret: 'plain', request, now: () => new Date() })).toThrow(/Paste/);
  });

  it('verifies a Togai Flow\'s secret header and explains the set-up without revealing the secret', async () => {
    const config = validateTriggerConfig<ManualConfig>(togaiConnector, 'events_manual', {});
    const request: WebhookRequest = {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-braid-secret': 'runtime-secret-123' },
      query: {},
      rawBody: Buffer.from(body),
      contentType: 'application/json',
    };
    expect(() => eventsManualTrigger.verifyRequest!({ config, secret: 'runtime-secret-123', request, now: () => new Date() })).not.toThrow();
    expect(() => eventsManualTrigger.verifyRequest!({ config, secret: 'runtime-secret-124', request, now: () => new Date() })).toThrow(
      /does not match/,
    );
    const parsed = await eventsManualTrigger.parseRequest(parseContext(config), request);
    expect(parsed.events).toHaveLength(1);
    expect(parsed.events[0]!.id).toBeUndefined();
    await expect(eventsManualTrigger.parseRequest(parseContext(config), { ...request, method: 'GET' })).rejects.toMatchObject({ status: 405 });

    const setup = eventsManualTrigger.setupInstructions!(config, 'https://braid.example.com/hooks/x', 'runtime-secret-123');
    expect(setup).toMatchObject({ method: 'POST', url: 'https://braid.example.com/hooks/x' });
    expect(setup.headers['x-braid-secret']).toBeDefined();
    expect(JSON.stringify(setup)).not.toContain('runtime-secret-123');
    expect(setup.notes.join(' ')).toMatch(/Flow/);
  });
});
