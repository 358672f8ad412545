import { ConnectorRegistry, describeConnector, validateOutput } from '@braid/connector-sdk';
import { describe, expect, it } from 'vitest';
import { togaiConnector } from './togai.connector.js';
import { fieldFromMessage, isTogaiHosted, resolveTogaiBaseUrl } from './togai.http.js';

describe('togai connector definition', () => {
  it('registers (schemas compile, samples match their schemas) and describes itself', () => {
    const registry = new ConnectorRegistry().register(togaiConnector);
    const descriptor = registry.describe('togai')!;
    expect(descriptor.auth).toEqual({ kind: 'api-token', headerName: 'Authorization', scheme: 'Bearer' });
    expect(descriptor.actions.map((a) => a.key)).toEqual([
      'create_customer', 'update_customer', 'archive_customer', 'get_customer', 'list_customers', 'find_customers',
      'create_customer_contact', 'create_account', 'update_account', 'archive_account', 'get_account', 'list_accounts', 'find_accounts',
      'get_invoice', 'list_invoices', 'update_invoice_metadata', 'void_invoice', 'create_custom_invoice',
      'record_payment', 'list_payments', 'get_payment', 'ingest_events',
    ]);
    expect(descriptor.triggers.map((t) => [t.key, t.kind, t.canListExisting])).toEqual([
      ['events', 'app-webhook', true],
      ['events_manual', 'webhook', false],
      ['invoices_polling', 'polling', true],
      ['accounts_polling', 'polling', true],
      ['payments_polling', 'polling', true],
    ]);
    expect(descriptor.connectionSettingsSchema).toMatchObject({ properties: { baseUrl: { default: 'https://api.togai.com' } } });
    expect(JSON.parse(JSON.stringify(describeConnector(togaiConnector)))).toEqual(descriptor);
  });

  it('gives every action a titled, described input form, a classification and a sample that matches its output', () => {
    for (const action of togaiConnector.actions) {
      expect(action.description.length, action.key).toBeGreaterThan(20);
      expect(['read', 'write', 'delete']).toContain(action.classification);
      const properties = (action.input.properties ?? {}) as Record<string, { title?: string }>;
      for (const [name, property] of Object.entries(properties)) expect(property.title, `${action.key}.${name}`).toBeTruthy();
      const check = validateOutput(action.output, action.sampleOutput);
      expect(check.issues, action.key).toEqual([]);
    }
    for (const trigger of togaiConnector.triggers) expect(validateOutput(trigger.outputSchema, trigger.sampleOutput).valid).toBe(true);
  });

  it('marks the fields a field mapper must map for the creates Togai refuses without them (x-braid-mandatory-targets)', () => {
    const descriptor = describeConnector(togaiConnector);
    const schemaOf = (key: string) => descriptor.actions.find((a) => a.key === key)!.inputSchema as Record<string, unknown> & { required: string[] };
    expect(schemaOf('create_customer')['x-braid-mandatory-targets']).toEqual(['name', 'primaryEmail']);
    expect(schemaOf('create_account')['x-braid-mandatory-targets']).toEqual(['name']);
    expect(schemaOf('create_customer_contact')['x-braid-mandatory-targets']).toEqual(['name', 'email']);
    for (const key of ['create_customer', 'create_account', 'create_customer_contact']) {
      for (const target of schemaOf(key)['x-braid-mandatory-targets'] as string[]) expect(schemaOf(key).required, key).toContain(target);
    }
  });

  it('accepts https base URLs, plain http only on loopback, and defaults to production', () => {
    const at = (baseUrl?: string) => resolveTogaiBaseUrl({ name: 'Togai – test', settings: baseUrl === undefined ? {} : { baseUrl } });
    expect(at()).toBe('https://api.togai.com');
    expect(at('https://sandbox-api.togai.com/')).toBe('https://sandbox-api.togai.com');
    expect(at('http://127.0.0.1:4010/togai/')).toBe('http://127.0.0.1:4010/togai');
    expect(at('http://localhost:4010/togai')).toBe('http://localhost:4010/togai');
    expect(() => at('http://api.togai.com')).toThrow(/must use https/);
    expect(() => at('https://user:pw@api.togai.com')).toThrow(/credentials/);
    expect(() => at('not a url')).toThrow(/not a URL/);
    expect(isTogaiHosted('https://api.togai.com')).toBe(true);
    expect(isTogaiHosted('https://sandbox-api.togai.com')).toBe(true);
    expect(isTogaiHosted('http://127.0.0.1:4010/togai')).toBe(false);
  });

  it('reads the field from Togai validation messages', () => {
    expect(fieldFromMessage('account.invoiceCurrency: must be an ISO-4217 code')).toBe('account.invoiceCurrency');
    expect(fieldFromMessage('lineItems[3].value: must be a number')).toBe('lineItems[3].value');
    expect(fieldFromMessage('Customer with id "x" already exists')).toBeUndefined();
    expect(fieldFromMessage('Invoice "invoice.1" is DUE: dates can only change while it is DRAFT')).toBeUndefined();
  });
});
