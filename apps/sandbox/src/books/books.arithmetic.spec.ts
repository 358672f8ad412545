import { describe, expect, it } from 'vitest';
import { checkPaymentApplications, computeDocumentTotals, type DocumentInput, invoiceBalance, parseDiscount } from './books.arithmetic.js';

const vat19 = { tax_id: 't19', tax_name: 'VAT 19%', tax_percentage: 19 };
const tax7 = { tax_id: 't7', tax_name: 'Sales Tax 7%', tax_percentage: 7 };
const base: Omit<DocumentInput, 'lines'> = {
  discountType: 'entity_level', isDiscountBeforeTax: true, isInclusiveTax: false, shippingCharge: 0, adjustment: 0,
};

describe('document totals', () => {
  it('adds line totals and taxes per tax', () => {
    const totals = computeDocumentTotals({
      ...base,
      lines: [
        { rate: 100, quantity: 2, tax: vat19 },
        { rate: 50, quantity: 1, tax: tax7 },
        { rate: 10.5, quantity: 3, tax: vat19 },
      ],
    });
    expect(totals.lines.map((l) => l.item_total)).toEqual([200, 50, 31.5]);
    expect(totals.sub_total).toBe(281.5);
    expect(totals.taxes).toEqual([
      { tax_id: 't19', tax_name: 'VAT 19%', tax_amount: 43.99 },
      { tax_id: 't7', tax_name: 'Sales Tax 7%', tax_amount: 3.5 },
    ]);
    expect(totals.tax_total).toBe(47.49);
    expect(totals.total).toBe(328.99);
  });

  it('takes an entity-level discount before tax, proportionally off every line', () => {
    const totals = computeDocumentTotals({
      ...base,
      discount: { kind: 'percent', value: 10 },
      lines: [{ rate: 200, quantity: 1, tax: vat19 }, { rate: 100, quantity: 1 }],
    });
    expect(totals.sub_total).toBe(300);
    expect(totals.discount_amount).toBe(30);
    expect(totals.tax_total).toBe(34.2); // 19% of 180
    expect(totals.total).toBe(304.2);
  });

  it('takes an absolute discount after tax when asked to', () => {
    const totals = computeDocumentTotals({
      ...base,
      isDiscountBeforeTax: false,
      discount: { kind: 'amount', value: 19 },
      lines: [{ rate: 100, quantity: 1, tax: vat19 }],
    });
    expect(totals.tax_total).toBe(19);
    expect(totals.discount_amount).toBe(19);
    expect(totals.total).toBe(100);
  });

  it('applies item-level discounts only for item_level documents and carries negative lines with negative tax', () => {
    const lines = [
      { rate: 100, quantity: 3, discount: { kind: 'percent' as const, value: 10 }, tax: vat19 },
      { rate: -50, quantity: 1, tax: vat19 },
    ];
    const itemLevel = computeDocumentTotals({ ...base, discountType: 'item_level', lines });
    expect(itemLevel.lines[0]).toEqual({ item_total: 270, discount_amount: 30, tax_amount: 51.3 });
    expect(itemLevel.lines[1]).toEqual({ item_total: -50, discount_amount: 0, tax_amount: -9.5 });
    expect(itemLevel.sub_total).toBe(220);
    expect(itemLevel.tax_total).toBe(41.8);
    expect(itemLevel.total).toBe(261.8);
    const entityLevel = computeDocumentTotals({ ...base, lines });
    expect(entityLevel.sub_total).toBe(250);
  });

  it('extracts tax from inclusive prices and adds shipping and adjustment', () => {
    const totals = computeDocumentTotals({
      ...base,
      isInclusiveTax: true,
      shippingCharge: 5,
      adjustment: -0.5,
      lines: [{ rate: 119, quantity: 1, tax: vat19 }],
    });
    expect(totals.tax_total).toBe(19);
    expect(totals.total).toBe(123.5);
  });
});

describe('discount parsing, balances and payment applications', () => {
  it('parses Books discounts', () => {
    expect(parseDiscount('12.5%')).toEqual({ kind: 'percent', value: 12.5 });
    expect(parseDiscount(190)).toEqual({ kind: 'amount', value: 190 });
    expect(parseDiscount('20')).toEqual({ kind: 'amount', value: 20 });
    expect(parseDiscount('ten')).toBe('invalid');
    expect(parseDiscount(undefined)).toBeUndefined();
  });

  it('derives balance and paid state', () => {
    expect(invoiceBalance(100, 0)).toEqual({ balance: 100, state: 'unpaid' });
    expect(invoiceBalance(100, 40)).toEqual({ balance: 60, state: 'partially_paid' });
    expect(invoiceBalance(100, 60, 40)).toEqual({ balance: 0, state: 'paid' });
  });

  it('checks payment applications against balances and the amount; the rest is unused credit', () => {
    expect(checkPaymentApplications(150, [
      { invoice_id: 'a', amount_applied: 100, invoiceBalance: 100 },
      { invoice_id: 'b', amount_applied: 20, invoiceBalance: 80 },
    ])).toEqual({ ok: true, applied: 120, unusedAmount: 30 });
    expect(checkPaymentApplications(50, [{ invoice_id: 'a', amount_applied: 60, invoiceBalance: 100 }])).toMatchObject({ ok: false, field: 'amount_applied' });
    expect(checkPaymentApplications(500, [{ invoice_id: 'a', amount_applied: 101, invoiceBalance: 100 }])).toMatchObject({ ok: false });
    expect(checkPaymentApplications(0, [])).toMatchObject({ ok: false, field: 'amount' });
    expect(checkPaymentApplications(10, [
      { invoice_id: 'a', amount_applied: 5, invoiceBalance: 100 },
      { invoice_id: 'a', amount_applied: 5, invoiceBalance: 100 },
    ])).toMatchObject({ ok: false, field: 'invoices' });
  });
});
