// Reference data: currencies, chart of accounts, taxes (with lookup by rate), reporting tags, items,
// organisations. Lists stream pages of 200 and stop at the limit.
import { ConnectorError, defineAction, type ActionDefinition, type ConnectorContext, type JsonSchema, collectRows, listOutput } from '@braid/connector-sdk';
import { booksCall, listAll, pick, type BooksRecord } from '../books.http.js';
import { accountSchema, currencySchema, idSchema, itemSchema, limitSchema, organizationSchema, reportingTagSchema, S, taxSchema } from '../books.schemas.js';
import {
  sampleAccount,
  sampleCurrency,
  sampleItem,
  sampleOrganization,
  sampleReportingTag,
  sampleTax,
} from '../books.samples.js';

export const ACCOUNT_TYPES = [
  'other_asset', 'other_current_asset', 'intangible_asset', 'right_to_use_asset', 'financial_asset', 'contingent_asset',
  'contract_asset', 'cash', 'bank', 'fixed_asset', 'other_current_liability', 'contract_liability', 'refund_liability',
  'credit_card', 'long_term_liability', 'loans_and_borrowing', 'lease_liability', 'employee_benefit_liability',
  'contingent_liability', 'financial_liability', 'other_liability', 'equity', 'income', 'finance_income',
  'other_comprehensive_income', 'other_income', 'expense', 'manufacturing_expense', 'impairment_expense',
  'depreciation_expense', 'employee_benefit_expense', 'lease_expense', 'finance_expense', 'tax_expense',
  'cost_of_goods_sold', 'other_expense', 'accounts_receivable', 'accounts_payable',
] as const;

interface ResourceSpec {
  /** singular, for keys and titles: currency → list_currencies/get_currency */
  singular: string;
  plural: string;
  titleSingular: string;
  titlePlural: string;
  path: string;
  listKey: string;
  itemKey: string;
  idKey: string;
  schema: JsonSchema;
  sample: BooksRecord;
  orgless?: boolean;
  listFilters?: Record<string, JsonSchema>;
  toQuery?: (input: BooksRecord) => Record<string, string | undefined>;
  /** filters Books cannot apply server-side */
  keep?: (row: BooksRecord, input: BooksRecord) => boolean;
  listDescription?: string;
}

function listAction(spec: ResourceSpec): ActionDefinition {
  return defineAction<BooksRecord & { limit: number }, BooksRecord>({
    key: `list_${spec.plural}`,
    title: `List ${spec.titlePlural}`,
    description: spec.listDescription ?? `Lists the organisation's ${spec.titlePlural} up to the limit.`,
    input: {
      type: 'object',
      properties: { ...(spec.listFilters ?? {}), limit: limitSchema },
      additionalProperties: false,
    },
    output: listOutput(spec.plural, spec.schema),
    sampleOutput: { [spec.plural]: [spec.sample], count: 1, truncated: false },
    classification: 'read',
    idempotent: true,
    run: async (ctx, input) => {
      const rows = filterRows(
        listAll<BooksRecord>(ctx, spec.path, spec.listKey, spec.toQuery?.(input) ?? {}, spec.orgless ? { orgless: true } : {}),
        (row) => spec.keep?.(row, input) ?? true,
      );
      const { items, truncated } = await collectRows(rows, input.limit);
      return { [spec.plural]: items, count: items.length, truncated };
    },
  });
}

function getAction(spec: ResourceSpec): ActionDefinition {
  return defineAction<BooksRecord, BooksRecord>({
    key: `get_${spec.singular}`,
    title: `Get ${spec.titleSingular}`,
    description: `Reads one ${spec.titleSingular} by id.`,
    input: {
      type: 'object',
      properties: { [spec.idKey]: idSchema(spec.titleSingular) },
      required: [spec.idKey],
      additionalProperties: false,
    },
    output: spec.schema,
    sampleOutput: spec.sample,
    classification: 'read',
    idempotent: true,
    run: async (ctx, input) => {
      const { body } = await booksCall(ctx, 'GET', `${spec.path}/${encodeURIComponent(String(input[spec.idKey]))}`, {
        ...(spec.orgless ? { orgless: true } : {}),
      });
      return pick(body, spec.itemKey, spec.titleSingular);
    },
  });
}

async function* filterRows<T>(rows: AsyncIterable<T>, keep: (row: T) => boolean): AsyncGenerator<T> {
  for await (const row of rows) if (keep(row)) yield row;
}

const accountTypeFilter = (title: string): JsonSchema => ({
  type: 'array',
  title,
  description: 'Only accounts of these types (e.g. bank and cash for deposits, expense for fees).',
  items: { type: 'string', enum: [...ACCOUNT_TYPES] },
  uniqueItems: true,
});

export const resources: Record<string, ResourceSpec> = {
  currency: {
    singular: 'currency', plural: 'currencies', titleSingular: 'currency', titlePlural: 'currencies',
    path: '/settings/currencies', listKey: 'currencies', itemKey: 'currency', idKey: 'currency_id',
    schema: currencySchema, sample: sampleCurrency,
    listFilters: { exclude_base_currency: { type: 'boolean', title: 'Without the base currency', default: false } },
    toQuery: (input) => ({ filter_by: input.exclude_base_currency ? 'Currencies.ExcludeBaseCurrency' : undefined }),
  },
  account: {
    singular: 'account', plural: 'accounts', titleSingular: 'account', titlePlural: 'chart of accounts',
    path: '/chartofaccounts', listKey: 'chartofaccounts', itemKey: 'chart_of_account', idKey: 'account_id',
    schema: accountSchema, sample: sampleAccount,
    listDescription: 'Lists the chart of accounts, optionally only some account types (e.g. bank, cash, expense).',
    listFilters: {
      account_types: accountTypeFilter('Account types'),
      include_inactive: { type: 'boolean', title: 'Include inactive accounts', default: false },
    },
    toQuery: (input) => ({ filter_by: input.include_inactive ? 'AccountType.All' : 'AccountType.Active' }),
    keep: (row, input) => {
      const types = input.account_types as string[] | undefined;
      return !types || types.length === 0 || types.includes(String(row.account_type));
    },
  },
  tax: {
    singular: 'tax', plural: 'taxes', titleSingular: 'tax', titlePlural: 'taxes',
    path: '/settings/taxes', listKey: 'taxes', itemKey: 'tax', idKey: 'tax_id', schema: taxSchema, sample: sampleTax,
  },
  reportingTag: {
    singular: 'reporting_tag', plural: 'reporting_tags', titleSingular: 'reporting tag', titlePlural: 'reporting tags',
    path: '/reportingtags', listKey: 'tags', itemKey: 'reporting_tag', idKey: 'tag_id',
    schema: reportingTagSchema, sample: sampleReportingTag,
  },
  item: {
    singular: 'item', plural: 'items', titleSingular: 'item', titlePlural: 'items',
    path: '/items', listKey: 'items', itemKey: 'item', idKey: 'item_id', schema: itemSchema, sample: sampleItem,
    listFilters: {
      status: { type: 'string', title: 'Status', enum: ['all', 'active', 'inactive'], default: 'active' },
      search_text: S.str('Search', 'Matches name, description or SKU.'),
    },
    toQuery: (input) => ({
      filter_by: { all: 'Status.All', active: 'Status.Active', inactive: 'Status.Inactive' }[String(input.status ?? 'active')],
      search_text: input.search_text as string | undefined,
    }),
  },
  organization: {
    singular: 'organization', plural: 'organizations', titleSingular: 'organisation', titlePlural: 'organisations',
    path: '/organizations', listKey: 'organizations', itemKey: 'organization', idKey: 'organization_id',
    schema: organizationSchema, sample: sampleOrganization, orgless: true,
    listDescription: 'Lists the Books organisations the connected user belongs to.',
  },
};

/** Taxes of the organisation, all pages. */
export async function loadTaxes(ctx: ConnectorContext): Promise<BooksRecord[]> {
  const { items } = await collectRows(listAll(ctx, '/settings/taxes', 'taxes'), 10_000);
  return items;
}

/** Percentages compare to 1/1000 of a point: Books returns 19 for 19 %, some sources send 19.0 or "19.00". */
export function matchTaxByRate(taxes: BooksRecord[], percentage: number): BooksRecord[] {
  return taxes.filter((t) => Math.abs(Number(t.tax_percentage) - percentage) < 0.0005);
}

/** The error a rate without a Books tax gets (the step fails naming the rate). */
function noTaxWithRate(percentage: number, taxes: BooksRecord[], where = ''): ConnectorError {
  const rates = [...new Set(taxes.map((t) => Number(t.tax_percentage)))].sort((a, b) => a - b);
  return new ConnectorError(
    'VALIDATION',
    `No Zoho Books tax has the rate ${percentage} %${where}. The organisation's tax rates are: ` +
      `${rates.length > 0 ? rates.map((r) => `${r} %`).join(', ') : 'none'}. Create a tax with ${percentage} % in ` +
      'Books (Settings → Taxes) or map the rate to an existing one.',
    { retryable: false, field: 'percentage', details: { percentage, availableRates: rates } },
  );
}

/**
 * Line items may give `tax_percentage` instead of `tax_id` (e.g. the platform's VAT rate): each becomes the
 * Books tax with that rate. Taxes are read once per call, only when a line needs it.
 */
export async function resolveLineTaxes(ctx: ConnectorContext, lines: unknown): Promise<unknown> {
  if (!Array.isArray(lines)) return lines;
  const needs = lines.some((l) => l && typeof l === 'object' && (l as BooksRecord).tax_percentage !== undefined && !(l as BooksRecord).tax_id);
  const taxes = needs ? await loadTaxes(ctx) : [];
  return lines.map((raw, index) => {
    if (!raw || typeof raw !== 'object') return raw;
    const { tax_percentage: rate, ...line } = raw as BooksRecord;
    if (rate === undefined || line.tax_id) return line;
    const match = matchTaxByRate(taxes, Number(rate))[0];
    if (!match) {
      const error = noTaxWithRate(Number(rate), taxes, ` (line ${index + 1})`);
      throw new ConnectorError('VALIDATION', error.message, {
        retryable: false,
        field: `line_items[${index}].tax_percentage`,
        ...(error.details ? { details: error.details } : {}),
      });
    }
    return { ...line, tax_id: String(match.tax_id) };
  });
}

export const findTaxByRate = defineAction<
  { percentage: number; prefer_name_contains?: string },
  { tax_id: string; tax_name: string; tax_percentage: number; match_count: number; tax: BooksRecord }
>({
  key: 'find_tax_by_rate',
  title: 'Find tax by rate',
  description:
    'Returns the Books tax whose percentage equals the given rate (e.g. a line\'s VAT 19 → the "VAT 19%" tax). ' +
    'No tax with that rate fails the step with a VALIDATION error naming the rate. When several taxes share the ' +
    'rate, the one whose name contains the preferred text wins, else the first.',
  input: {
    type: 'object',
    properties: {
      percentage: S.num('Rate (%)', 'e.g. 19 for 19 %.', { minimum: 0, maximum: 100 }),
      prefer_name_contains: S.str('Prefer a tax whose name contains', 'e.g. "VAT" when a sales tax has the same rate.'),
    },
    required: ['percentage'],
    additionalProperties: false,
  },
  output: {
    type: 'object',
    properties: {
      tax_id: { type: 'string' },
      tax_name: { type: 'string' },
      tax_percentage: { type: 'number' },
      match_count: { type: 'integer', minimum: 1 },
      tax: taxSchema,
    },
    required: ['tax_id', 'tax_name', 'tax_percentage', 'match_count', 'tax'],
    additionalProperties: false,
  },
  sampleOutput: { tax_id: '460000000024005', tax_name: 'VAT 19%', tax_percentage: 19, match_count: 1, tax: sampleTax },
  classification: 'read',
  idempotent: true,
  run: async (ctx, input) => {
    const taxes = await loadTaxes(ctx);
    const matches = matchTaxByRate(taxes, input.percentage);
    if (matches.length === 0) throw noTaxWithRate(input.percentage, taxes);
    const preferred = input.prefer_name_contains?.toLowerCase();
    const tax = (preferred && matches.find((t) => String(t.tax_name ?? '').toLowerCase().includes(preferred))) || matches[0]!;
    return {
      tax_id: String(tax.tax_id),
      tax_name: String(tax.tax_name ?? ''),
      tax_percentage: Number(tax.tax_percentage),
      match_count: matches.length,
      tax,
    };
  },
});

export const referenceActions: ActionDefinition[] = [
  ...Object.values(resources).flatMap((spec) => [listAction(spec), getAction(spec)]),
  findTaxByRate,
];
