import { invoiceBalance, round2 } from './books.arithmetic.js';
import type { BooksFormat } from './books.http.js';
import type {
  Account, BankTransaction, Bill, Contact, ContactPerson, Currency, CustomerPayment, CustomFieldModule, Expense, Invoice, Item,
  LineItem, OrgBooks, ReportingTag, SalesDocumentFields, Tax, Webhook, WorkflowRule,
} from './books.store.js';

/**
 * Record → API shape. Lists return summaries (no contact persons / addresses / line items, apis.md B3); single
 * reads return full records. Ids are digit strings, timestamps carry the organisation's offset without colon.
 */

function customFieldsOut(books: OrgBooks, module: CustomFieldModule, custom: Record<string, string>) {
  const defs = books.customFieldsOf(module).filter((d) => custom[d.api_name] !== undefined);
  return {
    custom_fields: defs.map((d) => ({
      customfield_id: d.customfield_id,
      index: d.index,
      label: d.label,
      api_name: d.api_name,
      data_type: d.data_type,
      value: custom[d.api_name],
      value_formatted: custom[d.api_name],
    })),
    custom_field_hash: Object.fromEntries(
      defs.flatMap((d) => [[d.api_name, custom[d.api_name]], [`${d.api_name}_unformatted`, custom[d.api_name]]]),
    ),
  };
}

function currencyOf(books: OrgBooks, currencyId: string): Currency | undefined {
  return books.currencies.get(currencyId) ?? books.baseCurrency();
}

const stamps = (r: { created_ms: number; modified_ms: number }, fmt: BooksFormat) => ({
  created_time: fmt.time(r.created_ms),
  last_modified_time: fmt.time(r.modified_ms),
});

// ---------- contacts ----------

export function primaryPerson(c: Contact): ContactPerson | undefined {
  return c.contact_persons.find((p) => p.is_primary_contact);
}

export function contactBalances(books: OrgBooks, contactId: string) {
  let receivable = 0;
  let payable = 0;
  let hasTransaction = false;
  for (const inv of books.invoices.values()) {
    if (inv.customer_id !== contactId) continue;
    hasTransaction = true;
    if (inv.state === 'void' || inv.state === 'draft') continue;
    receivable += invoiceBalance(inv.totals.total, inv.payment_made, inv.credits_applied).balance;
  }
  for (const bill of books.bills.values()) {
    if (bill.vendor_id !== contactId) continue;
    hasTransaction = true;
    if (bill.state === 'void' || bill.state === 'draft') continue;
    payable += Math.max(0, bill.totals.total - bill.payment_made);
  }
  let unused = 0;
  for (const p of books.payments.values()) {
    if (p.customer_id !== contactId) continue;
    hasTransaction = true;
    unused += p.amount - p.invoices.reduce((s, a) => s + a.amount_applied, 0);
  }
  return { receivable: round2(receivable), payable: round2(payable), unused: round2(unused), hasTransaction };
}

export function contactPersonOut(p: ContactPerson, contactId: string, fmt: BooksFormat) {
  return {
    contact_id: contactId,
    contact_person_id: p.contact_person_id,
    salutation: p.salutation,
    first_name: p.first_name,
    last_name: p.last_name,
    email: p.email,
    phone: p.phone,
    mobile: p.mobile,
    designation: p.designation,
    department: p.department,
    skype: p.skype,
    is_primary_contact: p.is_primary_contact,
    enable_portal: p.enable_portal,
    is_added_in_portal: p.enable_portal,
    communication_preference: { is_sms_enabled: false, is_whatsapp_enabled: false },
    ...stamps(p, fmt),
  };
}

export function contactSummary(books: OrgBooks, c: Contact, fmt: BooksFormat) {
  const currency = currencyOf(books, c.currency_id);
  const primary = primaryPerson(c);
  const balances = contactBalances(books, c.contact_id);
  return {
    contact_id: c.contact_id,
    contact_name: c.contact_name,
    customer_name: c.contact_name,
    vendor_name: c.contact_type === 'vendor' ? c.contact_name : '',
    company_name: c.company_name,
    website: c.website,
    language_code: c.language_code,
    contact_type: c.contact_type,
    customer_sub_type: c.customer_sub_type,
    status: c.status,
    is_linked_with_zohocrm: c.zcrm_account_id !== '' || c.zcrm_contact_id !== '' || c.zcrm_vendor_id !== '',
    payment_terms: c.payment_terms,
    payment_terms_label: c.payment_terms_label,
    currency_id: currency?.currency_id ?? '',
    currency_code: currency?.currency_code ?? '',
    outstanding_receivable_amount: balances.receivable,
    outstanding_receivable_amount_bcy: balances.receivable,
    outstanding_payable_amount: balances.payable,
    unused_credits_receivable_amount: balances.unused,
    unused_credits_receivable_amount_bcy: balances.unused,
    first_name: primary?.first_name ?? '',
    last_name: primary?.last_name ?? '',
    email: primary?.email ?? '',
    phone: primary?.phone ?? '',
    mobile: primary?.mobile ?? '',
    ...stamps(c, fmt),
  };
}

export function contactDetail(books: OrgBooks, c: Contact, fmt: BooksFormat) {
  const currency = currencyOf(books, c.currency_id);
  const balances = contactBalances(books, c.contact_id);
  return {
    ...contactSummary(books, c, fmt),
    currency_symbol: currency?.currency_symbol ?? '',
    notes: c.notes,
    credit_limit: c.credit_limit,
    tax_id: c.tax_id,
    tax_name: books.taxes.get(c.tax_id)?.tax_name ?? '',
    zcrm_account_id: c.zcrm_account_id,
    zcrm_contact_id: c.zcrm_contact_id,
    zcrm_vendor_id: c.zcrm_vendor_id,
    primary_contact_id: primaryPerson(c)?.contact_person_id ?? '',
    has_transaction: balances.hasTransaction,
    payment_reminder_enabled: true,
    billing_address: { address_id: `${c.contact_id}1`, ...c.billing_address },
    shipping_address: { address_id: `${c.contact_id}2`, ...c.shipping_address },
    contact_persons: c.contact_persons.map((p) => contactPersonOut(p, c.contact_id, fmt)),
    ...customFieldsOut(books, 'contacts', c.custom),
  };
}

// ---------- invoices and bills ----------

export function invoiceStatus(inv: Invoice, fmt: BooksFormat): string {
  if (inv.state === 'draft' || inv.state === 'void') return inv.state;
  const { balance, state } = invoiceBalance(inv.totals.total, inv.payment_made, inv.credits_applied);
  if (state === 'paid') return 'paid';
  if (inv.due_date !== '' && inv.due_date < fmt.today && balance > 0) return 'overdue';
  return state === 'partially_paid' ? 'partially_paid' : 'sent';
}

export function invoiceBalanceOf(inv: Invoice): number {
  if (inv.state === 'void') return 0;
  return invoiceBalance(inv.totals.total, inv.payment_made, inv.credits_applied).balance;
}

function lineItemsOut(books: OrgBooks, doc: SalesDocumentFields) {
  return doc.line_items.map((l: LineItem, i) => {
    const tax = books.taxes.get(l.tax_id);
    const totals = doc.totals.lines[i];
    return {
      line_item_id: l.line_item_id,
      item_id: l.item_id,
      name: l.name,
      description: l.description,
      item_order: l.item_order,
      rate: l.rate,
      quantity: l.quantity,
      unit: l.unit,
      discount: l.discount,
      discount_amount: totals?.discount_amount ?? 0,
      tax_id: l.tax_id,
      tax_name: tax?.tax_name ?? '',
      tax_type: tax ? tax.tax_type : '',
      tax_percentage: tax?.tax_percentage ?? 0,
      item_total: totals?.item_total ?? 0,
      product_type: l.product_type,
      account_id: l.account_id,
      account_name: books.accounts.get(l.account_id)?.account_name ?? '',
      item_type: l.item_id ? 'sales' : '',
      tags: l.tags,
    };
  });
}

function documentMoney(books: OrgBooks, doc: SalesDocumentFields) {
  const currency = currencyOf(books, doc.currency_id);
  const discountIsPercent = typeof doc.discount === 'string' && doc.discount.trim().endsWith('%');
  return {
    currency_id: currency?.currency_id ?? '',
    currency_code: currency?.currency_code ?? '',
    currency_symbol: currency?.currency_symbol ?? '',
    exchange_rate: doc.exchange_rate,
    discount: discountIsPercent ? Number(String(doc.discount).replace('%', '')) : Number(doc.discount || 0),
    discount_type: doc.discount_type,
    is_discount_before_tax: doc.is_discount_before_tax,
    discount_amount: doc.totals.discount_amount,
    discount_total: doc.totals.discount_amount,
    is_inclusive_tax: doc.is_inclusive_tax,
    shipping_charge: doc.shipping_charge,
    adjustment: doc.adjustment,
    adjustment_description: doc.adjustment_description,
    sub_total: doc.totals.sub_total,
    tax_total: doc.totals.tax_total,
    total: doc.totals.total,
    taxes: doc.totals.taxes,
    price_precision: currency?.price_precision ?? 2,
  };
}

export function invoiceSummary(books: OrgBooks, inv: Invoice, fmt: BooksFormat) {
  const customer = books.contacts.get(inv.customer_id);
  const currency = currencyOf(books, inv.currency_id);
  return {
    invoice_id: inv.invoice_id,
    invoice_number: inv.invoice_number,
    reference_number: inv.reference_number,
    customer_id: inv.customer_id,
    customer_name: customer?.contact_name ?? '',
    company_name: customer?.company_name ?? '',
    email: customer ? (primaryPerson(customer)?.email ?? '') : '',
    status: invoiceStatus(inv, fmt),
    date: inv.date,
    due_date: inv.due_date,
    currency_id: currency?.currency_id ?? '',
    currency_code: currency?.currency_code ?? '',
    total: inv.totals.total,
    balance: invoiceBalanceOf(inv),
    payment_made: inv.payment_made,
    is_emailed: inv.is_emailed,
    last_payment_date: inv.last_payment_date,
    has_attachment: false,
    custom_field_hash: customFieldsOut(books, 'invoices', inv.custom).custom_field_hash,
    ...stamps(inv, fmt),
  };
}

export function invoiceDetail(books: OrgBooks, inv: Invoice, fmt: BooksFormat) {
  const customer = books.contacts.get(inv.customer_id);
  return {
    ...invoiceSummary(books, inv, fmt),
    ...documentMoney(books, inv),
    payment_terms: inv.payment_terms,
    payment_terms_label: inv.payment_terms_label,
    salesperson_name: inv.salesperson_name,
    allow_partial_payments: inv.allow_partial_payments,
    line_items: lineItemsOut(books, inv),
    credits_applied: inv.credits_applied,
    write_off_amount: 0,
    billing_address: customer?.billing_address ?? null,
    shipping_address: customer?.shipping_address ?? null,
    notes: inv.notes,
    terms: inv.terms,
    ...customFieldsOut(books, 'invoices', inv.custom),
  };
}

export function billStatus(bill: Bill, fmt: BooksFormat): string {
  if (bill.state === 'draft' || bill.state === 'void') return bill.state;
  const balance = round2(bill.totals.total - bill.payment_made);
  if (balance <= 0) return 'paid';
  if (bill.due_date !== '' && bill.due_date < fmt.today) return 'overdue';
  return bill.payment_made > 0 ? 'partially_paid' : 'open';
}

export function billSummary(books: OrgBooks, bill: Bill, fmt: BooksFormat) {
  const vendor = books.contacts.get(bill.vendor_id);
  const currency = currencyOf(books, bill.currency_id);
  return {
    bill_id: bill.bill_id,
    bill_number: bill.bill_number,
    reference_number: bill.reference_number,
    vendor_id: bill.vendor_id,
    vendor_name: vendor?.contact_name ?? '',
    status: billStatus(bill, fmt),
    date: bill.date,
    due_date: bill.due_date,
    currency_id: currency?.currency_id ?? '',
    currency_code: currency?.currency_code ?? '',
    total: bill.totals.total,
    balance: bill.state === 'void' ? 0 : round2(bill.totals.total - bill.payment_made),
    ...stamps(bill, fmt),
  };
}

export function billDetail(books: OrgBooks, bill: Bill, fmt: BooksFormat) {
  return {
    ...billSummary(books, bill, fmt),
    ...documentMoney(books, bill),
    payment_terms: bill.payment_terms,
    payment_terms_label: bill.payment_terms_label,
    payment_made: bill.payment_made,
    line_items: lineItemsOut(books, bill),
    notes: bill.notes,
    terms: bill.terms,
    ...customFieldsOut(books, 'bills', bill.custom),
  };
}

// ---------- payments ----------

export function paymentSummary(books: OrgBooks, p: CustomerPayment, fmt: BooksFormat) {
  const customer = books.contacts.get(p.customer_id);
  const applied = round2(p.invoices.reduce((s, a) => s + a.amount_applied, 0));
  return {
    payment_id: p.payment_id,
    payment_number: p.payment_number,
    customer_id: p.customer_id,
    customer_name: customer?.contact_name ?? '',
    payment_mode: p.payment_mode,
    date: p.date,
    amount: p.amount,
    unused_amount: round2(p.amount - applied),
    bank_charges: p.bank_charges,
    reference_number: p.reference_number,
    description: p.description,
    account_id: p.account_id,
    account_name: books.accounts.get(p.account_id)?.account_name ?? '',
    status: 'success',
    email: customer ? (primaryPerson(customer)?.email ?? '') : '',
    currency_code: currencyOf(books, customer?.currency_id ?? '')?.currency_code ?? '',
    currency_symbol: currencyOf(books, customer?.currency_id ?? '')?.currency_symbol ?? '',
    amount_refunded: 0,
    ...stamps(p, fmt),
  };
}

export function paymentDetail(books: OrgBooks, p: CustomerPayment, fmt: BooksFormat) {
  return {
    ...paymentSummary(books, p, fmt),
    exchange_rate: p.exchange_rate,
    invoices: p.invoices.map((a) => {
      const inv = books.invoices.get(a.invoice_id);
      return {
        invoice_id: a.invoice_id,
        invoice_number: inv?.invoice_number ?? '',
        date: inv?.date ?? '',
        invoice_amount: inv?.totals.total ?? 0,
        amount_applied: a.amount_applied,
        balance_amount: inv ? invoiceBalanceOf(inv) : 0,
      };
    }),
    ...customFieldsOut(books, 'customerpayments', p.custom),
  };
}

// ---------- reference data ----------

export function currencyOut(c: Currency) {
  return {
    currency_id: c.currency_id,
    currency_code: c.currency_code,
    currency_name: c.currency_name,
    currency_symbol: c.currency_symbol,
    price_precision: c.price_precision,
    currency_format: c.currency_format,
    is_base_currency: c.is_base_currency,
    exchange_rate: c.exchange_rate,
    effective_date: c.effective_date,
  };
}

export function accountOut(books: OrgBooks, a: Account, fmt: BooksFormat) {
  const currency = currencyOf(books, a.currency_id);
  return {
    account_id: a.account_id,
    account_name: a.account_name,
    account_code: a.account_code,
    account_type: a.account_type,
    description: a.description,
    is_active: a.is_active,
    is_user_created: a.is_user_created,
    is_system_account: a.is_system_account,
    parent_account_id: a.parent_account_id,
    currency_id: currency?.currency_id ?? '',
    currency_code: currency?.currency_code ?? '',
    ...stamps(a, fmt),
  };
}

export function bankAccountOut(books: OrgBooks, a: Account) {
  const currency = currencyOf(books, a.currency_id);
  let balance = 0;
  for (const t of books.bankTransactions.values()) {
    if (t.to_account_id === a.account_id) balance += t.amount - (t.bank_charges ?? 0);
    if (t.from_account_id === a.account_id) balance -= t.amount;
  }
  for (const e of books.expenses.values()) if (e.paid_through_account_id === a.account_id) balance -= expenseTotals(books, e).total;
  for (const p of books.payments.values()) if (p.account_id === a.account_id) balance += p.amount - p.bank_charges;
  return {
    account_id: a.account_id,
    account_name: a.account_name,
    account_code: a.account_code,
    account_type: a.account_type,
    account_number: a.account_number,
    bank_name: a.bank_name,
    currency_id: currency?.currency_id ?? '',
    currency_code: currency?.currency_code ?? '',
    is_active: a.is_active,
    balance: round2(balance),
  };
}

export function expenseTotals(books: OrgBooks, e: Expense): { sub_total: number; tax_amount: number; total: number } {
  const pct = books.taxes.get(e.tax_id)?.tax_percentage ?? 0;
  if (e.is_inclusive_tax) {
    const tax = round2(e.amount - e.amount / (1 + pct / 100));
    return { sub_total: round2(e.amount - tax), tax_amount: tax, total: e.amount };
  }
  const tax = round2((e.amount * pct) / 100);
  return { sub_total: e.amount, tax_amount: tax, total: round2(e.amount + tax) };
}

export function expenseStatus(e: Expense): string {
  return e.is_billable ? 'unbilled' : 'nonbillable';
}

export function expenseOut(books: OrgBooks, e: Expense, fmt: BooksFormat) {
  const currency = currencyOf(books, e.currency_id);
  const totals = expenseTotals(books, e);
  const tax = books.taxes.get(e.tax_id);
  return {
    expense_id: e.expense_id,
    date: e.date,
    account_id: e.account_id,
    account_name: books.accounts.get(e.account_id)?.account_name ?? '',
    paid_through_account_id: e.paid_through_account_id,
    paid_through_account_name: books.accounts.get(e.paid_through_account_id)?.account_name ?? '',
    amount: e.amount,
    sub_total: totals.sub_total,
    tax_id: e.tax_id,
    tax_name: tax?.tax_name ?? '',
    tax_percentage: tax?.tax_percentage ?? 0,
    tax_amount: totals.tax_amount,
    total: totals.total,
    bcy_total: totals.total,
    is_inclusive_tax: e.is_inclusive_tax,
    is_billable: e.is_billable,
    status: expenseStatus(e),
    reference_number: e.reference_number,
    description: e.description,
    customer_id: e.customer_id,
    customer_name: books.contacts.get(e.customer_id)?.contact_name ?? '',
    vendor_id: e.vendor_id,
    vendor_name: books.contacts.get(e.vendor_id)?.contact_name ?? '',
    currency_id: currency?.currency_id ?? '',
    currency_code: currency?.currency_code ?? '',
    ...stamps(e, fmt),
  };
}

export function taxOut(t: Tax) {
  return {
    tax_id: t.tax_id,
    tax_name: t.tax_name,
    tax_percentage: t.tax_percentage,
    tax_type: t.tax_type,
    tax_specific_type: t.tax_specific_type,
    country_code: t.country_code,
    is_value_added: t.is_value_added,
    is_editable: t.is_editable,
  };
}

export function tagOut(t: ReportingTag) {
  return {
    tag_id: t.tag_id,
    tag_name: t.tag_name,
    description: t.description,
    is_active: t.is_active,
    tag_options: t.tag_options,
  };
}

export function bankTransactionOut(books: OrgBooks, t: BankTransaction, fmt: BooksFormat) {
  const currency = currencyOf(books, t.currency_id);
  return {
    transaction_id: t.transaction_id,
    transaction_type: t.transaction_type,
    from_account_id: t.from_account_id,
    from_account_name: books.accounts.get(t.from_account_id)?.account_name ?? '',
    to_account_id: t.to_account_id,
    to_account_name: books.accounts.get(t.to_account_id)?.account_name ?? '',
    amount: t.amount,
    bank_charges: t.bank_charges ?? 0,
    date: t.date,
    payment_mode: t.payment_mode,
    customer_id: t.customer_id,
    reference_number: t.reference_number,
    description: t.description,
    currency_id: currency?.currency_id ?? '',
    currency_code: currency?.currency_code ?? '',
    status: 'categorized',
    ...stamps(t, fmt),
  };
}

export function itemOut(books: OrgBooks, item: Item, fmt: BooksFormat) {
  const tax = books.taxes.get(item.tax_id);
  return {
    item_id: item.item_id,
    name: item.name,
    rate: item.rate,
    description: item.description,
    sku: item.sku,
    unit: item.unit,
    product_type: item.product_type,
    tax_id: item.tax_id,
    tax_name: tax?.tax_name ?? '',
    tax_percentage: tax?.tax_percentage ?? 0,
    account_id: item.account_id,
    account_name: books.accounts.get(item.account_id)?.account_name ?? '',
    status: item.status,
    ...customFieldsOut(books, 'items', item.custom),
    ...stamps(item, fmt),
  };
}

/** The secret is never echoed (only whether one is set). */
export function webhookOut(w: Webhook, fmt: BooksFormat) {
  return {
    webhook_id: w.webhook_id,
    webhook_name: w.webhook_name,
    description: w.description,
    entity: w.entity,
    method: w.method,
    url: w.url,
    headers: w.headers,
    query_parameters: w.query_parameters,
    body_type: w.body_type,
    form_data: w.form_data,
    raw_data: w.raw_data,
    events: w.events,
    has_secret: w.secret !== '',
    ...stamps(w, fmt),
  };
}

export function workflowOut(w: WorkflowRule, fmt: BooksFormat) {
  return {
    workflow_id: w.workflow_id,
    workflow_name: w.workflow_name,
    entity: w.entity,
    event: w.event,
    webhook_id: w.webhook_id,
    is_active: w.is_active,
    ...stamps(w, fmt),
  };
}
