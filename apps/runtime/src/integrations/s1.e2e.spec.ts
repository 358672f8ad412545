import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eHarness, type Json, startE2eHarness, stepOutput } from './test-support/e2e.harness.js';

// S1: Togai account created/updated → upsert with link into a Books customer contact.
describe('template S1 end to end: Togai accounts → Zoho Books customers', () => {
  let h: E2eHarness;
  let integration: Json;
  let flowId: string;
  const email = 'billing@wayne.example';
  const contactsWithEmail = async () => (await h.books('contacts')).filter((c) => c.email === email || (c.contact_persons as Json[] | undefined)?.some((p) => p.email === email));

  beforeAll(async () => {
    h = await startE2eHarness();
    integration = await h.createIntegration('s1-platform-accounts-to-books', { name: 'Wayne' });
    flowId = (integration.flows as Json[]).find((f) => f.key === 'sync_accounts')!.flowId as string;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is created from the template through the API: flow published, enabled and subscribed to Togai events', async () => {
    expect(integration).toMatchObject({
      templateId: 's1-platform-accounts-to-books',
      connections: [{ slot: 'togai', status: 'connected' }, { slot: 'books', status: 'connected', name: 'Acme Books' }],
      flows: [{ key: 'sync_accounts', enabled: true, publishedVersion: 1 }],
      status: 'pending-initial-sync',
    });
    const subscriptions = await h.togai('/_sandbox/webhooks');
    const list = (Array.isArray(subscriptions.body) ? subscriptions.body : subscriptions.body.data) as Json[];
    expect(list.some((s) => String(s.url).includes('/hooks/'))).toBe(true);
  });

  it('a new Togai account becomes one Books customer, linked both ways; the update event updates it, a replay creates nothing', async () => {
    const created = await h.togai('/customers', {
      method: 'POST',
      body: {
        id: 'wayne', name: 'Wayne Enterprises', primaryEmail: email, address: { line1: '1007 Mountain Drive', city: 'Gotham', postalCode: '10001', country: 'US' },
        account: { id: 'wayne-main', name: 'Wayne Enterprises Billing', invoiceCurrency: 'EUR', primaryEmail: email, address: { line1: '1007 Mountain Drive', city: 'Gotham', postalCode: '10001', country: 'US' } },
      },
    });
    expect(created.status).toBe(201);
    const [first] = await h.finishedRuns(flowId, 1);
    expect(first!.status, JSON.stringify(first!.error)).toBe('succeeded');
    const upsert = stepOutput(first!, 'upsert_contact')!;
    expect(upsert).toMatchObject({ path: 'created', sourceId: 'wayne-main', targetId: expect.stringMatching(/^\d+$/) });

    const [contact] = await contactsWithEmail();
    expect(await contactsWithEmail()).toHaveLength(1);
    expect(contact).toMatchObject({ contact_id: upsert.targetId, contact_name: 'Wayne Enterprises Billing', company_name: 'Wayne Enterprises', contact_type: 'customer', currency_code: 'EUR' });
    expect(contact!.billing_address).toMatchObject({ address: '1007 Mountain Drive', city: 'Gotham', zip: '10001', country: 'US' });

    // The link, from either side, and on the run.
    expect(await h.links('togai', 'account', 'wayne-main')).toEqual([expect.objectContaining({ appB: 'zoho-books', typeB: 'contact', idB: upsert.targetId, flowId })]);
    expect(await h.links('zoho-books', 'contact', upsert.targetId as string)).toEqual([expect.objectContaining({ appB: 'togai', typeB: 'account', idB: 'wayne-main' })]);
    expect(first!.links ?? []).toEqual(expect.arrayContaining([expect.objectContaining({ idB: upsert.targetId })]));

    // Updated in Togai → the same contact is updated.
    expect((await h.togai('/accounts/wayne-main', { method: 'PATCH', body: { name: 'Wayne Enterprises Finance' } })).status).toBe(200);
    const [, second] = await h.finishedRuns(flowId, 2);
    expect(second!.status).toBe('succeeded');
    expect(stepOutput(second!, 'upsert_contact')).toMatchObject({ path: 'linked', targetId: upsert.targetId });
    expect(await contactsWithEmail()).toEqual([expect.objectContaining({ contact_id: upsert.targetId, contact_name: 'Wayne Enterprises Finance' })]);

    // The same event again (a replay of the first run): linked, no second contact.
    const replay = await h.owner.client.post(h.api(`/runs/${first!.id}/replay`)).send({ version: 'current' });
    expect(replay.status).toBeLessThan(300);
    const replayed = await h.finishedRuns(flowId, 3);
    expect(replayed[2]!.status).toBe('succeeded');
    expect(stepOutput(replayed[2]!, 'upsert_contact')).toMatchObject({ path: 'linked', targetId: upsert.targetId });
    expect(await contactsWithEmail()).toHaveLength(1);
  });

  it('Books answering 429 twice: the run retries and succeeds, nothing duplicated', async () => {
    const throttledBefore = await h.booksCallsWithStatus(429);
    await h.admin.armFault({ service: 'books', kind: 'rate-limit', count: 2 });
    expect((await h.togai('/accounts/wayne-main', { method: 'PATCH', body: { name: 'Wayne Enterprises Treasury' } })).status).toBe(200);
    const runs = await h.finishedRuns(flowId, 4, 60_000);
    expect(runs[3]!.status, JSON.stringify(runs[3]!.error)).toBe('succeeded');
    expect(await h.booksCallsWithStatus(429)).toBe(throttledBefore + 2);
    expect(await contactsWithEmail()).toEqual([expect.objectContaining({ contact_name: 'Wayne Enterprises Treasury' })]);
  });

  it('a revoked Books token: a clear failed run naming the reconnect, the integration needs attention; after reconnecting a replay delivers the change', async () => {
    await h.revokeBooks();
    expect((await h.togai('/accounts/wayne-main', { method: 'PATCH', body: { name: 'Wayne Enterprises Holding' } })).status).toBe(200);
    const runs = await h.finishedRuns(flowId, 5);
    const failed = runs[4]!;
    expect(failed.status).toBe('failed');
    expect(JSON.stringify(failed.error)).toMatch(/Acme Books.{0,10} needs to be reconnected/);
    const view = (await h.owner.client.get(h.api(`/integrations/${integration.id}`))).body as Json;
    expect(view.status).toBe('needs-attention');
    expect(view.reasons.join(' ')).toMatch(/"Acme Books" needs to be reconnected/);

    await h.reconnectBooks();
    const replay = await h.owner.client.post(h.api(`/runs/${failed.id}/replay`)).send({ version: 'current' });
    expect(replay.status).toBeLessThan(300);
    const after = await h.finishedRuns(flowId, 6);
    expect(after[5]!.status).toBe('succeeded');
    expect(await contactsWithEmail()).toEqual([expect.objectContaining({ contact_name: 'Wayne Enterprises Holding' })]);
  });
  it('initial sync: imports the existing Togai accounts with progress, links them, and the integration becomes active', async () => {
    const before = (await h.owner.client.get(h.api(`/integrations/${integration.id}`))).body as Json;
    expect(before.status).toBe('pending-initial-sync');
    expect(before.reasons).toEqual([expect.stringContaining('start the initial sync')]);
    const started = await h.owner.client.post(h.api(`/integrations/${integration.id}/initial-sync`)).send({});
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body).toMatchObject({ status: 'running', flows: [{ flowKey: 'sync_accounts', flowId }] });

    const deadline = Date.now() + 60_000;
    let progress: Json;
    for (;;) {
      progress = (await h.owner.client.get(h.api(`/integrations/${integration.id}/initial-sync`))).body as Json;
      if (progress.status !== 'running' || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(progress).toMatchObject({ status: 'succeeded', failed: 0 });
    const accounts = ((await h.togai('/accounts?pageSize=100')).body.data as Json[]).map((a) => a.id as string);
    expect(progress.done).toBeGreaterThanOrEqual(accounts.length);
    for (const account of accounts) {
      expect(await h.links('togai', 'account', account), account).toEqual([expect.objectContaining({ appB: 'zoho-books', typeB: 'contact' })]);
    }
    expect(await contactsWithEmail()).toHaveLength(1);
    const after = (await h.owner.client.get(h.api(`/integrations/${integration.id}`))).body as Json;
    expect(after).toMatchObject({ status: 'active', reasons: [], initialSync: { status: 'succeeded' } });
  });
});
