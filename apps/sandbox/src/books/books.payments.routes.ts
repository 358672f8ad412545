import { checkPaymentApplications, round2 } from './books.arithmetic.js';
import { BooksError } from './books.errors.js';
import { type BooksEnv, envOf } from './books.env.js';
import {
  type BooksCall, type BooksRouteKit, dateFilter, equalsFilter, lastModifiedFilter, paginate, sortRows, textFilter,
} from './books.http.js';
import { oneOf, optArray, optDate, optNumber, optString, readCustomFields, reqNumber, reqString } from './books.input.js';
import { invoiceBalanceOf, invoiceDetail, paymentDetail, paymentSummary } from './books.serialize.js';
import type { CustomerPayment, Invoice } from './books.store.js';

export const paymentModes = ['check', 'cash', 'creditcard', 'banktransfer', 'bankremittance', 'autotransaction', 'others'] as const;
const depositAccountTypes = new Set(['cash', 'bank', 'other_current_asset']);

/**
 * Create or update a customer payment (apis.md B4): applications must belong to the customer, target invoices that
 * are sent (not draft/void), stay within each invoice's balance and together within the amount; the rest is unused
 * credit. Returns the payment and the invoices whose balance changed. Nothing is stored until the caller commits.
 */
export function applyPaymentBody(
  env: BooksEnv,
  body: Record<string, unknown>,
  existing?: CustomerPayment,
): { payment: CustomerPayment; touched: Invoice[] } {
  const books = env.books;
  const creating = !existing;
  const payment: CustomerPayment = existing
    ? structuredClone(existing)
    : {
        payment_id: env.ids.booksId('record'), payment_number: '', customer_id: '', payment_mode: 'cash',
        amount: 0, date: env.today, reference_number: '', description: '', account_id: '', bank_charges: 0,
        exchange_rate: 1, invoices: [], custom: {}, created_ms: env.now, modified_ms: env.now,
      };
  const customerId = creating ? reqString(body, 'customer_id') : optString(body, 'customer_id');
  if (customerId !== undefined) {
    const customer = books.contacts.get(customerId);
    if (!customer || customer.contact_type !== 'customer') throw BooksError.invalid('customer_id', 'no such customer in this organization');
    payment.customer_id = customerId;
  }
  const mode = oneOf(creating ? reqString(body, 'payment_mode') : optString(body, 'payment_mode'), 'payment_mode', paymentModes);
  if (mode) payment.payment_mode = mode;
  const amount = creating ? reqNumber(body, 'amount') : optNumber(body, 'amount');
  if (amount !== undefined) payment.amount = amount;
  if (creating && body.date === undefined) throw BooksError.required('date');
  const date = optDate(body, 'date');
  if (date) payment.date = date;
  for (const [key, max] of [['reference_number', 100], ['description', 2000]] as const) {
    const v = optString(body, key, max);
    if (v !== undefined) payment[key] = v;
  }
  const charges = optNumber(body, 'bank_charges');
  if (charges !== undefined) payment.bank_charges = charges;
  const rate = optNumber(body, 'exchange_rate');
  if (rate !== undefined) payment.exchange_rate = rate;
  const accountId = optString(body, 'account_id');
  if (accountId !== undefined) {
    const account = books.accounts.get(accountId);
    if (!account || !depositAccountTypes.has(account.account_type)) {
      throw BooksError.invalid('account_id', 'the deposit-to account must be a cash, bank or undeposited-funds account');
    }
    payment.account_id = accountId;
  } else if (creating) {
    payment.account_id = books.accountByName('Undeposited Funds')?.account_id ?? '';
  }

  const list = creating ? optArray(body, 'invoices') : optArray(body, 'invoices');
  if (creating && !list) throw BooksError.required('invoices');
  if (list) {
    payment.invoices = list.map((a, i) => {
      const invoiceId = a.invoice_id === undefined ? '' : String(a.invoice_id);
      if (!invoiceId) throw BooksError.required(`invoices[${i}].invoice_id`);
      const applied = optNumber(a, 'amount_applied');
      if (applied === undefined) throw BooksError.required(`invoices[${i}].amount_applied`);
      return { invoice_id: invoiceId, amount_applied: round2(applied) };
    });
  }
  // Balances as if the old version of this payment did not exist.
  const previouslyApplied = new Map((existing?.invoices ?? []).map((a) => [a.invoice_id, a.amount_applied]));
  const applications = payment.invoices.map((a) => {
    const invoice = books.invoices.get(a.invoice_id);
    if (!invoice) throw BooksError.invalid('invoice_id', `invoice ${a.invoice_id} does not exist`);
    if (invoice.customer_id !== payment.customer_id) throw BooksError.invalid('invoice_id', `invoice ${invoice.invoice_number} belongs to another customer`);
    if (invoice.state !== 'sent') {
      throw BooksError.invalid('invoice_id', `payments can only be applied to sent invoices; ${invoice.invoice_number} is ${invoice.state}`);
    }
    return { ...a, invoiceBalance: invoiceBalanceOf(invoice) + (previouslyApplied.get(a.invoice_id) ?? 0) };
  });
  const check = checkPaymentApplications(payment.amount, applications);
  if (!check.ok) throw BooksError.invalid(check.field, check.reason);

  // Work out the invoices' new payment totals (old application reversed, new one applied).
  const touchedIds = new Set([...previouslyApplied.keys(), ...payment.invoices.map((a) => a.invoice_id)]);
  const touched = [...touchedIds].flatMap((id) => {
    const invoice = books.invoices.get(id);
    if (!invoice) return [];
    const copy = structuredClone(invoice);
    const newApplied = payment.invoices.find((a) => a.invoice_id === id)?.amount_applied ?? 0;
    copy.payment_made = round2(copy.payment_made - (previouslyApplied.get(id) ?? 0) + newApplied);
    copy.last_payment_date = lastPaymentDate(books.payments.values(), id, payment);
    copy.modified_ms = env.now;
    return [copy];
  });
  if (creating) {
    books.counters.payment += 1;
    payment.payment_number = String(books.counters.payment);
  }
  const others = [...books.payments.values()].filter((p) => p.payment_id !== payment.payment_id).map((p) => p.custom);
  payment.custom = readCustomFields(books, 'customerpayments', body, payment.custom, others);
  payment.modified_ms = env.now;
  return { payment, touched };
}

function lastPaymentDate(payments: Iterable<CustomerPayment>, invoiceId: string, replacing?: CustomerPayment, removing = false): string {
  const dates: string[] = [];
  for (const p of payments) {
    if (replacing && p.payment_id === replacing.payment_id) continue;
    if (p.invoices.some((a) => a.invoice_id === invoiceId)) dates.push(p.date);
  }
  if (replacing && !removing && replacing.invoices.some((a) => a.invoice_id === invoiceId)) dates.push(replacing.date);
  return dates.sort().at(-1) ?? '';
}

/** Removes a payment and gives its amounts back to the invoices. */
export function removePayment(env: BooksEnv, payment: CustomerPayment): Invoice[] {
  const touched: Invoice[] = [];
  for (const a of payment.invoices) {
    const invoice = env.books.invoices.get(a.invoice_id);
    if (!invoice) continue;
    invoice.payment_made = round2(Math.max(0, invoice.payment_made - a.amount_applied));
    invoice.last_payment_date = lastPaymentDate(env.books.payments.values(), a.invoice_id, payment, true);
    invoice.modified_ms = env.now;
    touched.push(invoice);
  }
  env.books.payments.delete(payment.payment_id);
  return touched;
}

export function commitPayment(env: BooksEnv, result: { payment: CustomerPayment; touched: Invoice[] }): void {
  env.books.payments.set(result.payment.payment_id, result.payment);
  for (const invoice of result.touched) env.books.invoices.set(invoice.invoice_id, invoice);
}

export function registerPaymentRoutes(kit: BooksRouteKit): void {
  const env = (call: BooksCall) => envOf(call, kit.ctx.ids);
  const find = (call: BooksCall, id = call.param('payment_id')) => {
    const payment = call.books.payments.get(id);
    if (!payment) throw BooksError.notFound('Payment');
    return payment;
  };
  const emitInvoices = (call: BooksCall, invoices: Invoice[]) => {
    for (const inv of invoices) kit.emit(call, 'invoice', 'updated', invoiceDetail(call.books, inv, call.fmt));
  };
  const remove = (call: BooksCall, payment: CustomerPayment) => {
    const record = paymentDetail(call.books, payment, call.fmt);
    const touched = removePayment(env(call), payment);
    kit.emit(call, 'customerpayment', 'deleted', record);
    emitInvoices(call, touched);
  };

  kit.resource('/customerpayments', 'customerpayments', {
    post: (call) => {
      const result = applyPaymentBody(env(call), call.body);
      commitPayment(env(call), result);
      const record = paymentDetail(call.books, result.payment, call.fmt);
      kit.emit(call, 'customerpayment', 'created', record);
      emitInvoices(call, result.touched);
      return { status: 201, message: 'The payment has been created.', data: { payment: record } };
    },
    get: (call) => {
      let rows = [...call.books.payments.values()];
      const filterBy = call.query('filter_by') ?? 'PaymentMode.All';
      const modes: Record<string, string | undefined> = {
        'PaymentMode.All': undefined, 'PaymentMode.Check': 'check', 'PaymentMode.Cash': 'cash',
        'PaymentMode.BankTransfer': 'banktransfer', 'PaymentMode.BankRemittance': 'bankremittance',
        'PaymentMode.CreditCard': 'creditcard', 'PaymentMode.AutoTransaction': 'autotransaction', 'PaymentMode.Others': 'others',
        // gateway modes listed by customer-payments.yml; the sandbox records none of them
        'PaymentMode.Paypal': 'paypal', 'PaymentMode.GoogleCheckout': 'googlecheckout', 'PaymentMode.Credit': 'credit',
        'PaymentMode.Authorizenet': 'authorizenet', 'PaymentMode.Payflowpro': 'payflowpro', 'PaymentMode.Stripe': 'stripe',
        'PaymentMode.TwoCheckout': 'twocheckout', 'PaymentMode.Braintree': 'braintree',
      };
      if (!(filterBy in modes)) throw BooksError.invalid('filter_by', `one of ${Object.keys(modes).join(', ')}`);
      if (modes[filterBy]) rows = rows.filter((p) => p.payment_mode === modes[filterBy]);
      rows = equalsFilter(call, rows, 'customer_id', (p) => p.customer_id);
      rows = equalsFilter(call, rows, 'payment_mode', (p) => p.payment_mode);
      rows = textFilter(call, rows, 'reference_number', (p) => p.reference_number);
      rows = textFilter(call, rows, 'customer_name', (p) => call.books.contacts.get(p.customer_id)?.contact_name ?? '');
      rows = textFilter(call, rows, 'notes', (p) => p.description);
      rows = dateFilter(call, rows, 'date', (p) => p.date);
      rows = lastModifiedFilter(call, rows);
      const search = call.query('search_text')?.toLowerCase();
      if (search) {
        rows = rows.filter((p) =>
          [p.reference_number, p.description, call.books.contacts.get(p.customer_id)?.contact_name ?? ''].some((v) => v.toLowerCase().includes(search)),
        );
      }
      const sorted = sortRows(call, rows, {
        customer_name: (p) => call.books.contacts.get(p.customer_id)?.contact_name ?? '',
        payment_number: (p) => Number(p.payment_number),
        payment_mode: (p) => p.payment_mode,
        date: (p) => p.date,
        amount: (p) => p.amount,
        created_time: (p) => p.created_ms,
        last_modified_time: (p) => p.modified_ms,
      }, { column: 'created_time', order: 'D' });
      const page = paginate(call, sorted.rows, kit.ctx.limits.books.maxPerPage, {
        report_name: 'Customer Payments', applied_filter: filterBy, sort_column: sorted.sort_column, sort_order: sorted.sort_order,
      });
      return { data: { customerpayments: page.rows.map((p) => paymentSummary(call.books, p, call.fmt)), page_context: page.page_context } };
    },
    delete: (call) => {
      if (call.query('bulk_delete') !== 'true') throw BooksError.required('bulk_delete');
      const ids = (call.query('payment_id') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      if (ids.length === 0) throw BooksError.required('payment_id');
      const payments = ids.map((id) => find(call, id));
      for (const p of payments) remove(call, p);
      return { message: 'The payments have been deleted.' };
    },
  });
  kit.resource('/customerpayments/:payment_id', 'customerpayments', {
    get: (call) => ({ data: { payment: paymentDetail(call.books, find(call), call.fmt) } }),
    put: (call) => {
      const result = applyPaymentBody(env(call), call.body, find(call));
      commitPayment(env(call), result);
      const record = paymentDetail(call.books, result.payment, call.fmt);
      kit.emit(call, 'customerpayment', 'updated', record);
      emitInvoices(call, result.touched);
      return { message: 'The payment details have been updated.', data: { payment: record } };
    },
    delete: (call) => {
      remove(call, find(call));
      return { message: 'The payment has been deleted.' };
    },
  });
}
