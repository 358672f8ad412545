import type { TogaiAddress } from './togai.validate.js';

export type CustomerStatus = 'ACTIVE' | 'ARCHIVED';
export type AccountStatus = 'ACTIVE' | 'DRAFT' | 'ARCHIVED';
export const invoiceStatuses = [
  'DRAFT', 'DUE', 'PAID', 'VOID', 'UN_COLLECTIBLE', 'REFUND_INITIATED', 'REFUND_COMPLETED', 'MERGED', 'PARTIALLY_PAID',
] as const;
export type InvoiceStatus = (typeof invoiceStatuses)[number];
export const invoiceClasses = ['INVOICE', 'ORDER', 'BILLABLE'] as const;
export type InvoiceClass = (typeof invoiceClasses)[number];
export const invoiceTypes = ['STANDARD', 'AD_HOC', 'CUSTOM', 'COMPOSITE', 'STANDARD_ADVANCED', 'ADHOC_ADVANCED'] as const;
export type InvoiceType = (typeof invoiceTypes)[number];

export interface TogaiCustomer {
  id: string;
  togaiCustomerId: string;
  name: string;
  primaryEmail: string;
  billingAddress: string;
  address: TogaiAddress;
  settings: unknown[];
  status: CustomerStatus;
  createdAt: string;
  updatedAt: string;
}

export interface TogaiAccount {
  id: string;
  togaiAccountId: string;
  togaiCustomerId: string;
  customerId: string;
  name: string;
  invoiceCurrency: string;
  aliases: Array<{ alias: string }>;
  netTermDays: number;
  address?: TogaiAddress;
  primaryEmail?: string;
  status: AccountStatus;
  settings: unknown[];
  metadata: Record<string, string>;
  tags: string[];
  createdAt: string;
  updatedAt: string;
}

export interface TogaiContact {
  id: string;
  username: string;
  customerId: string;
  name: string;
  email: string;
  phone?: string;
  preferredUsername?: string;
  verified: boolean;
  loginAccess: boolean;
  createdAt: string;
}

/**
 * One billable line as stored. The VAT rate of a line is `metadata.taxRate` (a percentage number, e.g. 19);
 * tax itself is derived (TAX_AMOUNT lines per rate) when the invoice is rendered.
 */
export interface TogaiLine {
  id: string;
  description: string;
  type: string;
  quantity?: number;
  valuePerQuantity?: number;
  units?: string;
  value: number;
  metadata: Record<string, unknown>;
}

export interface TogaiInvoiceRecord {
  id: string;
  customerId: string;
  ownerId: string;
  ownerType: 'ACCOUNT';
  pricePlanId?: string;
  status: InvoiceStatus;
  invoiceClass: InvoiceClass;
  invoiceType: InvoiceType;
  autoAdvance: boolean;
  startDate: string;
  endDate: string;
  invoiceDate: string;
  generatedAt?: string;
  createdAt: string;
  updatedAt: string;
  sequenceId: string;
  paidAmount: number;
  netTermDays: number;
  currency: string;
  metadata: Record<string, unknown>;
  lines: TogaiLine[];
  idempotencyKey?: string;
}

export interface TogaiPaymentRecord {
  id: string;
  description?: string;
  notes?: string;
  accountId: string;
  externalPaymentReferences: {
    sourceName: string;
    sourceType: string;
    transactionNumber: string;
    description?: string;
    metadata?: Record<string, unknown>;
  };
  lineItemRecords: Array<{ type: string; togaiId?: string; amount?: number; order: number }>;
  totalAmount: number;
  currency: string;
  version: number;
  createdBy: string;
  createdAt: string;
}

export interface TogaiEventPayload {
  schemaName: string;
  id?: string;
  timestamp: string;
  accountId: string;
  attributes: Array<{ name: string; value: string; unit?: string }>;
  dimensions: Record<string, string>;
}

export interface TogaiStoredEvent {
  referenceId: string;
  eventPayload: TogaiEventPayload;
  ingestionStatus: { status: string; statusDescription?: string };
  customerId?: string;
  source: 'API';
  createdAt: string;
  /** sandbox clock at receipt (dedupe window) */
  receivedAtMs: number;
}

export const webhookEventTypes = [
  'customer.created', 'customer.updated', 'account.created', 'account.updated',
  'invoice.generated', 'invoice.updated', 'payment.recorded',
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

export interface TogaiWebhookSubscription {
  id: string;
  url: string;
  events: WebhookEventType[];
  /** `whsec_<base64>`; returned only when the subscription is created */
  secret: string;
  description?: string;
  createdAt: string;
}

/** Everything one Togai organisation holds. Maps keep insertion order, which is the list order. */
export class TogaiOrgState {
  customers = new Map<string, TogaiCustomer>();
  accounts = new Map<string, TogaiAccount>();
  contacts = new Map<string, TogaiContact>();
  invoices = new Map<string, TogaiInvoiceRecord>();
  payments = new Map<string, TogaiPaymentRecord>();
  events = new Map<string, TogaiStoredEvent>();
  /** event id → first accepted occurrence (referenceId, receipt time) for the dedupe window */
  eventIds = new Map<string, { referenceId: string; receivedAtMs: number }>();
  subscriptions = new Map<string, TogaiWebhookSubscription>();
  /** custom-invoice idempotencyKey → invoice id */
  invoiceIdempotency = new Map<string, string>();

  accountByIdOrAlias(idOrAlias: string): TogaiAccount | undefined {
    const direct = this.accounts.get(idOrAlias);
    if (direct) return direct;
    for (const account of this.accounts.values()) {
      if (account.aliases.some((a) => a.alias === idOrAlias)) return account;
    }
    return undefined;
  }

  aliasOwner(alias: string): TogaiAccount | undefined {
    for (const account of this.accounts.values()) {
      if (account.aliases.some((a) => a.alias === alias)) return account;
    }
    return undefined;
  }
}

type SerializedOrg = Record<string, unknown[]>;

/** All Togai records of the sandbox, per organisation, plus the key that signs issued JWTs. */
export class TogaiStore {
  orgs = new Map<string, TogaiOrgState>();
  /** issued by POST /authenticate: token → org and expiry (sandbox clock) */
  issuedTokens = new Map<string, { orgId: string; expiresAtMs: number }>();

  org(orgId: string): TogaiOrgState {
    let state = this.orgs.get(orgId);
    if (!state) {
      state = new TogaiOrgState();
      this.orgs.set(orgId, state);
    }
    return state;
  }

  reset(): void {
    this.orgs.clear();
    this.issuedTokens.clear();
  }

  snapshot(): unknown {
    const orgs: Record<string, SerializedOrg> = {};
    for (const [orgId, s] of this.orgs) {
      orgs[orgId] = {
        customers: [...s.customers.values()],
        accounts: [...s.accounts.values()],
        contacts: [...s.contacts.values()],
        invoices: [...s.invoices.values()],
        payments: [...s.payments.values()],
        events: [...s.events.values()],
        eventIds: [...s.eventIds.entries()],
        subscriptions: [...s.subscriptions.values()],
        invoiceIdempotency: [...s.invoiceIdempotency.entries()],
      };
    }
    return { orgs, issuedTokens: [...this.issuedTokens.entries()] };
  }

  restore(data: unknown): void {
    this.reset();
    const d = data as { orgs?: Record<string, SerializedOrg>; issuedTokens?: Array<[string, { orgId: string; expiresAtMs: number }]> };
    for (const [orgId, o] of Object.entries(d.orgs ?? {})) {
      const s = this.org(orgId);
      for (const c of (o.customers ?? []) as TogaiCustomer[]) s.customers.set(c.id, c);
      for (const a of (o.accounts ?? []) as TogaiAccount[]) s.accounts.set(a.id, a);
      for (const c of (o.contacts ?? []) as TogaiContact[]) s.contacts.set(c.id, { ...c, username: c.username ?? c.id });
      for (const i of (o.invoices ?? []) as TogaiInvoiceRecord[]) s.invoices.set(i.id, i);
      for (const p of (o.payments ?? []) as TogaiPaymentRecord[]) s.payments.set(p.id, p);
      for (const e of (o.events ?? []) as TogaiStoredEvent[]) s.events.set(e.referenceId, e);
      for (const [k, v] of (o.eventIds ?? []) as Array<[string, { referenceId: string; receivedAtMs: number }]>) s.eventIds.set(k, v);
      for (const w of (o.subscriptions ?? []) as TogaiWebhookSubscription[]) s.subscriptions.set(w.id, w);
      for (const [k, v] of (o.invoiceIdempotency ?? []) as Array<[string, string]>) s.invoiceIdempotency.set(k, v);
    }
    for (const [token, value] of d.issuedTokens ?? []) this.issuedTokens.set(token, value);
  }
}
