import { ConnectorError, LimiterRegistry, createConnectorContext } from '@braid/connector-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTogaiHarness, type TogaiHarness } from './test-support/togai.harness.js';
import { togaiConnector } from './togai.connector.js';

describe('Togai HTTP behaviour against the sandbox', () => {
  let t: TogaiHarness;
  beforeAll(async () => {
    t = await startTogaiHarness('demo');
  });
  afterAll(async () => {
    await t.close();
  });

  it('retries a 429 without Retry-After (backoff) and succeeds', async () => {
    await t.admin.clearCalls();
    await t.admin.armFault({ service: 'togai', kind: 'rate-limit', count: 2, pathContains: '/togai/customers/globex' });
    expect(await t.run('get_customer', { customerId: 'globex' })).toMatchObject({ id: 'globex' });
    // two throttled attempts, then the one that was served
    expect((await t.admin.calls('togai')).total).toBe(3);
  });

  it('retries a 429 on a write (it was not processed) and a 5xx only on retry-safe requests', async () => {
    await t.admin.armFault({ service: 'togai', kind: 'rate-limit', count: 1, method: 'POST', pathContains: '/togai/customers' });
    await t.run('create_customer', { id: 'throttled', name: 'Throttled Inc', primaryEmail: 'a@throttled.example' });
    expect(t.state().customers.filter((c) => c.id === 'throttled')).toHaveLength(1);

    await t.admin.armFault({ service: 'togai', kind: 'server-error', count: 1, method: 'GET', pathContains: '/togai/accounts/globex-main' });
    expect(await t.run('get_account', { accountId: 'globex-main' })).toMatchObject({ id: 'globex-main' });

    await t.admin.armFault({ service: 'togai', kind: 'unavailable', count: 1, method: 'POST', pathContains: '/togai/payments' });
    const due = t.state().invoices.find((i) => i.ownerId === 'initech-main' && i.status === 'DUE')!;
    const error = (await t
      .run('record_payment', { accountId: 'initech-main', currency: 'EUR', transactionNumber: 'T-503', invoices: [{ invoiceId: due.id, amount: 1 }], skipIfRecorded: false })
      .catch((e: unknown) => e)) as ConnectorError;
    expect(error.code).toBe('RETRYABLE');
    expect(error.retryable).toBe(true);
    expect(t.state().payments.some((p) => p.externalPaymentReferences.transactionNumber === 'T-503')).toBe(false);
    await t.admin.clearFaults();
  });

  it('ends in RATE_LIMITED with a retry hint when 429s persist', async () => {
    await t.admin.armFault({ service: 'togai', kind: 'rate-limit', count: 10, pathContains: '/togai/customers/initech' });
    const error = (await t.run('get_customer', { customerId: 'initech' }).catch((e: unknown) => e)) as ConnectorError;
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryAfterMs).toBeGreaterThan(0);
    await t.admin.clearFaults();
  });

  it('a wrong API token ends in an AUTH error naming the connection; testConnection reports it', async () => {
    const options = { token: 'togai_wrong_token', connectionName: 'Togai – Acme production' };
    const error = (await t.run('get_customer', { customerId: 'globex' }, options).catch((e: unknown) => e)) as ConnectorError;
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.code).toBe('AUTH');
    expect(error.needsReconnect).toBe(true);
    expect(error.message).toContain('Togai – Acme production');
    expect(error.message).not.toContain('togai_wrong_token');

    expect(await togaiConnector.testConnection!(t.context(options))).toMatchObject({ ok: false, message: expect.stringContaining('Acme production') });
    expect(await togaiConnector.testConnection!(t.context())).toMatchObject({ ok: true, accountLabel: expect.stringContaining('127.0.0.1') });
  });

  it('refuses a plain-http base URL that is not loopback before sending anything', () => {
    expect(() =>
      createConnectorContext({
        connector: togaiConnector,
        connection: { id: 'c', name: 'Togai – bad', settings: { baseUrl: 'http://api.togai.com' } },
        credentials: { getAccessToken: async () => 'x' },
        limiters: new LimiterRegistry(),
      }),
    ).toThrow(/must use https/);
  });

  it('loads the account choices for account pickers', async () => {
    const { loadDynamicOptions } = await import('@braid/connector-sdk');
    const options = await loadDynamicOptions(togaiConnector, 'accounts', t.context());
    expect(options).toEqual(expect.arrayContaining([{ value: 'globex-main', label: 'Globex GmbH (globex-main)', description: 'EUR' }]));
  });
});
