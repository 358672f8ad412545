import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectorError, createConnectorContext, runAction } from '@braid/connector-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { coreConnector } from '../core.connector.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
let server: http.Server;
let base: string;
let port: number;
const seen: Seen[] = [];
let flaky = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const url = new URL(req.url!, 'http://x');
      if (url.pathname === '/json') {
        res.writeHead(200, { 'content-type': 'application/json', 'x-trace': 't-1' });
        res.end(JSON.stringify({ method: req.method, query: Object.fromEntries(url.searchParams), body }));
      } else if (url.pathname === '/text') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('plain words');
      } else if (url.pathname === '/flaky') {
        flaky += 1;
        res.writeHead(flaky % 2 === 1 ? 503 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ attempt: flaky }));
      } else if (url.pathname === '/redirect') {
        res.writeHead(302, { location: `http://localhost:${port}/json` });
        res.end();
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'no such thing' }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  seen.length = 0;
});

const ctx = (allowPrivate = true) =>
  createConnectorContext({ connector: coreConnector, ssrf: { allowPrivate }, random: () => 0, sleep: async () => undefined });

describe('core http_request', () => {
  it('sends method, query, headers and a JSON body and returns status, headers and body', async () => {
    const output = await runAction(coreConnector, 'http_request', ctx(), {
      method: 'POST',
      url: `${base}/json`,
      query: { a: '1' },
      headers: { 'X-Custom': 'yes' },
      bodyType: 'json',
      body: { invoice: 'INV-1', amount: 12.5 },
    });
    expect(output).toMatchObject({
      status: 200,
      headers: { 'content-type': 'application/json', 'x-trace': 't-1' },
      body: { method: 'POST', query: { a: '1' }, body: '{"invoice":"INV-1","amount":12.5}' },
    });
    expect(seen[0]!.headers['x-custom']).toBe('yes');
    expect(seen[0]!.headers['content-type']).toBe('application/json');
  });

  it('sends form and text bodies and decodes text responses', async () => {
    await runAction(coreConnector, 'http_request', ctx(), {
      method: 'POST',
      url: `${base}/json`,
      bodyType: 'form',
      body: { name: 'Acme GmbH', city: 'Köln' },
    });
    expect(seen[0]!.body).toBe('name=Acme+GmbH&city=K%C3%B6ln');
    await runAction(coreConnector, 'http_request', ctx(), { method: 'PUT', url: `${base}/json`, bodyType: 'text', body: 'hi' });
    expect(seen[1]!.headers['content-type']).toBe('text/plain; charset=utf-8');
    const text = await runAction(coreConnector, 'http_request', ctx(), { url: `${base}/text` });
    expect(text).toMatchObject({ status: 200, body: 'plain words' });
  });

  it('adds basic, bearer and custom-header auth', async () => {
    await runAction(coreConnector, 'http_request', ctx(), {
      url: `${base}/json`,
      auth: { type: 'basic', username: 'user', password: 'pa:ss' },
    });
    expect(seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from('user:pa:ss').toString('base64')}`);
    await runAction(coreConnector, 'http_request', ctx(), { url: `${base}/json`, auth: { type: 'bearer', token: 'tok' } });
    expect(seen[1]!.headers.authorization).toBe('Bearer tok');
    await runAction(coreConnector, 'http_request', ctx(), {
      url: `${base}/json`,
      auth: { type: 'header', headerName: 'X-Api-Key', headerValue: 'k-1' },
    });
    expect(seen[2]!.headers['x-api-key']).toBe('k-1');
    await expect(
      runAction(coreConnector, 'http_request', ctx(), { url: `${base}/json`, auth: { type: 'bearer' } }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', issues: [expect.objectContaining({ pointer: '/auth/token' })] });
  });

  it('does not forward auth headers across a redirect to another origin', async () => {
    const output = await runAction(coreConnector, 'http_request', ctx(), {
      url: `${base}/redirect`,
      auth: { type: 'header', headerName: 'X-Api-Key', headerValue: 'k-1' },
      headers: { authorization: 'Bearer t' },
    });
    expect(output).toMatchObject({ status: 200 });
    expect(seen).toHaveLength(2);
    expect(seen[0]!.headers['x-api-key']).toBe('k-1');
    expect(seen[1]!.headers['x-api-key']).toBeUndefined();
    expect(seen[1]!.headers.authorization).toBeUndefined();
  });

  it('retries a GET after a 503 but not a POST', async () => {
    flaky = 0;
    expect(await runAction(coreConnector, 'http_request', ctx(), { url: `${base}/flaky` })).toMatchObject({
      status: 200,
      body: { attempt: 2 },
    });
    flaky = 0;
    await expect(
      runAction(coreConnector, 'http_request', ctx(), { method: 'POST', url: `${base}/flaky`, bodyType: 'json', body: {} }),
    ).rejects.toMatchObject({ code: 'RETRYABLE', status: 503 });
    expect(flaky).toBe(1);
  });

  it('fails on HTTP errors by default, or returns them when asked', async () => {
    const error = await runAction(coreConnector, 'http_request', ctx(), { url: `${base}/missing` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'NOT_FOUND', status: 404, vendorMessage: 'no such thing' });
    const output = await runAction(coreConnector, 'http_request', ctx(), { url: `${base}/missing`, failOnHttpError: false });
    expect(output).toMatchObject({ status: 404, body: { message: 'no such thing' } });
  });

  it('refuses private addresses unless the runtime allows them', async () => {
    await expect(runAction(coreConnector, 'http_request', ctx(false), { url: `${base}/json` })).rejects.toMatchObject({
      code: 'SSRF_BLOCKED',
    });
    await expect(
      runAction(coreConnector, 'http_request', ctx(false), { url: 'http://169.254.169.254/latest/meta-data/' }),
    ).rejects.toMatchObject({ code: 'SSRF_BLOCKED' });
    expect(seen).toHaveLength(0);
    await expect(runAction(coreConnector, 'http_request', ctx(), { url: 'file:///etc/passwd' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});
