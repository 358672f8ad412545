// Choices filled from the connected organisation (dropdowns in the editor and the connection form).
import { collectRows, type ConnectorContext, type DynamicOption, type DynamicOptionsLoader } from '@braid/connector-sdk';
import { listAll, type BooksRecord } from './books.http.js';

/** The editor lists at most 2000 choices; reading further pages would only cost quota. */
const MAX_CHOICES = 2000;

async function rows(
  ctx: ConnectorContext,
  path: string,
  key: string,
  query: Record<string, string | undefined> = {},
  orgless = false,
): Promise<BooksRecord[]> {
  return (await collectRows(listAll(ctx, path, key, query, orgless ? { orgless: true } : {}), MAX_CHOICES)).items;
}

const accountsOfTypes =
  (fixed?: string[]): DynamicOptionsLoader =>
  async (ctx, values) => {
    // A field may narrow the types through `dependsOn: ['account_type']` / ['account_types'].
    const chosen = values.account_types ?? values.account_type;
    const wanted = fixed ?? (Array.isArray(chosen) ? chosen.map(String) : typeof chosen === 'string' && chosen ? [chosen] : undefined);
    const accounts = await rows(ctx, '/chartofaccounts', 'chartofaccounts', { filter_by: 'AccountType.Active' });
    return accounts
      .filter((a) => !wanted || wanted.includes(String(a.account_type)))
      .map(
        (a): DynamicOption => ({
          value: String(a.account_id),
          label: String(a.account_name),
          description: `${String(a.account_type)}${a.account_code ? ` · ${String(a.account_code)}` : ''}`,
        }),
      );
  };

const contactsOfType =
  (type: 'customer' | 'vendor' | undefined): DynamicOptionsLoader =>
  async (ctx) =>
    (await rows(ctx, '/contacts', 'contacts', { filter_by: 'Status.Active', contact_type: type })).map((c) => ({
      value: String(c.contact_id),
      label: String(c.contact_name),
      ...(c.email ? { description: String(c.email) } : {}),
    }));

export const booksDynamicOptions: Record<string, DynamicOptionsLoader> = {
  /** For the connection form: the organisations of the authorised user (works before one is chosen). */
  organizations: async (ctx) =>
    (await rows(ctx, '/organizations', 'organizations', {}, true)).map((o) => ({
      value: String(o.organization_id),
      label: String(o.name),
      description: `${String(o.organization_id)} · ${String(o.currency_code ?? '')}`,
    })),
  taxes: async (ctx) =>
    (await rows(ctx, '/settings/taxes', 'taxes')).map((t) => ({
      value: String(t.tax_id),
      label: `${String(t.tax_name)} (${Number(t.tax_percentage)} %)`,
    })),
  currencies: async (ctx) =>
    (await rows(ctx, '/settings/currencies', 'currencies')).map((c) => ({
      value: String(c.currency_id),
      label: `${String(c.currency_code)} – ${String(c.currency_name ?? '')}`,
      ...(c.is_base_currency ? { description: 'base currency' } : {}),
    })),
  accounts: accountsOfTypes(),
  bank_accounts: accountsOfTypes(['bank', 'cash']),
  /** Where customer payments can be deposited (Undeposited Funds is a cash account). */
  deposit_accounts: accountsOfTypes(['bank', 'cash', 'other_current_asset']),
  expense_accounts: accountsOfTypes([
    'expense', 'cost_of_goods_sold', 'other_expense', 'finance_expense', 'manufacturing_expense', 'lease_expense',
    'employee_benefit_expense', 'depreciation_expense', 'impairment_expense', 'tax_expense',
  ]),
  items: async (ctx) =>
    (await rows(ctx, '/items', 'items', { filter_by: 'Status.Active' })).map((i) => ({
      value: String(i.item_id),
      label: String(i.name),
      description: `rate ${Number(i.rate)}`,
    })),
  customers: contactsOfType('customer'),
  vendors: contactsOfType('vendor'),
  contacts: contactsOfType(undefined),
  reporting_tags: async (ctx) =>
    (await rows(ctx, '/reportingtags', 'tags')).map((t) => ({ value: String(t.tag_id), label: String(t.tag_name) })),
};
