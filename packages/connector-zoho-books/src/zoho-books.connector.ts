// The Zoho Books connector: OAuth (Zoho, multi data centre), one organisation per connection, actions for
// contacts, invoices, bills, payments, expenses, banking and reference data, instant and polling triggers.
import { defineConnector } from '@braid/connector-sdk';
import { billActions } from './actions/bills.actions.js';
import { contactActions } from './actions/contacts.actions.js';
import { expenseActions } from './actions/expenses.actions.js';
import { invoiceActions } from './actions/invoices.actions.js';
import { paymentActions } from './actions/payments.actions.js';
import { referenceActions } from './actions/reference.actions.js';
import { booksCall, booksHttp, pick } from './books.http.js';
import { booksDynamicOptions } from './books.options.js';
import { modifiedRecordsTrigger } from './triggers/modified-records.trigger.js';
import { recordEventsTrigger, workflowWebhookTrigger } from './triggers/webhook.triggers.js';

const icon =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#e42527"/>' +
  '<path d="M9 8h10a5 5 0 0 1 0 10h-6v6H9z" fill="#fff"/><path d="M13 12v2h6a1 1 0 0 0 0-2z" fill="#e42527"/></svg>';

/** Scopes for everything this connector does (apis.md A8); ZohoBooks.fullaccess.all also works. */
export const ZOHO_BOOKS_SCOPES = [
  'ZohoBooks.contacts.ALL',
  'ZohoBooks.invoices.ALL',
  'ZohoBooks.bills.ALL',
  'ZohoBooks.customerpayments.ALL',
  'ZohoBooks.banking.ALL',
  'ZohoBooks.expenses.ALL',
  'ZohoBooks.accountants.READ',
  'ZohoBooks.settings.ALL',
];

export const zohoBooksConnector = defineConnector({
  key: 'zoho-books',
  title: 'Zoho Books',
  description:
    'Contacts, invoices, bills, customer payments, expenses, banking and reference data of one Zoho Books organisation; ' +
    'instant triggers through Books webhooks and polling of modified records.',
  icon,
  auth: { kind: 'oauth2', provider: 'zoho', scopes: ZOHO_BOOKS_SCOPES },
  connectionSettingsSchema: {
    type: 'object',
    properties: {
      organizationId: {
        type: 'string',
        title: 'Organisation',
        description: 'The Books organisation this connection works in (sent as organization_id on every call).',
        pattern: '^[0-9]+$',
        'x-dynamic-options': 'organizations',
      },
      plan: {
        type: 'string',
        title: 'Books plan',
        description: 'Free plans allow 5 simultaneous API calls instead of 10.',
        enum: ['free', 'standard', 'professional', 'premium', 'elite', 'ultimate'],
      },
    },
    required: ['organizationId'],
    additionalProperties: false,
  },
  http: booksHttp,
  dynamicOptions: booksDynamicOptions,
  testConnection: async (ctx) => {
    const organizationId = String(ctx.connection?.settings.organizationId ?? '');
    const { body } = await booksCall(ctx, 'GET', `/organizations/${encodeURIComponent(organizationId)}`);
    const org = pick(body, 'organization', 'organisation');
    return { ok: true, accountLabel: `${String(org.name)} (${organizationId})` };
  },
  actions: [...contactActions, ...invoiceActions, ...billActions, ...paymentActions, ...expenseActions, ...referenceActions],
  triggers: [recordEventsTrigger, workflowWebhookTrigger, modifiedRecordsTrigger],
});
