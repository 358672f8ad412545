import type { SandboxContext, SeedRequest } from '../core/sandbox.service.js';
import { wellKnown } from '../core/sandbox.tenants.js';
import { applyBillBody } from './books.bills.routes.js';
import { applyContactBody } from './books.contacts.routes.js';
import type { BooksEnv } from './books.env.js';
import { applyInvoiceBody } from './books.invoices.routes.js';
import { applyPaymentBody, commitPayment } from './books.payments.routes.js';
import { applyItemBody } from './books.reference.routes.js';
import type { Account, BooksStore, Contact, OrgBooks } from './books.store.js';
import { addDays, booksDate } from './books.time.js';

const currencyCatalogue: Record<string, { name: string; symbol: string; rate: number }> = {
  USD: { name: 'US Dollar', symbol: '$', rate: 1 },
  EUR: { name: 'Euro', symbol: '€', rate: 1.08 },
  GBP: { name: 'Pound Sterling', symbol: '£', rate: 1.27 },
  INR: { name: 'Indian Rupee', symbol: '₹', rate: 0.012 },
  AUD: { name: 'Australian Dollar', symbol: '$', rate: 0.66 },
};

const taxCatalogue = [
  { name: 'Zero Rate', pct: 0 },
  { name: 'Reduced Rate', pct: 5 },
  { name: 'Sales Tax', pct: 7 },
  { name: 'GST', pct: 10 },
  { name: 'VAT', pct: 19 },
  { name: 'Standard VAT', pct: 20 },
];

const accountCatalogue: Array<{ name: string; type: string; code: string; system?: boolean; bank?: string }> = [
  { name: 'Petty Cash', type: 'cash', code: '1000' },
  { name: 'Undeposited Funds', type: 'cash', code: '1010', system: true },
  { name: 'Business Checking', type: 'bank', code: '1020', bank: 'First Sandbox Bank' },
  { name: 'Business Savings', type: 'bank', code: '1030', bank: 'First Sandbox Bank' },
  { name: 'Accounts Receivable', type: 'accounts_receivable', code: '1200', system: true },
  { name: 'Accounts Payable', type: 'accounts_payable', code: '2000', system: true },
  { name: 'Tax Payable', type: 'other_current_liability', code: '2100', system: true },
  { name: "Owner's Equity", type: 'equity', code: '3000' },
  { name: 'Sales', type: 'income', code: '4000' },
  { name: 'General Income', type: 'income', code: '4100' },
  { name: 'Interest Income', type: 'other_income', code: '4200' },
  { name: 'Cost of Goods Sold', type: 'cost_of_goods_sold', code: '5000' },
  { name: 'Bank Fees and Charges', type: 'expense', code: '6000' },
  { name: 'Payment Processing Fees', type: 'expense', code: '6010' },
  { name: 'Office Supplies', type: 'expense', code: '6100' },
  { name: 'IT and Internet Expenses', type: 'expense', code: '6200' },
];

/** Reference data every organisation has: currencies, taxes, chart of accounts, reporting tags, custom fields. */
export function seedReferenceData(env: BooksEnv, baseCurrency: string): void {
  const { books, ids, now } = env;
  const stamp = { created_ms: now, modified_ms: now };
  const codes = [baseCurrency, ...Object.keys(currencyCatalogue).filter((c) => c !== baseCurrency)];
  for (const code of codes) {
    const info = currencyCatalogue[code] ?? { name: code, symbol: code, rate: 1 };
    const id = ids.booksId('record');
    books.currencies.set(id, {
      currency_id: id, currency_code: code, currency_name: info.name, currency_symbol: info.symbol, price_precision: 2,
      currency_format: '1,234,567.89', is_base_currency: code === baseCurrency, exchange_rate: code === baseCurrency ? 1 : info.rate,
      effective_date: env.today, ...stamp,
    });
  }
  for (const t of taxCatalogue) {
    const id = ids.booksId('record');
    books.taxes.set(id, {
      tax_id: id, tax_name: `${t.name} ${t.pct}%`, tax_percentage: t.pct, tax_type: 'tax', tax_specific_type: '',
      country_code: '', is_value_added: t.name.includes('VAT'), is_editable: true, ...stamp,
    });
  }
  const base = books.baseCurrency()!;
  for (const a of accountCatalogue) {
    const account: Account = {
      account_id: ids.booksId('record'), account_name: a.name, account_code: a.code, account_type: a.type,
      description: '', currency_id: base.currency_id, parent_account_id: '', is_active: true, is_user_created: false,
      is_system_account: a.system ?? false, account_number: a.bank ? `00${a.code}7788` : '', bank_name: a.bank ?? '', ...stamp,
    };
    books.accounts.set(account.account_id, account);
  }
  for (const [name, options] of [['Region', ['North', 'South', 'East', 'West']], ['Department', ['Sales', 'Engineering', 'Support']]] as const) {
    const id = ids.booksId('record');
    books.tags.set(id, {
      tag_id: id, tag_name: name, description: '', is_active: true,
      tag_options: options.map((o) => ({ tag_option_id: ids.booksId('record'), tag_option_name: o, is_active: true })),
      ...stamp,
    });
  }
  let index = 1;
  for (const module of ['contacts', 'invoices', 'bills', 'customerpayments', 'items'] as const) {
    books.customFields.push({
      customfield_id: ids.booksId('record'), module, api_name: 'cf_external_id', label: 'External ID',
      data_type: 'string', is_unique: true, index: index++,
    });
  }
}

function tax(books: OrgBooks, pct: number): string {
  return [...books.taxes.values()].find((t) => t.tax_percentage === pct)?.tax_id ?? '';
}

function demoRecords(env: BooksEnv): void {
  const { books } = env;
  const customers: Contact[] = [];
  const people = [
    ['Globex Corporation', 'Hank', 'Scorpio', 'Cypress Creek 1', 'Springfield', 'U.S.A'],
    ['Initech', 'Bill', 'Lumbergh', '4120 Freidrich Lane', 'Austin', 'U.S.A'],
    ['Umbrella Corporation', 'Albert', 'Wesker', '545 S Birdneck Rd', 'Raccoon City', 'U.S.A'],
    ['Stark Industries', 'Pepper', 'Potts', '10880 Malibu Point', 'Malibu', 'U.S.A'],
    ['Wayne Enterprises', 'Lucius', 'Fox', '1007 Mountain Drive', 'Gotham', 'U.S.A'],
  ] as const;
  for (const [name, first, last, street, city, country] of people) {
    const domain = name.split(' ')[0]!.toLowerCase();
    const contact = applyContactBody(env, {
      contact_name: name, company_name: name, contact_type: 'customer', payment_terms: 30,
      billing_address: { attention: `${first} ${last}`, address: street, city, country },
      shipping_address: { attention: `${first} ${last}`, address: street, city, country },
      contact_persons: [
        { first_name: first, last_name: last, email: `${first.toLowerCase()}@${domain}.example`, phone: '+1 555 0100', is_primary_contact: true },
        { first_name: 'Accounts', last_name: 'Payable', email: `ap@${domain}.example` },
      ],
    });
    books.contacts.set(contact.contact_id, contact);
    customers.push(contact);
  }
  const vendors: Contact[] = [];
  for (const [name, email] of [['Office Supplies Co', 'orders@officesupplies.example'], ['Cloud Hosting Ltd', 'billing@cloudhosting.example']] as const) {
    const vendor = applyContactBody(env, {
      contact_name: name, company_name: name, contact_type: 'vendor', payment_terms: 15,
      contact_persons: [{ first_name: 'Billing', last_name: 'Team', email, is_primary_contact: true }],
    });
    books.contacts.set(vendor.contact_id, vendor);
    vendors.push(vendor);
  }
  const items = [
    { name: 'Consulting Hour', rate: 150, description: 'Senior consultant, per hour', tax_id: tax(books, 7) },
    { name: 'Support Plan', rate: 99, description: 'Monthly support subscription', tax_id: tax(books, 7) },
    { name: 'Setup Fee', rate: 500, description: 'One-off onboarding', tax_id: tax(books, 0) },
  ].map((body) => {
    const item = applyItemBody(env, body);
    books.items.set(item.item_id, item);
    return item;
  });
  const [consulting, support, setup] = items as [typeof items[0], typeof items[0], typeof items[0]];
  const invoice = (customer: Contact, send: boolean, lines: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) => {
    const inv = applyInvoiceBody(env, { customer_id: customer.contact_id, line_items: lines, ...extra }, undefined, { send });
    books.invoices.set(inv.invoice_id, inv);
    return inv;
  };
  const [globex, initech, umbrella, stark, wayne] = customers as [Contact, Contact, Contact, Contact, Contact];
  invoice(globex, false, [{ item_id: consulting.item_id, quantity: 10 }, { item_id: setup.item_id }], { reference_number: 'PO-1001' });
  invoice(initech, true, [{ item_id: support.item_id, quantity: 3 }], { reference_number: 'PO-2001' });
  const partial = invoice(umbrella, true, [{ item_id: consulting.item_id, quantity: 8 }, { name: 'Loyalty credit', rate: -100, quantity: 1 }], { discount: '10%' });
  const paid = invoice(stark, true, [{ item_id: support.item_id, quantity: 12, discount: '5%' }]);
  invoice(wayne, true, [{ item_id: consulting.item_id, quantity: 4 }], { date: addDays(env.today, -45), payment_terms: 15 });
  const voided = invoice(globex, true, [{ item_id: setup.item_id }]);
  voided.state = 'void';
  commitPayment(env, applyPaymentBody(env, {
    customer_id: umbrella.contact_id, payment_mode: 'banktransfer', amount: 500, date: env.today, reference_number: 'WIRE-778',
    invoices: [{ invoice_id: partial.invoice_id, amount_applied: 500 }],
  }));
  commitPayment(env, applyPaymentBody(env, {
    customer_id: stark.contact_id, payment_mode: 'creditcard', amount: paid.totals.total, date: env.today,
    invoices: [{ invoice_id: paid.invoice_id, amount_applied: paid.totals.total }],
  }));
  const bill = applyBillBody(env, {
    vendor_id: vendors[1]!.contact_id, bill_number: 'CH-2026-001', reference_number: 'Hosting',
    line_items: [{ name: 'Hosting', rate: 240, quantity: 1, account_id: books.accountByName('IT and Internet Expenses')!.account_id, tax_id: tax(books, 7) }],
  });
  books.bills.set(bill.bill_id, bill);
}

function countedRecords(env: BooksEnv, counts: NonNullable<SeedRequest['books']>, sharedNames: number | undefined): void {
  const { books } = env;
  const pad = (n: number) => String(n).padStart(4, '0');
  const created: Contact[] = [];
  for (let n = 1; n <= (counts.customers ?? 0); n++) {
    // `Customer 0001`… (the names the CRM and Togai seeds give their first `sharedNames` records); when
    // sharedNames is given, customers beyond it are `Books Customer 0001`… so only the first ones overlap.
    const shared = sharedNames === undefined || n <= sharedNames;
    const name = shared ? `Customer ${pad(n)}` : `Books Customer ${pad(n)}`;
    const email = shared ? `customer${pad(n)}@example.com` : `books.customer${pad(n)}@example.com`;
    const contact = applyContactBody(env, {
      contact_name: name, company_name: `${name} Ltd`, contact_type: 'customer', payment_terms: 30,
      billing_address: { address: `${n} Main Street`, city: 'Springfield', zip: String(10000 + n), country: 'U.S.A' },
      contact_persons: [{ first_name: 'Customer', last_name: pad(n), email, is_primary_contact: true }],
    });
    books.contacts.set(contact.contact_id, contact);
    created.push(contact);
  }
  const vendors: Contact[] = [];
  for (let n = 1; n <= (counts.vendors ?? 0); n++) {
    const vendor = applyContactBody(env, {
      contact_name: `Vendor ${pad(n)}`, company_name: `Vendor ${pad(n)} Ltd`, contact_type: 'vendor', payment_terms: 15,
      contact_persons: [{ first_name: 'Vendor', last_name: pad(n), email: `vendor${pad(n)}@example.com`, is_primary_contact: true }],
    });
    books.contacts.set(vendor.contact_id, vendor);
    vendors.push(vendor);
  }
  const customers = created.length > 0 ? created : [...books.contacts.values()].filter((c) => c.contact_type === 'customer');
  for (let n = 1; n <= (counts.invoices ?? 0) && customers.length > 0; n++) {
    const customer = customers[(n - 1) % customers.length]!;
    const inv = applyInvoiceBody(env, {
      customer_id: customer.contact_id, reference_number: `REF-${pad(n)}`,
      line_items: [{ name: 'Service', description: `Service period ${n}`, rate: 100 + (n % 10) * 10, quantity: 1 + (n % 3), tax_id: tax(books, 7) }],
    }, undefined, { send: n % 2 === 0 });
    books.invoices.set(inv.invoice_id, inv);
  }
  const billVendors = vendors.length > 0 ? vendors : [...books.contacts.values()].filter((c) => c.contact_type === 'vendor');
  const expense = books.accountByName('Office Supplies')!;
  for (let n = 1; n <= (counts.bills ?? 0) && billVendors.length > 0; n++) {
    const vendor = billVendors[(n - 1) % billVendors.length]!;
    const bill = applyBillBody(env, {
      vendor_id: vendor.contact_id, bill_number: `BILL-${pad(n)}`,
      line_items: [{ name: 'Supplies', rate: 20 + n, quantity: 1, account_id: expense.account_id }],
    });
    books.bills.set(bill.bill_id, bill);
  }
}

/**
 * Seeds: every seed gives each organisation its reference data; "demo" adds a few customers, vendors, items,
 * invoices in every state, payments and a bill; `request.books` counts add deterministic bulk records
 * (`Customer 0001` …, see `sharedNames`) to `organizationId` (default the well-known US organisation).
 */
export function seedBooks(store: BooksStore, ctx: SandboxContext, request: SeedRequest): void {
  const now = ctx.clock.now();
  for (const org of ctx.tenants.booksOrgs.values()) {
    const env: BooksEnv = { books: store.org(org.organization_id), ids: ctx.ids, now, today: booksDate(now, org.utcOffset) };
    seedReferenceData(env, org.currency_code);
    if (request.name === 'demo') demoRecords(env);
  }
  if (request.books) {
    const orgId = request.books.organizationId ?? wellKnown.booksOrgs.acmeUs;
    const org = ctx.tenants.booksOrgs.get(orgId);
    if (!org) throw new Error(`Books seed: organisation ${orgId} does not exist (known: ${[...ctx.tenants.booksOrgs.keys()].join(', ')})`);
    countedRecords({ books: store.org(orgId), ids: ctx.ids, now, today: booksDate(now, org.utcOffset) }, request.books, request.sharedNames);
  }
}
