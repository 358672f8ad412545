import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../core/sandbox.server.js';
import { sandboxAdmin } from './admin.js';
import { obtainZohoTokens } from './oauth.js';

describe('sandboxAdmin test helper', () => {
  let running: RunningSandbox;
  beforeEach(async () => {
    running = await startSandbox({ port: 0 });
  });
  afterEach(async () => {
    await running.close();
  });

  it('drives faults, calls, bins, clock and tokens over HTTP', async () => {
    const admin = sandboxAdmin(running.url);
    await admin.armFault({ service: 'bin', kind: 'server-error', count: 1 });
    expect((await fetch(`${running.url}/bin/erp`, { method: 'POST' })).status).toBe(500);
    await fetch(`${running.url}/bin/erp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(await admin.calls('bin')).toMatchObject({ total: 2 });
    expect((await admin.binRequests('erp')).map((r) => r.json)).toEqual([{ a: 1 }]);
    await admin.setBinStatus('erp', 502);
    expect((await fetch(`${running.url}/bin/erp`)).status).toBe(502);
    await admin.clearCalls();
    expect((await admin.calls()).total).toBe(0);

    const tokens = await obtainZohoTokens(running.url, { scopes: ['ZohoBooks.fullaccess.all'] });
    await admin.advanceClock(3600_000);
    expect(running.sandbox.context.auth.verifyAccessToken(tokens.accessToken, 'com')).toEqual({ ok: false, reason: 'expired' });
    expect(await admin.revokeRefreshToken(tokens.refreshToken)).toBe(1);
    await expect(admin.patchLimits({ oauth: { nope: 1 } })).rejects.toThrow(/400/);
    await admin.reset('demo');
    expect((await admin.state('accounts')).refreshTokens).toEqual([]);
  });
});
