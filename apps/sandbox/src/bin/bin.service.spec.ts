import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../core/sandbox.server.js';

describe('request bin', () => {
  let running: RunningSandbox;
  beforeEach(async () => {
    running = await startSandbox({ port: 0 });
  });
  afterEach(async () => {
    await running.close();
  });

  it('records every request with method, path, query, headers and body, and lists them', async () => {
    const posted = await fetch(`${running.url}/bin/erp/api/orders?x=1&x=2&y=z`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': 'abc' },
      body: JSON.stringify({ order: 7 }),
    });
    expect(posted.status).toBe(200);
    expect(await posted.json()).toEqual({ received: true, id: 1 });
    await fetch(`${running.url}/bin/erp`, { method: 'PATCH', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    await fetch(`${running.url}/bin/erp`);

    const listed = (await (await fetch(`${running.url}/_admin/bins/erp`)).json()) as { requests: Array<Record<string, unknown>> };
    expect(listed.requests).toHaveLength(3);
    expect(listed.requests[0]).toMatchObject({
      id: 1, bin: 'erp', method: 'POST', path: '/api/orders', query: { x: ['1', '2'], y: 'z' },
      body: '{"order":7}', json: { order: 7 }, headers: expect.objectContaining({ 'x-signature': 'abc' }),
    });
    expect(listed.requests[1]).toMatchObject({ method: 'PATCH', path: '/', body: 'hello' });
    expect(listed.requests[1]!.json).toBeUndefined();
    expect(listed.requests[2]).toMatchObject({ method: 'GET', body: '' });

    const bins = (await (await fetch(`${running.url}/_admin/bins`)).json()) as { bins: unknown[] };
    expect(bins.bins).toEqual([{ name: 'erp', status: 200, requests: 3 }]);
    await fetch(`${running.url}/_admin/bins/erp`, { method: 'DELETE' });
    expect(((await (await fetch(`${running.url}/_admin/bins/erp`)).json()) as { requests: unknown[] }).requests).toEqual([]);
  });

  it('answers with the configured status, for failure tests', async () => {
    const put = await fetch(`${running.url}/_admin/bins/flaky`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 503 }),
    });
    expect(put.status).toBe(200);
    const response = await fetch(`${running.url}/bin/flaky`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ received: true });
    const bad = await fetch(`${running.url}/_admin/bins/flaky`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 9 }),
    });
    expect(bad.status).toBe(400);
  });

  it('refuses bad bin names and keeps bins in snapshots', async () => {
    expect((await fetch(`${running.url}/bin/`)).status).toBe(400);
    await fetch(`${running.url}/bin/keep`, { method: 'POST', body: 'a' });
    const bin = running.sandbox.service('bin')!;
    const saved = bin.snapshot();
    bin.reset();
    bin.restore(saved);
    expect(bin.inspect().bins).toEqual([{ name: 'keep', status: 200, requests: 1 }]);
  });
});
