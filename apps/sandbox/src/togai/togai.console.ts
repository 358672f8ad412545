import type { ConsoleAction } from '../core/sandbox.service.js';
import { wellKnown } from '../core/sandbox.tenants.js';
import { badRequest, notFound } from './togai.errors.js';
import type { TogaiModel } from './togai.model.js';
import { generateWebhookSecret } from './togai.signature.js';
import { invoiceStatuses, type InvoiceStatus, type WebhookEventType, webhookEventTypes } from './togai.store.js';

function amount(value: string | undefined, label: string): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw badRequest(`${label}: "${value}" is not a number`);
  return n;
}

/**
 * Console buttons for the well-known Togai organisation. Each goes through the same model calls as the
 * API, so subscribers receive the same signed events as for API changes.
 */
export function togaiConsoleActions(model: TogaiModel, orgId: string = wellKnown.togai.orgId): ConsoleAction[] {
  const org = model.store.org(orgId);
  const customerOptions = [...org.customers.values()].map((c) => ({ value: c.id, label: `${c.name} (${c.id})` }));
  const accountOptions = [...org.accounts.values()].map((a) => ({ value: a.id, label: `${a.name} (${a.id}, ${a.invoiceCurrency})` }));
  const invoiceOptions = [...org.invoices.values()].map((i) => ({
    value: i.id,
    label: `${i.id} ${i.invoiceClass} ${i.status} ${model.invoiceTotals(i).total} ${i.currency} (${i.ownerId})`,
  }));
  const openInvoiceOptions = invoiceOptions.filter((o) => {
    const status = org.invoices.get(o.value)?.status;
    return status === 'DUE' || status === 'PARTIALLY_PAID';
  });
  return [
    {
      key: 'create-customer',
      title: 'Create customer with account',
      fields: [
        { name: 'id', label: 'Customer id', type: 'text', required: true, placeholder: 'acme' },
        { name: 'name', label: 'Name', type: 'text', required: true },
        { name: 'email', label: 'Primary email', type: 'email', required: true },
        { name: 'currency', label: 'Invoice currency', type: 'text', defaultValue: 'EUR' },
        { name: 'country', label: 'Country (alpha-2)', type: 'text', defaultValue: 'DE' },
      ],
      run: (_ctx, v) => {
        const { customer, account } = model.createCustomer(
          orgId,
          { id: v.id!, name: v.name!, primaryEmail: v.email!, address: { country: (v.country || 'DE').toUpperCase() } },
          { id: `${v.id}-main`, name: v.name!, invoiceCurrency: (v.currency || 'EUR').toUpperCase(), primaryEmail: v.email! },
        );
        return { customer: customer.id, account: account?.id };
      },
    },
    {
      key: 'rename-customer',
      title: 'Rename customer',
      fields: [
        { name: 'customerId', label: 'Customer', type: 'select', options: customerOptions, required: true },
        { name: 'name', label: 'New name', type: 'text', required: true },
      ],
      run: (_ctx, v) => {
        const customer = org.customers.get(v.customerId!);
        if (!customer) throw notFound(`Customer "${v.customerId}" not found`);
        return model.customerView(model.updateCustomer(orgId, customer, { name: v.name! }));
      },
    },
    {
      key: 'generate-invoice',
      title: 'Generate an invoice or order (becomes DUE)',
      fields: [
        { name: 'accountId', label: 'Account', type: 'select', options: accountOptions, required: true },
        { name: 'invoiceClass', label: 'Class', type: 'select', options: [{ value: 'INVOICE', label: 'Invoice' }, { value: 'ORDER', label: 'Order' }] },
        { name: 'description', label: 'Line description', type: 'text', defaultValue: 'Platform fee' },
        { name: 'amount', label: 'Net amount', type: 'number', required: true, defaultValue: '100' },
        { name: 'taxRate', label: 'VAT rate %', type: 'number', defaultValue: '19' },
        { name: 'discount', label: 'Discount (positive number, optional)', type: 'number' },
      ],
      run: (_ctx, v) => {
        const net = amount(v.amount, 'Net amount')!;
        const taxRate = amount(v.taxRate, 'VAT rate');
        const discount = amount(v.discount, 'Discount');
        const metadata = taxRate === undefined ? {} : { taxRate };
        const now = model.now();
        const { invoice } = model.createInvoice(orgId, {
          accountId: v.accountId!,
          startDateMs: now - 30 * 24 * 3600_000,
          endDateMs: now,
          status: 'DUE',
          invoiceClass: v.invoiceClass === 'ORDER' ? 'ORDER' : 'INVOICE',
          invoiceType: 'STANDARD',
          lines: [
            { description: v.description || 'Platform fee', type: 'FIXED_FEE_RATE_CARD_AMOUNT', quantity: 1, valuePerQuantity: net, metadata },
            ...(discount ? [{ description: 'Discount', type: 'CUSTOM_AMOUNT', value: -Math.abs(discount), metadata: { ...metadata, discount: true } }] : []),
          ],
        });
        return { invoice: invoice.id, totalAmount: model.invoiceTotals(invoice).total };
      },
    },
    {
      key: 'set-invoice-status',
      title: 'Set invoice status',
      fields: [
        { name: 'invoiceId', label: 'Invoice', type: 'select', options: invoiceOptions, required: true },
        { name: 'status', label: 'Status', type: 'select', options: invoiceStatuses.map((s) => ({ value: s, label: s })), required: true },
      ],
      run: (_ctx, v) => {
        const invoice = org.invoices.get(v.invoiceId!);
        if (!invoice) throw notFound(`Invoice "${v.invoiceId}" not found`);
        if (!invoiceStatuses.includes(v.status as InvoiceStatus)) throw badRequest(`Unknown status "${v.status}"`);
        model.transitionInvoice(orgId, invoice, v.status as InvoiceStatus, { settle: true });
        return { invoice: invoice.id, status: invoice.status, paidAmount: invoice.paidAmount };
      },
    },
    {
      key: 'record-payment',
      title: 'Record a payment for an invoice',
      fields: [
        { name: 'invoiceId', label: 'Invoice (DUE or partly paid)', type: 'select', options: openInvoiceOptions, required: true },
        { name: 'amount', label: 'Amount (empty: everything outstanding)', type: 'number' },
        { name: 'reference', label: 'Transaction number', type: 'text', defaultValue: 'CONSOLE-1' },
      ],
      run: (_ctx, v) => {
        const invoice = org.invoices.get(v.invoiceId!);
        if (!invoice) throw notFound(`Invoice "${v.invoiceId}" not found`);
        const outstanding = model.invoiceTotals(invoice).total - invoice.paidAmount;
        const paid = amount(v.amount, 'Amount') ?? Math.round(outstanding * 100) / 100;
        const payment = model.recordPayment(orgId, {
          accountId: invoice.ownerId,
          currency: invoice.currency,
          totalAmount: paid,
          externalPaymentReference: { sourceName: 'Sandbox console', sourceType: 'BANK_TRANSFER', transactionNumber: v.reference || 'CONSOLE-1' },
          lineItemRecords: [{ type: 'INVOICE', togaiId: invoice.id, amount: paid, order: 1 }],
        });
        return { payment: payment.id, invoiceStatus: invoice.status };
      },
    },
    {
      key: 'subscribe-webhook',
      title: 'Subscribe a URL to Togai events',
      fields: [
        { name: 'url', label: 'URL', type: 'text', required: true, placeholder: 'http://127.0.0.1:3000/hooks/togai' },
        { name: 'events', label: `Events, comma-separated (empty: all of ${webhookEventTypes.join(', ')})`, type: 'text' },
      ],
      run: (_ctx, v) => {
        const url = new URL(v.url!);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badRequest('URL must use http or https');
        const events = (v.events ?? '').split(',').map((e) => e.trim()).filter(Boolean);
        for (const e of events) if (!webhookEventTypes.includes(e as WebhookEventType)) throw badRequest(`Unknown event "${e}"`);
        const subscription = {
          id: model.newId('webhook'),
          url: url.toString(),
          events: (events.length ? events : [...webhookEventTypes]) as WebhookEventType[],
          secret: generateWebhookSecret(),
          createdAt: model.nowIso(),
        };
        org.subscriptions.set(subscription.id, subscription);
        return { id: subscription.id, secret: subscription.secret, events: subscription.events };
      },
    },
  ];
}
