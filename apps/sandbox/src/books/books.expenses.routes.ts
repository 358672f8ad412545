import { BooksError } from './books.errors.js';
import {
  amountFilter, type BooksCall, type BooksRouteKit, dateFilter, equalsFilter, paginate, sortRows, textFilter,
} from './books.http.js';
import { optBool, optDate, optNumber, optString, reqNumber, reqString } from './books.input.js';
import { expenseOut, expenseStatus, expenseTotals } from './books.serialize.js';
import type { Account, Expense } from './books.store.js';

/**
 * Expenses (expenses.yml): money paid out of a cash/bank/card account (`paid_through_account_id`) and booked to an
 * expense account (`account_id`) — how a connector books, say, payment-processing fees. Create answers 200, as
 * the vendor's OpenAPI file states.
 */
const expenseAccountTypes = new Set([
  'expense', 'cost_of_goods_sold', 'other_expense', 'manufacturing_expense', 'impairment_expense', 'depreciation_expense',
  'employee_benefit_expense', 'lease_expense', 'finance_expense', 'tax_expense', 'fixed_asset', 'other_current_asset', 'other_asset',
]);
const paidThroughTypes = new Set(['cash', 'bank', 'credit_card', 'other_current_liability', 'equity', 'other_current_asset']);

export function registerExpenseRoutes(kit: BooksRouteKit): void {
  const find = (call: BooksCall) => {
    const e = call.books.expenses.get(call.param('expense_id'));
    if (!e) throw BooksError.notFound('Expense');
    return e;
  };
  const account = (call: BooksCall, field: string, id: string, allowed: Set<string>, what: string): Account => {
    const a = call.books.accounts.get(id);
    if (!a || !allowed.has(a.account_type)) throw BooksError.invalid(field, what);
    return a;
  };
  const apply = (call: BooksCall, e: Expense, creating: boolean) => {
    const body = call.body;
    const accountId = creating ? reqString(body, 'account_id') : optString(body, 'account_id');
    if (accountId !== undefined) e.account_id = account(call, 'account_id', accountId, expenseAccountTypes, 'an expense account from the chart of accounts').account_id;
    const paidThrough = creating ? reqString(body, 'paid_through_account_id') : optString(body, 'paid_through_account_id');
    if (paidThrough !== undefined) {
      e.paid_through_account_id = account(call, 'paid_through_account_id', paidThrough, paidThroughTypes, 'a cash, bank or credit card account').account_id;
    }
    const amount = creating ? reqNumber(body, 'amount') : optNumber(body, 'amount');
    if (amount !== undefined) {
      if (!(amount > 0)) throw BooksError.invalid('amount', 'must be greater than zero');
      e.amount = amount;
    }
    if (creating && body.date === undefined) throw BooksError.required('date');
    const date = optDate(body, 'date');
    if (date) e.date = date;
    const taxId = optString(body, 'tax_id');
    if (taxId !== undefined) {
      if (taxId !== '' && !call.books.taxes.has(taxId)) throw BooksError.invalid('tax_id', 'no such tax in this organization');
      e.tax_id = taxId;
    }
    const inclusive = optBool(body, 'is_inclusive_tax');
    if (inclusive !== undefined) e.is_inclusive_tax = inclusive;
    const billable = optBool(body, 'is_billable');
    if (billable !== undefined) e.is_billable = billable;
    for (const [key, max] of [['reference_number', 100], ['description', 500]] as const) {
      const v = optString(body, key, max);
      if (v !== undefined) e[key] = v;
    }
    for (const [key, type] of [['customer_id', 'customer'], ['vendor_id', 'vendor']] as const) {
      const v = optString(body, key);
      if (v === undefined) continue;
      if (v !== '' && call.books.contacts.get(v)?.contact_type !== type) throw BooksError.invalid(key, `no such ${type} in this organization`);
      e[key] = v;
    }
    if (e.is_billable && !e.customer_id) throw BooksError.required('customer_id');
    const currencyId = optString(body, 'currency_id');
    if (currencyId !== undefined) {
      if (!call.books.currencies.has(currencyId)) throw BooksError.invalid('currency_id');
      e.currency_id = currencyId;
    }
    e.modified_ms = call.now;
  };

  kit.resource('/expenses', 'expenses', {
    post: (call) => {
      const e: Expense = {
        expense_id: kit.ctx.ids.booksId('record'), account_id: '', paid_through_account_id: '', date: call.fmt.today, amount: 0,
        tax_id: '', is_inclusive_tax: false, reference_number: '', description: '', customer_id: '', vendor_id: '',
        currency_id: call.books.baseCurrency()?.currency_id ?? '', is_billable: false, created_ms: call.now, modified_ms: call.now,
      };
      apply(call, e, true);
      call.books.expenses.set(e.expense_id, e);
      return { message: 'The expense has been recorded.', data: { expense: expenseOut(call.books, e, call.fmt) } };
    },
    get: (call) => {
      let rows = [...call.books.expenses.values()];
      const filterBy = call.query('filter_by') ?? 'Status.All';
      const filters: Record<string, (e: Expense) => boolean> = {
        'Status.All': () => true,
        'Status.Billable': (e) => e.is_billable,
        'Status.Nonbillable': (e) => !e.is_billable,
        'Status.Unbilled': (e) => e.is_billable,
        'Status.Invoiced': () => false,
        'Status.Reimbursed': () => false,
      };
      const predicate = filters[filterBy];
      if (!predicate) throw BooksError.invalid('filter_by', `one of ${Object.keys(filters).join(', ')}`);
      rows = rows.filter(predicate);
      const status = call.query('status');
      if (status !== undefined) rows = rows.filter((e) => (status === 'billable' ? e.is_billable : expenseStatus(e) === status.replace('-', '')));
      const name = (id: string) => call.books.contacts.get(id)?.contact_name ?? '';
      const accountName = (id: string) => call.books.accounts.get(id)?.account_name ?? '';
      rows = textFilter(call, rows, 'description', (e) => e.description);
      rows = textFilter(call, rows, 'reference_number', (e) => e.reference_number);
      rows = textFilter(call, rows, 'account_name', (e) => accountName(e.account_id));
      rows = textFilter(call, rows, 'customer_name', (e) => name(e.customer_id));
      rows = textFilter(call, rows, 'vendor_name', (e) => name(e.vendor_id));
      rows = equalsFilter(call, rows, 'customer_id', (e) => e.customer_id);
      rows = equalsFilter(call, rows, 'vendor_id', (e) => e.vendor_id);
      rows = equalsFilter(call, rows, 'paid_through_account_id', (e) => e.paid_through_account_id);
      rows = dateFilter(call, rows, 'date', (e) => e.date);
      rows = amountFilter(call, rows, 'amount', (e) => e.amount);
      const search = call.query('search_text')?.toLowerCase();
      if (search) {
        rows = rows.filter((e) => [accountName(e.account_id), e.description, name(e.customer_id), name(e.vendor_id)].some((v) => v.toLowerCase().includes(search)));
      }
      const sorted = sortRows(call, rows, {
        date: (e) => e.date,
        account_name: (e) => accountName(e.account_id),
        total: (e) => expenseTotals(call.books, e).total,
        bcy_total: (e) => expenseTotals(call.books, e).total,
        reference_number: (e) => e.reference_number,
        customer_name: (e) => name(e.customer_id),
        created_time: (e) => e.created_ms,
      }, { column: 'date', order: 'D' });
      const page = paginate(call, sorted.rows, kit.ctx.limits.books.maxPerPage, {
        report_name: 'Expenses', applied_filter: filterBy, sort_column: sorted.sort_column, sort_order: sorted.sort_order,
      });
      return { data: { expenses: page.rows.map((e) => expenseOut(call.books, e, call.fmt)), page_context: page.page_context } };
    },
  });
  kit.resource('/expenses/:expense_id', 'expenses', {
    get: (call) => ({ data: { expense: expenseOut(call.books, find(call), call.fmt) } }),
    put: (call) => {
      const e = find(call);
      const draft = structuredClone(e);
      apply(call, draft, false);
      Object.assign(e, draft);
      return { message: 'The expense has been updated.', data: { expense: expenseOut(call.books, e, call.fmt) } };
    },
    delete: (call) => {
      const e = find(call);
      call.books.expenses.delete(e.expense_id);
      return { message: 'The expense has been deleted.' };
    },
  });
}
