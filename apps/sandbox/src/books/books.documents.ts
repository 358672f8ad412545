import { computeDocumentTotals, type LineInput, parseDiscount } from './books.arithmetic.js';
import { BooksError } from './books.errors.js';
import type { BooksEnv } from './books.env.js';
import { oneOf, optArray, optBool, optDate, optNumber, optString } from './books.input.js';
import type { LineItem, SalesDocumentFields } from './books.store.js';
import { addDays } from './books.time.js';

/**
 * Fields shared by invoices and bills: line items, discount, taxes and the totals they produce
 * (books.arithmetic.ts). `existing` is the current document on update; line items sent on update replace the
 * old ones (a line keeps its line_item_id when the body names it).
 */
export function applyDocumentFields(
  env: BooksEnv,
  body: Record<string, unknown>,
  doc: SalesDocumentFields,
  options: { creating: boolean; defaultTerms: number; defaultCurrencyId: string; requireAccount?: boolean },
): void {
  const books = env.books;
  const currencyId = optString(body, 'currency_id');
  if (currencyId !== undefined) {
    if (!books.currencies.has(currencyId)) throw BooksError.invalid('currency_id', 'no such currency in this organization');
    doc.currency_id = currencyId;
  } else if (options.creating) {
    doc.currency_id = options.defaultCurrencyId;
  }
  const rate = optNumber(body, 'exchange_rate');
  if (rate !== undefined) {
    if (!(rate > 0)) throw BooksError.invalid('exchange_rate');
    doc.exchange_rate = rate;
  }
  const date = optDate(body, 'date');
  if (date) doc.date = date;
  else if (options.creating) doc.date = env.today;
  const terms = optNumber(body, 'payment_terms');
  if (terms !== undefined) {
    if (!Number.isInteger(terms) || terms < 0) throw BooksError.invalid('payment_terms');
    doc.payment_terms = terms;
  } else if (options.creating) {
    doc.payment_terms = options.defaultTerms;
  }
  const label = optString(body, 'payment_terms_label', 100);
  if (label !== undefined) doc.payment_terms_label = label;
  else if (terms !== undefined || options.creating) doc.payment_terms_label = doc.payment_terms === 0 ? 'Due on Receipt' : `Net ${doc.payment_terms}`;
  const due = optDate(body, 'due_date');
  if (due) doc.due_date = due;
  else if (options.creating || date || terms !== undefined) doc.due_date = addDays(doc.date, doc.payment_terms);
  if (doc.due_date < doc.date) throw BooksError.invalid('due_date', 'must not be before the date');
  for (const [key, max] of [['reference_number', 100], ['notes', 5000], ['terms', 10000], ['adjustment_description', 100]] as const) {
    const v = optString(body, key, max);
    if (v !== undefined) doc[key] = v;
  }
  for (const key of ['shipping_charge', 'adjustment'] as const) {
    const v = optNumber(body, key);
    if (v !== undefined) doc[key] = v;
  }
  if (body.discount !== undefined) {
    if (parseDiscount(body.discount) === 'invalid') throw BooksError.invalid('discount', 'a number or a percentage like "12.5%"');
    doc.discount = body.discount === null ? 0 : (body.discount as string | number);
  }
  const discountType = oneOf(optString(body, 'discount_type'), 'discount_type', ['entity_level', 'item_level'] as const);
  const beforeTax = optBool(body, 'is_discount_before_tax');
  if (beforeTax !== undefined) doc.is_discount_before_tax = beforeTax;
  const inclusive = optBool(body, 'is_inclusive_tax');
  if (inclusive !== undefined) doc.is_inclusive_tax = inclusive;

  const lines = optArray(body, 'line_items');
  if (lines) {
    if (lines.length === 0) throw BooksError.required('line_items');
    doc.line_items = lines.map((raw, index) => readLine(env, raw, index, doc.line_items, options.requireAccount ?? false));
  } else if (options.creating) {
    throw BooksError.required('line_items');
  }
  if (discountType) doc.discount_type = discountType;
  else if (options.creating) {
    const anyLineDiscount = doc.line_items.some((l) => l.discount !== '' && l.discount !== 0);
    doc.discount_type = anyLineDiscount && !doc.discount ? 'item_level' : 'entity_level';
  }
  recomputeTotals(env, doc);
}

export function recomputeTotals(env: BooksEnv, doc: SalesDocumentFields): void {
  const lines: LineInput[] = doc.line_items.map((l) => {
    const tax = l.tax_id ? env.books.taxes.get(l.tax_id) : undefined;
    const discount = parseDiscount(l.discount);
    return {
      rate: l.rate,
      quantity: l.quantity,
      discount: discount === 'invalid' ? undefined : discount,
      tax: tax ? { tax_id: tax.tax_id, tax_name: tax.tax_name, tax_percentage: tax.tax_percentage } : undefined,
    };
  });
  const discount = parseDiscount(doc.discount);
  doc.totals = computeDocumentTotals({
    lines,
    discount: discount === 'invalid' ? undefined : discount,
    discountType: doc.discount_type,
    isDiscountBeforeTax: doc.is_discount_before_tax,
    isInclusiveTax: doc.is_inclusive_tax,
    shippingCharge: doc.shipping_charge,
    adjustment: doc.adjustment,
  });
  if (doc.totals.total < 0) throw BooksError.invalid('line_items', `the total would be negative (${doc.totals.total})`);
}

function readLine(env: BooksEnv, raw: Record<string, unknown>, index: number, previous: LineItem[], requireAccount: boolean): LineItem {
  const books = env.books;
  const field = (name: string) => `line_items[${index}].${name}`;
  const wrap = <T>(read: () => T, name: string): T => {
    try {
      return read();
    } catch {
      throw BooksError.invalid(field(name));
    }
  };
  const id = raw.line_item_id === undefined ? undefined : String(raw.line_item_id);
  const base = id ? previous.find((l) => l.line_item_id === id) : undefined;
  if (id && !base) throw BooksError.invalid(field('line_item_id'), 'not a line of this document');
  const itemId = wrap(() => optString(raw, 'item_id'), 'item_id');
  const item = itemId ? books.items.get(itemId) : undefined;
  if (itemId && !item) throw BooksError.invalid(field('item_id'), 'no such item in this organization');
  const line: LineItem = base
    ? { ...base }
    : {
        line_item_id: env.ids.booksId('record'), item_id: item?.item_id ?? '', name: item?.name ?? '',
        description: item?.description ?? '', rate: item?.rate ?? Number.NaN, quantity: 1, unit: item?.unit ?? '',
        discount: 0, tax_id: item?.tax_id ?? '', account_id: item?.account_id ?? '', item_order: index + 1,
        product_type: item?.product_type ?? 'services', tags: [],
      };
  if (item) line.item_id = item.item_id;
  const name = wrap(() => optString(raw, 'name', 100), 'name');
  if (name !== undefined) line.name = name;
  const description = wrap(() => optString(raw, 'description', 2000), 'description');
  if (description !== undefined) line.description = description;
  const rate = wrap(() => optNumber(raw, 'rate'), 'rate');
  if (rate !== undefined) line.rate = rate;
  if (Number.isNaN(line.rate)) throw BooksError.required(field('rate'));
  const quantity = wrap(() => optNumber(raw, 'quantity'), 'quantity');
  if (quantity !== undefined) line.quantity = quantity;
  const unit = wrap(() => optString(raw, 'unit', 50), 'unit');
  if (unit !== undefined) line.unit = unit;
  if (raw.discount !== undefined) {
    if (parseDiscount(raw.discount) === 'invalid') throw BooksError.invalid(field('discount'));
    line.discount = raw.discount === null ? 0 : (raw.discount as string | number);
  } else if (raw.discount_amount !== undefined) {
    const amount = wrap(() => optNumber(raw, 'discount_amount'), 'discount_amount');
    if (amount !== undefined) line.discount = amount;
  }
  const taxId = wrap(() => optString(raw, 'tax_id'), 'tax_id');
  if (taxId !== undefined) {
    if (taxId !== '' && !books.taxes.has(taxId)) throw BooksError.invalid(field('tax_id'), 'no such tax in this organization');
    line.tax_id = taxId;
  }
  const accountId = wrap(() => optString(raw, 'account_id'), 'account_id');
  if (accountId !== undefined) {
    if (accountId !== '' && !books.accounts.has(accountId)) throw BooksError.invalid(field('account_id'), 'no such account in the chart of accounts');
    line.account_id = accountId;
  }
  if (requireAccount && !line.account_id) throw BooksError.required(field('account_id'));
  const order = wrap(() => optNumber(raw, 'item_order'), 'item_order');
  if (order !== undefined) line.item_order = order;
  const productType = wrap(() => optString(raw, 'product_type'), 'product_type');
  if (productType !== undefined) line.product_type = productType;
  const tags = wrap(() => optArray(raw, 'tags'), 'tags');
  if (tags) {
    line.tags = tags.map((t) => {
      const tag = books.tags.get(String(t.tag_id));
      if (!tag || !tag.tag_options.some((o) => o.tag_option_id === String(t.tag_option_id))) throw BooksError.invalid(field('tags'));
      return { tag_id: String(t.tag_id), tag_option_id: String(t.tag_option_id) };
    });
  }
  return line;
}
