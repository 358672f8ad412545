// The Zoho CRM v8 connector: batch writes with per-record results, reads past 2,000 records, field metadata for
// mappers, an instant (watch channel) and a polling trigger. Multi-DC: every URL comes from the token's api_domain.
import { defineConnector, type ConnectionRecord } from '@braid/connector-sdk';
import { getFieldsAction, listModulesAction } from './actions/metadata.actions.js';
import {
  coqlQueryAction,
  countRecordsAction,
  getRecordAction,
  listDeletedRecordsAction,
  listRecordsAction,
  searchRecordsAction,
} from './actions/read.actions.js';
import {
  deleteRecordsAction,
  insertRecordsAction,
  updateRecordsAction,
  upsertAccountAction,
  upsertContactAction,
  upsertRecordsAction,
} from './actions/write.actions.js';
import { zohoCrmIcon } from './connector.icon.js';
import {
  CONCURRENCY_BY_EDITION,
  DEFAULT_EDITION,
  ZOHO_CRM_SCOPES,
  crmBaseUrl,
  crmLimiterKey,
  editionOf,
  isCrmAuthExpired,
  mapCrmError,
  withCrmErrors,
} from './crm.http.js';
import { fieldOptions, moduleOptions } from './crm.metadata.js';
import { modifiedRecordsTrigger } from './triggers/modified-records.polling.js';
import { recordChangesTrigger } from './triggers/record-changes.trigger.js';

export { ZOHO_CRM_SCOPES };

export const zohoCrmConnector = defineConnector({
  key: 'zoho-crm',
  title: 'Zoho CRM',
  description:
    'Accounts, contacts and any module of Zoho CRM (v8, every data centre): batch upserts of any size with a result per ' +
    'record, search and lists past 2,000 records, field metadata for mappers, and instant or polling triggers.',
  icon: zohoCrmIcon,
  auth: { kind: 'oauth2', provider: 'zoho', scopes: ZOHO_CRM_SCOPES },
  connectionSettingsSchema: {
    type: 'object',
    properties: {
      edition: {
        type: 'string',
        title: 'CRM edition',
        description: 'Sets how many calls Braid makes at once (free 5, standard 10, professional 15, enterprise 20, ultimate 25).',
        enum: Object.keys(CONCURRENCY_BY_EDITION),
        default: DEFAULT_EDITION,
      },
      orgId: {
        type: 'string',
        title: 'CRM organisation id',
        description: 'Optional: connections to the same org then share one concurrency limit.',
        pattern: '^[0-9]{1,25}$',
      },
    },
    additionalProperties: false,
  },
  http: {
    baseUrl: crmBaseUrl,
    limiterKey: crmLimiterKey,
    concurrency: (connection: ConnectionRecord) => CONCURRENCY_BY_EDITION[editionOf(connection)] ?? 20,
    // gentle: a sync of 10,000 records is 100 write calls; CRM's real limit is credits per day and concurrency
    rateLimit: { requests: 20, perMs: 1000 },
    // CRM's 429 has no Retry-After: back off with jitter (1 s, 2 s, 4 s, 8 s …)
    retry: { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000 },
    mapError: mapCrmError,
    isAuthExpired: isCrmAuthExpired,
  },
  dynamicOptions: {
    modules: moduleOptions,
    fields: fieldOptions,
    account_fields: (ctx) => fieldOptions(ctx, { module: 'Accounts' }),
    contact_fields: (ctx) => fieldOptions(ctx, { module: 'Contacts' }),
  },
  testConnection: (ctx) =>
    withCrmErrors(ctx, async () => {
      const response = await ctx.http.get<{ org?: Array<{ company_name?: string; id?: string }> }>('/org');
      const org = response.body?.org?.[0];
      return org
        ? { ok: true, accountLabel: `${org.company_name ?? 'Zoho CRM'} (org ${org.id ?? '?'})` }
        : { ok: false, message: 'Zoho CRM answered without an organisation.' };
    }),
  actions: [
    upsertRecordsAction,
    insertRecordsAction,
    updateRecordsAction,
    deleteRecordsAction,
    upsertAccountAction,
    upsertContactAction,
    getRecordAction,
    searchRecordsAction,
    listRecordsAction,
    listDeletedRecordsAction,
    countRecordsAction,
    getFieldsAction,
    listModulesAction,
    coqlQueryAction,
  ],
  triggers: [recordChangesTrigger, modifiedRecordsTrigger],
});
