import type { DocumentTotals } from './books.arithmetic.js';

/**
 * Per-organisation Books records. Records keep epoch-ms stamps (`created_ms`, `modified_ms`) and stored state;
 * everything derived (formatted timestamps, overdue status, customer balances) is computed when serialised
 * (books.serialize.ts), because it depends on the clock and on other records.
 */
export interface Stamped {
  created_ms: number;
  modified_ms: number;
}

export interface BooksAddress {
  attention: string;
  address: string;
  street2: string;
  city: string;
  state: string;
  state_code: string;
  zip: string;
  country: string;
  phone: string;
  fax: string;
}

export interface ContactPerson extends Stamped {
  contact_person_id: string;
  salutation: string;
  first_name: string;
  last_name: string;
  email: string;
  phone: string;
  mobile: string;
  designation: string;
  department: string;
  skype: string;
  is_primary_contact: boolean;
  enable_portal: boolean;
}

export interface Contact extends Stamped {
  contact_id: string;
  contact_name: string;
  company_name: string;
  contact_type: 'customer' | 'vendor';
  customer_sub_type: 'business' | 'individual';
  status: 'active' | 'inactive';
  website: string;
  language_code: string;
  currency_id: string;
  payment_terms: number;
  payment_terms_label: string;
  notes: string;
  credit_limit: number;
  tax_id: string;
  billing_address: BooksAddress;
  shipping_address: BooksAddress;
  contact_persons: ContactPerson[];
  /** custom field api_name → value */
  custom: Record<string, string>;
  zcrm_account_id: string;
  zcrm_contact_id: string;
  zcrm_vendor_id: string;
}

export interface LineItem {
  line_item_id: string;
  item_id: string;
  name: string;
  description: string;
  rate: number;
  quantity: number;
  unit: string;
  /** raw discount as given ("10%" or amount) */
  discount: string | number;
  tax_id: string;
  account_id: string;
  item_order: number;
  product_type: string;
  tags: Array<{ tag_id: string; tag_option_id: string }>;
}

export interface SalesDocumentFields {
  currency_id: string;
  exchange_rate: number;
  date: string;
  due_date: string;
  reference_number: string;
  payment_terms: number;
  payment_terms_label: string;
  discount: string | number;
  discount_type: 'entity_level' | 'item_level';
  is_discount_before_tax: boolean;
  is_inclusive_tax: boolean;
  shipping_charge: number;
  adjustment: number;
  adjustment_description: string;
  notes: string;
  terms: string;
  line_items: LineItem[];
  totals: DocumentTotals;
  custom: Record<string, string>;
}

export interface Invoice extends Stamped, SalesDocumentFields {
  invoice_id: string;
  invoice_number: string;
  customer_id: string;
  salesperson_name: string;
  /** stored workflow state; paid / partially_paid / overdue are derived from payments and the clock */
  state: 'draft' | 'sent' | 'void';
  payment_made: number;
  credits_applied: number;
  last_payment_date: string;
  is_emailed: boolean;
  allow_partial_payments: boolean;
}

export interface Bill extends Stamped, SalesDocumentFields {
  bill_id: string;
  bill_number: string;
  vendor_id: string;
  state: 'draft' | 'open' | 'void';
  payment_made: number;
}

export interface CustomerPayment extends Stamped {
  payment_id: string;
  payment_number: string;
  customer_id: string;
  payment_mode: string;
  amount: number;
  date: string;
  reference_number: string;
  description: string;
  account_id: string;
  bank_charges: number;
  exchange_rate: number;
  invoices: Array<{ invoice_id: string; amount_applied: number }>;
  custom: Record<string, string>;
}

export interface Currency extends Stamped {
  currency_id: string;
  currency_code: string;
  currency_name: string;
  currency_symbol: string;
  price_precision: number;
  currency_format: string;
  is_base_currency: boolean;
  exchange_rate: number;
  effective_date: string;
}

export interface Account extends Stamped {
  account_id: string;
  account_name: string;
  account_code: string;
  account_type: string;
  description: string;
  currency_id: string;
  parent_account_id: string;
  is_active: boolean;
  is_user_created: boolean;
  is_system_account: boolean;
  /** bank/cash accounts only */
  account_number: string;
  bank_name: string;
}

export interface Tax extends Stamped {
  tax_id: string;
  tax_name: string;
  tax_percentage: number;
  tax_type: 'tax' | 'compound_tax';
  tax_specific_type: string;
  country_code: string;
  is_value_added: boolean;
  is_editable: boolean;
}

export interface ReportingTag extends Stamped {
  tag_id: string;
  tag_name: string;
  description: string;
  is_active: boolean;
  tag_options: Array<{ tag_option_id: string; tag_option_name: string; is_active: boolean }>;
}

export interface BankTransaction extends Stamped {
  transaction_id: string;
  transaction_type: string;
  from_account_id: string;
  to_account_id: string;
  amount: number;
  date: string;
  payment_mode: string;
  customer_id: string;
  reference_number: string;
  description: string;
  currency_id: string;
  bank_charges: number;
}

export interface Expense extends Stamped {
  expense_id: string;
  account_id: string;
  paid_through_account_id: string;
  date: string;
  amount: number;
  tax_id: string;
  is_inclusive_tax: boolean;
  reference_number: string;
  description: string;
  customer_id: string;
  vendor_id: string;
  currency_id: string;
  is_billable: boolean;
}

export interface Item extends Stamped {
  item_id: string;
  name: string;
  rate: number;
  description: string;
  tax_id: string;
  sku: string;
  unit: string;
  product_type: string;
  account_id: string;
  status: 'active' | 'inactive';
  custom: Record<string, string>;
}

export interface KeyValue {
  param_name: string;
  param_value: string;
}

export interface Webhook extends Stamped {
  webhook_id: string;
  webhook_name: string;
  description: string;
  /** contact | invoice | bill | customerpayment | item */
  entity: string;
  method: 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers: KeyValue[];
  query_parameters: KeyValue[];
  /** default (the record as JSON) | form (x-www-form-urlencoded pairs) | raw (text with placeholders) */
  body_type: 'default' | 'form' | 'raw';
  form_data: KeyValue[];
  raw_data: string;
  secret: string;
  /** e.g. invoice.created, invoice.updated, invoice.deleted */
  events: string[];
}

export interface WorkflowRule extends Stamped {
  workflow_id: string;
  workflow_name: string;
  entity: string;
  event: 'on_create' | 'on_edit' | 'on_create_or_edit' | 'on_delete';
  webhook_id: string;
  is_active: boolean;
}

export type CustomFieldModule = 'contacts' | 'invoices' | 'bills' | 'customerpayments' | 'items';

export interface CustomFieldDef {
  customfield_id: string;
  module: CustomFieldModule;
  api_name: string;
  label: string;
  data_type: 'string';
  is_unique: boolean;
  index: number;
}

/** All Books records of one organisation. Maps keep insertion order (= creation order). */
export class OrgBooks {
  contacts = new Map<string, Contact>();
  invoices = new Map<string, Invoice>();
  bills = new Map<string, Bill>();
  payments = new Map<string, CustomerPayment>();
  currencies = new Map<string, Currency>();
  accounts = new Map<string, Account>();
  taxes = new Map<string, Tax>();
  tags = new Map<string, ReportingTag>();
  bankTransactions = new Map<string, BankTransaction>();
  expenses = new Map<string, Expense>();
  items = new Map<string, Item>();
  webhooks = new Map<string, Webhook>();
  workflows = new Map<string, WorkflowRule>();
  customFields: CustomFieldDef[] = [];
  counters = { invoice: 0, payment: 0 };

  constructor(readonly organizationId: string) {}

  baseCurrency(): Currency | undefined {
    return [...this.currencies.values()].find((c) => c.is_base_currency);
  }

  customFieldsOf(module: CustomFieldModule): CustomFieldDef[] {
    return this.customFields.filter((f) => f.module === module);
  }

  accountByName(name: string): Account | undefined {
    return [...this.accounts.values()].find((a) => a.account_name === name);
  }

  private static readonly collections = [
    'contacts', 'invoices', 'bills', 'payments', 'currencies', 'accounts', 'taxes', 'tags', 'bankTransactions',
    'expenses', 'items', 'webhooks', 'workflows',
  ] as const;

  toJSON(): unknown {
    const out: Record<string, unknown> = { organizationId: this.organizationId, customFields: this.customFields, counters: this.counters };
    for (const key of OrgBooks.collections) out[key] = [...this[key].values()];
    return out;
  }

  static fromJSON(data: Record<string, unknown>): OrgBooks {
    const org = new OrgBooks(String(data.organizationId));
    org.customFields = (data.customFields as CustomFieldDef[]) ?? [];
    org.counters = { invoice: 0, payment: 0, ...(data.counters as object) };
    const idKeys: Record<(typeof OrgBooks.collections)[number], string> = {
      contacts: 'contact_id', invoices: 'invoice_id', bills: 'bill_id', payments: 'payment_id', currencies: 'currency_id',
      accounts: 'account_id', taxes: 'tax_id', tags: 'tag_id', bankTransactions: 'transaction_id', expenses: 'expense_id', items: 'item_id',
      webhooks: 'webhook_id', workflows: 'workflow_id',
    };
    for (const key of OrgBooks.collections) {
      const map = org[key] as Map<string, unknown>;
      for (const record of (data[key] as Array<Record<string, unknown>>) ?? []) map.set(String(record[idKeys[key]]), record);
    }
    return org;
  }
}

export class BooksStore {
  private orgs = new Map<string, OrgBooks>();

  /** The organisation's records, created empty on first use. */
  org(organizationId: string): OrgBooks {
    let org = this.orgs.get(organizationId);
    if (!org) {
      org = new OrgBooks(organizationId);
      this.orgs.set(organizationId, org);
    }
    return org;
  }

  has(organizationId: string): boolean {
    return this.orgs.has(organizationId);
  }

  all(): OrgBooks[] {
    return [...this.orgs.values()];
  }

  reset(): void {
    this.orgs.clear();
  }

  snapshot(): unknown {
    return { orgs: this.all().map((o) => o.toJSON()) };
  }

  restore(data: unknown): void {
    this.reset();
    const d = data as { orgs?: Array<Record<string, unknown>> };
    for (const o of d.orgs ?? []) {
      const org = OrgBooks.fromJSON(o);
      this.orgs.set(org.organizationId, org);
    }
  }
}
