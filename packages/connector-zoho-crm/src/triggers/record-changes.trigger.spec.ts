import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectorError, validateOutput, type AppWebhookTriggerDefinition, type WebhookRequest } from '@braid/connector-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zohoCrmConnector } from '../crm.connector.js';
import { startCrmHarness, type CrmHarness } from '../test-support/crm.harness.js';
import type { WatchState } from './record-changes.trigger.js';

const trigger = zohoCrmConnector.triggers.find((t) => t.key === 'record_changes') as AppWebhookTriggerDefinition;

interface Received {
  request: WebhookRequest;
  body: Record<string, unknown>;
}

/** A local HTTP receiver standing in for Braid's webhook ingress. */
async function startReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]));
      received.push({
        request: { method: req.method ?? 'POST', headers, query: Object.fromEntries(url.searchParams), rawBody, contentType: headers['content-type'] ?? '' },
        body: JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>,
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/hooks/crm-flow-1?src=crm`, received, close: () => new Promise((r) => server.close(() => r())) };
}

async function waitFor<T>(read: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 100; i += 1) {
    const value = read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const parseCtx = (state: unknown) => ({ config: {}, state, logger: { debug() {}, info() {}, warn() {}, error() {} }, now: () => new Date() });

describe('record_changes (instant): CRM watch channel against the sandbox', () => {
  let h: CrmHarness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    h = await startCrmHarness({ seed: 'demo' });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  it('registers a channel, gets a verified callback per change, renews before expiry, and stops after unregister', async () => {
    const config = { events: ['Accounts.all', 'Contacts.all', 'Addresses.all'] };
    const registration = await trigger.register(h.context(), { webhookUrl: receiver.url, config, secret: 'runtime-secret' });
    const state = registration.state as WatchState;
    expect(registration.externalId).toBe(state.channelId);
    expect(state.channelId).toMatch(/^\d{16}$/);
    expect(state.token.length).toBeLessThanOrEqual(50);
    const channel = h.state().watchChannels.find((c) => c.channel_id === state.channelId)!;
    expect(channel).toMatchObject({ notify_url: receiver.url, has_token: true });
    expect(channel.events).toEqual(expect.arrayContaining(['Accounts.create', 'Accounts.edit', 'Accounts.delete', 'Addresses.create']));
    const expiry = Date.parse(channel.channel_expiry);
    const sandboxNow = h.running.sandbox.context.clock.now();
    expect(expiry - sandboxNow).toBeGreaterThan(22.9 * 3600_000);
    expect(Math.abs(Date.parse(registration.expiresAt!) - expiry)).toBeLessThan(2000);

    // a change through the API → a callback that verifies and parses into one event per record
    const zylker = h.state().Accounts.find((a) => a.Account_Name === 'Zylker Inc')!;
    await h.run('update_records', { module: 'Accounts', records: [{ id: zylker.id, Phone: '+1 415 555 9999' }] });
    const update = await waitFor(() => receiver.received.find((r) => r.body.operation === 'update'), 'the update callback');
    expect(update.request.query).toEqual({ src: 'crm' });
    await trigger.verifyRequest!({ config, state, request: update.request, now: () => new Date() });
    const { events } = await trigger.parseRequest(parseCtx(state), update.request);
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({ module: 'Accounts', operation: 'update', recordId: zylker.id, affectedFields: ['Phone'], affectedValues: { Phone: '+1 415 555 9999' }, channelId: state.channelId });
    expect(events[0]!.id).toMatch(new RegExp(`^${state.channelId}:Accounts:${zylker.id}:\\d+$`));
    expect(validateOutput(trigger.outputSchema, events[0]!.payload).issues).toEqual([]);

    // the flow reads the record with get_record
    const fetched = await h.run('get_record', { module: 'Accounts', id: zylker.id, fields: ['Phone'] });
    expect(fetched.record.Phone).toBe('+1 415 555 9999');

    // a forged callback (wrong token, or another channel) is refused
    const forged = { ...update.request, rawBody: Buffer.from(JSON.stringify({ ...update.body, token: 'guess' })) };
    await expect(Promise.resolve().then(() => trigger.verifyRequest!({ config, state, request: forged, now: () => new Date() }))).rejects.toBeInstanceOf(ConnectorError);
    const otherChannel = { ...update.request, rawBody: Buffer.from(JSON.stringify({ ...update.body, channel_id: 1 })) };
    await expect(Promise.resolve().then(() => trigger.verifyRequest!({ config, state, request: otherChannel, now: () => new Date() }))).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });

    // inserts in a custom module arrive as well
    await h.run('insert_records', { module: 'Addresses', records: [{ Name: 'New depot', Account: { id: zylker.id }, Address_Type: 'Shipping' }] });
    const insert = await waitFor(() => receiver.received.find((r) => r.body.module === 'Addresses'), 'the Addresses callback');
    const inserted = (await trigger.parseRequest(parseCtx(state), insert.request)).events[0]!.payload;
    expect(inserted).toMatchObject({ module: 'Addresses', operation: 'insert', affectedFields: null });

    // renew: 22.5 h later the channel is extended to ~23 h from then (the access token expired meanwhile: refreshed)
    await h.admin.advanceClock(22.5 * 3600_000);
    const renewed = await trigger.renew!(h.context(), { state, config, webhookUrl: receiver.url, secret: 'runtime-secret' });
    expect(renewed.externalId).toBe(state.channelId);
    const renewedExpiry = Date.parse(h.state().watchChannels.find((c) => c.channel_id === state.channelId)!.channel_expiry);
    expect(renewedExpiry - expiry).toBeGreaterThan(22 * 3600_000);
    expect((renewed.state as WatchState).token).toBe(state.token);

    // unregister: the channel is gone and further changes call nobody
    await trigger.unregister(h.context(), { state: renewed.state, config });
    expect(h.state().watchChannels.some((c) => c.channel_id === state.channelId)).toBe(false);
    const before = (await h.admin.deliveries('crm')).length;
    await h.run('update_records', { module: 'Accounts', records: [{ id: zylker.id, Phone: '+1 415 555 0000' }] });
    expect((await h.admin.deliveries('crm')).length).toBe(before);
    // unregistering twice is harmless
    await trigger.unregister(h.context(), { state: renewed.state, config });
  });

  it('renews a channel that already expired by subscribing it again', async () => {
    const config = { events: ['Contacts.edit'], channelExpiryHours: 2 };
    const registration = await trigger.register(h.context(), { webhookUrl: receiver.url, config, secret: 's' });
    const state = registration.state as WatchState;
    await h.admin.advanceClock(3 * 3600_000);
    expect(h.state().watchChannels.some((c) => c.channel_id === state.channelId)).toBe(false);
    await trigger.renew!(h.context(), { state, config, webhookUrl: receiver.url, secret: 's' });
    const channel = h.state().watchChannels.find((c) => c.channel_id === state.channelId)!;
    expect(channel.events).toEqual(['Contacts.edit']);
    expect(Date.parse(channel.channel_expiry) - h.running.sandbox.context.clock.now()).toBeGreaterThan(1.9 * 3600_000);
    await trigger.unregister(h.context(), { state, config });
  });

  it('falls back to the longest lifetime CRM accepts', async () => {
    const config = { events: ['Accounts.delete'], channelExpiryHours: 72 };
    const registration = await trigger.register(h.context(), { webhookUrl: receiver.url, config, secret: 's' });
    const state = registration.state as WatchState;
    const channel = h.state().watchChannels.find((c) => c.channel_id === state.channelId)!;
    const hours = (Date.parse(channel.channel_expiry) - h.running.sandbox.context.clock.now()) / 3600_000;
    expect(hours).toBeGreaterThan(22.9);
    expect(hours).toBeLessThan(23.1);
    await trigger.unregister(h.context(), { state, config });
  });
});
