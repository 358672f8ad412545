import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The SDK's own test connector: registered exactly like the real ones, to show the runtime needs no change.
import { echoConnector } from '../../../../packages/connector-sdk/src/test-support/echo.connector.js';
import { createTestApp, type SignedInUser, type TestApp } from '../../test/test-app.js';
import { ConnectorsService } from './connectors.service.js';

describe('connector catalog', () => {
  let t: TestApp;
  let owner: SignedInUser;
  beforeAll(async () => {
    t = await createTestApp();
    owner = await t.signUpOwner();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses the catalog without a session or token', async () => {
    await t.request().get('/api/v1/connectors').expect(401);
  });

  it('lists the installed connectors with their triggers and actions', async () => {
    const response = await owner.client.get('/api/v1/connectors').expect(200);
    const core = response.body.connectors.find((c: { key: string }) => c.key === 'core');
    expect(core).toBeDefined();
    expect(core.auth).toEqual({ kind: 'none' });
    const httpRequest = core.actions.find((a: { key: string }) => a.key === 'http_request');
    expect(httpRequest).toMatchObject({ classification: expect.any(String), inputSchema: { type: 'object' } });
    expect(response.body.connectors.map((c: { key: string }) => c.key)).toEqual(expect.arrayContaining(['core', 'zoho-books', 'zoho-crm', 'togai']));
    expect(core.triggers.map((tr: { kind: string }) => tr.kind)).toEqual(expect.arrayContaining(['manual', 'schedule', 'webhook']));
  });

  it('answers 404 with a coded error for an unknown connector', async () => {
    const response = await owner.client.get('/api/v1/connectors/nope').expect(404);
    expect(response.body.error.code).toBe('CONNECTOR_UNKNOWN');
  });

  it('offers a newly registered connector without any runtime change', async () => {
    t.braid.app.get(ConnectorsService).register(echoConnector);
    const response = await owner.client.get(`/api/v1/connectors/${echoConnector.key}`).expect(200);
    expect(response.body.actions.length).toBe(echoConnector.actions.length);
  });
});
