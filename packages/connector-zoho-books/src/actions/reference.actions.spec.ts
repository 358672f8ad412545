import { loadDynamicOptions } from '@braid/connector-sdk';
import { wellKnown } from '@braid/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectBooks,
  expectValidOutput,
  startBooksSandbox,
  type BooksConnection,
  type BooksSandbox,
} from '../test-support/books.fixture.js';
import { zohoBooksConnector } from '../zoho-books.connector.js';

describe('reference data, tax matching and dynamic options (against the sandbox over HTTP)', () => {
  let sandbox: BooksSandbox;
  let books: BooksConnection;
  beforeAll(async () => {
    sandbox = await startBooksSandbox('demo');
    books = await connectBooks(sandbox);
  });
  afterAll(async () => sandbox?.close());

  it('lists and reads currencies, accounts, taxes, reporting tags, items and organisations', async () => {
    const cases: Array<[string, string, string, string]> = [
      ['currencies', 'currency', 'currency_id', 'currencies'],
      ['accounts', 'account', 'account_id', 'accounts'],
      ['taxes', 'tax', 'tax_id', 'taxes'],
      ['reporting_tags', 'reporting_tag', 'tag_id', 'reporting_tags'],
      ['items', 'item', 'item_id', 'items'],
      ['organizations', 'organization', 'organization_id', 'organizations'],
    ];
    for (const [plural, singular, idKey, listKey] of cases) {
      const list = await books.run(`list_${plural}`, {});
      expectValidOutput(`list_${plural}`, list);
      expect(list.count, plural).toBeGreaterThan(0);
      expect(list.truncated).toBe(false);
      const first = list[listKey][0];
      const one = await books.run(`get_${singular}`, { [idKey]: first[idKey] });
      expectValidOutput(`get_${singular}`, one);
      expect(one[idKey]).toBe(first[idKey]);
    }
    const currencies = await books.run('list_currencies', { exclude_base_currency: true });
    expect(currencies.currencies.some((c: { is_base_currency: boolean }) => c.is_base_currency)).toBe(false);
    const orgs = await books.run('list_organizations', {});
    expect(orgs.organizations.map((o: { organization_id: string }) => o.organization_id).sort()).toEqual(
      [wellKnown.booksOrgs.acmeUs, wellKnown.booksOrgs.acmeUk].sort(),
    );
    const limited = await books.run('list_accounts', { limit: 3 });
    expect(limited).toMatchObject({ count: 3, truncated: true });
  });

  it('find_tax_by_rate: a rate with a tax → its id; a rate without → VALIDATION naming the rate', async () => {
    const match = await books.run('find_tax_by_rate', { percentage: 19 });
    expectValidOutput('find_tax_by_rate', match);
    expect(match).toMatchObject({ tax_percentage: 19, tax_name: 'VAT 19%', match_count: 1 });
    const zero = await books.run('find_tax_by_rate', { percentage: 0 });
    expect(zero.tax_percentage).toBe(0);
    const error = await books.run('find_tax_by_rate', { percentage: 21 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VALIDATION', field: 'percentage', retryable: false });
    expect((error as Error).message).toContain('21 %');
    expect((error as Error).message).toContain('19 %');
  });

  it('fills dropdowns from the organisation: taxes, currencies, accounts by type, items, customers', async () => {
    const taxes = await loadDynamicOptions(zohoBooksConnector, 'taxes', books.ctx);
    expect(taxes.map((t) => t.label)).toContain('VAT 19% (19 %)');
    const currencies = await loadDynamicOptions(zohoBooksConnector, 'currencies', books.ctx);
    expect(currencies.find((c) => c.description === 'base currency')?.label).toMatch(/^USD/);
    const banks = await loadDynamicOptions(zohoBooksConnector, 'accounts', books.ctx, { account_type: 'bank' });
    expect(banks.map((a) => a.label).sort()).toEqual(['Business Checking', 'Business Savings']);
    const deposit = await loadDynamicOptions(zohoBooksConnector, 'deposit_accounts', books.ctx);
    expect(deposit.map((a) => a.label)).toContain('Undeposited Funds');
    const expenses = await loadDynamicOptions(zohoBooksConnector, 'expense_accounts', books.ctx);
    expect(expenses.map((a) => a.label)).toEqual(expect.arrayContaining(['Payment Processing Fees', 'Bank Fees and Charges']));
    expect(expenses.every((a) => !/bank ·|cash ·/.test(a.description ?? ''))).toBe(true);
    const items = await loadDynamicOptions(zohoBooksConnector, 'items', books.ctx);
    expect(items.map((i) => i.label)).toContain('Consulting Hour');
    const customers = await loadDynamicOptions(zohoBooksConnector, 'customers', books.ctx);
    expect(customers.map((c) => c.label)).toContain('Globex Corporation');
    expect(customers.map((c) => c.label)).not.toContain('Office Supplies Co');
    const vendors = await loadDynamicOptions(zohoBooksConnector, 'vendors', books.ctx);
    expect(vendors.map((c) => c.label)).toEqual(['Cloud Hosting Ltd', 'Office Supplies Co']);
  });

  it('offers the organisations before one is chosen, and tests a connection', async () => {
    const unchosen = await connectBooks(sandbox, { organizationId: null });
    const orgs = await loadDynamicOptions(zohoBooksConnector, 'organizations', unchosen.ctx);
    expect(orgs.map((o) => [o.value, o.label])).toEqual(
      expect.arrayContaining([[wellKnown.booksOrgs.acmeUs, 'Acme Inc'], [wellKnown.booksOrgs.acmeUk, 'Acme UK Ltd']]),
    );
    await expect(unchosen.run('list_taxes', {})).rejects.toMatchObject({ code: 'VALIDATION', field: 'organizationId' });
    expect(await zohoBooksConnector.testConnection!(books.ctx)).toEqual({ ok: true, accountLabel: `Acme Inc (${wellKnown.booksOrgs.acmeUs})` });
  });
});
