import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../connector.errors.js';
import { startEchoServer, type EchoServer } from '../test-support/echo.server.js';
import { createHttpClient, type HttpClientOptions } from './http.client.js';
import type { CredentialProvider } from './http.types.js';

let server: EchoServer;
beforeAll(async () => {
  server = await startEchoServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
  server.setValidToken(undefined);
});

/** Records requested sleeps instead of waiting. */
function fakeSleep(): { sleeps: number[]; sleep: (ms: number) => Promise<void> } {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms: number) => void sleeps.push(ms) };
}

function client(extra: Partial<HttpClientOptions> = {}) {
  return createHttpClient({
    baseUrl: `${server.url}/api`,
    connectionName: 'Echo – Acme',
    retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 },
    random: () => 0.5,
    // The test server is on loopback: allow it, as the runtime does for its sandbox.
    ssrf: { allowHosts: ['127.0.0.1'] },
    ...extra,
  });
}

function caught(promise: Promise<unknown>): Promise<ConnectorError> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(ConnectorError);
      return error as ConnectorError;
    },
  );
}

describe('createHttpClient', () => {
  it('builds the URL from the base URL, path and query, and decodes JSON', async () => {
    server.script('GET /api/things', { status: 200, body: { ok: true } });
    const response = await client({ defaultQuery: { organization_id: '42' } }).get('/things', {
      q: 'a b',
      tag: ['x', 'y'],
      skip: undefined,
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ok: true });
    const recorded = server.requests[0]!;
    expect(recorded.path).toBe('/api/things');
    expect(recorded.query).toEqual({ organization_id: '42', q: 'a b', tag: 'y' });
    expect(response.url).toContain('tag=x&tag=y');
  });

  it('retries 5xx on GET with full-jitter exponential backoff and then succeeds', async () => {
    server.script('GET /api/flaky', { status: 500 }, { status: 502 }, { status: 503 }, { status: 200, body: { n: 1 } });
    const { sleeps, sleep } = fakeSleep();
    const response = await client({ sleep }).get('/flaky');
    expect(response.body).toEqual({ n: 1 });
    // random()=0.5 of min(cap, base*2^attempt): 50, 100, 200
    expect(sleeps).toEqual([50, 100, 200]);
    expect(server.requests).toHaveLength(4);
  });

  it('caps the backoff and gives up after maxAttempts with a retryable error', async () => {
    server.script('GET /api/down', ...Array.from({ length: 4 }, () => ({ status: 503, body: { message: 'maintenance' } })));
    const { sleeps, sleep } = fakeSleep();
    const error = await caught(client({ sleep, retry: { maxAttempts: 4, baseDelayMs: 400, maxDelayMs: 1000 }, random: () => 1 }).get('/down'));
    expect(error.code).toBe('RETRYABLE');
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(503);
    expect(error.vendorMessage).toBe('maintenance');
    expect(sleeps).toEqual([400, 800, 1000]);
  });

  it('honours Retry-After in seconds and as an HTTP date on 429', async () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    server.script(
      'GET /api/limited',
      { status: 429, headers: { 'retry-after': '3' } },
      { status: 429, headers: { 'retry-after': new Date(now + 7000).toUTCString() } },
      { status: 200, body: { ok: 1 } },
    );
    const { sleeps, sleep } = fakeSleep();
    const response = await client({ sleep, now: () => now }).get('/limited');
    expect(response.status).toBe(200);
    expect(sleeps).toEqual([3000, 7000]);
  });

  it('retries 429 even for POST, but hands a long Retry-After to the engine as RATE_LIMITED', async () => {
    server.script('POST /api/create', { status: 429 }, { status: 201, body: { id: 1 } });
    const { sleeps, sleep } = fakeSleep();
    expect((await client({ sleep }).post('/create', { a: 1 })).body).toEqual({ id: 1 });
    expect(sleeps).toEqual([50]);

    server.script('POST /api/create', { status: 429, headers: { 'retry-after': '120' }, body: { message: 'slow down' } });
    const error = await caught(client({ sleep }).post('/create', { a: 1 }));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryAfterMs).toBe(120_000);
    expect(error.retryable).toBe(true);
  });

  it('does not retry a POST on 5xx or network errors unless marked retry-safe', async () => {
    server.script('POST /api/create', { status: 500 });
    const { sleeps, sleep } = fakeSleep();
    const error = await caught(client({ sleep }).post('/create', { a: 1 }));
    expect(error.code).toBe('RETRYABLE');
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);

    server.script('POST /api/create', { status: 0, destroy: true });
    const network = await caught(client({ sleep }).post('/create', { a: 1 }));
    expect(network.code).toBe('RETRYABLE');
    expect(server.requests).toHaveLength(2);

    server.script('POST /api/upsert', { status: 500 }, { status: 0, destroy: true }, { status: 200, body: { ok: true } });
    const response = await client({ sleep }).post('/upsert', { a: 1 }, { retrySafe: true });
    expect(response.body).toEqual({ ok: true });
    expect(sleeps).toEqual([50, 100]);
  });

  it('retries network errors on GET', async () => {
    server.script('GET /api/reset', { status: 0, destroy: true }, { status: 200, body: { ok: true } });
    const { sleeps, sleep } = fakeSleep();
    expect((await client({ sleep }).get('/reset')).body).toEqual({ ok: true });
    expect(sleeps).toEqual([50]);
  });

  it('refreshes the token once on 401 and retries', async () => {
    server.setValidToken('fresh');
    const calls: string[] = [];
    const credentials: CredentialProvider = {
      getAccessToken: async () => 'stale',
      refreshAccessToken: async (staleToken) => {
        calls.push(staleToken);
        return 'fresh';
      },
    };
    const response = await client({ credentials, baseUrl: server.url }).post('/echo', { hi: 1 });
    expect(response.status).toBe(200);
    expect(calls).toEqual(['stale']);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer stale', 'Bearer fresh']);
  });

  it('fails with AUTH naming the connection when the refreshed token is rejected too', async () => {
    server.setValidToken('never');
    let refreshes = 0;
    const credentials: CredentialProvider = {
      getAccessToken: async () => 'stale',
      refreshAccessToken: async () => {
        refreshes += 1;
        return 'also-bad';
      },
    };
    const error = await caught(client({ credentials, baseUrl: server.url }).get('/items'));
    expect(error.code).toBe('AUTH');
    expect(error.needsReconnect).toBe(true);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('Echo – Acme');
    expect(error.message).not.toContain('also-bad');
    expect(refreshes).toBe(1);
    expect(server.requests).toHaveLength(2);
  });

  it('lets the connector map a persistent 401 (e.g. a scope error) after the one refresh', async () => {
    server.script('GET /api/scoped', { status: 401, body: { code: 57, message: 'not authorized' } }, { status: 401, body: { code: 57, message: 'not authorized' } });
    let refreshes = 0;
    const credentials: CredentialProvider = {
      getAccessToken: async () => 't1',
      refreshAccessToken: async () => {
        refreshes += 1;
        return 't2';
      },
    };
    const error = await caught(
      client({
        credentials,
        mapError: (response) =>
          (response.body as { code?: number }).code === 57
            ? new ConnectorError('AUTH', 'Missing scope', { needsReconnect: false, vendorCode: 57 })
            : undefined,
      }).get('/scoped'),
    );
    expect(error).toMatchObject({ code: 'AUTH', needsReconnect: false, vendorCode: 57 });
    expect(refreshes).toBe(1);
  });

  it('fails with AUTH without refreshing when the provider cannot refresh (API token)', async () => {
    server.setValidToken('right');
    const error = await caught(
      client({ credentials: { getAccessToken: async () => 'wrong' }, baseUrl: server.url }).get('/items'),
    );
    expect(error.code).toBe('AUTH');
    expect(server.requests).toHaveLength(1);
  });

  it('never sends credentials to another origin (host guard)', async () => {
    const credentials: CredentialProvider = { getAccessToken: async () => 'secret-token' };
    const other = `http://localhost:${server.port}/echo`;
    const error = await caught(client({ credentials, ssrf: { allowPrivate: true } }).post(other, { a: 1 }));
    expect(error.code).toBe('HOST_NOT_ALLOWED');
    expect(error.message).not.toContain('secret-token');
    expect(server.requests).toHaveLength(0);

    // Explicitly unauthenticated requests to another (allowed) host go through without the token.
    const response = await client({ credentials, ssrf: { allowPrivate: true } }).post(other, { a: 1 }, { auth: false });
    expect(response.status).toBe(200);
    expect(server.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('drops credentials when a redirect leaves the API origin', async () => {
    server.script('GET /api/moved', { status: 302, headers: { location: `http://localhost:${server.port}/items/item-1` } });
    const credentials: CredentialProvider = { getAccessToken: async () => 'tok' };
    const response = await client({ credentials, ssrf: { allowPrivate: true } }).get('/moved', undefined, {
      followRedirects: 2,
    });
    expect(response.body).toEqual({ id: 'item-1', name: 'Item 1' });
    expect(server.requests[0]!.headers.authorization).toBe('Bearer tok');
    expect(server.requests[1]!.headers.authorization).toBeUndefined();
  });

  it('SSRF-checks the API host too (its base URL may come from user settings)', async () => {
    const strict = createHttpClient({ baseUrl: server.url, credentials: { getAccessToken: async () => 't' } });
    const error = await caught(strict.get('/items/item-1'));
    expect(error.code).toBe('SSRF_BLOCKED');
    expect(server.requests).toHaveLength(0);
  });

  it('SSRF-checks URLs outside the API origin', async () => {
    const error = await caught(createHttpClient().get(`${server.url}/items`));
    expect(error.code).toBe('SSRF_BLOCKED');
    expect(server.requests).toHaveLength(0);
    const allowed = await createHttpClient({ ssrf: { allowHosts: ['127.0.0.1'] } }).get(`${server.url}/items/item-2`);
    expect(allowed.body).toEqual({ id: 'item-2', name: 'Item 2' });
  });

  it('re-checks the address at connect time (DNS rebinding)', async () => {
    // The pre-check is fooled into seeing a public address; the socket's lookup still sees loopback.
    const fooled = createHttpClient({ ssrf: { resolve: async () => ['93.184.216.34'] } });
    const error = await caught(fooled.get(`http://localhost:${server.port}/items/item-1`));
    expect(error.code).toBe('SSRF_BLOCKED');
    expect(server.requests).toHaveLength(0);
  });

  it('refuses oversized responses', async () => {
    server.script('GET /api/big', { status: 200, body: 'x'.repeat(5000) });
    const error = await caught(client().get('/big', undefined, { maxResponseBytes: 1000 }));
    expect(error.code).toBe('VENDOR');
    expect(error.message).toContain('larger than 1000 bytes');
  });

  it('maps statuses to typed errors and lets the connector map vendor errors', async () => {
    server.script('GET /api/missing', { status: 404, body: { code: 1002, message: 'Invoice does not exist.' } });
    const notFound = await caught(client().get('/missing'));
    expect(notFound).toMatchObject({ code: 'NOT_FOUND', vendorCode: 1002, vendorMessage: 'Invoice does not exist.' });

    server.script('POST /api/things', { status: 400, body: { code: 'X', message: 'bad', field: 'email' } });
    const mapped = await caught(
      client({
        mapError: (response) => {
          const body = response.body as { field: string; message: string };
          return new ConnectorError('VALIDATION', body.message, { field: body.field, status: response.status });
        },
      }).post('/things', {}),
    );
    expect(mapped).toMatchObject({ code: 'VALIDATION', field: 'email', retryable: false });

    server.script('DELETE /api/things', { status: 409, body: { message: 'in use' } });
    expect((await caught(client().delete('/things'))).code).toBe('CONFLICT');
  });

  it('accepts listed statuses with expect and returns everything with expect "any"', async () => {
    server.script('GET /api/empty', { status: 204 });
    expect((await client().get('/empty')).body).toBeNull();
    server.script('GET /api/notmod', { status: 304 });
    expect((await client().get('/notmod', undefined, { expect: [200, 304] })).status).toBe(304);
    server.script('GET /api/teapot', { status: 418, body: 'short and stout' });
    const any = await client().get('/teapot', undefined, { expect: 'any' });
    expect(any).toMatchObject({ status: 418, body: 'short and stout' });
  });

  it('sends form bodies and times out slow responses', async () => {
    server.script('POST /api/form', { status: 200, body: {} });
    await client().request({ method: 'POST', path: '/form', form: { a: 'x y', b: 2 } });
    expect(server.requests[0]!.body).toBe('a=x+y&b=2');
    expect(server.requests[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');

    server.script('POST /api/slow', { status: 200, delayMs: 300 });
    const error = await caught(client().request({ method: 'POST', path: '/slow', body: {}, timeoutMs: 50 }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.retryable).toBe(true);
  });

  it('stops when the step is cancelled', async () => {
    const controller = new AbortController();
    server.script('GET /api/hang', { status: 200, delayMs: 500 });
    const pending = client({ signal: controller.signal }).get('/hang');
    setTimeout(() => controller.abort('run cancelled'), 20);
    const error = await caught(pending);
    expect(error.code).toBe('ABORTED');
  });
});
