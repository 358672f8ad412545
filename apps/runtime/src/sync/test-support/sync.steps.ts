// The upsertWithLink step the sync tests share: a Togai customer (from a polling or an event trigger, both give
// objectId and data) upserted as a CRM account — linked, else matched by name, else created — with its name and
// e-mail mapped. `extra` overrides or adds step properties (a mapping, a prefetch index, a title).
import type { Json } from '../../engine/test-support/engine.fixtures.js';

export function togaiCustomerToCrmAccountStep(crmConnectionId: string, extra: Json = {}): Json {
  return {
    kind: 'upsertWithLink', id: 'upsert_account', connector: 'zoho-crm', connectionRef: crmConnectionId,
    source: { app: 'togai', type: 'customer', id: { $expr: '$trigger.objectId' }, modifiedAt: { $expr: '$trigger.data.updatedAt' }, record: { $expr: '$trigger.data' } },
    target: { type: 'Accounts' },
    find: [{
      key: 'name', action: 'search_records', idPath: 'records.0.id', value: { $expr: '$trigger.data.name' },
      input: { module: 'Accounts', conditions: [{ field: 'Account_Name', operator: 'equals', value: { $expr: '$trigger.data.name' } }], limit: 1 },
    }],
    create: { action: 'upsert_account', input: {}, idPath: 'id', modifiedAtPath: 'modifiedTime' },
    update: { action: 'update_records', input: { module: 'Accounts', records: [{ id: { $expr: '$target.id' } }] }, mapInto: 'records.0', modifiedAtPath: 'results.0.modifiedTime' },
    read: { action: 'get_record', input: { module: 'Accounts', id: { $expr: '$target.id' } }, recordPath: 'record', modifiedAtPath: 'record.Modified_Time' },
    mapping: {
      pairs: [
        { source: { $expr: '$trigger.data.name' }, target: 'Account_Name' },
        { source: { $expr: '$trigger.data.primaryEmail' }, target: 'Email' },
      ],
    },
    ...extra,
  };
}
