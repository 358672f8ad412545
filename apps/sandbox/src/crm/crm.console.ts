/**
 * Console buttons for the CRM: create/update/delete records the same way the API does (same validation,
 * same per-record errors, and watch callbacks fire), so a person can trigger a sync scenario by hand.
 */
import type { ConsoleAction, SandboxContext } from '../core/sandbox.service.js';
import { wellKnown } from '../core/sandbox.tenants.js';
import { type CrmModuleName, crmModules, currencyCodes } from './crm.fields.js';
import type { CrmRecords, RecordResult, WriteActor } from './crm.records.js';
import type { CrmStore } from './crm.store.js';

const orgOptions = [
  { value: wellKnown.crmOrgs.acmeUs, label: `Acme Inc (US, ${wellKnown.crmOrgs.acmeUs})` },
  { value: wellKnown.crmOrgs.acmeEu, label: `Acme GmbH (EU, ${wellKnown.crmOrgs.acmeEu})` },
];

function actorFor(ctx: SandboxContext, store: CrmStore, orgId: string): WriteActor {
  const org = ctx.tenants.crmOrgs.get(orgId);
  const owner = org?.userIds[0];
  if (!org || !owner) throw new Error(`CRM org ${orgId} does not exist or has no users`);
  const prefix = ctx.dataCentres.find((dc) => dc.key === org.dc)?.prefix ?? '';
  return { orgId, userId: store.userRef(owner).id, now: ctx.clock.now(), apiBase: `${ctx.baseUrl()}${prefix}/crm/v8` };
}

function orgOfRecord(store: CrmStore, id: string): string {
  const record = store.records.get(id.trim());
  if (!record) throw new Error(`no CRM record has id ${id}`);
  return record.orgId;
}

/** One record's result, or an Error carrying Zoho's code and details. */
function single(result: RecordResult | undefined): unknown {
  if (!result) throw new Error('no result');
  if (result.status !== 'success') throw new Error(`${String(result.code)}: ${String(result.message)} ${JSON.stringify(result.details)}`);
  return result;
}

const nonEmpty = (values: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== ''));

export function crmConsoleActions(store: () => CrmStore, records: () => CrmRecords): ConsoleAction[] {
  return [
    {
      key: 'create-account',
      title: 'Create account',
      fields: [
        { name: 'orgId', label: 'CRM org', type: 'select', options: orgOptions, required: true, defaultValue: wellKnown.crmOrgs.acmeUs },
        { name: 'Account_Name', label: 'Account name', type: 'text', required: true },
        { name: 'Email', label: 'Email', type: 'email' },
        { name: 'Currency', label: 'Currency', type: 'select', options: currencyCodes.map((c) => ({ value: c, label: c })), defaultValue: 'USD' },
        { name: 'Billing_City', label: 'Billing city', type: 'text' },
        { name: 'Billing_Country', label: 'Billing country', type: 'text' },
      ],
      run(ctx, v) {
        const actor = actorFor(ctx, store(), v.orgId ?? '');
        const data = nonEmpty({ Account_Name: v.Account_Name, Email: v.Email, Currency: v.Currency, Billing_City: v.Billing_City, Billing_Country: v.Billing_Country });
        return single(records().insert(actor, crmModules.Accounts, [data])[0]);
      },
    },
    {
      key: 'create-contact',
      title: 'Create contact',
      fields: [
        { name: 'accountId', label: 'Account id (its org is used)', type: 'text', required: true },
        { name: 'First_Name', label: 'First name', type: 'text' },
        { name: 'Last_Name', label: 'Last name', type: 'text', required: true },
        { name: 'Email', label: 'Email', type: 'email' },
      ],
      run(ctx, v) {
        const accountId = (v.accountId ?? '').trim();
        const actor = actorFor(ctx, store(), orgOfRecord(store(), accountId));
        const data = nonEmpty({ First_Name: v.First_Name, Last_Name: v.Last_Name, Email: v.Email, Account_Name: { id: accountId } });
        return single(records().insert(actor, crmModules.Contacts, [data])[0]);
      },
    },
    {
      key: 'create-address',
      title: 'Create extra address',
      fields: [
        { name: 'accountId', label: 'Account id', type: 'text', required: true },
        { name: 'Name', label: 'Address name', type: 'text', required: true },
        { name: 'Address_Type', label: 'Type', type: 'select', options: [{ value: 'Billing', label: 'Billing' }, { value: 'Shipping', label: 'Shipping' }], defaultValue: 'Billing' },
        { name: 'Street', label: 'Street', type: 'text' },
        { name: 'City', label: 'City', type: 'text' },
        { name: 'Code', label: 'Postal code', type: 'text' },
        { name: 'Country', label: 'Country', type: 'text' },
        { name: 'Is_Main', label: 'Main address', type: 'checkbox' },
      ],
      run(ctx, v) {
        const accountId = (v.accountId ?? '').trim();
        const actor = actorFor(ctx, store(), orgOfRecord(store(), accountId));
        const data = nonEmpty({
          Name: v.Name, Account: { id: accountId }, Address_Type: v.Address_Type, Street: v.Street, City: v.City,
          Code: v.Code, Country: v.Country, Is_Main: v.Is_Main === 'true',
        });
        return single(records().insert(actor, crmModules.Addresses, [data])[0]);
      },
    },
    {
      key: 'update-field',
      title: 'Update a field of a record',
      fields: [
        { name: 'id', label: 'Record id', type: 'text', required: true },
        { name: 'field', label: 'Field API name (e.g. Phone, Billing_City, Email)', type: 'text', required: true },
        { name: 'value', label: 'New value (empty clears it)', type: 'text' },
      ],
      run(ctx, v) {
        const id = (v.id ?? '').trim();
        const record = store().records.get(id);
        if (!record) throw new Error(`no CRM record has id ${id}`);
        const actor = actorFor(ctx, store(), record.orgId);
        const field = crmModules[record.module].fields.find((f) => f.apiName === v.field);
        const raw = v.value ?? '';
        const value = raw === '' ? null : field?.dataType === 'boolean' ? raw === 'true'
          : ['integer', 'double', 'currency'].includes(field?.dataType ?? '') ? Number(raw) : raw;
        return single(records().update(actor, crmModules[record.module], [{ id, [v.field ?? '']: value }])[0]);
      },
    },
    {
      key: 'delete-record',
      title: 'Delete a record',
      fields: [{ name: 'id', label: 'Record id', type: 'text', required: true }],
      run(ctx, v) {
        const id = (v.id ?? '').trim();
        const record = store().records.get(id);
        if (!record) throw new Error(`no CRM record has id ${id}`);
        const module: CrmModuleName = record.module;
        return single(records().delete(actorFor(ctx, store(), record.orgId), crmModules[module], [id])[0]);
      },
    },
  ];
}
