// Webhook secrets in the format a trigger declares: Zoho Books only accepts 12–50 letters and digits, so its
// triggers get exactly such a secret, the webhook help shows that secret, and deliveries signed with it by the
// sandbox's Books are accepted (a wrong signature is refused).
import { startSandbox, wellKnown, type RunningSandbox } from '@braid/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { booksRequest, obtainZohoTokens } from '../../../sandbox/src/test-support/index.js';
import { freePort } from '../../test/free-port.js';
import { createTestApp, type SignedInUser, type TestApp } from '../../test/test-app.js';
import { eventsOf, eventually, flowDefinition, hookPath, publishFlow, runsOf } from './test-support/triggers.fixtures.js';
import { TriggerSecrets } from './trigger.secrets.js';

type Json = Record<string, unknown>;

describe('TriggerSecrets.generate', () => {
  it('makes opaque whsec_ secrets by default and exactly N letters and digits when asked', () => {
    expect(TriggerSecrets.generate()).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const secrets = Array.from({ length: 200 }, () => TriggerSecrets.generate({ format: 'alphanumeric', length: 32 }));
    for (const secret of secrets) expect(secret).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(new Set(secrets).size).toBe(200);
    expect(new Set(secrets.join('')).size).toBe(62); // every letter and digit is drawn
    expect(TriggerSecrets.generate({ format: 'alphanumeric', length: 12 })).toMatch(/^[A-Za-z0-9]{12}$/);
  });
});

describe('Zoho Books webhook secrets against the sandbox', () => {
  let sandbox: RunningSandbox;
  let t: TestApp;
  let owner: SignedInUser;
  let ws: string;
  let booksApi: string;
  let booksToken: string;
  const org = wellKnown.booksOrgs.acmeUs;

  const books = (method: string, path: string, body?: unknown) =>
    booksRequest({ apiDomain: booksApi, accessToken: booksToken, organizationId: org }, method, path, body) as Promise<Json>;
  const api = (path: string) => `/api/v1/workspaces/${ws}${path}`;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    const port = await freePort();
    t = await createTestApp({ env: { BRAID_SANDBOX_URL: sandbox.url, BRAID_PUBLIC_URL: `http://127.0.0.1:${port}` } });
    await new Promise<void>((resolve) => t.server.listen(port, '127.0.0.1', resolve));
    owner = await t.signUpOwner();
    ws = owner.workspace.id;
    const tokens = await obtainZohoTokens(sandbox.url, { scopes: ['ZohoBooks.fullaccess.all'], booksOrgId: org });
    booksToken = tokens.accessToken;
    booksApi = tokens.apiDomain;
  });
  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  it('a Books workflow webhook gets a secret Books accepts; the help shows exactly it; Books-signed deliveries are accepted, wrong signatures refused', async () => {
    const { flowId } = await publishFlow(t, ws, flowDefinition({ connector: 'zoho-books', trigger: 'workflow_webhook', config: {} as never }));
    const before = await owner.client.get(api(`/flows/${flowId}/webhook`));
    expect(before.status).toBe(200);
    expect(before.body.secretFormat).toEqual({ format: 'alphanumeric', length: 32, description: '32 letters and digits' });
    expect(before.body.secretHint).toBeUndefined();

    const rotated = await owner.client.post(api(`/flows/${flowId}/webhook/secret`)).send({});
    expect(rotated.status).toBe(200);
    const secret = rotated.body.secret as string;
    expect(secret).toMatch(/^[A-Za-z0-9]{12,50}$/);
    const info = await owner.client.get(api(`/flows/${flowId}/webhook`));
    expect(info.body.secretHint).toBe('set');
    expect(JSON.stringify(info.body)).not.toContain(secret); // shown once, when created

    // What the user does in Books: a webhook with the URL and the secret exactly as Braid showed them
    // (the sandbox, like Books, refuses anything but 12–50 letters and digits), fired by a new contact.
    await books('POST', '/settings/webhooks', {
      webhook_name: 'Contacts to Braid', entity: 'contact', url: info.body.url, method: 'POST', body_type: 'default', secret, events: ['contact.created'],
    });
    const created = await books('POST', '/contacts', { contact_name: 'Signed Secrets Ltd', contact_type: 'customer' });
    const contactId = (created.contact as Json).contact_id as string;
    const [event] = await eventually(async () => {
      const events = await eventsOf(t, flowId);
      return events.length > 0 ? events : undefined;
    });
    expect(event).toMatchObject({ signature_verified: true, payload: { entity: 'contact', record_id: contactId, deleted: false } });
    expect(event!.headers).not.toHaveProperty('x-zoho-webhook-signature');
    expect(await runsOf(t, flowId)).toHaveLength(1);

    // The same body with a wrong signature (or none) is refused and stores nothing.
    const path = await hookPath(t, flowId);
    const body = event!.raw_body!.toString('utf8');
    const forged = await t.request().post(path).set('content-type', 'application/json').set('x-zoho-webhook-signature', 'ab'.repeat(32)).send(body);
    expect(forged.status).toBe(401);
    const unsigned = await t.request().post(path).set('content-type', 'application/json').send(body);
    expect(unsigned.status).toBe(401);
    expect(await eventsOf(t, flowId)).toHaveLength(1);
  });

  it('a secret made for another trigger is flagged in the help until it is replaced', async () => {
    const { flowId } = await publishFlow(t, ws, flowDefinition({ connector: 'core', trigger: 'webhook', config: {} as never }));
    const opaque = (await owner.client.post(api(`/flows/${flowId}/webhook/secret`)).send({})).body.secret as string;
    expect(opaque).toMatch(/^whsec_/);
    // The user switches the draft's trigger to Books: the help describes Books' secret and flags the old one.
    await t.query(`UPDATE flows SET draft = $2::jsonb WHERE id = $1`, [
      flowId,
      JSON.stringify(flowDefinition({ connector: 'zoho-books', trigger: 'workflow_webhook', config: {} as never })),
    ]);
    const flagged = await owner.client.get(api(`/flows/${flowId}/webhook`));
    expect(flagged.body.secretFormat).toMatchObject({ format: 'alphanumeric', length: 32 });
    expect(flagged.body.instructions[0]).toMatch(/does not fit this trigger .*32 letters and digits.*replace the secret/);
    const replaced = (await owner.client.post(api(`/flows/${flowId}/webhook/secret`)).send({})).body.secret as string;
    expect(replaced).toMatch(/^[A-Za-z0-9]{32}$/);
    const fixed = await owner.client.get(api(`/flows/${flowId}/webhook`));
    expect(fixed.body.instructions.join(' ')).not.toMatch(/does not fit/);
  });
});
