/**
 * Invoice / bill / payment arithmetic (pure). Amounts are rounded to 2 decimals the way Books shows them:
 * each line total, each tax (summed per tax before rounding), the discount and the grand total.
 */

export const round2 = (n: number): number => Math.round((n + Number.EPSILON * Math.sign(n)) * 100) / 100;

export type Discount = { kind: 'percent'; value: number } | { kind: 'amount'; value: number };

/** Books discounts are `"12.5%"` (percent) or a number / numeric string (absolute amount). */
export function parseDiscount(raw: unknown): Discount | undefined | 'invalid' {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw === 'number') return Number.isFinite(raw) ? { kind: 'amount', value: raw } : 'invalid';
  if (typeof raw !== 'string') return 'invalid';
  const text = raw.trim();
  const percent = /^(-?\d+(?:\.\d+)?)\s*%$/.exec(text);
  if (percent) return { kind: 'percent', value: Number(percent[1]) };
  if (/^-?\d+(?:\.\d+)?$/.test(text)) return { kind: 'amount', value: Number(text) };
  return 'invalid';
}

export interface TaxRate {
  tax_id: string;
  tax_name: string;
  tax_percentage: number;
}

export interface LineInput {
  rate: number;
  quantity: number;
  /** item-level discount; ignored unless the document's discount type is item_level */
  discount?: Discount;
  tax?: TaxRate;
}

export interface DocumentInput {
  lines: LineInput[];
  /** entity-level discount; ignored for item_level documents */
  discount?: Discount;
  discountType: 'entity_level' | 'item_level';
  isDiscountBeforeTax: boolean;
  isInclusiveTax: boolean;
  shippingCharge: number;
  adjustment: number;
}

export interface LineTotals {
  item_total: number;
  discount_amount: number;
  tax_amount: number;
}

export interface DocumentTotals {
  lines: LineTotals[];
  sub_total: number;
  discount_amount: number;
  tax_total: number;
  taxes: Array<{ tax_id: string; tax_name: string; tax_amount: number }>;
  total: number;
}

function discountAmount(discount: Discount | undefined, base: number): number {
  if (!discount) return 0;
  return discount.kind === 'percent' ? (base * discount.value) / 100 : discount.value;
}

/**
 * sub_total = Σ item_total (rate × quantity − item discount); tax per line on its share of the sub-total after
 * an entity discount given before tax; total = sub_total − entity discount + tax (unless inclusive) + shipping +
 * adjustment. Negative lines (credits, discounts as lines) carry negative tax.
 */
export function computeDocumentTotals(input: DocumentInput): DocumentTotals {
  const itemLevel = input.discountType === 'item_level';
  const lineTotals = input.lines.map((line) => {
    const gross = line.rate * line.quantity;
    const lineDiscount = itemLevel ? round2(discountAmount(line.discount, gross)) : 0;
    return { gross, discount_amount: lineDiscount, item_total: round2(gross - lineDiscount) };
  });
  const subTotal = round2(lineTotals.reduce((sum, l) => sum + l.item_total, 0));

  const entityDiscount = itemLevel ? undefined : input.discount;
  // Share of each line left after an entity-level discount taken before tax.
  let taxableFactor = 1;
  if (entityDiscount && input.isDiscountBeforeTax) {
    if (entityDiscount.kind === 'percent') taxableFactor = 1 - entityDiscount.value / 100;
    else if (subTotal !== 0) taxableFactor = 1 - entityDiscount.value / subTotal;
  }

  const perTax = new Map<string, { tax: TaxRate; amount: number }>();
  const lines: LineTotals[] = input.lines.map((line, i) => {
    const itemTotal = lineTotals[i]!.item_total;
    let tax = 0;
    if (line.tax && line.tax.tax_percentage !== 0) {
      const taxable = itemTotal * taxableFactor;
      const p = line.tax.tax_percentage / 100;
      tax = input.isInclusiveTax ? taxable - taxable / (1 + p) : taxable * p;
      const entry = perTax.get(line.tax.tax_id) ?? { tax: line.tax, amount: 0 };
      entry.amount += tax;
      perTax.set(line.tax.tax_id, entry);
    }
    return { item_total: itemTotal, discount_amount: lineTotals[i]!.discount_amount, tax_amount: round2(tax) };
  });
  const taxes = [...perTax.values()].map((t) => ({
    tax_id: t.tax.tax_id,
    tax_name: t.tax.tax_name,
    tax_amount: round2(t.amount),
  }));
  const taxTotal = round2(taxes.reduce((sum, t) => sum + t.tax_amount, 0));

  let discount = 0;
  if (entityDiscount) {
    const base = input.isDiscountBeforeTax || input.isInclusiveTax ? subTotal : subTotal + taxTotal;
    discount = round2(discountAmount(entityDiscount, base));
  }
  const taxAdded = input.isInclusiveTax ? 0 : taxTotal;
  const total = round2(subTotal - discount + taxAdded + input.shippingCharge + input.adjustment);
  return { lines, sub_total: subTotal, discount_amount: discount, tax_total: taxTotal, taxes, total };
}

export type InvoicePaymentStatus = 'paid' | 'partially_paid' | 'unpaid';

/** Balance and payment state of an invoice from its total and what was paid / credited against it. */
export function invoiceBalance(total: number, paymentMade: number, creditsApplied = 0): {
  balance: number;
  state: InvoicePaymentStatus;
} {
  const balance = round2(total - paymentMade - creditsApplied);
  const paid = round2(paymentMade + creditsApplied);
  if (balance <= 0) return { balance: Math.max(0, balance), state: 'paid' };
  if (paid > 0) return { balance, state: 'partially_paid' };
  return { balance, state: 'unpaid' };
}

export interface PaymentApplication {
  invoice_id: string;
  amount_applied: number;
  /** the invoice's balance before this payment is applied */
  invoiceBalance: number;
}

/**
 * Checks a payment's applications: each amount positive and at most the invoice's balance, and together at most
 * the payment amount. Returns the unused amount (becomes customer credit) or the first problem found.
 */
export function checkPaymentApplications(
  amount: number,
  applications: PaymentApplication[],
): { ok: true; unusedAmount: number; applied: number } | { ok: false; field: string; reason: string } {
  if (!(amount > 0)) return { ok: false, field: 'amount', reason: 'must be greater than zero' };
  let applied = 0;
  const seen = new Set<string>();
  for (const a of applications) {
    if (seen.has(a.invoice_id)) return { ok: false, field: 'invoices', reason: `invoice ${a.invoice_id} appears twice` };
    seen.add(a.invoice_id);
    if (!(a.amount_applied > 0)) return { ok: false, field: 'amount_applied', reason: 'must be greater than zero' };
    if (round2(a.amount_applied) > round2(a.invoiceBalance)) {
      return {
        ok: false,
        field: 'amount_applied',
        reason: `${a.amount_applied} exceeds the balance ${round2(a.invoiceBalance)} of invoice ${a.invoice_id}`,
      };
    }
    applied = round2(applied + a.amount_applied);
  }
  if (applied > round2(amount)) {
    return { ok: false, field: 'amount_applied', reason: `the amounts applied (${applied}) exceed the payment amount (${amount})` };
  }
  return { ok: true, applied, unusedAmount: round2(amount - applied) };
}
