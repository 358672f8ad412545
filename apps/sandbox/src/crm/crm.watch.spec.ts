import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type CrmHarness, startCrmHarness } from './test-support/crm.harness.js';

type Rows = { data: Array<Record<string, unknown>> };

/** A local HTTP server standing in for the connector's notify_url. */
async function startReceiver(): Promise<{ url: string; received: Array<{ url: string; body: Record<string, unknown> }>; close(): Promise<void> }> {
  const received: Array<{ url: string; body: Record<string, unknown> }> = [];
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      received.push({ url: req.url ?? '', body: JSON.parse(data) as Record<string, unknown> });
      res.writeHead(200).end('ok');
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

describe('CRM notifications (watch)', () => {
  let h: CrmHarness | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  afterEach(async () => {
    await h?.close();
    await receiver?.close();
    h = undefined;
    receiver = undefined;
  });

  it('POSTs callbacks with the channel token for watched events until the channel expires', async () => {
    h = await startCrmHarness();
    receiver = await startReceiver();
    const sub = await h.call<{ watch: Array<Record<string, unknown>> }>('POST', '/actions/watch', {
      body: {
        watch: [{
          channel_id: 1000000068001,
          events: ['Accounts.all', 'Contacts.create'],
          token: 'braid-secret-token',
          notify_url: `${receiver.url}/hooks/crm?connection=c-1`,
          return_affected_field_values: true,
        }],
      },
    });
    expect(sub.status).toBe(201);
    expect(sub.body.watch[0]).toMatchObject({
      code: 'SUCCESS', status: 'success',
      details: { events: expect.arrayContaining([expect.objectContaining({ resource_name: 'Accounts', channel_id: '1000000068001' })]) },
    });

    const created = await h.call<Rows>('POST', '/Accounts', { body: { data: [{ Account_Name: 'Watched Co' }, { Account_Name: 'Other Co' }] } });
    const ids = created.body.data.map((r) => (r.details as { id: string }).id);
    await h.call('PUT', '/Accounts', { body: { data: [{ id: ids[0], Phone: '+1 555 0000' }] } });
    await h.call('DELETE', `/Accounts?ids=${ids[1]}`);
    await h.call('POST', '/Contacts', { body: { data: [{ Last_Name: 'Watcher' }] } });
    const contactsList = await h.call<Rows>('GET', '/Contacts?fields=Last_Name');
    await h.call('PUT', '/Contacts', { body: { data: [{ id: contactsList.body.data[0]!.id, Title: 'x' }] } }); // Contacts.edit not watched
    await h.running.sandbox.context.webhooks.idle();

    expect(receiver.received.map((r) => `${r.body.module}:${r.body.operation}`)).toEqual([
      'Accounts:insert', 'Accounts:update', 'Accounts:delete', 'Contacts:insert',
    ]);
    const [insert, update] = receiver.received;
    expect(insert!.url).toBe('/hooks/crm?connection=c-1');
    expect(insert!.body).toMatchObject({
      ids, channel_id: 1000000068001, token: 'braid-secret-token', query_params: { connection: 'c-1' },
      resource_uri: `${h.base}/Accounts`, server_time: expect.any(Number),
    });
    expect(update!.body).toMatchObject({ ids: [ids[0]], affected_fields: [{ [ids[0]!]: ['Phone'] }] });

    const list = await h.call<{ watch: Array<Record<string, unknown>> }>('GET', '/actions/watch');
    expect(list.body.watch.map((w) => [w.resource_name, w.events])).toEqual([
      ['Accounts', ['Accounts.create', 'Accounts.edit', 'Accounts.delete']],
      ['Contacts', ['Contacts.create']],
    ]);

    // default expiry is one hour (limits.crm.watchDefaultExpiryMs): afterwards nothing fires and GET lists nothing
    h.running.sandbox.context.clock.advance(h.running.sandbox.context.limits.crm.watchDefaultExpiryMs + 1);
    await h.refresh();
    await h.call('POST', '/Accounts', { body: { data: [{ Account_Name: 'After Expiry' }] } });
    await h.running.sandbox.context.webhooks.idle();
    expect(receiver.received).toHaveLength(4);
    const after = await h.call('GET', '/actions/watch');
    expect(after.status).toBe(204);
  });

  it('validates subscriptions and supports PATCH, PUT and DELETE', async () => {
    h = await startCrmHarness();
    receiver = await startReceiver();
    const tooLong = await h.call<{ watch: Array<Record<string, unknown>> }>('POST', '/actions/watch', {
      body: { watch: [{ channel_id: 7, events: ['Accounts.all'], notify_url: receiver.url, token: 'x'.repeat(51) }] },
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.watch[0]).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'token' } });
    const badEvent = await h.call<{ watch: Array<Record<string, unknown>> }>('POST', '/actions/watch', {
      body: { watch: [{ channel_id: 7, events: ['Deals.all'], notify_url: receiver.url }] },
    });
    expect(badEvent.body.watch[0]).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'events' } });
    const farExpiry = new Date(h.running.sandbox.context.clock.now() + 8 * 24 * 3600_000).toISOString();
    const tooFar = await h.call<{ watch: Array<Record<string, unknown>> }>('POST', '/actions/watch', {
      body: { watch: [{ channel_id: 7, events: ['Accounts.all'], notify_url: receiver.url, channel_expiry: farExpiry }] },
    });
    expect(tooFar.body.watch[0]).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'channel_expiry' } });

    await h.call('POST', '/actions/watch', { body: { watch: [{ channel_id: 7, events: ['Accounts.all'], notify_url: receiver.url, token: 't1' }] } });
    const patched = await h.call('PATCH', '/actions/watch', { body: { watch: [{ channel_id: 7, events: ['Accounts.edit'], _delete_events: true }] } });
    expect(patched.status).toBe(200);
    let list = await h.call<{ watch: Array<Record<string, unknown>> }>('GET', '/actions/watch?channel_id=7');
    expect(list.body.watch[0]!.events).toEqual(['Accounts.create', 'Accounts.delete']);
    await h.call('PUT', '/actions/watch', { body: { watch: [{ channel_id: 7, events: ['Contacts.edit'], notify_url: receiver.url, token: 't2' }] } });
    list = await h.call<{ watch: Array<Record<string, unknown>> }>('GET', '/actions/watch');
    expect(list.body.watch).toEqual([expect.objectContaining({ resource_name: 'Contacts', events: ['Contacts.edit'], token: 't2' })]);
    const removed = await h.call<{ watch: Array<Record<string, unknown>> }>('DELETE', '/actions/watch?channel_ids=7');
    expect(removed.body.watch).toEqual([
      { code: 'SUCCESS', status: 'success', message: 'Successfully un-subscribed from actions-watch', details: { resource_uri: `${h.base}/Contacts`, resource_id: expect.any(String), channel_id: '7' } },
    ]);
    expect((await h.call('GET', '/actions/watch')).status).toBe(204);
    const noScope = await startCrmHarness({}, { scopes: ['ZohoCRM.modules.ALL'] });
    try {
      const denied = await noScope.call('GET', '/actions/watch');
      expect(denied.body).toMatchObject({ code: 'OAUTH_SCOPE_MISMATCH' });
    } finally {
      await noScope.close();
    }
  });

  it('fires for changes made with the console buttons too', async () => {
    h = await startCrmHarness();
    receiver = await startReceiver();
    await h.call('POST', '/actions/watch', { body: { watch: [{ channel_id: 42, events: ['Accounts.all', 'Addresses.create'], notify_url: `${receiver.url}/cb`, token: 'tok' }] } });
    const console = async (action: string, values: Record<string, string>) => {
      const response = await fetch(`${h!.running.url}/_admin/console/crm/${action}`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ values }),
      });
      return { status: response.status, body: (await response.json()) as { result?: { details?: { id?: string } }; message?: string } };
    };
    const created = await console('create-account', { orgId: '60001234', Account_Name: 'Console Co', Currency: 'EUR' });
    expect(created.status).toBe(200);
    const id = created.body.result!.details!.id!;
    expect((await console('update-field', { id, field: 'Billing_City', value: 'Lyon' })).status).toBe(200);
    expect((await console('create-address', { accountId: id, Name: 'Depot', Address_Type: 'Shipping', Is_Main: 'false' })).status).toBe(200);
    const duplicate = await console('create-account', { orgId: '60001234', Account_Name: 'console co' });
    expect(duplicate.status).toBeGreaterThanOrEqual(400);
    expect(duplicate.body.message).toContain('DUPLICATE_DATA');
    expect((await console('delete-record', { id })).status).toBe(200);
    await h.running.sandbox.context.webhooks.idle();
    expect(receiver.received.map((r) => `${r.body.module}:${r.body.operation}`)).toEqual([
      'Accounts:insert', 'Accounts:update', 'Addresses:insert', 'Accounts:delete',
    ]);
    expect(receiver.received[0]!.body).toMatchObject({ token: 'tok', resource_uri: `${h.base}/Accounts` });
  });
});
