import { BooksError, BooksErrorCode } from './books.errors.js';
import { type BooksEnv, envOf, resolveUpsert, withCustomField } from './books.env.js';
import {
  type BooksCall, type BooksRouteKit, dateFilter, equalsFilter, lastModifiedFilter, paginate, sortRows, textFilter,
} from './books.http.js';
import { oneOf, optArray, optBool, optDate, optNumber, optString, readCustomFields, reqNumber, reqString } from './books.input.js';
import {
  accountOut, bankAccountOut, bankTransactionOut, currencyOut, itemOut, taxOut, tagOut,
} from './books.serialize.js';
import type { Account, BankTransaction, Currency, Item, ReportingTag, Tax } from './books.store.js';

/** Organisations, currencies, taxes, chart of accounts, bank accounts/transactions, reporting tags and items. */

export const accountTypes = [
  'other_asset', 'other_current_asset', 'intangible_asset', 'right_to_use_asset', 'financial_asset', 'contingent_asset',
  'contract_asset', 'cash', 'bank', 'fixed_asset', 'other_current_liability', 'contract_liability', 'refund_liability',
  'credit_card', 'long_term_liability', 'loans_and_borrowing', 'lease_liability', 'employee_benefit_liability',
  'contingent_liability', 'financial_liability', 'other_liability', 'equity', 'income', 'finance_income',
  'other_comprehensive_income', 'other_income', 'expense', 'manufacturing_expense', 'impairment_expense',
  'depreciation_expense', 'employee_benefit_expense', 'lease_expense', 'finance_expense', 'tax_expense',
  'cost_of_goods_sold', 'other_expense', 'accounts_receivable', 'accounts_payable',
] as const;

const accountGroups: Record<string, (type: string) => boolean> = {
  Asset: (t) => t.endsWith('_asset') || t === 'cash' || t === 'bank' || t === 'accounts_receivable',
  Liability: (t) => t.endsWith('_liability') || t === 'credit_card' || t === 'loans_and_borrowing' || t === 'accounts_payable',
  Equity: (t) => t === 'equity',
  Income: (t) => t.endsWith('income'),
  Expense: (t) => t.endsWith('expense') || t === 'cost_of_goods_sold',
};

export const bankTransactionTypes = [
  'deposit', 'refund', 'transfer_fund', 'card_payment', 'sales_without_invoices', 'expense_refund', 'owner_contribution',
  'interest_income', 'other_income', 'owner_drawings', 'sales_return',
] as const;

export function applyItemBody(env: BooksEnv, body: Record<string, unknown>, existing?: Item): Item {
  const books = env.books;
  const item: Item = existing
    ? structuredClone(existing)
    : {
        item_id: env.ids.booksId('record'), name: '', rate: 0, description: '', tax_id: '', sku: '', unit: '',
        product_type: 'services', account_id: books.accountByName('Sales')?.account_id ?? '', status: 'active', custom: {},
        created_ms: env.now, modified_ms: env.now,
      };
  const name = existing ? optString(body, 'name', 100) : reqString(body, 'name', 100);
  if (name !== undefined) {
    if ([...books.items.values()].some((i) => i.item_id !== item.item_id && i.name.toLowerCase() === name.trim().toLowerCase())) {
      throw new BooksError(BooksErrorCode.AlreadyExists, `An item named "${name.trim()}" already exists.`);
    }
    item.name = name.trim();
  }
  const rate = existing ? optNumber(body, 'rate') : reqNumber(body, 'rate');
  if (rate !== undefined) item.rate = rate;
  for (const [key, max] of [['description', 2000], ['sku', 100], ['unit', 50]] as const) {
    const v = optString(body, key, max);
    if (v !== undefined) item[key] = v;
  }
  const productType = oneOf(optString(body, 'product_type'), 'product_type', ['goods', 'services', 'digital_service'] as const);
  if (productType) item.product_type = productType;
  const taxId = optString(body, 'tax_id');
  if (taxId !== undefined) {
    if (taxId !== '' && !books.taxes.has(taxId)) throw BooksError.invalid('tax_id', 'no such tax in this organization');
    item.tax_id = taxId;
  }
  const accountId = optString(body, 'account_id');
  if (accountId !== undefined) {
    if (!books.accounts.has(accountId)) throw BooksError.invalid('account_id', 'no such account in the chart of accounts');
    item.account_id = accountId;
  }
  const others = [...books.items.values()].filter((i) => i.item_id !== item.item_id).map((i) => i.custom);
  item.custom = readCustomFields(books, 'items', body, item.custom, others);
  item.modified_ms = env.now;
  return item;
}

export function registerReferenceRoutes(kit: BooksRouteKit): void {
  const env = (call: BooksCall) => envOf(call, kit.ctx.ids);
  const max = () => kit.ctx.limits.books.maxPerPage;
  const stamp = (call: BooksCall) => ({ created_ms: call.now, modified_ms: call.now });

  // ---------- organizations ----------
  const orgOut = (orgId: string) => {
    const org = kit.ctx.tenants.booksOrgs.get(orgId)!;
    const books = kit.store.org(orgId);
    const currency = books.baseCurrency();
    return {
      organization_id: org.organization_id,
      name: org.name,
      contact_name: org.name,
      is_default_org: false,
      plan_name: org.plan,
      currency_id: currency?.currency_id ?? '',
      currency_code: org.currency_code,
      currency_symbol: currency?.currency_symbol ?? '',
      time_zone: org.time_zone,
      language_code: 'en',
      date_format: 'yyyy-MM-dd',
      fiscal_year_start_month: 0,
      price_precision: 2,
      is_org_active: true,
      user_role: 'admin',
      account_created_date: '2024-01-01',
    };
  };
  kit.resource('/organizations', 'settings', {
    get: (call) => {
      const dc = kit.dc.key;
      const orgs = [...kit.ctx.tenants.booksOrgs.values()].filter((o) => o.dc === dc && o.userIds.includes(call.userId));
      return { data: { organizations: orgs.map((o, i) => ({ ...orgOut(o.organization_id), is_default_org: i === 0 })) } };
    },
  }, { orgless: true });
  kit.resource('/organizations/:org_id', 'settings', {
    get: (call) => {
      const org = kit.ctx.tenants.booksOrgs.get(call.param('org_id'));
      const dc = kit.dc.key;
      if (!org || org.dc !== dc || !org.userIds.includes(call.userId)) throw BooksError.notAuthorized();
      return { data: { organization: orgOut(org.organization_id) } };
    },
  }, { orgless: true });

  // ---------- currencies ----------
  const findCurrency = (call: BooksCall) => {
    const c = call.books.currencies.get(call.param('currency_id'));
    if (!c) throw BooksError.notFound('Currency');
    return c;
  };
  const applyCurrency = (call: BooksCall, c: Currency, creating: boolean) => {
    const code = creating ? reqString(call.body, 'currency_code', 10) : optString(call.body, 'currency_code', 10);
    if (code !== undefined) {
      if (!/^[A-Z]{3}$/.test(code)) throw BooksError.invalid('currency_code', 'a three-letter ISO code');
      if ([...call.books.currencies.values()].some((o) => o.currency_id !== c.currency_id && o.currency_code === code)) {
        throw new BooksError(BooksErrorCode.AlreadyExists, `The currency ${code} already exists.`);
      }
      c.currency_code = code;
    }
    const format = creating ? reqString(call.body, 'currency_format', 50) : optString(call.body, 'currency_format', 50);
    if (format !== undefined) c.currency_format = format;
    const symbol = optString(call.body, 'currency_symbol', 4);
    if (symbol !== undefined) c.currency_symbol = symbol;
    const name = optString(call.body, 'currency_name', 100);
    if (name !== undefined) c.currency_name = name;
    const precision = optNumber(call.body, 'price_precision');
    if (precision !== undefined) {
      if (![0, 2, 3].includes(precision)) throw BooksError.invalid('price_precision', '0, 2 or 3');
      c.price_precision = precision;
    }
    const rate = optNumber(call.body, 'exchange_rate');
    if (rate !== undefined) c.exchange_rate = rate;
    const effective = optDate(call.body, 'effective_date');
    if (effective) c.effective_date = effective;
    c.modified_ms = call.now;
  };
  kit.resource('/settings/currencies', 'settings', {
    get: (call) => {
      let rows = [...call.books.currencies.values()];
      const filterBy = call.query('filter_by');
      if (filterBy !== undefined && filterBy !== 'Currencies.ExcludeBaseCurrency' && filterBy !== 'Currencies.All') {
        throw BooksError.invalid('filter_by', 'Currencies.ExcludeBaseCurrency');
      }
      if (filterBy === 'Currencies.ExcludeBaseCurrency') rows = rows.filter((c) => !c.is_base_currency);
      const page = paginate(call, rows, max(), { report_name: 'Currencies', applied_filter: filterBy ?? 'Currencies.All', sort_column: 'currency_code', sort_order: 'A' });
      return { data: { currencies: page.rows.map(currencyOut), page_context: page.page_context } };
    },
    post: (call) => {
      const c: Currency = {
        currency_id: kit.ctx.ids.booksId('record'), currency_code: '', currency_name: '', currency_symbol: '',
        price_precision: 2, currency_format: '1,234,567.89', is_base_currency: false, exchange_rate: 1,
        effective_date: call.fmt.today, ...stamp(call),
      };
      applyCurrency(call, c, true);
      call.books.currencies.set(c.currency_id, c);
      return { status: 201, message: 'The currency has been added.', data: { currency: currencyOut(c) } };
    },
  });
  kit.resource('/settings/currencies/:currency_id', 'settings', {
    get: (call) => ({ data: { currency: currencyOut(findCurrency(call)) } }),
    put: (call) => {
      const c = findCurrency(call);
      const draft = structuredClone(c);
      applyCurrency(call, draft, false);
      if (c.is_base_currency && draft.currency_code !== c.currency_code) throw BooksError.state('The base currency code cannot be changed.');
      Object.assign(c, draft);
      return { message: 'Currency information has been saved.', data: { currency: currencyOut(c) } };
    },
    delete: (call) => {
      const c = findCurrency(call);
      if (c.is_base_currency) throw BooksError.state('The base currency cannot be deleted.');
      const used = [...call.books.contacts.values()].some((x) => x.currency_id === c.currency_id) ||
        [...call.books.invoices.values()].some((x) => x.currency_id === c.currency_id) ||
        [...call.books.bills.values()].some((x) => x.currency_id === c.currency_id);
      if (used) throw BooksError.state(`The currency ${c.currency_code} is used by contacts or transactions and cannot be deleted.`);
      call.books.currencies.delete(c.currency_id);
      return { message: 'The currency has been deleted.' };
    },
  });

  // ---------- taxes ----------
  const findTax = (call: BooksCall) => {
    const t = call.books.taxes.get(call.param('tax_id'));
    if (!t) throw BooksError.notFound('Tax');
    return t;
  };
  const applyTax = (call: BooksCall, t: Tax, creating: boolean) => {
    const name = creating ? reqString(call.body, 'tax_name', 50) : optString(call.body, 'tax_name', 50);
    if (name !== undefined) t.tax_name = name;
    const pct = creating ? reqNumber(call.body, 'tax_percentage') : optNumber(call.body, 'tax_percentage');
    if (pct !== undefined) {
      if (pct < 0 || pct > 100) throw BooksError.invalid('tax_percentage', 'between 0 and 100');
      t.tax_percentage = pct;
    }
    const type = oneOf(optString(call.body, 'tax_type'), 'tax_type', ['tax', 'compound_tax'] as const);
    if (type) t.tax_type = type;
    const country = optString(call.body, 'country_code', 2);
    if (country !== undefined) t.country_code = country;
    const vat = optBool(call.body, 'is_value_added');
    if (vat !== undefined) t.is_value_added = vat;
    t.modified_ms = call.now;
  };
  kit.resource('/settings/taxes', 'settings', {
    get: (call) => {
      const page = paginate(call, [...call.books.taxes.values()], max(), { report_name: 'Taxes', sort_column: 'tax_name', sort_order: 'A' });
      return { data: { taxes: page.rows.map(taxOut), page_context: page.page_context } };
    },
    post: (call) => {
      const t: Tax = {
        tax_id: kit.ctx.ids.booksId('record'), tax_name: '', tax_percentage: 0, tax_type: 'tax', tax_specific_type: '',
        country_code: '', is_value_added: false, is_editable: true, ...stamp(call),
      };
      applyTax(call, t, true);
      call.books.taxes.set(t.tax_id, t);
      return { status: 201, message: 'The tax has been added.', data: { tax: taxOut(t) } };
    },
  });
  kit.resource('/settings/taxes/:tax_id', 'settings', {
    get: (call) => ({ data: { tax: taxOut(findTax(call)) } }),
    put: (call) => {
      const t = findTax(call);
      const draft = structuredClone(t);
      applyTax(call, draft, false);
      Object.assign(t, draft);
      return { message: 'Tax information has been updated.', data: { tax: taxOut(t) } };
    },
    delete: (call) => {
      const t = findTax(call);
      const used = [...call.books.invoices.values(), ...call.books.bills.values()].some((d) => d.line_items.some((l) => l.tax_id === t.tax_id));
      if (used) throw BooksError.state(`The tax ${t.tax_name} is used in transactions and cannot be deleted.`);
      call.books.taxes.delete(t.tax_id);
      return { message: 'The record has been deleted.' };
    },
  });

  // ---------- chart of accounts ----------
  const findAccount = (call: BooksCall) => {
    const a = call.books.accounts.get(call.param('account_id'));
    if (!a) throw BooksError.notFound('Account');
    return a;
  };
  const applyAccount = (call: BooksCall, a: Account, creating: boolean) => {
    const name = creating ? reqString(call.body, 'account_name', 100) : optString(call.body, 'account_name', 100);
    if (name !== undefined) {
      if ([...call.books.accounts.values()].some((o) => o.account_id !== a.account_id && o.account_name.toLowerCase() === name.trim().toLowerCase())) {
        throw new BooksError(BooksErrorCode.AlreadyExists, `The account name "${name.trim()}" already exists.`);
      }
      a.account_name = name.trim();
    }
    const type = oneOf(creating ? reqString(call.body, 'account_type') : optString(call.body, 'account_type'), 'account_type', accountTypes);
    if (type) {
      if (!creating && a.is_system_account && type !== a.account_type) throw BooksError.state('The type of a system account cannot be changed.');
      a.account_type = type;
    }
    for (const [key, maxLen] of [['account_code', 50], ['description', 500], ['account_number', 50], ['bank_name', 100]] as const) {
      const v = optString(call.body, key, maxLen);
      if (v !== undefined) a[key] = v;
    }
    const currencyId = optString(call.body, 'currency_id');
    if (currencyId !== undefined) {
      if (!call.books.currencies.has(currencyId)) throw BooksError.invalid('currency_id');
      a.currency_id = currencyId;
    }
    const parent = optString(call.body, 'parent_account_id');
    if (parent !== undefined) {
      if (parent !== '' && !call.books.accounts.has(parent)) throw BooksError.invalid('parent_account_id');
      a.parent_account_id = parent;
    }
    a.modified_ms = call.now;
  };
  kit.resource('/chartofaccounts', 'accountants', {
    get: (call) => {
      let rows = [...call.books.accounts.values()];
      const filterBy = call.query('filter_by') ?? 'AccountType.All';
      const group = filterBy.startsWith('AccountType.') ? filterBy.slice(12) : '';
      if (group === 'Active') rows = rows.filter((a) => a.is_active);
      else if (group === 'Inactive') rows = rows.filter((a) => !a.is_active);
      else if (accountGroups[group]) rows = rows.filter((a) => accountGroups[group]!(a.account_type));
      else if (group !== 'All') throw BooksError.invalid('filter_by', 'AccountType.All|Active|Inactive|Asset|Liability|Equity|Income|Expense');
      rows = equalsFilter(call, rows, 'account_type', (a) => a.account_type);
      rows = lastModifiedFilter(call, rows);
      const sorted = sortRows(call, rows, {
        account_name: (a) => a.account_name,
        account_type: (a) => a.account_type,
        last_modified_time: (a) => a.modified_ms,
      }, { column: 'account_name', order: 'A' });
      const page = paginate(call, sorted.rows, max(), {
        report_name: 'Chart of Accounts', applied_filter: filterBy, sort_column: sorted.sort_column, sort_order: sorted.sort_order,
      });
      return { data: { chartofaccounts: page.rows.map((a) => accountOut(call.books, a, call.fmt)), page_context: page.page_context } };
    },
    post: (call) => {
      const a: Account = {
        account_id: kit.ctx.ids.booksId('record'), account_name: '', account_code: '', account_type: 'expense',
        description: '', currency_id: call.books.baseCurrency()?.currency_id ?? '', parent_account_id: '', is_active: true,
        is_user_created: true, is_system_account: false, account_number: '', bank_name: '', ...stamp(call),
      };
      applyAccount(call, a, true);
      call.books.accounts.set(a.account_id, a);
      return { status: 201, message: 'The account has been created.', data: { chart_of_account: accountOut(call.books, a, call.fmt) } };
    },
  });
  kit.resource('/chartofaccounts/transactions', 'accountants', {
    get: (call) => {
      const accountId = reqString({ account_id: call.query('account_id') }, 'account_id');
      if (!call.books.accounts.has(accountId)) throw BooksError.notFound('Account');
      const rows = [...call.books.bankTransactions.values()]
        .filter((t) => t.from_account_id === accountId || t.to_account_id === accountId)
        .map((t) => ({
          transaction_id: t.transaction_id, transaction_type: t.transaction_type, date: t.date, reference_number: t.reference_number,
          debit_amount: t.to_account_id === accountId ? t.amount : 0, credit_amount: t.from_account_id === accountId ? t.amount : 0,
        }));
      const page = paginate(call, rows, max(), { report_name: 'Account Transactions', sort_column: 'date', sort_order: 'A' });
      return { data: { transactions: page.rows, page_context: page.page_context } };
    },
  });
  kit.resource('/chartofaccounts/:account_id', 'accountants', {
    get: (call) => ({ data: { chart_of_account: accountOut(call.books, findAccount(call), call.fmt) } }),
    put: (call) => {
      const a = findAccount(call);
      const draft = structuredClone(a);
      applyAccount(call, draft, false);
      Object.assign(a, draft);
      return { message: 'The account has been updated.', data: { chart_of_account: accountOut(call.books, a, call.fmt) } };
    },
    delete: (call) => {
      const a = findAccount(call);
      if (a.is_system_account) throw BooksError.state('System accounts cannot be deleted.');
      const used = [...call.books.bankTransactions.values()].some((t) => t.from_account_id === a.account_id || t.to_account_id === a.account_id) ||
        [...call.books.payments.values()].some((p) => p.account_id === a.account_id) ||
        [...call.books.expenses.values()].some((e) => e.account_id === a.account_id || e.paid_through_account_id === a.account_id) ||
        [...call.books.bills.values(), ...call.books.invoices.values()].some((d) => d.line_items.some((l) => l.account_id === a.account_id));
      if (used) throw BooksError.state(`The account ${a.account_name} has transactions and cannot be deleted.`);
      call.books.accounts.delete(a.account_id);
      return { message: 'The account has been deleted.' };
    },
  });
  for (const status of ['active', 'inactive'] as const) {
    kit.resource(`/chartofaccounts/:account_id/${status}`, 'accountants', {
      post: (call) => {
        const a = findAccount(call);
        a.is_active = status === 'active';
        a.modified_ms = call.now;
        return { message: `The account has been marked as ${status}.` };
      },
    });
  }

  // ---------- bank accounts and transactions ----------
  const isBankLike = (a: Account) => a.account_type === 'bank' || a.account_type === 'cash' || a.account_type === 'credit_card';
  kit.resource('/bankaccounts', 'banking', {
    get: (call) => {
      const rows = [...call.books.accounts.values()].filter((a) => isBankLike(a) && a.account_name !== 'Undeposited Funds');
      const page = paginate(call, rows, max(), { report_name: 'Bank Accounts', sort_column: 'account_name', sort_order: 'A' });
      return { data: { bankaccounts: page.rows.map((a) => bankAccountOut(call.books, a)), page_context: page.page_context } };
    },
  });
  kit.resource('/bankaccounts/:account_id', 'banking', {
    get: (call) => {
      const a = findAccount(call);
      if (!isBankLike(a)) throw BooksError.notFound('Bank account');
      return { data: { bankaccount: bankAccountOut(call.books, a) } };
    },
  });
  const findTransaction = (call: BooksCall) => {
    const t = call.books.bankTransactions.get(call.param('transaction_id'));
    if (!t) throw BooksError.notFound('Transaction');
    return t;
  };
  const applyTransaction = (call: BooksCall, t: BankTransaction, creating: boolean) => {
    const type = oneOf(creating ? reqString(call.body, 'transaction_type') : optString(call.body, 'transaction_type'), 'transaction_type', bankTransactionTypes);
    if (type) t.transaction_type = type;
    for (const key of ['from_account_id', 'to_account_id'] as const) {
      const id = creating ? reqString(call.body, key) : optString(call.body, key);
      if (id === undefined) continue;
      if (!call.books.accounts.has(id)) throw BooksError.invalid(key, 'no such account in the chart of accounts');
      t[key] = id;
    }
    if (t.from_account_id === t.to_account_id) throw BooksError.invalid('to_account_id', 'must differ from from_account_id');
    const to = call.books.accounts.get(t.to_account_id)!;
    const from = call.books.accounts.get(t.from_account_id)!;
    if (t.transaction_type === 'deposit' && !isBankLike(to)) throw BooksError.invalid('to_account_id', 'a deposit goes to a bank or cash account');
    if (t.transaction_type === 'transfer_fund' && (!isBankLike(to) || !isBankLike(from))) {
      throw BooksError.invalid('from_account_id', 'a transfer moves money between bank, cash or card accounts');
    }
    const amount = creating ? reqNumber(call.body, 'amount') : optNumber(call.body, 'amount');
    if (amount !== undefined) {
      if (!(amount > 0)) throw BooksError.invalid('amount', 'must be greater than zero');
      t.amount = amount;
    }
    const date = optDate(call.body, 'date');
    if (date) t.date = date;
    for (const [key, maxLen] of [['payment_mode', 50], ['reference_number', 100], ['description', 2000]] as const) {
      const v = optString(call.body, key, maxLen);
      if (v !== undefined) t[key] = v;
    }
    const customerId = optString(call.body, 'customer_id');
    if (customerId !== undefined) {
      if (customerId !== '' && !call.books.contacts.has(customerId)) throw BooksError.invalid('customer_id');
      t.customer_id = customerId;
    }
    const charges = optNumber(call.body, 'bank_charges');
    if (charges !== undefined) {
      if (charges < 0 || charges >= t.amount) throw BooksError.invalid('bank_charges', 'between 0 and the amount');
      t.bank_charges = charges;
    }
    const currencyId = optString(call.body, 'currency_id');
    if (currencyId !== undefined) {
      if (!call.books.currencies.has(currencyId)) throw BooksError.invalid('currency_id');
      t.currency_id = currencyId;
    }
    t.modified_ms = call.now;
  };
  kit.resource('/banktransactions', 'banking', {
    post: (call) => {
      const t: BankTransaction = {
        transaction_id: kit.ctx.ids.booksId('record'), transaction_type: 'deposit', from_account_id: '',
        to_account_id: '', amount: 0, date: call.fmt.today, payment_mode: '', customer_id: '', reference_number: '',
        description: '', currency_id: call.books.baseCurrency()?.currency_id ?? '', bank_charges: 0, ...stamp(call),
      };
      applyTransaction(call, t, true);
      call.books.bankTransactions.set(t.transaction_id, t);
      return { status: 201, message: 'The transaction has been created.', data: { banktransaction: bankTransactionOut(call.books, t, call.fmt) } };
    },
    get: (call) => {
      let rows = [...call.books.bankTransactions.values()];
      const accountId = call.query('account_id');
      if (accountId) rows = rows.filter((t) => t.from_account_id === accountId || t.to_account_id === accountId);
      rows = equalsFilter(call, rows, 'transaction_type', (t) => t.transaction_type);
      rows = textFilter(call, rows, 'reference_number', (t) => t.reference_number);
      rows = dateFilter(call, rows, 'date', (t) => t.date);
      rows = lastModifiedFilter(call, rows);
      const search = call.query('search_text')?.toLowerCase();
      if (search) rows = rows.filter((t) => [t.reference_number, t.description].some((v) => v.toLowerCase().includes(search)));
      const sorted = sortRows(call, rows, {
        date: (t) => t.date, amount: (t) => t.amount, created_time: (t) => t.created_ms, last_modified_time: (t) => t.modified_ms,
      }, { column: 'date', order: 'D' });
      const page = paginate(call, sorted.rows, max(), { report_name: 'Bank Transactions', sort_column: sorted.sort_column, sort_order: sorted.sort_order });
      return { data: { banktransactions: page.rows.map((t) => bankTransactionOut(call.books, t, call.fmt)), page_context: page.page_context } };
    },
  });
  kit.resource('/banktransactions/:transaction_id', 'banking', {
    get: (call) => ({ data: { banktransaction: bankTransactionOut(call.books, findTransaction(call), call.fmt) } }),
    put: (call) => {
      const t = findTransaction(call);
      const draft = structuredClone(t);
      applyTransaction(call, draft, false);
      Object.assign(t, draft);
      return { message: 'The transaction has been updated.', data: { banktransaction: bankTransactionOut(call.books, t, call.fmt) } };
    },
    delete: (call) => {
      const t = findTransaction(call);
      call.books.bankTransactions.delete(t.transaction_id);
      return { message: 'The transaction has been deleted.' };
    },
  });

  // ---------- reporting tags ----------
  const findTag = (call: BooksCall) => {
    const t = call.books.tags.get(call.param('tag_id'));
    if (!t) throw BooksError.notFound('Reporting tag');
    return t;
  };
  kit.resource('/reportingtags', 'settings', {
    get: (call) => {
      const page = paginate(call, [...call.books.tags.values()], max(), { report_name: 'Reporting Tags', sort_column: 'tag_name', sort_order: 'A' });
      return { data: { tags: page.rows.map(tagOut), page_context: page.page_context } };
    },
    post: (call) => {
      const name = reqString(call.body, 'tag_name', 100);
      if ([...call.books.tags.values()].some((t) => t.tag_name.toLowerCase() === name.toLowerCase())) {
        throw new BooksError(BooksErrorCode.AlreadyExists, `The reporting tag "${name}" already exists.`);
      }
      const options = optArray(call.body, 'tag_options') ?? [];
      const tag: ReportingTag = {
        tag_id: kit.ctx.ids.booksId('record'), tag_name: name, description: optString(call.body, 'description', 500) ?? '',
        is_active: true,
        tag_options: options.map((o) => ({
          tag_option_id: kit.ctx.ids.booksId('record'),
          tag_option_name: reqString(o, 'tag_option_name', 100),
          is_active: true,
        })),
        ...stamp(call),
      };
      call.books.tags.set(tag.tag_id, tag);
      return { status: 201, message: 'The reporting tag has been created.', data: { reporting_tag: tagOut(tag) } };
    },
  });
  kit.resource('/reportingtags/:tag_id', 'settings', {
    get: (call) => ({ data: { reporting_tag: tagOut(findTag(call)) } }),
    delete: (call) => {
      const t = findTag(call);
      const used = [...call.books.invoices.values(), ...call.books.bills.values()].some((d) => d.line_items.some((l) => l.tags.some((x) => x.tag_id === t.tag_id)));
      if (used) throw BooksError.state(`The reporting tag ${t.tag_name} is used in transactions and cannot be deleted.`);
      call.books.tags.delete(t.tag_id);
      return { message: 'The reporting tag has been deleted.' };
    },
  });

  // ---------- items ----------
  const findItem = (call: BooksCall) => {
    const item = call.books.items.get(call.param('item_id'));
    if (!item) throw BooksError.notFound('Item');
    return item;
  };
  const createItem = (call: BooksCall, body: Record<string, unknown>) => {
    const item = applyItemBody(env(call), body);
    call.books.items.set(item.item_id, item);
    const record = itemOut(call.books, item, call.fmt);
    kit.emit(call, 'item', 'created', record);
    return { status: 201, message: 'The item has been added.', data: { item: record } };
  };
  const updateItem = (call: BooksCall, existing: Item) => {
    const item = applyItemBody(env(call), call.body, existing);
    call.books.items.set(item.item_id, item);
    const record = itemOut(call.books, item, call.fmt);
    kit.emit(call, 'item', 'updated', record);
    return { message: 'The item details have been updated.', data: { item: record } };
  };
  kit.resource('/items', 'settings', {
    post: (call) => createItem(call, call.body),
    put: (call) => {
      const target = resolveUpsert(call, 'items', call.books.items.values(), 'Item');
      return 'record' in target ? updateItem(call, target.record) : createItem(call, withCustomField(call.body, target.customField));
    },
    get: (call) => {
      let rows = [...call.books.items.values()];
      const filterBy = call.query('filter_by') ?? 'Status.All';
      if (filterBy === 'Status.Active') rows = rows.filter((i) => i.status === 'active');
      else if (filterBy === 'Status.Inactive') rows = rows.filter((i) => i.status === 'inactive');
      else if (filterBy !== 'Status.All') throw BooksError.invalid('filter_by', 'Status.All|Active|Inactive');
      rows = textFilter(call, rows, 'name', (i) => i.name);
      rows = textFilter(call, rows, 'description', (i) => i.description);
      rows = textFilter(call, rows, 'sku', (i) => i.sku);
      rows = lastModifiedFilter(call, rows);
      const search = call.query('search_text')?.toLowerCase();
      if (search) rows = rows.filter((i) => [i.name, i.description, i.sku].some((v) => v.toLowerCase().includes(search)));
      const sorted = sortRows(call, rows, {
        name: (i) => i.name, rate: (i) => i.rate, created_time: (i) => i.created_ms, last_modified_time: (i) => i.modified_ms,
      }, { column: 'name', order: 'A' });
      const page = paginate(call, sorted.rows, max(), {
        report_name: 'Items', applied_filter: filterBy, sort_column: sorted.sort_column, sort_order: sorted.sort_order,
      });
      return { data: { items: page.rows.map((i) => itemOut(call.books, i, call.fmt)), page_context: page.page_context } };
    },
  });
  kit.resource('/items/:item_id', 'settings', {
    get: (call) => ({ data: { item: itemOut(call.books, findItem(call), call.fmt) } }),
    put: (call) => updateItem(call, findItem(call)),
    delete: (call) => {
      const item = findItem(call);
      const used = [...call.books.invoices.values(), ...call.books.bills.values()].some((d) => d.line_items.some((l) => l.item_id === item.item_id));
      if (used) throw BooksError.state(`The item ${item.name} is used in transactions; mark it inactive instead.`);
      const record = itemOut(call.books, item, call.fmt);
      call.books.items.delete(item.item_id);
      kit.emit(call, 'item', 'deleted', record);
      return { message: 'The item has been deleted.' };
    },
  });
  for (const status of ['active', 'inactive'] as const) {
    kit.resource(`/items/:item_id/${status}`, 'settings', {
      post: (call) => {
        const item = findItem(call);
        item.status = status;
        item.modified_ms = call.now;
        kit.emit(call, 'item', 'updated', itemOut(call.books, item, call.fmt));
        return { message: `The item has been marked as ${status}.` };
      },
    });
  }
}
