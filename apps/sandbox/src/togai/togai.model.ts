import type { SandboxContext } from '../core/sandbox.service.js';
import { badRequest, conflict, notFound } from './togai.errors.js';
import type { TogaiEventPublisher } from './togai.events.js';
import type {
  AccountStatus,
  InvoiceClass,
  InvoiceStatus,
  InvoiceType,
  TogaiAccount,
  TogaiCustomer,
  TogaiEventPayload,
  TogaiInvoiceRecord,
  TogaiLine,
  TogaiOrgState,
  TogaiPaymentRecord,
  TogaiStore,
  TogaiStoredEvent,
} from './togai.store.js';
import { formatBillingAddress, type TogaiAddress } from './togai.validate.js';

const DAY_MS = 24 * 3600_000;
/** currencies without minor units; everything else rounds to cents (apis.md D5: minimum currency unit) */
const ZERO_DECIMAL = new Set(['JPY', 'KRW', 'VND', 'CLP', 'ISK', 'UGX', 'XAF', 'XOF']);

export function roundAmount(value: number, currency: string): number {
  const factor = ZERO_DECIMAL.has(currency) ? 1 : 100;
  return Math.round((value + Number.EPSILON) * factor) / factor;
}

export interface CustomerInput {
  id: string;
  name: string;
  primaryEmail: string;
  address: TogaiAddress;
  settings?: unknown[];
}

export interface AccountInput {
  id: string;
  name: string;
  invoiceCurrency?: string;
  aliases?: string[];
  primaryEmail?: string;
  address?: TogaiAddress;
  netTermDays?: number;
  metadata?: Record<string, string>;
  tags?: string[];
  status?: 'ACTIVE' | 'DRAFT';
  settings?: unknown[];
}

export interface LineInput {
  id?: string;
  description?: string;
  type?: string;
  quantity?: number;
  valuePerQuantity?: number;
  value?: number;
  units?: string;
  metadata?: Record<string, unknown>;
}

export interface InvoiceInput {
  accountId: string;
  startDateMs: number;
  endDateMs: number;
  status: InvoiceStatus;
  lines: LineInput[];
  invoiceClass?: InvoiceClass;
  invoiceType?: InvoiceType;
  autoAdvance?: boolean;
  idempotencyKey?: string;
  metadata?: Record<string, unknown>;
  pricePlanId?: string;
}

export interface PaymentInput {
  accountId: string;
  currency: string;
  totalAmount: number;
  externalPaymentReference: TogaiPaymentRecord['externalPaymentReferences'];
  lineItemRecords: TogaiPaymentRecord['lineItemRecords'];
  description?: string;
  notes?: string;
}

/** The organisation's base currency: accounts without invoiceCurrency are invoiced in it. */
export const BASE_CURRENCY = 'USD';

/**
 * Togai's behaviour on records: creation, updates, invoice lifecycle, payments, ingestion; every change
 * that Braid may want to hear about goes out through the event publisher.
 */
export class TogaiModel {
  constructor(
    readonly store: TogaiStore,
    readonly publisher: TogaiEventPublisher,
    private readonly context: () => SandboxContext | undefined,
  ) {}

  get ctx(): SandboxContext {
    const ctx = this.context();
    if (!ctx) throw new Error('Togai service used before it was mounted or seeded');
    return ctx;
  }

  now(): number {
    return this.ctx.clock.now();
  }

  nowIso(): string {
    return new Date(this.now()).toISOString();
  }

  newId(kind: string): string {
    return `${kind}.${String(this.ctx.ids.next(`togai:${kind}`)).padStart(6, '0')}`;
  }

  // ---------------------------------------------------------------- customers and accounts

  createCustomer(orgId: string, input: CustomerInput, accountInput?: AccountInput): { customer: TogaiCustomer; account?: TogaiAccount } {
    const org = this.store.org(orgId);
    if (org.customers.has(input.id)) throw conflict(`Customer with id "${input.id}" already exists`);
    if (accountInput) this.assertAccountIsNew(org, accountInput);
    const at = this.nowIso();
    const customer: TogaiCustomer = {
      id: input.id,
      togaiCustomerId: this.newId('customer'),
      name: input.name,
      primaryEmail: input.primaryEmail,
      billingAddress: formatBillingAddress(input.address),
      address: input.address,
      settings: input.settings ?? [],
      status: 'ACTIVE',
      createdAt: at,
      updatedAt: at,
    };
    org.customers.set(customer.id, customer);
    this.publisher.publish(orgId, 'customer.created', this.customerView(customer));
    const account = accountInput ? this.insertAccount(orgId, customer, accountInput) : undefined;
    return { customer, account };
  }

  updateCustomer(orgId: string, customer: TogaiCustomer, patch: Partial<Pick<TogaiCustomer, 'name' | 'primaryEmail' | 'address'>>): TogaiCustomer {
    if (patch.name !== undefined) customer.name = patch.name;
    if (patch.primaryEmail !== undefined) customer.primaryEmail = patch.primaryEmail;
    if (patch.address !== undefined) {
      customer.address = patch.address;
      customer.billingAddress = formatBillingAddress(patch.address);
    }
    customer.updatedAt = this.nowIso();
    this.publisher.publish(orgId, 'customer.updated', this.customerView(customer));
    return customer;
  }

  /** DELETE /customers/{id}: the sandbox archives (status ARCHIVED, accounts too) instead of forgetting. */
  archiveCustomer(orgId: string, customer: TogaiCustomer): void {
    const org = this.store.org(orgId);
    const at = this.nowIso();
    customer.status = 'ARCHIVED';
    customer.updatedAt = at;
    this.publisher.publish(orgId, 'customer.updated', this.customerView(customer));
    for (const account of org.accounts.values()) {
      if (account.customerId !== customer.id || account.status === 'ARCHIVED') continue;
      account.status = 'ARCHIVED';
      account.updatedAt = at;
      this.publisher.publish(orgId, 'account.updated', this.accountView(account));
    }
  }

  createAccount(orgId: string, customerId: string, input: AccountInput): TogaiAccount {
    const org = this.store.org(orgId);
    const customer = org.customers.get(customerId);
    if (!customer) throw notFound(`Customer with id "${customerId}" not found`);
    if (customer.status === 'ARCHIVED') throw badRequest(`customerId: customer "${customerId}" is archived`);
    this.assertAccountIsNew(org, input);
    return this.insertAccount(orgId, customer, input);
  }

  private assertAccountIsNew(org: TogaiOrgState, input: AccountInput): void {
    if (org.accounts.has(input.id)) throw conflict(`Account with id "${input.id}" already exists`);
    for (const alias of input.aliases ?? []) {
      const owner = org.aliasOwner(alias);
      if (owner) throw conflict(`Alias "${alias}" already belongs to account "${owner.id}"`);
    }
  }

  private insertAccount(orgId: string, customer: TogaiCustomer, input: AccountInput): TogaiAccount {
    const at = this.nowIso();
    const account: TogaiAccount = {
      id: input.id,
      togaiAccountId: this.newId('account'),
      togaiCustomerId: customer.togaiCustomerId,
      customerId: customer.id,
      name: input.name,
      invoiceCurrency: input.invoiceCurrency ?? BASE_CURRENCY,
      aliases: [...new Set(input.aliases ?? [])].map((alias) => ({ alias })),
      netTermDays: input.netTermDays ?? 0,
      ...(input.address ? { address: input.address } : {}),
      ...(input.primaryEmail ? { primaryEmail: input.primaryEmail } : {}),
      status: input.status ?? 'ACTIVE',
      settings: input.settings ?? [],
      metadata: input.metadata ?? {},
      tags: [...new Set((input.tags ?? []).map((t) => t.toLowerCase()))],
      createdAt: at,
      updatedAt: at,
    };
    this.store.org(orgId).accounts.set(account.id, account);
    this.publisher.publish(orgId, 'account.created', this.accountView(account));
    return account;
  }

  updateAccount(
    orgId: string,
    account: TogaiAccount,
    patch: {
      name?: string; status?: AccountStatus; invoiceCurrency?: string; netTermDays?: number; primaryEmail?: string;
      address?: TogaiAddress; metadata?: Record<string, string>; tags?: string[];
    },
  ): TogaiAccount {
    if (patch.name !== undefined) account.name = patch.name;
    if (patch.status !== undefined) account.status = patch.status;
    if (patch.invoiceCurrency !== undefined) account.invoiceCurrency = patch.invoiceCurrency;
    if (patch.netTermDays !== undefined) account.netTermDays = patch.netTermDays;
    if (patch.primaryEmail !== undefined) account.primaryEmail = patch.primaryEmail;
    if (patch.address !== undefined) account.address = patch.address;
    // Togai: metadata in a PATCH replaces the account's metadata ({} clears it).
    if (patch.metadata !== undefined) account.metadata = patch.metadata;
    if (patch.tags !== undefined) account.tags = [...new Set(patch.tags.map((t) => t.toLowerCase()))];
    account.updatedAt = this.nowIso();
    this.publisher.publish(orgId, 'account.updated', this.accountView(account));
    return account;
  }

  customerView(customer: TogaiCustomer): Record<string, unknown> {
    const { settings, ...rest } = customer;
    return { ...rest, ...(settings.length ? { settings } : {}) };
  }

  accountView(account: TogaiAccount): Record<string, unknown> {
    return { ...account };
  }

  // ---------------------------------------------------------------- invoices

  buildLines(lines: LineInput[], defaultType: string): TogaiLine[] {
    return lines.map((line, index) => {
      const value =
        line.quantity !== undefined && line.valuePerQuantity !== undefined
          ? line.quantity * line.valuePerQuantity
          : (line.value as number);
      return {
        id: line.id ?? `line.${index + 1}`,
        description: line.description ?? '',
        type: line.type ?? defaultType,
        ...(line.quantity !== undefined ? { quantity: line.quantity } : {}),
        ...(line.valuePerQuantity !== undefined ? { valuePerQuantity: line.valuePerQuantity } : {}),
        ...(line.units !== undefined ? { units: line.units } : {}),
        value,
        metadata: line.metadata ?? {},
      };
    });
  }

  /** Custom invoices (POST /invoices) and sandbox-made billing-cycle invoices share this path. */
  createInvoice(orgId: string, input: InvoiceInput): { invoice: TogaiInvoiceRecord; replayed: boolean } {
    const org = this.store.org(orgId);
    if (input.idempotencyKey !== undefined) {
      const existingId = org.invoiceIdempotency.get(input.idempotencyKey);
      const existing = existingId ? org.invoices.get(existingId) : undefined;
      if (existing) return { invoice: existing, replayed: true };
    }
    const account = org.accounts.get(input.accountId);
    if (!account) throw notFound(`Account with id "${input.accountId}" not found`);
    if (account.status === 'ARCHIVED') throw badRequest(`accountId: account "${account.id}" is archived`);
    const invoiceType = input.invoiceType ?? 'CUSTOM';
    const at = this.nowIso();
    const id = this.newId('invoice');
    const invoice: TogaiInvoiceRecord = {
      id,
      customerId: account.customerId,
      ownerId: account.id,
      ownerType: 'ACCOUNT',
      ...(input.pricePlanId ? { pricePlanId: input.pricePlanId } : {}),
      status: 'DRAFT',
      invoiceClass: input.invoiceClass ?? 'INVOICE',
      invoiceType,
      autoAdvance: input.autoAdvance ?? false,
      startDate: new Date(input.startDateMs).toISOString(),
      endDate: new Date(input.endDateMs).toISOString(),
      invoiceDate: new Date(input.endDateMs).toISOString(),
      createdAt: at,
      updatedAt: at,
      sequenceId: `INV-${id.split('.')[1]}`,
      paidAmount: 0,
      netTermDays: account.netTermDays,
      currency: account.invoiceCurrency,
      metadata: input.metadata ?? {},
      lines: this.buildLines(input.lines, invoiceType === 'CUSTOM' ? 'CUSTOM_AMOUNT' : 'FIXED_FEE_RATE_CARD_AMOUNT'),
      ...(input.idempotencyKey !== undefined ? { idempotencyKey: input.idempotencyKey } : {}),
    };
    org.invoices.set(invoice.id, invoice);
    if (input.idempotencyKey !== undefined) org.invoiceIdempotency.set(input.idempotencyKey, invoice.id);
    if (input.status !== 'DRAFT') this.transitionInvoice(orgId, invoice, input.status, { settle: true });
    return { invoice, replayed: false };
  }

  /**
   * Moves an invoice to a status and tells subscribers: leaving DRAFT for the first time (DUE, or an order
   * created PAID) is "invoice generated" (sets generatedAt, invoiceDate and so dueDate); anything else is
   * "invoice updated". `settle` marks PAID invoices
   * fully paid (custom invoices created as PAID, sandbox-driven transitions).
   */
  transitionInvoice(orgId: string, invoice: TogaiInvoiceRecord, status: InvoiceStatus, options: { settle?: boolean } = {}): void {
    const generated = !invoice.generatedAt && (status === 'DUE' || status === 'PAID' || status === 'PARTIALLY_PAID');
    invoice.status = status;
    const at = this.nowIso();
    if (generated) {
      invoice.generatedAt = at;
      invoice.invoiceDate = at;
    }
    if (status === 'PAID' && options.settle) invoice.paidAmount = this.invoiceTotals(invoice).total;
    invoice.updatedAt = at;
    this.publisher.publish(orgId, generated ? 'invoice.generated' : 'invoice.updated', this.invoiceView(orgId, invoice));
  }

  invoiceTotals(invoice: TogaiInvoiceRecord): { net: number; taxes: Array<{ rate: number; taxable: number; tax: number }>; taxTotal: number; total: number } {
    const currency = invoice.currency;
    const net = roundAmount(invoice.lines.reduce((sum, line) => sum + line.value, 0), currency);
    const byRate = new Map<number, number>();
    for (const line of invoice.lines) {
      const rate = lineTaxRate(line);
      if (rate === undefined || rate === 0) continue;
      byRate.set(rate, (byRate.get(rate) ?? 0) + line.value);
    }
    const taxes = [...byRate.entries()]
      .sort((a, b) => b[0] - a[0])
      .map(([rate, taxable]) => ({ rate, taxable: roundAmount(taxable, currency), tax: roundAmount((taxable * rate) / 100, currency) }));
    const taxTotal = roundAmount(taxes.reduce((sum, t) => sum + t.tax, 0), currency);
    return { net, taxes, taxTotal, total: roundAmount(net + taxTotal, currency) };
  }

  /**
   * The invoice as GET /invoices/{id} returns it. Lines appear twice: in Togai's `revenueInfo` tree
   * (TOTAL_AMOUNT → NET_AMOUNT lines + TOTAL_TAX_AMOUNT → TAX_AMOUNT per rate) and, as a sandbox
   * convenience, flat in `lineItems`. Each line's VAT rate is `metadata.taxRate` (percent).
   */
  invoiceView(orgId: string, invoice: TogaiInvoiceRecord, options: { summary?: boolean } = {}): Record<string, unknown> {
    const org = this.store.org(orgId);
    const account = org.accounts.get(invoice.ownerId);
    const customer = org.customers.get(invoice.customerId);
    const totals = this.invoiceTotals(invoice);
    const dueDate = new Date(Date.parse(invoice.invoiceDate) + invoice.netTermDays * DAY_MS).toISOString();
    const { lines, idempotencyKey: _key, createdAt: _created, ownerType: _ownerType, currency: _currency, ...fields } = invoice;
    const view: Record<string, unknown> = {
      ...fields,
      finalizingStatus: invoice.status === 'DRAFT' ? 'FINALIZING' : 'FINALIZED',
      endDateInclusive: new Date(Date.parse(invoice.endDate) - 1).toISOString(),
      dueDate,
      totalAmount: totals.total,
      paidAmount: invoice.paidAmount,
      invoiceDetails: {
        customer: customer
          ? { name: customer.name, primaryEmail: customer.primaryEmail, billingAddress: customer.billingAddress, address: customer.address }
          : undefined,
        account: account
          ? { name: account.name, invoiceCurrency: account.invoiceCurrency, address: account.address, primaryEmail: account.primaryEmail }
          : undefined,
        organization: { name: this.ctx.tenants.togaiOrgs.get(orgId)?.name ?? orgId },
      },
    };
    if (options.summary) return view;
    const lineViews = lines.map((line) => ({ ...line, lineItems: [] }));
    view.usageInfo = lineViews.filter((line) => line.type.startsWith('USAGE'));
    view.revenueInfo = {
      id: `${invoice.id}.total`,
      description: 'Total amount',
      type: 'TOTAL_AMOUNT',
      value: totals.total,
      lineItems: [
        { id: `${invoice.id}.net`, description: 'Net amount', type: 'NET_AMOUNT', value: totals.net, lineItems: lineViews },
        {
          id: `${invoice.id}.tax`,
          description: 'Total tax',
          type: 'TOTAL_TAX_AMOUNT',
          value: totals.taxTotal,
          lineItems: totals.taxes.map((t) => ({
            id: `${invoice.id}.tax.${t.rate}`,
            description: `VAT ${t.rate}%`,
            type: 'TAX_AMOUNT',
            value: t.tax,
            metadata: { taxRate: t.rate, taxableAmount: t.taxable },
            lineItems: [],
          })),
        },
      ],
    };
    view.lineItems = lineViews.map(({ lineItems: _children, ...line }) => line);
    return view;
  }

  // ---------------------------------------------------------------- payments

  recordPayment(orgId: string, input: PaymentInput): TogaiPaymentRecord {
    const org = this.store.org(orgId);
    const account = org.accounts.get(input.accountId);
    if (!account) throw notFound(`Account with id "${input.accountId}" not found`);
    if (input.currency !== account.invoiceCurrency) {
      throw badRequest(`currency: account "${account.id}" is invoiced in ${account.invoiceCurrency}, not ${input.currency}`);
    }
    const recordsSum = roundAmount(input.lineItemRecords.reduce((sum, r) => sum + (r.amount ?? 0), 0), input.currency);
    if (Math.abs(recordsSum - input.totalAmount) > 0.005) {
      throw badRequest(`lineItemRecords: amounts add up to ${recordsSum} but totalAmount is ${input.totalAmount}`);
    }
    // Check every invoice line before changing anything.
    const applications: Array<{ invoice: TogaiInvoiceRecord; amount: number }> = [];
    input.lineItemRecords.forEach((record, index) => {
      if (record.type !== 'INVOICE') return;
      const field = `lineItemRecords[${index}]`;
      const invoice = record.togaiId ? org.invoices.get(record.togaiId) : undefined;
      if (!record.togaiId) throw badRequest(`${field}.togaiId: is required for type INVOICE`);
      if (!invoice || invoice.ownerId !== account.id) {
        throw notFound(`${field}.togaiId: invoice "${record.togaiId}" not found for account "${account.id}"`);
      }
      if (invoice.status !== 'DUE' && invoice.status !== 'PARTIALLY_PAID') {
        throw badRequest(`${field}.togaiId: invoice "${invoice.id}" is ${invoice.status}; only DUE or PARTIALLY_PAID invoices accept payments`);
      }
      const amount = record.amount ?? 0;
      const already = applications.filter((a) => a.invoice === invoice).reduce((sum, a) => sum + a.amount, 0);
      const outstanding = roundAmount(this.invoiceTotals(invoice).total - invoice.paidAmount - already, invoice.currency);
      if (amount <= 0) throw badRequest(`${field}.amount: must be greater than 0`);
      if (amount - outstanding > 0.005) {
        throw badRequest(`${field}.amount: ${amount} exceeds the outstanding ${outstanding} of invoice "${invoice.id}"`);
      }
      applications.push({ invoice, amount });
    });
    const payment: TogaiPaymentRecord = {
      id: this.newId('payment'),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.notes !== undefined ? { notes: input.notes } : {}),
      accountId: account.id,
      externalPaymentReferences: input.externalPaymentReference,
      lineItemRecords: input.lineItemRecords,
      totalAmount: input.totalAmount,
      currency: input.currency,
      version: 1,
      createdBy: 'API_TOKEN',
      createdAt: this.nowIso(),
    };
    org.payments.set(payment.id, payment);
    this.publisher.publish(orgId, 'payment.recorded', { ...payment });
    for (const { invoice, amount } of applications) {
      invoice.paidAmount = roundAmount(invoice.paidAmount + amount, invoice.currency);
      const total = this.invoiceTotals(invoice).total;
      this.transitionInvoice(orgId, invoice, invoice.paidAmount >= total - 0.005 ? 'PAID' : 'PARTIALLY_PAID');
    }
    return payment;
  }

  // ---------------------------------------------------------------- event ingestion

  /**
   * Records one usage event the way Togai reports it in GET /events: an id seen within the dedupe window
   * is dropped (INGESTION_FAILED_DUPLICATE_EVENT); an unknown account fails; the sandbox has no usage
   * meters, so accepted events end INGESTION_COMPLETED_NO_MATCHING_METERS. Only ids of events that were
   * not failed reserve the id, so an event rejected for its account can be sent again after the fix.
   */
  ingestEvent(orgId: string, payload: TogaiEventPayload): TogaiStoredEvent {
    const org = this.store.org(orgId);
    const now = this.now();
    const referenceId = this.newId('event');
    const stored: TogaiStoredEvent = {
      referenceId,
      eventPayload: payload,
      ingestionStatus: { status: 'INGESTION_COMPLETED_NO_MATCHING_METERS', statusDescription: 'Event accepted; no usage meter matched it' },
      source: 'API',
      createdAt: new Date(now).toISOString(),
      receivedAtMs: now,
    };
    const account = org.accountByIdOrAlias(payload.accountId);
    const seen = payload.id !== undefined ? org.eventIds.get(payload.id) : undefined;
    if (payload.id === undefined) {
      stored.ingestionStatus = { status: 'INGESTION_FAILED_NO_EVENT_ID', statusDescription: 'Event has no id' };
    } else if (seen && now - seen.receivedAtMs < this.ctx.limits.togai.eventDedupeWindowMs) {
      stored.ingestionStatus = {
        status: 'INGESTION_FAILED_DUPLICATE_EVENT',
        statusDescription: `An event with id "${payload.id}" was already ingested (reference ${seen.referenceId})`,
      };
    } else if (!account) {
      stored.ingestionStatus = {
        status: 'INGESTION_FAILED_ACCOUNT_NOT_FOUND',
        statusDescription: `No account with id or alias "${payload.accountId}"`,
      };
    } else {
      org.eventIds.set(payload.id, { referenceId, receivedAtMs: now });
    }
    if (account) stored.customerId = account.customerId;
    org.events.set(referenceId, stored);
    return stored;
  }

  eventView(event: TogaiStoredEvent): Record<string, unknown> {
    const { receivedAtMs: _at, ...view } = event;
    return view;
  }
}

export function lineTaxRate(line: TogaiLine): number | undefined {
  const rate = line.metadata.taxRate;
  if (typeof rate === 'number') return rate;
  if (typeof rate === 'string' && rate.trim() !== '' && Number.isFinite(Number(rate))) return Number(rate);
  return undefined;
}
