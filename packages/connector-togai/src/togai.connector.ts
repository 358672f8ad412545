// The Togai connector: usage-based billing platform ("the platform").
import { defineConnector, isConnectorError, takeAtMost } from '@braid/connector-sdk';
import { accountActions, type TogaiAccount } from './actions/accounts.action.js';
import { contactActions } from './actions/contacts.action.js';
import { customerActions } from './actions/customers.action.js';
import { ingestEventsAction } from './actions/events.action.js';
import { invoiceActions } from './actions/invoices.action.js';
import { paymentActions } from './actions/payments.action.js';
import { ENTITY_PAGE_SIZE, mapTogaiError, resolveTogaiBaseUrl, TOGAI_PRODUCTION_URL, togaiRows } from './togai.http.js';
import { accountsPollingTrigger } from './triggers/accounts.polling.js';
import { eventsManualTrigger, eventsTrigger } from './triggers/events.trigger.js';
import { invoicesPollingTrigger } from './triggers/invoices.polling.js';
import { paymentsPollingTrigger } from './triggers/payments.polling.js';

const icon =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2">' +
  '<path d="M4 19V9M10 19V5M16 19v-7M22 19H2"/></svg>';

/** Dynamic options: the organisation's accounts, for account pickers. */
const MAX_ACCOUNT_OPTIONS = 2000;

export const togaiConnector = defineConnector({
  key: 'togai',
  title: 'Togai',
  description:
    'Usage-based billing platform: customers (with contact persons) and accounts, invoices and orders, payments, usage events; triggers on ' +
    'platform events (instant) and on changed invoices or accounts (polling).',
  icon,
  auth: { kind: 'api-token', headerName: 'Authorization', scheme: 'Bearer' },
  connectionSettingsSchema: {
    type: 'object',
    properties: {
      baseUrl: {
        type: 'string',
        title: 'API base URL',
        description:
          `Production ${TOGAI_PRODUCTION_URL}, Togai's sandbox https://sandbox-api.togai.com, or Braid's local ` +
          'sandbox <sandbox url>/togai. https is required except on loopback.',
        format: 'uri',
        default: TOGAI_PRODUCTION_URL,
      },
    },
    additionalProperties: false,
  },
  http: {
    baseUrl: (connection) => resolveTogaiBaseUrl(connection),
    // Togai allows 10 requests/s per organisation in any second (50/s for ingestion). A bucket of 2 refilled at
    // 8/s never exceeds 10 in a sliding second. Ingestion shares this bucket (the SDK has one per connection):
    // 8 batches of 500 events per second is still 4,000 events/s.
    rateLimit: { requests: 2, perMs: 250 },
    concurrency: 5,
    // 429 carries no Retry-After: back off exponentially with jitter.
    retry: { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 8_000 },
    timeoutMs: 30_000,
    mapError: mapTogaiError,
  },
  dynamicOptions: {
    accounts: async (ctx) => {
      const accounts = await takeAtMost(togaiRows<TogaiAccount>(ctx, '/accounts', {}, ENTITY_PAGE_SIZE), MAX_ACCOUNT_OPTIONS);
      return accounts
        .filter((a) => a.status !== 'ARCHIVED')
        .map((a) => ({ value: a.id, label: `${a.name} (${a.id})`, ...(typeof a.invoiceCurrency === 'string' ? { description: a.invoiceCurrency } : {}) }));
    },
  },
  actions: [...customerActions, ...contactActions, ...accountActions, ...invoiceActions, ...paymentActions, ingestEventsAction].map((action) =>
    // Account pickers in the editor: the id fields of actions that act on one account.
    ['create_custom_invoice', 'record_payment', 'get_account', 'update_account', 'archive_account'].includes(action.key)
      ? { ...action, dynamicOptions: { '/accountId': { optionsKey: 'accounts' } } }
      : action,
  ),
  triggers: [eventsTrigger, eventsManualTrigger, invoicesPollingTrigger, accountsPollingTrigger, paymentsPollingTrigger],
  testConnection: async (ctx) => {
    try {
      const response = await ctx.http.get<{ data?: unknown[] }>('/customers', { pageSize: 1 });
      const host = ctx.connection ? new URL(ctx.connection.apiBaseUrl).host : 'Togai';
      return { ok: Array.isArray(response.body?.data), accountLabel: `Togai (${host})` };
    } catch (error) {
      if (isConnectorError(error)) return { ok: false, message: error.message };
      throw error;
    }
  },
});
