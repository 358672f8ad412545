import type { SeedRequest } from '../core/sandbox.service.js';
import { wellKnown } from '../core/sandbox.tenants.js';
import type { AccountInput, CustomerInput, LineInput, TogaiModel } from './togai.model.js';
import type { InvoiceClass, TogaiAccount, TogaiInvoiceRecord } from './togai.store.js';

const pad = (n: number) => String(n).padStart(4, '0');

/** First day (UTC) of the month `offset` months from the one containing `now`. */
function monthStart(now: number, offset: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1);
}

/** Makes an invoice DUE and, when asked, pays it (part or all) through a real payment record. */
function issueAndPay(model: TogaiModel, orgId: string, invoice: TogaiInvoiceRecord, pay?: { amount?: number; reference: string; sourceType: string }) {
  if (invoice.status === 'DRAFT') model.transitionInvoice(orgId, invoice, 'DUE');
  if (!pay) return;
  const amount = pay.amount ?? model.invoiceTotals(invoice).total;
  model.recordPayment(orgId, {
    accountId: invoice.ownerId,
    currency: invoice.currency,
    totalAmount: amount,
    externalPaymentReference: { sourceName: 'Sandbox seed', sourceType: pay.sourceType, transactionNumber: pay.reference },
    lineItemRecords: [{ type: 'INVOICE', togaiId: invoice.id, amount, order: 1 }],
  });
}

function seedDemo(model: TogaiModel, orgId: string): void {
  const now = model.now();
  const customers: Array<CustomerInput & { account: AccountInput }> = [
    {
      id: 'globex', name: 'Globex GmbH', primaryEmail: 'billing@globex.example',
      address: { line1: 'Friedrichstraße 100', city: 'Berlin', postalCode: '10117', country: 'DE', phoneNumber: '+49 30 1234567' },
      account: { id: 'globex-main', name: 'Globex GmbH', invoiceCurrency: 'EUR', aliases: ['globex-eu'], netTermDays: 14, metadata: { vatId: 'DE123456789' }, tags: ['Enterprise'] },
    },
    {
      id: 'initech', name: 'Initech Ltd', primaryEmail: 'accounts@initech.example',
      address: { line1: '1 Finsbury Square', city: 'London', postalCode: 'EC2A 1AE', country: 'GB' },
      account: { id: 'initech-main', name: 'Initech Ltd', invoiceCurrency: 'EUR', netTermDays: 30, metadata: {}, tags: ['smb'] },
    },
    {
      id: 'umbrella', name: 'Umbrella Inc', primaryEmail: 'ap@umbrella.example',
      address: { line1: '500 Fifth Avenue', city: 'New York', state: 'NY', postalCode: '10110', country: 'US' },
      account: { id: 'umbrella-main', name: 'Umbrella Inc', invoiceCurrency: 'USD', netTermDays: 30, metadata: {}, tags: [] },
    },
  ];
  for (const c of customers) {
    const { account, ...customer } = c;
    model.createCustomer(orgId, customer, { ...account, primaryEmail: customer.primaryEmail, address: customer.address });
  }

  const vat = (rate: number) => ({ taxRate: rate });
  const invoice = (accountId: string, month: number, invoiceClass: InvoiceClass, custom: boolean, lines: LineInput[]) =>
    model.createInvoice(orgId, {
      accountId,
      startDateMs: monthStart(now, month),
      endDateMs: monthStart(now, month + 1),
      status: 'DRAFT',
      invoiceClass,
      invoiceType: custom ? 'CUSTOM' : 'STANDARD',
      lines,
      ...(custom ? {} : { pricePlanId: 'pp.growth' }),
    }).invoice;

  // Last month's usage invoice: 19% and 7% VAT lines and a discount line; generated (DUE).
  const globexLastMonth = invoice('globex-main', -1, 'INVOICE', false, [
    { description: 'Platform fee (Growth plan)', type: 'FIXED_FEE_RATE_CARD_AMOUNT', quantity: 1, valuePerQuantity: 500, metadata: vat(19) },
    { description: 'API calls', type: 'USAGE_RATE_CARD_AMOUNT', quantity: 12000, valuePerQuantity: 0.01, units: 'calls', metadata: vat(19) },
    { description: 'Discount 10% on platform fee', type: 'CUSTOM_AMOUNT', value: -50, metadata: { ...vat(19), discount: true } },
    { description: 'Onboarding workbook (reduced VAT)', type: 'CUSTOM_AMOUNT', quantity: 2, valuePerQuantity: 40, metadata: vat(7) },
  ]);
  issueAndPay(model, orgId, globexLastMonth);
  // This month's invoice is still being accumulated (DRAFT).
  invoice('globex-main', 0, 'INVOICE', false, [
    { description: 'Platform fee (Growth plan)', type: 'FIXED_FEE_RATE_CARD_AMOUNT', quantity: 1, valuePerQuantity: 500, metadata: vat(19) },
  ]);
  // A paid order (ORDER class) with both VAT rates and a discount.
  const globexOrder = invoice('globex-main', -1, 'ORDER', true, [
    { description: 'Starter hardware kit', quantity: 2, valuePerQuantity: 150, metadata: vat(19) },
    { description: 'Printed handbook', quantity: 3, valuePerQuantity: 20, metadata: vat(7) },
    { description: 'Welcome discount', value: -30, metadata: { ...vat(19), discount: true } },
  ]);
  issueAndPay(model, orgId, globexOrder, { reference: 'SEPA-2024-0001', sourceType: 'BANK_TRANSFER' });
  // An order waiting for payment.
  const initechOrder = invoice('initech-main', 0, 'ORDER', true, [
    { description: 'Premium support (12 months)', quantity: 1, valuePerQuantity: 1200, metadata: vat(19) },
  ]);
  issueAndPay(model, orgId, initechOrder);
  // A partly paid invoice (no VAT: US customer) and a voided one.
  const umbrella = invoice('umbrella-main', -1, 'INVOICE', false, [
    { description: 'Platform fee (Growth plan)', type: 'FIXED_FEE_RATE_CARD_AMOUNT', quantity: 1, valuePerQuantity: 500 },
    { description: 'API calls', type: 'USAGE_RATE_CARD_AMOUNT', quantity: 30000, valuePerQuantity: 0.01, units: 'calls' },
  ]);
  issueAndPay(model, orgId, umbrella, { amount: 300, reference: 'ch_sandbox_0001', sourceType: 'CARD' });
  const voided = invoice('umbrella-main', -2, 'INVOICE', false, [
    { description: 'Platform fee (Growth plan)', type: 'FIXED_FEE_RATE_CARD_AMOUNT', quantity: 1, valuePerQuantity: 500 },
  ]);
  model.transitionInvoice(orgId, voided, 'VOID');
}

/**
 * Bulk records for sync tests: customers `cust-0001`… each with account `acct-0001`…. With
 * `sharedNames` = S the first S are named `Customer 0001`… (the same names the CRM seed uses), the rest
 * `Togai Customer 0001`…, so only the first S match across apps.
 */
function seedBulk(model: TogaiModel, orgId: string, request: SeedRequest): void {
  const count = request.togai?.customers ?? 0;
  const shared = request.sharedNames ?? 0;
  const accounts: TogaiAccount[] = [];
  for (let i = 1; i <= count; i++) {
    const name = i <= shared ? `Customer ${pad(i)}` : `Togai Customer ${pad(i)}`;
    const email = `billing@customer-${pad(i)}.example.com`;
    const address = { line1: `${i} Market Street`, city: 'San Francisco', state: 'CA', postalCode: '94105', country: 'US' };
    const { account } = model.createCustomer(
      orgId,
      { id: `cust-${pad(i)}`, name, primaryEmail: email, address },
      { id: `acct-${pad(i)}`, name, invoiceCurrency: 'USD', primaryEmail: email, address, netTermDays: 30 },
    );
    if (account) accounts.push(account);
  }
  const invoices = request.togai?.invoices ?? 0;
  const owners = accounts.length > 0 ? accounts : [...model.store.org(orgId).accounts.values()];
  if (owners.length === 0) return;
  const now = model.now();
  for (let k = 1; k <= invoices; k++) {
    const owner = owners[(k - 1) % owners.length]!;
    const month = -1 - Math.floor((k - 1) / owners.length);
    const { invoice } = model.createInvoice(orgId, {
      accountId: owner.id,
      startDateMs: monthStart(now, month),
      endDateMs: monthStart(now, month + 1),
      status: 'DRAFT',
      invoiceClass: k % 2 === 0 ? 'ORDER' : 'INVOICE',
      invoiceType: 'STANDARD',
      lines: [{ description: 'Subscription', type: 'FIXED_FEE_RATE_CARD_AMOUNT', quantity: 1, valuePerQuantity: 100 + k, metadata: { taxRate: 19 } }],
    });
    const phase = k % 4;
    if (phase === 1 || phase === 3) issueAndPay(model, orgId, invoice);
    if (phase === 0) issueAndPay(model, orgId, invoice, { reference: `bulk-${pad(k)}`, sourceType: 'GATEWAY' });
  }
}

export function seedTogai(model: TogaiModel, request: SeedRequest, orgId: string = wellKnown.togai.orgId): void {
  if (request.name === 'demo') seedDemo(model, orgId);
  seedBulk(model, orgId, request);
}
