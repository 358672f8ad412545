import { ConnectorRegistry, describeConnector, validateOutput } from '@braid/connector-sdk';
import { describe, expect, it } from 'vitest';
import { zohoCrmConnector } from './crm.connector.js';
import { buildCriteria, escapeCriteriaValue } from './crm.criteria.js';
import { crmBaseUrl, isCrmAuthExpired, mapCrmError } from './crm.http.js';
import { normaliseField } from './crm.metadata.js';
import { parseNotification, tokensMatch } from './triggers/record-changes.trigger.js';

describe('zoho-crm connector definition', () => {
  it('registers (schemas compile, samples match) and describes itself', () => {
    const registry = new ConnectorRegistry().register(zohoCrmConnector);
    const descriptor = registry.describe('zoho-crm')!;
    expect(descriptor.auth).toEqual({
      kind: 'oauth2',
      provider: 'zoho',
      scopes: ['ZohoCRM.modules.ALL', 'ZohoCRM.settings.ALL', 'ZohoCRM.notifications.ALL', 'ZohoCRM.coql.READ', 'ZohoCRM.users.READ', 'ZohoCRM.org.READ'],
    });
    expect(descriptor.actions.map((a) => [a.key, a.classification, a.idempotent])).toEqual([
      ['upsert_records', 'write', true],
      ['insert_records', 'write', false],
      ['update_records', 'write', true],
      ['delete_records', 'delete', true],
      ['upsert_account', 'write', true],
      ['upsert_contact', 'write', true],
      ['get_record', 'read', true],
      ['search_records', 'read', true],
      ['list_records', 'read', true],
      ['list_deleted_records', 'read', true],
      ['count_records', 'read', true],
      ['get_fields', 'read', true],
      ['list_modules', 'read', true],
      ['coql_query', 'read', true],
    ]);
    expect(descriptor.triggers.map((t) => [t.key, t.kind, t.canListExisting, t.requiresConnection])).toEqual([
      ['record_changes', 'app-webhook', false, true],
      ['modified_records', 'polling', true, true],
    ]);
    expect(descriptor.actions.find((a) => a.key === 'list_records')!.dynamicOptions).toEqual({
      '/module': { optionsKey: 'modules', dependsOn: [] },
      '/fields/items': { optionsKey: 'fields', dependsOn: ['module'] },
    });
    expect(descriptor.connectionSettingsSchema).toMatchObject({ properties: { edition: { default: 'enterprise' } } });
    expect(JSON.parse(JSON.stringify(describeConnector(zohoCrmConnector)))).toEqual(descriptor);
  });

  it('gives every action a titled input form, a description and a sample that matches its output', () => {
    for (const action of zohoCrmConnector.actions) {
      expect(action.description.length, action.key).toBeGreaterThan(40);
      const properties = (action.input.properties ?? {}) as Record<string, { title?: string }>;
      for (const [name, property] of Object.entries(properties)) expect(property.title, `${action.key}.${name}`).toBeTruthy();
      expect(validateOutput(action.output, action.sampleOutput).issues, action.key).toEqual([]);
    }
    for (const trigger of zohoCrmConnector.triggers) expect(validateOutput(trigger.outputSchema, trigger.sampleOutput).issues).toEqual([]);
    expect(zohoCrmConnector.actions.find((a) => a.key === 'insert_records')!.description).toMatch(/prefer "Upsert records"/);
  });

  it('marks the fields a field mapper must map for the writes CRM refuses without them (x-braid-mandatory-targets)', () => {
    const descriptor = describeConnector(zohoCrmConnector);
    const schemaOf = (key: string) => descriptor.actions.find((a) => a.key === key)!.inputSchema as Record<string, unknown> & { required: string[] };
    expect(schemaOf('upsert_account')['x-braid-mandatory-targets']).toEqual(['Account_Name']);
    expect(schemaOf('upsert_contact')['x-braid-mandatory-targets']).toEqual(['Last_Name']);
    for (const key of ['upsert_account', 'upsert_contact']) {
      for (const target of schemaOf(key)['x-braid-mandatory-targets'] as string[]) expect(schemaOf(key).required, key).toContain(target);
    }
  });

  it('builds the base URL from the api_domain of any data centre', () => {
    const base = (apiDomain?: string) => crmBaseUrl({ id: 'c', name: 'CRM EU', settings: {}, ...(apiDomain ? { apiDomain } : {}) });
    expect(base('https://www.zohoapis.eu')).toBe('https://www.zohoapis.eu/crm/v8');
    expect(base('https://www.zohoapis.com.au/')).toBe('https://www.zohoapis.com.au/crm/v8');
    expect(() => base()).toThrow(/"CRM EU" has no API domain/);
  });
});

describe('search criteria', () => {
  it('escapes backslash first, then ( ) and ,', () => {
    expect(escapeCriteriaValue('a\\b(c),d')).toBe('a\\\\b\\(c\\)\\,d');
    expect(escapeCriteriaValue(42)).toBe('42');
  });

  it('joins conditions with and/or and lists values for in/between', () => {
    expect(buildCriteria([{ field: 'Email', operator: 'equals', value: 'a@b.com' }])).toBe('(Email:equals:a@b.com)');
    expect(
      buildCriteria(
        [
          { field: 'Annual_Revenue', operator: 'between', value: [10, 20] },
          { field: 'Currency', operator: 'in', value: ['EUR', 'USD'] },
        ],
        'or',
      ),
    ).toBe('((Annual_Revenue:between:10,20)or(Currency:in:EUR,USD))');
  });

  it('refuses bad conditions with a pointer', () => {
    expect(() => buildCriteria([{ field: 'A) or (B', operator: 'equals', value: 'x' }])).toThrow(/\/conditions\/0\/field/);
    expect(() => buildCriteria([{ field: 'A', operator: 'between', value: [1] }])).toThrow(/exactly two/);
    expect(() => buildCriteria([{ field: 'A', operator: 'equals', value: ['x', 'y'] }])).toThrow(/one value/);
    expect(() => buildCriteria(Array.from({ length: 11 }, () => ({ field: 'A', operator: 'equals' as const, value: 'x' })))).toThrow(/at most 10/);
  });
});

describe('CRM errors', () => {
  const req = { method: 'POST', url: 'https://www.zohoapis.com/crm/v8/Accounts/upsert' };
  it('maps CRM codes to typed errors naming the field', () => {
    const invalid = mapCrmError(
      { status: 400, headers: {}, body: { code: 'INVALID_DATA', status: 'error', message: 'invalid data', details: { api_name: 'Email' } } },
      req,
    );
    expect(invalid).toMatchObject({ code: 'VALIDATION', field: 'Email', vendorCode: 'INVALID_DATA' });
    expect(invalid!.message).toContain('POST /Accounts/upsert');
    const wrapped = mapCrmError(
      { status: 400, headers: {}, body: { data: [{ code: 'LIMIT_EXCEEDED', status: 'error', message: 'too many', details: { api_name: 'data' } }] } },
      req,
    );
    expect(wrapped).toMatchObject({ code: 'VALIDATION', vendorCode: 'LIMIT_EXCEEDED', field: 'data' });
    expect(mapCrmError({ status: 404, headers: {}, body: { code: 'INVALID_URL_PATTERN', status: 'error', message: 'x' } }, req)).toMatchObject({ code: 'NOT_FOUND' });
    expect(mapCrmError({ status: 429, headers: {}, body: { code: 'TOO_MANY_REQUESTS', status: 'error', message: 'x' } }, req)).toMatchObject({ code: 'RATE_LIMITED' });
    expect(mapCrmError({ status: 500, headers: {}, body: { code: 'INTERNAL_ERROR', status: 'error', message: 'x' } }, req)).toMatchObject({ code: 'RETRYABLE' });
    expect(mapCrmError({ status: 401, headers: {}, body: { code: 'INVALID_TOKEN', status: 'error', message: 'x' } }, req)).toBeUndefined();
  });

  it('refreshes on INVALID_TOKEN but not on a scope mismatch', () => {
    expect(isCrmAuthExpired({ status: 401, headers: {}, body: { code: 'INVALID_TOKEN' } })).toBe(true);
    expect(isCrmAuthExpired({ status: 401, headers: {}, body: { code: 'OAUTH_SCOPE_MISMATCH' } })).toBe(false);
    expect(isCrmAuthExpired({ status: 400, headers: {}, body: null })).toBe(false);
  });
});

describe('field metadata', () => {
  it('normalises /settings/fields entries', () => {
    expect(
      normaliseField({
        api_name: 'Currency', field_label: 'Currency', data_type: 'picklist', system_mandatory: false, read_only: false,
        unique: {}, custom_field: false, length: 3,
        pick_list_values: [{ display_value: 'Euro', actual_value: 'EUR' }],
      }),
    ).toEqual({ apiName: 'Currency', label: 'Currency', dataType: 'picklist', mandatory: false, readOnly: false, unique: false, custom: false, length: 3, picklist: [{ value: 'EUR', label: 'Euro' }] });
    expect(normaliseField({ api_name: 'X', unique: { casesensitive: false }, lookup: { module: { api_name: 'Accounts' } } })).toMatchObject({ unique: true, lookupModule: 'Accounts' });
    expect(normaliseField({})).toBeUndefined();
  });
});

describe('watch callbacks', () => {
  it('parses one event per record id with its changed fields', () => {
    const events = parseNotification({
      server_time: 1714557600000, module: 'Accounts', ids: ['1', '2'], operation: 'update', channel_id: 1000000000000001,
      token: 't', affected_fields: [{ 1: ['Phone'] }, { 2: ['Email', 'Phone'] }],
      affected_values: [{ record_id: '1', values: { Phone: '+1' } }],
    });
    expect(events).toEqual([
      { id: '1000000000000001:Accounts:1:1714557600000', payload: { module: 'Accounts', operation: 'update', recordId: '1', affectedFields: ['Phone'], affectedValues: { Phone: '+1' }, channelId: '1000000000000001', serverTime: '2024-05-01T10:00:00.000Z' } },
      { id: '1000000000000001:Accounts:2:1714557600000', payload: expect.objectContaining({ recordId: '2', affectedFields: ['Email', 'Phone'], affectedValues: null }) },
    ]);
    expect(parseNotification({ module: 'Contacts', ids: ['9'], operation: 'delete', channel_id: '5', server_time: 1 })[0]!.payload).toMatchObject({ operation: 'delete', affectedFields: null });
    expect(() => parseNotification({ ids: ['1'] })).toThrow(/no module or operation/);
  });

  it('compares tokens in constant time, whatever their length', () => {
    expect(tokensMatch('abc', 'abc')).toBe(true);
    expect(tokensMatch('abc', 'abd')).toBe(false);
    expect(tokensMatch('abc', 'abcd')).toBe(false);
    expect(tokensMatch('abc', undefined)).toBe(false);
  });
});
