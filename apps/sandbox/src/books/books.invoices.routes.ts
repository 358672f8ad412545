import { BooksError, BooksErrorCode } from './books.errors.js';
import { applyDocumentFields } from './books.documents.js';
import { type BooksEnv, envOf, resolveUpsert, withCustomField } from './books.env.js';
import {
  amountFilter, type BooksCall, type BooksRouteKit, dateFilter, equalsFilter, lastModifiedFilter, paginate, sortRows, textFilter,
} from './books.http.js';
import { booksDate } from './books.time.js';
import { optBool, optString, readCustomFields, reqString } from './books.input.js';
import {
  invoiceBalanceOf, invoiceDetail, invoiceStatus, invoiceSummary, paymentSummary, primaryPerson,
} from './books.serialize.js';
import type { Invoice } from './books.store.js';

function nextInvoiceNumber(env: BooksEnv): string {
  const taken = new Set([...env.books.invoices.values()].map((i) => i.invoice_number));
  let number: string;
  do {
    env.books.counters.invoice += 1;
    number = `INV-${String(env.books.counters.invoice).padStart(6, '0')}`;
  } while (taken.has(number));
  return number;
}

/** Create or update an invoice from a request body (apis.md B4 Invoices). */
export function applyInvoiceBody(
  env: BooksEnv,
  body: Record<string, unknown>,
  existing?: Invoice,
  options: { send?: boolean; ignoreAutoNumber?: boolean } = {},
): Invoice {
  const books = env.books;
  const creating = !existing;
  const invoice: Invoice = existing
    ? structuredClone(existing)
    : {
        invoice_id: env.ids.booksId('record'), invoice_number: '', customer_id: '', salesperson_name: '',
        state: options.send ? 'sent' : 'draft', payment_made: 0, credits_applied: 0, last_payment_date: '',
        is_emailed: false, allow_partial_payments: true, currency_id: '', exchange_rate: 1, date: '', due_date: '',
        reference_number: '', payment_terms: 0, payment_terms_label: '', discount: 0, discount_type: 'entity_level',
        is_discount_before_tax: true, is_inclusive_tax: false, shipping_charge: 0, adjustment: 0,
        adjustment_description: '', notes: '', terms: '', line_items: [],
        totals: { lines: [], sub_total: 0, discount_amount: 0, tax_total: 0, taxes: [], total: 0 }, custom: {},
        created_ms: env.now, modified_ms: env.now,
      };
  if (existing?.state === 'void') throw BooksError.state('A void invoice cannot be edited. Mark it as draft first (POST /invoices/{id}/status/draft).');
  const customerId = creating ? reqString(body, 'customer_id') : optString(body, 'customer_id');
  if (customerId !== undefined) {
    const customer = books.contacts.get(customerId);
    if (!customer || customer.contact_type !== 'customer') throw BooksError.invalid('customer_id', 'no such customer in this organization');
    if (existing && existing.payment_made > 0 && customerId !== existing.customer_id) {
      throw BooksError.state('The customer of an invoice with payments cannot be changed.');
    }
    invoice.customer_id = customerId;
  }
  const customer = books.contacts.get(invoice.customer_id)!;

  const number = optString(body, 'invoice_number', 100);
  if (number !== undefined && number.trim() !== '') invoice.invoice_number = number.trim();
  else if (creating) {
    if (options.ignoreAutoNumber) throw BooksError.required('invoice_number');
    invoice.invoice_number = nextInvoiceNumber(env);
  }
  const clash = [...books.invoices.values()].find((i) => i.invoice_id !== invoice.invoice_id && i.invoice_number === invoice.invoice_number);
  if (clash) throw new BooksError(BooksErrorCode.AlreadyExists, `Invoice number ${invoice.invoice_number} already exists. Use another number or omit it to get the next one.`);

  const salesperson = optString(body, 'salesperson_name', 200);
  if (salesperson !== undefined) invoice.salesperson_name = salesperson;
  const partial = optBool(body, 'allow_partial_payments');
  if (partial !== undefined) invoice.allow_partial_payments = partial;
  applyDocumentFields(env, body, invoice, {
    creating,
    defaultTerms: customer.payment_terms,
    defaultCurrencyId: customer.currency_id || (books.baseCurrency()?.currency_id ?? ''),
  });
  if (existing && invoice.totals.total < existing.payment_made + existing.credits_applied) {
    throw BooksError.invalid('line_items', `the new total ${invoice.totals.total} is less than the payments already applied (${existing.payment_made})`);
  }
  const others = [...books.invoices.values()].filter((i) => i.invoice_id !== invoice.invoice_id).map((i) => i.custom);
  invoice.custom = readCustomFields(books, 'invoices', body, invoice.custom, others);
  invoice.modified_ms = env.now;
  return invoice;
}

const statusFilters: Record<string, (status: string) => boolean> = {
  All: () => true,
  Draft: (s) => s === 'draft',
  Sent: (s) => s === 'sent',
  OverDue: (s) => s === 'overdue',
  Paid: (s) => s === 'paid',
  Void: (s) => s === 'void',
  Unpaid: (s) => s === 'sent' || s === 'overdue' || s === 'partially_paid',
  PartiallyPaid: (s) => s === 'partially_paid',
  Viewed: (s) => s === 'viewed',
};

export function registerInvoiceRoutes(kit: BooksRouteKit): void {
  const env = (call: BooksCall) => envOf(call, kit.ctx.ids);
  const detail = (call: BooksCall, inv: Invoice) => invoiceDetail(call.books, inv, call.fmt);
  const find = (call: BooksCall) => {
    const inv = call.books.invoices.get(call.param('invoice_id'));
    if (!inv) throw BooksError.notFound('Invoice');
    return inv;
  };
  const create = (call: BooksCall, body: Record<string, unknown>) => {
    const invoice = applyInvoiceBody(env(call), body, undefined, {
      send: call.query('send') === 'true',
      ignoreAutoNumber: call.query('ignore_auto_number_generation') === 'true',
    });
    call.books.invoices.set(invoice.invoice_id, invoice);
    const record = detail(call, invoice);
    kit.emit(call, 'invoice', 'created', record);
    return { status: 201, message: 'The invoice has been created.', data: { invoice: record } };
  };
  const update = (call: BooksCall, existing: Invoice) => {
    const invoice = applyInvoiceBody(env(call), call.body, existing);
    call.books.invoices.set(invoice.invoice_id, invoice);
    const record = detail(call, invoice);
    kit.emit(call, 'invoice', 'updated', record);
    return { message: 'Invoice information has been updated.', data: { invoice: record } };
  };

  kit.resource('/invoices', 'invoices', {
    post: (call) => create(call, call.body),
    put: (call) => {
      const target = resolveUpsert(call, 'invoices', call.books.invoices.values(), 'Invoice');
      return 'record' in target ? update(call, target.record) : create(call, withCustomField(call.body, target.customField));
    },
    get: (call) => {
      let rows = [...call.books.invoices.values()];
      const status = (inv: Invoice) => invoiceStatus(inv, call.fmt);
      const filterBy = call.query('filter_by') ?? 'Status.All';
      const byFilter = filterBy.startsWith('Status.') ? statusFilters[filterBy.slice(7)] : undefined;
      if (!byFilter) throw BooksError.invalid('filter_by', `one of ${Object.keys(statusFilters).map((k) => `Status.${k}`).join(', ')}`);
      rows = rows.filter((i) => byFilter(status(i)));
      const wanted = call.query('status');
      if (wanted !== undefined) {
        const allowed = ['draft', 'sent', 'overdue', 'paid', 'void', 'unpaid', 'partially_paid', 'viewed'];
        if (!allowed.includes(wanted)) throw BooksError.invalid('status', `one of ${allowed.join(', ')}`);
        rows = rows.filter((i) => (wanted === 'unpaid' ? statusFilters.Unpaid!(status(i)) : status(i) === wanted));
      }
      rows = equalsFilter(call, rows, 'customer_id', (i) => i.customer_id);
      rows = textFilter(call, rows, 'invoice_number', (i) => i.invoice_number);
      // invoices.yml lists variants only for invoice_number, item_name, item_description and custom_field
      rows = textFilter(call, rows, 'reference_number', (i) => i.reference_number, true);
      rows = textFilter(call, rows, 'customer_name', (i) => call.books.contacts.get(i.customer_id)?.contact_name ?? '', true);
      rows = textFilter(call, rows, 'custom_field', (i) => Object.values(i.custom));
      rows = amountFilter(call, rows, 'total', (i) => i.totals.total);
      rows = amountFilter(call, rows, 'balance', (i) => invoiceBalanceOf(i));
      rows = textFilter(call, rows, 'item_name', (i) => i.line_items.map((l) => l.name));
      rows = textFilter(call, rows, 'item_description', (i) => i.line_items.map((l) => l.description));
      rows = equalsFilter(call, rows, 'item_id', (i) => (i.line_items.some((l) => l.item_id === call.query('item_id')) ? call.query('item_id')! : ''));
      rows = textFilter(call, rows, 'email', (i) => {
        const customer = call.books.contacts.get(i.customer_id);
        return customer ? (primaryPerson(customer)?.email ?? '') : '';
      }, true);
      rows = dateFilter(call, rows, 'created_date', (i) => booksDate(i.created_ms, call.org.utcOffset));
      rows = dateFilter(call, rows, 'date', (i) => i.date);
      rows = dateFilter(call, rows, 'due_date', (i) => i.due_date);
      rows = lastModifiedFilter(call, rows);
      const search = call.query('search_text')?.toLowerCase();
      if (search) {
        rows = rows.filter((i) =>
          [i.invoice_number, i.reference_number, call.books.contacts.get(i.customer_id)?.contact_name ?? '']
            .some((v) => v.toLowerCase().includes(search)),
        );
      }
      const sorted = sortRows(call, rows, {
        customer_name: (i) => call.books.contacts.get(i.customer_id)?.contact_name ?? '',
        invoice_number: (i) => i.invoice_number,
        date: (i) => i.date,
        due_date: (i) => i.due_date,
        total: (i) => i.totals.total,
        balance: (i) => invoiceBalanceOf(i),
        created_time: (i) => i.created_ms,
      }, { column: 'created_time', order: 'D' });
      const page = paginate(call, sorted.rows, kit.ctx.limits.books.maxPerPage, {
        report_name: 'Invoices', applied_filter: filterBy, sort_column: sorted.sort_column, sort_order: sorted.sort_order,
      });
      return { data: { invoices: page.rows.map((i) => invoiceSummary(call.books, i, call.fmt)), page_context: page.page_context } };
    },
  });

  kit.resource('/invoices/:invoice_id', 'invoices', {
    get: (call) => ({ data: { invoice: detail(call, find(call)) } }),
    put: (call) => update(call, find(call)),
    delete: (call) => {
      const inv = find(call);
      if (inv.state !== 'draft' && inv.state !== 'void') {
        throw BooksError.state(`Only draft or void invoices can be deleted; ${inv.invoice_number} is ${invoiceStatus(inv, call.fmt)}. Void it first.`);
      }
      if (inv.payment_made > 0) throw BooksError.state('The invoice has payments; delete the payments first.');
      const record = detail(call, inv);
      call.books.invoices.delete(inv.invoice_id);
      kit.emit(call, 'invoice', 'deleted', record);
      return { message: 'The invoice has been deleted.' };
    },
  });

  const transition = (call: BooksCall, inv: Invoice, state: Invoice['state'], message: string) => {
    inv.state = state;
    inv.modified_ms = call.now;
    kit.emit(call, 'invoice', 'updated', detail(call, inv));
    return { message };
  };
  kit.resource('/invoices/:invoice_id/status/sent', 'invoices', {
    post: (call) => {
      const inv = find(call);
      if (inv.state !== 'draft') throw BooksError.state(`Only draft invoices can be marked as sent; ${inv.invoice_number} is ${invoiceStatus(inv, call.fmt)}.`);
      return transition(call, inv, 'sent', 'Invoice status has been changed to Sent.');
    },
  });
  kit.resource('/invoices/:invoice_id/status/void', 'invoices', {
    post: (call) => {
      const inv = find(call);
      if (inv.state === 'void') throw BooksError.state(`Invoice ${inv.invoice_number} is already void.`);
      if (inv.payment_made > 0 || inv.credits_applied > 0) {
        throw BooksError.state(`Invoice ${inv.invoice_number} has payments or credits applied; delete them before voiding it.`);
      }
      return transition(call, inv, 'void', 'Invoice status has been changed to Void.');
    },
  });
  kit.resource('/invoices/:invoice_id/status/draft', 'invoices', {
    post: (call) => {
      const inv = find(call);
      if (inv.state !== 'void') throw BooksError.state(`Only void invoices can be marked as draft; ${inv.invoice_number} is ${invoiceStatus(inv, call.fmt)}.`);
      return transition(call, inv, 'draft', 'Status of invoice changed from void to draft.');
    },
  });
  // Emailing is simulated as far as Books' own state goes: the invoice counts as emailed and a draft becomes sent.
  kit.resource('/invoices/:invoice_id/email', 'invoices', {
    post: (call) => {
      const inv = find(call);
      if (inv.state === 'void') throw BooksError.state(`Invoice ${inv.invoice_number} is void and cannot be emailed.`);
      inv.is_emailed = true;
      if (inv.state === 'draft') inv.state = 'sent';
      inv.modified_ms = call.now;
      kit.emit(call, 'invoice', 'updated', detail(call, inv));
      return { message: 'Your invoice has been sent.' };
    },
  });
  kit.resource('/invoices/:invoice_id/payments', 'invoices', {
    get: (call) => {
      const inv = find(call);
      const payments = [...call.books.payments.values()].flatMap((p) => {
        const applied = p.invoices.find((a) => a.invoice_id === inv.invoice_id);
        return applied ? [{ ...paymentSummary(call.books, p, call.fmt), invoice_id: inv.invoice_id, amount: applied.amount_applied }] : [];
      });
      return { data: { payments } };
    },
  });
}
