import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedInUser, type TestApp } from '../../test/test-app.js';
import type { SandboxService } from '../sandbox/sandbox.service.js';
import { loadConfig } from '../config/config.service.js';
import { ConnectionTargets } from './connections.targets.js';
import { registerTestConnectors } from './test-support/connections.fixtures.js';

describe('ConnectionTargets', () => {
  const targets = (env: Record<string, string>, sandboxUrl?: string) =>
    new ConnectionTargets(loadConfig({ BRAID_SANDBOX: 'off', ...env }), { url: sandboxUrl } as SandboxService);

  it('uses the per data centre secret when one is configured', async () => {
    const t = targets({ ZOHO_CLIENT_ID: '1000.PROD', ZOHO_CLIENT_SECRET: 'default-secret', ZOHO_CLIENT_SECRET_EU: 'eu-secret' });
    expect(await t.zohoWebClient('production', 'eu')).toEqual({ clientId: '1000.PROD', clientSecret: 'eu-secret' });
    expect(await t.zohoWebClient('production', 'in')).toEqual({ clientId: '1000.PROD', clientSecret: 'default-secret' });
    expect(t.zohoDataCentre('production', 'com').accountsServer).toBe('https://accounts.zoho.com');
    expect(t.zohoDataCentre('production', 'ca').accountsServer).toBe('https://accounts.zohocloud.ca');
    expect(t.apiTokenBase('togai', 'production')).toBe('https://api.togai.com');
    expect(t.baseUrl('production', { connectorKey: 'togai' })).toBe('https://api.togai.com');
    expect(t.baseUrl('production', { connectorKey: 'zoho-books', accountsServer: 'https://accounts.zoho.eu' })).toBe('https://accounts.zoho.eu');
  });

  it('prefers BRAID_SANDBOX_URL over the embedded sandbox and explains when there is none', () => {
    expect(targets({ BRAID_SANDBOX_URL: 'http://sandbox:4010/' }, 'http://127.0.0.1:4010').sandboxUrl()).toBe('http://sandbox:4010');
    expect(targets({}, 'http://127.0.0.1:4010').allowedAccountsServers('sandbox')).toEqual(['http://127.0.0.1:4010', 'http://127.0.0.1:4010/dc/eu']);
    expect(() => targets({}).sandboxUrl()).toThrow(/BRAID_SANDBOX=on, or point BRAID_SANDBOX_URL/);
    expect(targets({ BRAID_PUBLIC_URL: 'https://braid.example.com' }).redirectUri()).toBe('https://braid.example.com/api/v1/oauth/callback');
    expect(targets({ BRAID_PUBLIC_URL: 'https://braid.example.com' }).redirectUri('http://127.0.0.1:3000')).toBe('https://braid.example.com/api/v1/oauth/callback');
    expect(targets({}).redirectUri('http://127.0.0.1:3000')).toBe('http://127.0.0.1:3000/api/v1/oauth/callback');
  });
});

describe('production OAuth start with a configured Zoho client', () => {
  let t: TestApp;
  let owner: SignedInUser;
  beforeAll(async () => {
    t = await createTestApp({ env: { ZOHO_CLIENT_ID: '1000.PRODCLIENT', ZOHO_CLIENT_SECRET: 'prod-secret-value', BRAID_PUBLIC_URL: 'http://braid.example.test:8080' } });
    registerTestConnectors(t.braid.app);
    owner = await t.signUpOwner();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends the user to the chosen Zoho data centre with Braid\'s client and redirect URI', async () => {
    const response = await owner.client
      .post(`/api/v1/workspaces/${owner.workspace.id}/connections/oauth/start`)
      .send({ connectorKey: 'test-books', name: 'Real Books', dataCentre: 'eu', target: 'production' });
    expect(response.status).toBe(200);
    const url = new URL(response.body.authorizeUrl);
    expect(`${url.origin}${url.pathname}`).toBe('https://accounts.zoho.eu/oauth/v2/auth');
    expect(url.searchParams.get('client_id')).toBe('1000.PRODCLIENT');
    expect(url.searchParams.get('redirect_uri')).toBe('http://braid.example.test:8080/api/v1/oauth/callback');
    expect(response.text).not.toContain('prod-secret-value');
    const info = await owner.client.get(`/api/v1/workspaces/${owner.workspace.id}/connections/targets`);
    expect(info.body.production).toMatchObject({ zohoOAuthConfigured: true });
    expect(info.body.production.dataCentres).toContainEqual({ location: 'eu', label: 'Europe' });
    expect(info.body.sandbox).toEqual({ available: false, url: null, dataCentres: [] });
    const sandbox = await owner.client
      .post(`/api/v1/workspaces/${owner.workspace.id}/connections/oauth/start`)
      .send({ connectorKey: 'test-books', name: 'Sandbox Books', target: 'sandbox' });
    expect(sandbox.status).toBe(400);
    expect(sandbox.body.error.code).toBe('CONNECTION_SANDBOX_UNAVAILABLE');
    for (const line of t.logs) expect(line).not.toContain('prod-secret-value');
  });
});
