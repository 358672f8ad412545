// Polling trigger: accounts (or customers) created or changed since the last poll, plus a paged backfill.
import { defineTrigger, validateInput, type JsonSchema, type PolledItem } from '@braid/connector-sdk';
import type { TogaiAccount } from '../actions/accounts.action.js';
import { ENTITY_PAGE_SIZE, togaiRows, type TogaiPage } from '../togai.http.js';
import { sampleAccount } from '../togai.schemas.js';
import { isChangeCursor, selectChanges } from './changes.cursor.js';
import { eventPayloadSchema, recordEvent, type RecordRow as Row } from './event.payload.js';

export interface AccountsPollingConfig {
  record: 'account' | 'customer';
  statuses: string[];
  batchSize: number;
}

const configSchema: JsonSchema = {
  type: 'object',
  properties: {
    record: {
      type: 'string',
      title: 'Records',
      description: 'Accounts (billing units, default) or customers (the paying companies).',
      enum: ['account', 'customer'],
      default: 'account',
    },
    statuses: {
      type: 'array',
      title: 'Statuses',
      description: 'Only records in these statuses (empty: all, including ARCHIVED).',
      items: { type: 'string', enum: ['ACTIVE', 'DRAFT', 'ARCHIVED'] },
      uniqueItems: true,
      default: [],
    },
    batchSize: { type: 'integer', title: 'Records per poll', minimum: 1, maximum: 500, default: 100 },
  },
  additionalProperties: false,
};

function withDefaults(config: unknown): AccountsPollingConfig {
  return validateInput<AccountsPollingConfig>(configSchema, config ?? {}, 'configuration of "Account changed"');
}

const pathOf = (config: AccountsPollingConfig) => (config.record === 'customer' ? '/customers' : '/accounts');
const keep = (config: AccountsPollingConfig) => (row: Row) => config.statuses.length === 0 || config.statuses.includes(String(row.status));

export const accountsPollingTrigger = defineTrigger<AccountsPollingConfig, unknown>({
  key: 'accounts_polling',
  kind: 'polling',
  title: 'Account changed (polling)',
  description:
    'Checks the platform on a schedule and starts the flow for each account (or customer) created or changed since ' +
    'the last check. Each check reads the list (100 per call). Supports the initial sync of existing records.',
  configSchema,
  outputSchema: eventPayloadSchema,
  sampleOutput: {
    eventId: `${sampleAccount.id}@${sampleAccount.updatedAt}`,
    type: 'account.created',
    objectType: 'account',
    objectId: sampleAccount.id,
    occurredAt: sampleAccount.updatedAt,
    data: sampleAccount,
  },
  defaultIntervalMs: 5 * 60_000,
  poll: async (ctx, { cursor, config: raw }) => {
    const config = withDefaults(raw);
    const all = togaiRows<Row>(ctx, pathOf(config), {}, ENTITY_PAGE_SIZE);
    const wanted = keep(config);
    async function* matching() {
      for await (const row of all) if (wanted(row)) yield row;
    }
    const { changed, nextCursor, hasMore } = await selectChanges(matching(), isChangeCursor(cursor) ? cursor : null, config.batchSize);
    const items: PolledItem[] = changed.map((row) => {
      const payload = recordEvent(config.record, row);
      return { id: payload.eventId!, payload, modifiedAt: payload.occurredAt };
    });
    return { items, nextCursor, hasMore };
  },
  listExisting: async (ctx, { cursor, config: raw }) => {
    const config = withDefaults(raw);
    const token = (cursor as { nextToken?: string } | null | undefined)?.nextToken;
    const page = (await ctx.http.get<TogaiPage<TogaiAccount>>(pathOf(config), token ? { nextToken: token } : { pageSize: ENTITY_PAGE_SIZE })).body ?? {};
    const rows = (Array.isArray(page.data) ? page.data : []) as Row[];
    const items: PolledItem[] = rows.filter(keep(config)).map((row) => ({ id: row.id, payload: recordEvent(config.record, row), modifiedAt: String(row.updatedAt ?? '') }));
    const nextToken = rows.length > 0 ? (page.nextToken ?? null) : null;
    return { items, nextCursor: nextToken ? { nextToken } : null, hasMore: nextToken !== null };
  },
});
