import type { ConsoleAction, SandboxContext } from '../core/sandbox.service.js';
import type { BooksOrganization } from '../core/sandbox.tenants.js';
import { applyContactBody } from './books.contacts.routes.js';
import type { BooksEnv } from './books.env.js';
import { booksFormat, type BooksEntity, type BooksRecordEvent } from './books.http.js';
import { applyInvoiceBody } from './books.invoices.routes.js';
import { applyPaymentBody, commitPayment } from './books.payments.routes.js';
import { contactDetail, invoiceBalanceOf, invoiceDetail, invoiceStatus, paymentDetail } from './books.serialize.js';
import type { BooksStore, OrgBooks } from './books.store.js';
import type { BooksWebhookEngine } from './books.webhooks.js';

/**
 * Console buttons: change Books records the way a person in the Books UI would, so workflow webhooks fire exactly
 * as for API calls. Record choices are `organizationId/recordId`, rebuilt on every read.
 */
export function booksConsoleActions(ctx: SandboxContext, store: BooksStore, engine: BooksWebhookEngine): ConsoleAction[] {
  const orgs = [...ctx.tenants.booksOrgs.values()];
  const scope = (orgId: string) => {
    const org = ctx.tenants.booksOrgs.get(orgId);
    if (!org) throw new Error(`unknown Books organization ${orgId}`);
    const now = ctx.clock.now();
    const fmt = booksFormat(org, now);
    const books = store.org(orgId);
    const env: BooksEnv = { books, ids: ctx.ids, now, today: fmt.today };
    const fire = (entity: BooksEntity, event: BooksRecordEvent, record: Record<string, unknown>) => engine.fire(books, org, entity, event, record);
    return { org, fmt, books, env, fire };
  };
  const pick = (value: string) => {
    const [orgId, id] = value.split('/');
    if (!orgId || !id) throw new Error(`expected "organizationId/recordId", got "${value}"`);
    return { orgId, id };
  };
  const recordOptions = (list: (books: OrgBooks, org: BooksOrganization) => Array<{ id: string; label: string }>) =>
    orgs.flatMap((org) => list(store.org(org.organization_id), org).map((r) => ({ value: `${org.organization_id}/${r.id}`, label: `${org.name}: ${r.label}` })));
  const orgField = {
    name: 'organization_id', label: 'Organization', type: 'select' as const, required: true,
    options: orgs.map((o) => ({ value: o.organization_id, label: `${o.name} (${o.organization_id}, ${o.dc})` })),
    defaultValue: orgs[0]?.organization_id,
  };
  const customers = recordOptions((books) => [...books.contacts.values()].filter((c) => c.contact_type === 'customer').map((c) => ({ id: c.contact_id, label: c.contact_name })));
  const now = ctx.clock.now();
  const invoices = (filter: (status: string, balance: number) => boolean) =>
    recordOptions((books, org) => [...books.invoices.values()]
      .filter((i) => filter(invoiceStatus(i, booksFormat(org, now)), invoiceBalanceOf(i)))
      .map((i) => ({ id: i.invoice_id, label: `${i.invoice_number} (${invoiceStatus(i, booksFormat(org, now))}, balance ${invoiceBalanceOf(i)})` })));

  return [
    {
      key: 'create-customer',
      title: 'Create customer',
      fields: [
        orgField,
        { name: 'contact_name', label: 'Customer name', type: 'text', required: true },
        { name: 'email', label: 'Primary contact email', type: 'email' },
        { name: 'city', label: 'Billing city', type: 'text' },
      ],
      run: (_ctx, values) => {
        const s = scope(values.organization_id ?? '');
        const contact = applyContactBody(s.env, {
          contact_name: values.contact_name, contact_type: 'customer',
          billing_address: values.city ? { city: values.city } : undefined,
          contact_persons: values.email ? [{ first_name: values.contact_name?.split(' ')[0], email: values.email, is_primary_contact: true }] : undefined,
        });
        s.books.contacts.set(contact.contact_id, contact);
        const record = contactDetail(s.books, contact, s.fmt);
        s.fire('contact', 'created', record);
        return { contact_id: contact.contact_id, contact_name: contact.contact_name };
      },
    },
    {
      key: 'create-invoice',
      title: 'Create invoice',
      fields: [
        { name: 'customer', label: 'Customer', type: 'select', required: true, options: customers },
        { name: 'description', label: 'Line description', type: 'text', required: true, defaultValue: 'Services' },
        { name: 'amount', label: 'Amount', type: 'number', required: true },
        { name: 'send', label: 'Mark as sent', type: 'checkbox', defaultValue: 'true' },
      ],
      run: (_ctx, values) => {
        const { orgId, id } = pick(values.customer ?? '');
        const s = scope(orgId);
        const invoice = applyInvoiceBody(s.env, {
          customer_id: id, line_items: [{ name: values.description, description: values.description, rate: Number(values.amount) }],
        }, undefined, { send: values.send === 'true' });
        s.books.invoices.set(invoice.invoice_id, invoice);
        s.fire('invoice', 'created', invoiceDetail(s.books, invoice, s.fmt));
        return { invoice_id: invoice.invoice_id, invoice_number: invoice.invoice_number, total: invoice.totals.total };
      },
    },
    {
      key: 'record-payment',
      title: 'Record customer payment',
      fields: [
        { name: 'invoice', label: 'Invoice', type: 'select', required: true, options: invoices((status, balance) => status !== 'draft' && status !== 'void' && balance > 0) },
        { name: 'amount', label: 'Amount (empty = full balance)', type: 'number' },
        { name: 'payment_mode', label: 'Payment mode', type: 'select', options: ['banktransfer', 'cash', 'check', 'creditcard'].map((m) => ({ value: m, label: m })), defaultValue: 'banktransfer' },
      ],
      run: (_ctx, values) => {
        const { orgId, id } = pick(values.invoice ?? '');
        const s = scope(orgId);
        const invoice = s.books.invoices.get(id);
        if (!invoice) throw new Error(`invoice ${id} does not exist`);
        const amount = values.amount ? Number(values.amount) : invoiceBalanceOf(invoice);
        const result = applyPaymentBody(s.env, {
          customer_id: invoice.customer_id, payment_mode: values.payment_mode || 'banktransfer', amount, date: s.fmt.today,
          invoices: [{ invoice_id: id, amount_applied: Math.min(amount, invoiceBalanceOf(invoice)) }],
        });
        commitPayment(s.env, result);
        s.fire('customerpayment', 'created', paymentDetail(s.books, result.payment, s.fmt));
        for (const inv of result.touched) s.fire('invoice', 'updated', invoiceDetail(s.books, inv, s.fmt));
        return { payment_id: result.payment.payment_id, amount };
      },
    },
    {
      key: 'void-invoice',
      title: 'Void invoice',
      fields: [{ name: 'invoice', label: 'Invoice', type: 'select', required: true, options: invoices((status) => status !== 'void') }],
      run: (_ctx, values) => {
        const { orgId, id } = pick(values.invoice ?? '');
        const s = scope(orgId);
        const invoice = s.books.invoices.get(id);
        if (!invoice) throw new Error(`invoice ${id} does not exist`);
        if (invoice.payment_made > 0) throw new Error(`invoice ${invoice.invoice_number} has payments; delete them first`);
        invoice.state = 'void';
        invoice.modified_ms = s.env.now;
        s.fire('invoice', 'updated', invoiceDetail(s.books, invoice, s.fmt));
        return { invoice_id: id, status: 'void' };
      },
    },
  ];
}
