import { runAction } from '@braid/connector-sdk';
import { wellKnown } from '@braid/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { zohoCrmConnector } from './crm.connector.js';
import { recordingSleep, startCrmHarness, totalCalls, type CrmHarness } from './test-support/crm.harness.js';

describe('zoho-crm faults: throttling, server errors, expired and revoked tokens', () => {
  let h: CrmHarness;
  beforeAll(async () => {
    h = await startCrmHarness({ seed: 'demo' });
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(async () => {
    await h.admin.clearFaults();
    await h.admin.clearCalls();
  });

  it('waits out a 429 without Retry-After (backoff) and then succeeds', async () => {
    await h.admin.armFault({ service: 'crm', kind: 'rate-limit', count: 2 });
    const waits: number[] = [];
    const out = await runAction(zohoCrmConnector, 'upsert_records', h.context({ sleep: recordingSleep(waits) }), {
      module: 'Accounts',
      records: [{ Account_Name: 'After Throttle' }],
    });
    expect((out as { summary: { inserted: number } }).summary.inserted).toBe(1);
    expect(waits).toHaveLength(2);
    expect(waits.every((ms) => ms >= 0 && ms <= 30_000)).toBe(true);
    // throttled calls never reach a route, so they are counted under their path
    expect(totalCalls(await h.calls(), (k) => k.startsWith('POST') && k.endsWith('/upsert'))).toBe(3);
    expect(h.state().Accounts.filter((a) => a.Account_Name === 'After Throttle')).toHaveLength(1);
  });

  it('gives RATE_LIMITED with a retry time when throttling outlasts the retries', async () => {
    await h.admin.armFault({ service: 'crm', kind: 'rate-limit', count: 10 });
    await expect(runAction(zohoCrmConnector, 'get_fields', h.context(), { module: 'Accounts' })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryable: true,
      retryAfterMs: expect.any(Number),
    });
  });

  it('retries 5xx for reads and upserts, but not for inserts (CRM has no idempotency key)', async () => {
    await h.admin.armFault({ service: 'crm', kind: 'server-error', count: 1, method: 'POST' });
    const upsert = await h.run('upsert_records', { module: 'Accounts', records: [{ Account_Name: 'After 500' }] });
    expect(upsert.summary.inserted).toBe(1);
    await h.admin.armFault({ service: 'crm', kind: 'server-error', count: 1, method: 'POST' });
    await expect(h.run('insert_records', { module: 'Accounts', records: [{ Account_Name: 'Maybe 500' }] })).rejects.toMatchObject({
      code: 'RETRYABLE',
    });
    expect(h.state().Accounts.some((a) => a.Account_Name === 'Maybe 500')).toBe(false);
    const insert = zohoCrmConnector.actions.find((a) => a.key === 'insert_records')!;
    expect(insert.idempotent).toBe(false);
    await h.admin.armFault({ service: 'crm', kind: 'unavailable', count: 2, method: 'GET' });
    expect((await h.run('get_fields', { module: 'Contacts' })).fields.length).toBeGreaterThan(10);
  });

  it('refreshes an expired access token once, transparently', async () => {
    await h.admin.expireAccessTokens();
    const out = await h.run('list_records', { module: 'Accounts', fields: ['Account_Name'] });
    expect(out.count).toBeGreaterThan(0);
    const calls = await h.calls();
    expect(totalCalls(calls, (k) => k.startsWith('GET /crm/v8/') && !k.includes('settings'))).toBe(2); // 401, then the retry
  });
});

describe('zoho-crm auth failures name the connection', () => {
  it('a revoked refresh token ends in AUTH (reconnect) naming the connection', async () => {
    const h = await startCrmHarness({ seed: 'demo', connectionName: 'CRM – Revoked Co' });
    try {
      expect((await h.run('list_modules', {})).modules.length).toBe(3);
      expect(await h.admin.revokeRefreshToken(h.tokens.refreshToken)).toBe(1);
      const error = await h.run('list_modules', {}).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'AUTH', needsReconnect: true, retryable: false });
      expect((error as Error).message).toContain('"CRM – Revoked Co"');
      expect((error as Error).message).toMatch(/Reconnect/);
      expect((error as Error).message).not.toContain(h.tokens.refreshToken);
    } finally {
      await h.close();
    }
  });

  it('a token without the notifications scope gets AUTH naming the connection, without refreshing', async () => {
    const h = await startCrmHarness({ seed: 'demo', scopes: ['ZohoCRM.modules.ALL', 'ZohoCRM.settings.ALL'], connectionName: 'CRM – Narrow' });
    try {
      const trigger = zohoCrmConnector.triggers.find((t) => t.key === 'record_changes')!;
      if (trigger.kind !== 'app-webhook') throw new Error('unexpected kind');
      const error = await trigger.register(h.context(), { webhookUrl: 'http://127.0.0.1:9/hook', config: {}, secret: 's' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'AUTH', vendorCode: 'OAUTH_SCOPE_MISMATCH' });
      expect((error as Error).message).toContain('"CRM – Narrow"');
      expect((error as Error).message).toMatch(/lacks a permission \(OAuth scope\).*ZohoCRM\.notifications\.ALL/);
      expect((await h.calls())['POST /crm/v8/actions/watch']).toBe(1);
    } finally {
      await h.close();
    }
  });
});

describe('zoho-crm in the EU data centre', () => {
  it('uses the api_domain of the EU token: writes and reads land in the EU org', async () => {
    const h = await startCrmHarness({ seed: 'demo', dc: 'eu' });
    try {
      expect(h.tokens.apiDomain).toBe(`${h.url}/dc/eu`);
      const out = await h.run('upsert_account', { Account_Name: 'Berlin Kunde GmbH', Currency: 'EUR' });
      const stored = h.state().Accounts.find((a) => a.id === out.id);
      expect(stored).toMatchObject({ orgId: wellKnown.crmOrgs.acmeEu, Account_Name: 'Berlin Kunde GmbH' });
      const listed = await h.run('list_records', { module: 'Accounts', fields: ['Account_Name', 'Modified_Time'] });
      expect(listed.records.map((r: { Account_Name: string }) => r.Account_Name).sort()).toEqual(['Berlin Kunde GmbH', 'Müller Maschinenbau GmbH']);
      expect(listed.records[0].Modified_Time).toMatch(/\+01:00$/);
      const test = await zohoCrmConnector.testConnection!(h.context());
      expect(test).toEqual({ ok: true, accountLabel: `Acme GmbH (org ${wellKnown.crmOrgs.acmeEu})` });
    } finally {
      await h.close();
    }
  });
});
