import { ConnectorError, ConnectorRegistry, describeConnector, validateTriggerConfig, type WebhookRequest } from '@braid/connector-sdk';
import { signBooksWebhook } from '@braid/sandbox';
import { describe, expect, it } from 'vitest';
import { mapBooksError } from './books.http.js';
import { booksWebhookSecret, computeSignature, parseBooksEvent } from './triggers/books.webhook.js';
import { phaseBounds } from './triggers/modified-records.trigger.js';
import { workflowWebhookTrigger, type WorkflowWebhookConfig } from './triggers/webhook.triggers.js';
import { zohoBooksConnector } from './zoho-books.connector.js';

function request(partial: Partial<WebhookRequest> & { body?: string; path?: string }): WebhookRequest & { path?: string } {
  const rawBody = Buffer.from(partial.body ?? '');
  return {
    method: partial.method ?? 'POST',
    headers: partial.headers ?? {},
    query: partial.query ?? {},
    rawBody,
    contentType: partial.contentType ?? 'application/json',
    ...(partial.path ? { path: partial.path } : {}),
  };
}

const config = (c: Partial<WorkflowWebhookConfig> = {}) =>
  validateTriggerConfig<WorkflowWebhookConfig>(zohoBooksConnector, 'workflow_webhook', c);

describe('zoho-books connector definition', () => {
  it('registers (schemas compile, samples match their output schemas, option bindings resolve)', () => {
    const registry = new ConnectorRegistry();
    registry.register(zohoBooksConnector);
    const descriptor = describeConnector(zohoBooksConnector);
    expect(descriptor.auth).toEqual({ kind: 'oauth2', provider: 'zoho', scopes: expect.arrayContaining(['ZohoBooks.settings.ALL']) });
    expect(descriptor.connectionSettingsSchema).toMatchObject({ required: ['organizationId'] });
    const keys = descriptor.actions.map((a) => a.key);
    for (const key of [
      'create_contact', 'update_contact', 'get_contact', 'delete_contact', 'find_contact', 'upsert_contact', 'set_contact_status',
      'list_contacts', 'create_contact_person', 'update_contact_person', 'delete_contact_person', 'list_contact_persons',
      'create_invoice', 'update_invoice', 'get_invoice', 'find_invoice_by_reference', 'void_invoice', 'delete_invoice',
      'mark_invoice_sent', 'list_invoices', 'create_bill', 'update_bill', 'delete_bill', 'record_payment', 'list_payments',
      'create_bank_transaction', 'create_expense', 'get_expense', 'list_expenses', 'list_currencies', 'get_currency', 'list_accounts', 'get_account', 'list_taxes', 'get_tax',
      'find_tax_by_rate', 'list_reporting_tags', 'get_reporting_tag', 'list_items', 'get_item', 'list_organizations', 'get_organization',
    ]) {
      expect(keys).toContain(key);
    }
    for (const action of descriptor.actions) {
      expect(action.description.length, action.key).toBeGreaterThan(10);
      expect(action.requiresConnection).toBe(true);
    }
    expect(descriptor.triggers.map((t) => [t.key, t.kind, t.canListExisting])).toEqual([
      ['record_events', 'app-webhook', true],
      ['workflow_webhook', 'webhook', false],
      ['modified_records', 'polling', true],
    ]);
    expect(descriptor.actions.find((a) => a.key === 'create_invoice')?.dynamicOptions).toMatchObject({
      '/line_items/items/tax_id': { optionsKey: 'taxes', dependsOn: [] },
    });
  });

  it('marks the fields a field mapper must map for the writes that need them (x-braid-mandatory-targets)', () => {
    const descriptor = describeConnector(zohoBooksConnector);
    const targets = (key: string) => descriptor.actions.find((a) => a.key === key)!.inputSchema['x-braid-mandatory-targets'];
    expect(targets('create_contact')).toEqual(['contact_name']);
    expect(targets('upsert_contact')).toEqual(['contact_name']);
    for (const key of ['create_contact', 'upsert_contact']) {
      const schema = descriptor.actions.find((a) => a.key === key)!.inputSchema as { required: string[]; properties: Record<string, unknown> };
      for (const target of targets(key) as string[]) {
        expect(schema.required, key).toContain(target);
        expect(schema.properties[target], key).toBeDefined();
      }
    }
  });

  it('gives every input field a title (the editor renders the schema as a form)', () => {
    const missing: string[] = [];
    const walk = (schema: Record<string, unknown>, path: string) => {
      const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
      for (const [name, prop] of Object.entries(props)) {
        if (typeof prop.title !== 'string') missing.push(`${path}/${name}`);
        if (prop.type === 'object') walk(prop, `${path}/${name}`);
        const items = prop.items as Record<string, unknown> | undefined;
        if (items?.type === 'object') walk(items, `${path}/${name}/items`);
      }
    };
    for (const action of zohoBooksConnector.actions) walk(action.input, action.key);
    for (const trigger of zohoBooksConnector.triggers) walk(trigger.configSchema, trigger.key);
    expect(missing).toEqual([]);
  });

  it('maps Books error bodies to typed errors', () => {
    const req = { method: 'POST', url: 'https://www.zohoapis.com/books/v3/invoices?organization_id=1' };
    const validation = mapBooksError({ status: 400, headers: {}, body: { code: 4, message: 'Invalid value passed for customer_id' } }, req);
    expect(validation).toMatchObject({ code: 'VALIDATION', field: 'customer_id', vendorCode: 4 });
    expect(mapBooksError({ status: 400, headers: {}, body: { code: 2, message: 'line_items is required. Pass it.' } }, req)).toMatchObject({
      code: 'VALIDATION',
      field: 'line_items',
    });
    expect(mapBooksError({ status: 404, headers: {}, body: { code: 1002, message: 'Invoice does not exist.' } }, req)).toMatchObject({
      code: 'NOT_FOUND',
      vendorCode: 1002,
    });
    expect(mapBooksError({ status: 401, headers: {}, body: { code: 57, message: 'You are not authorized' } }, req)).toMatchObject({
      code: 'AUTH',
      needsReconnect: true,
    });
    const perMinute = mapBooksError({ status: 429, headers: { 'x-rate-limit-remaining': '120' }, body: { code: 44, message: 'exceeded' } }, req);
    expect(perMinute).toMatchObject({ code: 'RATE_LIMITED' });
    expect((perMinute as { retryAfterMs?: number }).retryAfterMs).toBeUndefined();
    const daily = mapBooksError(
      { status: 429, headers: { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': '5400' }, body: { code: 44, message: 'per day' } },
      req,
    );
    expect(daily).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 5_400_000 });
    expect((daily as Error).message).toContain('daily API quota');
    expect(mapBooksError({ status: 400, headers: {}, body: { code: 1001, message: 'already exists' } }, req)).toMatchObject({ code: 'CONFLICT' });
    expect(mapBooksError({ status: 500, headers: {}, body: { code: 1000, message: 'Internal error' } }, req)).toBeUndefined();
  });

  it('computes the webhook signature exactly as the sandbox (Zoho) signs it', () => {
    const secret = 'InvoiceSecret2026';
    const body = JSON.stringify({ invoice: { invoice_id: '1', total: 10 } });
    const json = request({ body, query: { braid_event: 'created', a: ['2', '1'] } });
    expect(computeSignature(secret, json)).toBe(
      signBooksWebhook(secret, { query: [['braid_event', 'created'], ['a', '2'], ['a', '1']], rawBody: body }),
    );
    const formBody = 'name=Globex&id=42';
    const form = request({ body: formBody, contentType: 'application/x-www-form-urlencoded', query: { t: 'x' } });
    expect(computeSignature(secret, form)).toBe(
      signBooksWebhook(secret, { query: { t: 'x' }, form: [['name', 'Globex'], ['id', '42']] }),
    );
    expect(booksWebhookSecret('short')).toMatch(/^[0-9a-f]{32}$/);
    expect(booksWebhookSecret('Abcdefghijkl12345')).toBe('Abcdefghijkl12345');
  });

  it('workflow_webhook parses the default JSON payload, raw JSON, form fields, exist:false and DELETE', async () => {
    const parse = async (req: WebhookRequest, c = config()) =>
      (await workflowWebhookTrigger.parseRequest({ config: c, logger: console as never, now: () => new Date() }, req)).events;

    const json = await parse(request({
      body: JSON.stringify({ invoice: { invoice_id: '77', status: 'sent', created_time: '2026-01-01T10:00:00+0000', last_modified_time: '2026-01-01T10:00:00+0000' } }),
    }));
    expect(json).toEqual([{ payload: expect.objectContaining({ entity: 'invoice', event: 'created', record_id: '77', deleted: false }) }]);

    const raw = await parse(request({ body: JSON.stringify({ contact_id: '5', contact_type: 'vendor', contact_name: 'V' }) }));
    expect(raw[0]!.payload).toMatchObject({ entity: 'contact', event: 'updated', record_id: '5', contact_type: 'vendor' });

    const form = await parse(request({ body: 'bill_id=9&bill_number=B-1', contentType: 'application/x-www-form-urlencoded' }));
    expect(form[0]!.payload).toMatchObject({ entity: 'bill', record_id: '9', record: { bill_number: 'B-1' } });

    const gone = await parse(request({ body: JSON.stringify({ contact: { contact_id: '5', exist: false } }) }));
    expect(gone[0]!.payload).toMatchObject({ entity: 'contact', event: 'deleted', deleted: true, record_id: '5' });

    const del = await parse(request({ method: 'DELETE', query: { invoice_id: '88' } }));
    expect(del[0]!.payload).toMatchObject({ entity: 'invoice', event: 'deleted', record_id: '88', deleted: true });

    const delPath = await parse(request({ method: 'DELETE', path: '/hooks/abc/4600001' }), config({ entity: 'bill' }));
    expect(delPath[0]!.payload).toMatchObject({ entity: 'bill', record_id: '4600001', deleted: true });

    await expect(parse(request({ body: '{"hello":1}' }))).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(parse(request({ body: 'not json' }))).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('workflow_webhook verifies a signature or a shared-secret query parameter', () => {
    const secret = 'S3cretForBooks2026XY';
    const body = JSON.stringify({ invoice: { invoice_id: '1' } });
    const signed = request({ body, headers: { 'x-zoho-webhook-signature': signBooksWebhook(secret, { rawBody: body }) } });
    const verify = (req: WebhookRequest, c = config()) => workflowWebhookTrigger.verifyRequest!({ config: c, secret, request: req, now: () => new Date() });
    expect(() => verify(signed)).not.toThrow();
    expect(() => verify(request({ body, headers: { 'x-zoho-webhook-signature': 'ab'.repeat(32) } }))).toThrow(ConnectorError);
    expect(() => verify(request({ body }))).toThrow(/no X-Zoho-Webhook-Signature/);
    const tokenConfig = config({ verification: 'query_token' });
    expect(() => verify(request({ body, query: { braid_token: secret } }), tokenConfig)).not.toThrow();
    expect(() => verify(request({ body, query: { braid_token: 'nope' } }), tokenConfig)).toThrow(/braid_token/);
    expect(() => verify(request({ body }), config({ verification: 'none' }))).not.toThrow();

    const instructions = workflowWebhookTrigger.setupInstructions!(config(), 'https://braid.example/hooks/abc', secret);
    expect(instructions).toMatchObject({ method: 'POST', url: 'https://braid.example/hooks/abc' });
    expect(instructions.notes.join(' ')).toContain('Secret');
    expect(JSON.stringify(instructions)).not.toContain(secret);
  });

  it('parseBooksEvent keeps the entity/event the registered webhook names in its query', () => {
    const event = parseBooksEvent(request({ body: JSON.stringify({ payment: { payment_id: '3' } }), query: { braid_event: 'created', braid_entity: 'customerpayment' } }));
    expect(event).toMatchObject({ entity: 'customerpayment', event: 'created', record_id: '3' });
  });

  it('backfill phases: last N months first, then older, or explicit ranges', () => {
    const now = new Date('2026-11-21T10:00:00Z');
    expect(phaseBounds('recent', now, 12)).toEqual({ since: '2025-11-21' });
    expect(phaseBounds('older', now, 12)).toEqual({ before: '2025-11-21' });
    expect(phaseBounds(undefined, now, 12)).toEqual({});
    expect(phaseBounds('range:2024-01-01..2024-06-30', now, 12)).toEqual({ since: '2024-01-01', before: '2024-06-30' });
    expect(phaseBounds('{"since":"2025-01-01T00:00:00Z","until":"2025-07-01"}', now, 12)).toEqual({ since: '2025-01-01', before: '2025-07-01' });
    expect(() => phaseBounds('{"since":"last year"}', now, 12)).toThrow(/Unknown backfill phase/);
    expect(() => phaseBounds('yesterday', now, 12)).toThrow(/Unknown backfill phase/);
  });
});
