import { BooksError, BooksErrorCode } from './books.errors.js';
import { applyDocumentFields } from './books.documents.js';
import { type BooksEnv, envOf, resolveUpsert, withCustomField } from './books.env.js';
import {
  type BooksCall, type BooksRouteKit, dateFilter, equalsFilter, lastModifiedFilter, paginate, sortRows, textFilter,
} from './books.http.js';
import { optString, readCustomFields, reqString } from './books.input.js';
import { billDetail, billStatus, billSummary } from './books.serialize.js';
import type { Bill } from './books.store.js';

/** Create or update a bill (apis.md B4 Bills): vendor_id and bill_number required, lines need an account. */
export function applyBillBody(env: BooksEnv, body: Record<string, unknown>, existing?: Bill): Bill {
  const books = env.books;
  const creating = !existing;
  const bill: Bill = existing
    ? structuredClone(existing)
    : {
        bill_id: env.ids.booksId('record'), bill_number: '', vendor_id: '', state: 'open', payment_made: 0,
        currency_id: '', exchange_rate: 1, date: '', due_date: '', reference_number: '', payment_terms: 0,
        payment_terms_label: '', discount: 0, discount_type: 'entity_level', is_discount_before_tax: true,
        is_inclusive_tax: false, shipping_charge: 0, adjustment: 0, adjustment_description: '', notes: '', terms: '',
        line_items: [], totals: { lines: [], sub_total: 0, discount_amount: 0, tax_total: 0, taxes: [], total: 0 },
        custom: {}, created_ms: env.now, modified_ms: env.now,
      };
  if (existing?.state === 'void') throw BooksError.state('A void bill cannot be edited. Mark it as open first (POST /bills/{id}/status/open).');
  const vendorId = creating ? reqString(body, 'vendor_id') : optString(body, 'vendor_id');
  if (vendorId !== undefined) {
    const vendor = books.contacts.get(vendorId);
    if (!vendor || vendor.contact_type !== 'vendor') throw BooksError.invalid('vendor_id', 'no such vendor in this organization');
    bill.vendor_id = vendorId;
  }
  const vendor = books.contacts.get(bill.vendor_id)!;
  const number = creating ? reqString(body, 'bill_number', 100) : optString(body, 'bill_number', 100);
  if (number !== undefined) bill.bill_number = number.trim();
  const clash = [...books.bills.values()].find(
    (b) => b.bill_id !== bill.bill_id && b.vendor_id === bill.vendor_id && b.bill_number === bill.bill_number,
  );
  if (clash) throw new BooksError(BooksErrorCode.AlreadyExists, `Bill number ${bill.bill_number} already exists for this vendor.`);
  applyDocumentFields(env, body, bill, {
    creating,
    defaultTerms: vendor.payment_terms,
    defaultCurrencyId: vendor.currency_id || (books.baseCurrency()?.currency_id ?? ''),
    requireAccount: true,
  });
  const others = [...books.bills.values()].filter((b) => b.bill_id !== bill.bill_id).map((b) => b.custom);
  bill.custom = readCustomFields(books, 'bills', body, bill.custom, others);
  bill.modified_ms = env.now;
  return bill;
}

const statusFilters: Record<string, (s: string) => boolean> = {
  All: () => true,
  Draft: (s) => s === 'draft',
  Open: (s) => s === 'open',
  OverDue: (s) => s === 'overdue',
  Paid: (s) => s === 'paid',
  PartiallyPaid: (s) => s === 'partially_paid',
  Void: (s) => s === 'void',
  Unpaid: (s) => s === 'open' || s === 'overdue' || s === 'partially_paid',
};

export function registerBillRoutes(kit: BooksRouteKit): void {
  const env = (call: BooksCall) => envOf(call, kit.ctx.ids);
  const find = (call: BooksCall) => {
    const bill = call.books.bills.get(call.param('bill_id'));
    if (!bill) throw BooksError.notFound('Bill');
    return bill;
  };
  const create = (call: BooksCall, body: Record<string, unknown>) => {
    const bill = applyBillBody(env(call), body);
    call.books.bills.set(bill.bill_id, bill);
    const record = billDetail(call.books, bill, call.fmt);
    kit.emit(call, 'bill', 'created', record);
    return { status: 201, message: 'The bill has been created.', data: { bill: record } };
  };
  const update = (call: BooksCall, existing: Bill) => {
    const bill = applyBillBody(env(call), call.body, existing);
    call.books.bills.set(bill.bill_id, bill);
    const record = billDetail(call.books, bill, call.fmt);
    kit.emit(call, 'bill', 'updated', record);
    return { message: 'The bill has been updated.', data: { bill: record } };
  };

  kit.resource('/bills', 'bills', {
    post: (call) => create(call, call.body),
    put: (call) => {
      const target = resolveUpsert(call, 'bills', call.books.bills.values(), 'Bill');
      return 'record' in target ? update(call, target.record) : create(call, withCustomField(call.body, target.customField));
    },
    get: (call) => {
      let rows = [...call.books.bills.values()];
      const status = (b: Bill) => billStatus(b, call.fmt);
      const filterBy = call.query('filter_by') ?? 'Status.All';
      const byFilter = filterBy.startsWith('Status.') ? statusFilters[filterBy.slice(7)] : undefined;
      if (!byFilter) throw BooksError.invalid('filter_by', `one of ${Object.keys(statusFilters).map((k) => `Status.${k}`).join(', ')}`);
      rows = rows.filter((b) => byFilter(status(b)));
      const wanted = call.query('status');
      if (wanted !== undefined) rows = rows.filter((b) => (wanted === 'unpaid' ? statusFilters.Unpaid!(status(b)) : status(b) === wanted));
      rows = equalsFilter(call, rows, 'vendor_id', (b) => b.vendor_id);
      rows = textFilter(call, rows, 'bill_number', (b) => b.bill_number);
      rows = textFilter(call, rows, 'reference_number', (b) => b.reference_number);
      rows = textFilter(call, rows, 'vendor_name', (b) => call.books.contacts.get(b.vendor_id)?.contact_name ?? '');
      rows = dateFilter(call, rows, 'date', (b) => b.date);
      rows = dateFilter(call, rows, 'due_date', (b) => b.due_date);
      rows = lastModifiedFilter(call, rows);
      const search = call.query('search_text')?.toLowerCase();
      if (search) {
        rows = rows.filter((b) =>
          [b.bill_number, b.reference_number, call.books.contacts.get(b.vendor_id)?.contact_name ?? ''].some((v) => v.toLowerCase().includes(search)),
        );
      }
      const sorted = sortRows(call, rows, {
        vendor_name: (b) => call.books.contacts.get(b.vendor_id)?.contact_name ?? '',
        bill_number: (b) => b.bill_number,
        date: (b) => b.date,
        due_date: (b) => b.due_date,
        total: (b) => b.totals.total,
        balance: (b) => b.totals.total - b.payment_made,
        created_time: (b) => b.created_ms,
      }, { column: 'created_time', order: 'D' });
      const page = paginate(call, sorted.rows, kit.ctx.limits.books.maxPerPage, {
        report_name: 'Bills', applied_filter: filterBy, sort_column: sorted.sort_column, sort_order: sorted.sort_order,
      });
      return { data: { bills: page.rows.map((b) => billSummary(call.books, b, call.fmt)), page_context: page.page_context } };
    },
  });
  kit.resource('/bills/:bill_id', 'bills', {
    get: (call) => ({ data: { bill: billDetail(call.books, find(call), call.fmt) } }),
    put: (call) => update(call, find(call)),
    delete: (call) => {
      const bill = find(call);
      if (bill.payment_made > 0) throw BooksError.state('The bill has payments; delete them first.');
      const record = billDetail(call.books, bill, call.fmt);
      call.books.bills.delete(bill.bill_id);
      kit.emit(call, 'bill', 'deleted', record);
      return { message: 'The bill has been deleted.' };
    },
  });
  const transition = (call: BooksCall, to: 'open' | 'void') => {
    const bill = find(call);
    if (to === 'void' && bill.state === 'void') throw BooksError.state(`Bill ${bill.bill_number} is already void.`);
    if (to === 'void' && bill.payment_made > 0) throw BooksError.state('A bill with payments cannot be voided.');
    if (to === 'open' && bill.state === 'open') throw BooksError.state(`Bill ${bill.bill_number} is already open.`);
    bill.state = to;
    bill.modified_ms = call.now;
    kit.emit(call, 'bill', 'updated', billDetail(call.books, bill, call.fmt));
    return { message: to === 'void' ? 'The bill has been marked as void.' : 'The bill has been marked as open.' };
  };
  kit.resource('/bills/:bill_id/status/open', 'bills', { post: (call) => transition(call, 'open') });
  kit.resource('/bills/:bill_id/status/void', 'bills', { post: (call) => transition(call, 'void') });
}
