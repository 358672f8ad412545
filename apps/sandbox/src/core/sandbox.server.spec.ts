import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SandboxClock } from './sandbox.clock.js';
import { FaultInjector } from './sandbox.faults.js';
import { IdSequences } from './sandbox.ids.js';
import { type RunningSandbox, startSandbox } from './sandbox.server.js';
import { wellKnown } from './sandbox.tenants.js';

describe('sandbox core', () => {
  let running: RunningSandbox | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('listens on a random port and answers unknown routes with a JSON 404', async () => {
    running = await startSandbox({ port: 0 });
    const response = await fetch(`${running.url}/nowhere`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ message: expect.stringContaining('/nowhere') });
  });

  it('seeds the well-known tenants', async () => {
    running = await startSandbox({ port: 0 });
    const tenants = running.sandbox.context.tenants;
    expect(tenants.booksOrgsForUser(wellKnown.user.id).map((o) => o.organization_id)).toContain(wellKnown.booksOrgs.acmeUs);
    expect(tenants.booksOrgsForUser(wellKnown.euUser.id, 'eu')).toHaveLength(1);
    expect(tenants.togaiOrgForToken(wellKnown.togai.apiToken)?.id).toBe(wellKnown.togai.orgId);
  });

  it('keeps state in a snapshot file across restarts', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-')), 'state.json');
    running = await startSandbox({ port: 0, snapshotFile: file });
    running.sandbox.context.ids.booksId('contact');
    running.sandbox.context.tenants.togaiOrgs.get(wellKnown.togai.orgId)!.name = 'Renamed Billing';
    await running.close();
    running = await startSandbox({ port: 0, snapshotFile: file });
    expect(running.sandbox.context.tenants.togaiOrgs.get(wellKnown.togai.orgId)?.name).toBe('Renamed Billing');
    expect(running.sandbox.context.ids.booksId('contact')).toBe('460000000000002');
  });
});

describe('fault injector', () => {
  it('consumes matching faults in order and only for the named service and path', () => {
    const faults = new FaultInjector();
    faults.arm({ service: 'books', kind: 'rate-limit', count: 2, pathContains: '/contacts', retryAfterSeconds: 2 });
    expect(faults.take('crm', 'GET', '/crm/v8/Accounts')).toBeUndefined();
    expect(faults.take('books', 'GET', '/books/v3/invoices')).toBeUndefined();
    expect(faults.take('books', 'GET', '/books/v3/contacts')?.kind).toBe('rate-limit');
    expect(faults.take('books', 'POST', '/books/v3/contacts')?.retryAfterSeconds).toBe(2);
    expect(faults.take('books', 'GET', '/books/v3/contacts')).toBeUndefined();
  });
});

describe('clock and ids', () => {
  it('moves the clock forward only', () => {
    const clock = new SandboxClock();
    const before = clock.now();
    clock.advance(120_000);
    expect(clock.now() - before).toBeGreaterThanOrEqual(120_000);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });

  it('produces Zoho-shaped digit-string ids', () => {
    const ids = new IdSequences();
    expect(ids.booksId('invoice')).toMatch(/^\d{15}$/);
    expect(ids.crmId('Accounts')).toMatch(/^\d{19}$/);
  });
});
