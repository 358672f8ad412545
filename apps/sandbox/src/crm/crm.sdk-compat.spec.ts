/**
 * Drives the sandbox's CRM with Zoho's official TypeScript SDK (@zohocrm/typescript-sdk-8.0) — the SDK's own
 * `Environment` pointed at the sandbox, its FileStore, an OAuthToken built from the refresh token the sandbox's
 * OAuth flow issued (the SDK refreshes it itself against the sandbox's accounts server) — so a real client is
 * satisfied with the sandbox's responses (including the field metadata the SDK fetches on its own).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ZOHOCRMSDK from '@zohocrm/typescript-sdk-8.0';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wellKnown } from '../core/sandbox.tenants.js';
import { type CrmHarness, startCrmHarness } from './test-support/crm.harness.js';

describe('official Zoho CRM TypeScript SDK against the sandbox', () => {
  let h: CrmHarness;
  let workDir: string;

  beforeAll(async () => {
    h = await startCrmHarness();
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-sdk-'));
    const environment = new ZOHOCRMSDK.Environment(h.tokens.apiDomain, `${h.tokens.accountsServer}/oauth/v2/token`, h.tokens.apiDomain);
    const token = new ZOHOCRMSDK.OAuthBuilder()
      .clientId(wellKnown.webClient.clientId)
      .clientSecret(wellKnown.webClient.clientSecret)
      .refreshToken(h.tokens.refreshToken)
      .build();
    const store = new ZOHOCRMSDK.FileStore(path.join(workDir, 'tokens.txt'));
    const logger = new ZOHOCRMSDK.LogBuilder().level(ZOHOCRMSDK.Levels.OFF).filePath(path.join(workDir, 'sdk.log')).build();
    const sdkConfig = new ZOHOCRMSDK.SDKConfigBuilder().pickListValidation(false).autoRefreshFields(true).build();
    await (await new ZOHOCRMSDK.InitializeBuilder())
      .environment(environment)
      .token(token)
      .store(store)
      .SDKConfig(sdkConfig)
      .resourcePath(workDir)
      .logger(logger)
      .initialize();
  });

  afterAll(async () => {
    await h?.close();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  const Rec = ZOHOCRMSDK.Record;

  /** SuccessResponse / APIException items of an ActionWrapper, as plain objects. */
  function actionItems(response: ZOHOCRMSDK.APIResponse<ZOHOCRMSDK.Record.ActionHandler.MasterModel> | null) {
    const wrapper = response?.getObject();
    if (!(wrapper instanceof Rec.ActionWrapper)) throw new Error(`expected an ActionWrapper, got ${JSON.stringify(wrapper)}`);
    return wrapper.getData().map((item) => {
      if (item instanceof Rec.SuccessResponse) {
        return {
          ok: true, code: item.getCode().getValue(), action: item.getAction()?.getValue(), duplicateField: item.getDuplicateField(),
          details: Object.fromEntries(item.getDetails()),
        };
      }
      const error = item as ZOHOCRMSDK.Record.APIException;
      return { ok: false, code: error.getCode().getValue(), details: Object.fromEntries(error.getDetails() ?? new Map()) };
    });
  }

  function records(response: ZOHOCRMSDK.APIResponse<ZOHOCRMSDK.Record.ResponseHandler.MasterModel> | null) {
    const wrapper = response?.getObject();
    if (!(wrapper instanceof Rec.ResponseWrapper)) throw new Error(`expected a ResponseWrapper, got ${JSON.stringify(wrapper)}`);
    return { data: wrapper.getData(), info: wrapper.getInfo() };
  }

  it('gets records with their typed system fields', async () => {
    const ops = new Rec.RecordOperations('Accounts');
    const params = new ZOHOCRMSDK.ParameterMap();
    await params.add(Rec.GetRecordsParam.FIELDS, 'Account_Name,Currency,Email,Created_Time,Created_By');
    await params.add(Rec.GetRecordsParam.SORT_ORDER, 'asc');
    const response = await ops.getRecords(params, new ZOHOCRMSDK.HeaderMap());
    expect(response?.getStatusCode()).toBe(200);
    const { data, info } = records(response);
    expect(data.map((r) => r.getKeyValue('Account_Name'))).toEqual(['Zylker Inc', 'Globex Corporation', 'Initech']);
    const zylker = data[0]!;
    expect(typeof zylker.getId()).toBe('bigint');
    expect(zylker.getCreatedTime()).toBeInstanceOf(Date);
    expect(zylker.getCreatedBy()?.getEmail()).toBe(wellKnown.user.email);
    expect(info?.getMoreRecords()).toBe(false);

    const one = records(await ops.getRecord(zylker.getId()!, new ZOHOCRMSDK.ParameterMap(), new ZOHOCRMSDK.HeaderMap()));
    expect(one.data[0]!.getKeyValue('Email')).toBe('billing@zylker.example');
  });

  it('inserts records (201) with per-record results, including a lookup and a mandatory error', async () => {
    const accounts = records(await (async () => {
      const params = new ZOHOCRMSDK.ParameterMap();
      await params.add(Rec.GetRecordsParam.FIELDS, 'Account_Name');
      return new Rec.RecordOperations('Accounts').getRecords(params, new ZOHOCRMSDK.HeaderMap());
    })());
    const account = accounts.data.find((r) => r.getKeyValue('Account_Name') === 'Initech')!;

    const contact = new Rec.Record();
    contact.addFieldValue(Rec.Field.Contacts.LAST_NAME, 'Bolton');
    contact.addFieldValue(Rec.Field.Contacts.FIRST_NAME, 'Michael');
    contact.addFieldValue(Rec.Field.Contacts.EMAIL, 'michael@initech.example');
    const lookup = new Rec.Record();
    lookup.setId(account.getId()!);
    contact.addKeyValue('Account_Name', lookup);
    const body = new Rec.BodyWrapper();
    body.setData([contact]);
    body.setTrigger([]);
    const created = await new Rec.RecordOperations('Contacts').createRecords(body, new ZOHOCRMSDK.HeaderMap());
    expect(created?.getStatusCode()).toBe(201);
    const [item] = actionItems(created);
    expect(item).toMatchObject({ ok: true, code: 'SUCCESS' });

    const stored = h.crm.store.get(wellKnown.crmOrgs.acmeUs, 'Contacts', String(item!.details.id))!;
    expect(stored.values).toMatchObject({ Last_Name: 'Bolton', Email: 'michael@initech.example', Account_Name: String(account.getId()) });

    const bad = new Rec.Record();
    bad.addKeyValue('First_Name', 'Nameless');
    const mixedBody = new Rec.BodyWrapper();
    const good = new Rec.Record();
    good.addKeyValue('Last_Name', 'Samir');
    mixedBody.setData([good, bad]);
    const mixed = await new Rec.RecordOperations('Contacts').createRecords(mixedBody, new ZOHOCRMSDK.HeaderMap());
    expect(mixed?.getStatusCode()).toBe(207);
    expect(actionItems(mixed).map((r) => r.code)).toEqual(['SUCCESS', 'MANDATORY_NOT_FOUND']);
  });

  it('upserts records by duplicate_check_fields', async () => {
    const existing = new Rec.Record();
    existing.addKeyValue('Account_Name', 'Globex Corporation');
    existing.addKeyValue('Phone', '+49 30 000');
    const fresh = new Rec.Record();
    fresh.addKeyValue('Account_Name', 'Vandelay Industries');
    fresh.addKeyValue('Togai_Customer_Id', 'cust-vandelay');
    const body = new Rec.BodyWrapper();
    body.setData([existing, fresh]);
    body.setDuplicateCheckFields(['Account_Name']);
    const response = await new Rec.RecordOperations('Accounts').upsertRecords(body, new ZOHOCRMSDK.HeaderMap());
    expect(response?.getStatusCode()).toBe(200);
    const [update, insert] = actionItems(response);
    expect(update).toMatchObject({ ok: true, action: 'update', duplicateField: 'Account_Name' });
    expect(insert).toMatchObject({ ok: true, action: 'insert' });

    const search = new ZOHOCRMSDK.ParameterMap();
    await search.add(Rec.SearchRecordsParam.CRITERIA, '(Togai_Customer_Id:equals:cust-vandelay)');
    const found = records(await new Rec.RecordOperations('Accounts').searchRecords(search, new ZOHOCRMSDK.HeaderMap()));
    expect(found.data.map((r) => r.getKeyValue('Account_Name'))).toEqual(['Vandelay Industries']);
  });

  it('reads field metadata through the SDK', async () => {
    const params = new ZOHOCRMSDK.ParameterMap();
    await params.add(ZOHOCRMSDK.Fields.GetFieldsParam.MODULE, 'Contacts');
    const response = await new ZOHOCRMSDK.Fields.FieldsOperations().getFields(params);
    const wrapper = response?.getObject();
    expect(wrapper).toBeInstanceOf(ZOHOCRMSDK.Fields.ResponseWrapper);
    const fields = (wrapper as ZOHOCRMSDK.Fields.ResponseWrapper).getFields();
    const accountName = fields.find((f) => f.getAPIName() === 'Account_Name')!;
    expect(accountName.getDataType()).toBe('lookup');
    expect(accountName.getLookup()?.getModule()?.getAPIName()).toBe('Accounts');
  });

  it('went through the sandbox OAuth (refresh by the SDK) and the CRM routes', () => {
    const counts = h.running.sandbox.context.calls.counts({ service: 'crm' });
    expect(counts['POST /crm/v8/:module']).toBeGreaterThanOrEqual(2);
    expect(counts['POST /crm/v8/:module/upsert']).toBe(1);
    expect(counts['GET /crm/v8/settings/fields']).toBeGreaterThanOrEqual(1);
    // autoRefreshFields: the SDK lists the modules, then caches every module's fields
    expect(counts['GET /crm/v8/settings/modules']).toBeGreaterThanOrEqual(1);
    // one token exchange by obtainZohoTokens, one refresh by the SDK itself (multipart form-data)
    const tokenCalls = h.running.sandbox.context.calls.list({ service: 'accounts' }).filter((c) => c.method === 'POST' && c.path === '/oauth/v2/token');
    expect(tokenCalls.length).toBe(2);
    expect(tokenCalls.every((c) => c.status === 200)).toBe(true);
  });
});
