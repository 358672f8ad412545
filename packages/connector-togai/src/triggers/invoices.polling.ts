// Polling trigger: invoices (of chosen statuses and class) created or changed since the last poll, plus a paged
// backfill (`listExisting`) with phases for "recent first, then older" initial syncs.
import { ConnectorError, defineTrigger, validateInput, type ConnectorContext, type JsonSchema, type PolledItem } from '@braid/connector-sdk';
import {
  fetchInvoice,
  invoiceFilterProperties,
  invoiceQuery,
  matchesInvoiceFilter,
  type InvoiceFilter,
  type TogaiInvoiceRow,
} from '../actions/invoices.action.js';
import { FILTER_PAGE_SIZE, togaiRows, type TogaiPage } from '../togai.http.js';
import { isChangeCursor, selectChanges } from './changes.cursor.js';
import { eventPayloadSchema, invoiceEvent, sampleEventPayload } from './event.payload.js';

const DAY_MS = 24 * 3600_000;

export interface InvoicesPollingConfig extends InvoiceFilter {
  includeLines: boolean;
  batchSize: number;
  periodLookbackDays?: number;
  recentDays: number;
}

const configSchema: JsonSchema = {
  type: 'object',
  properties: {
    statuses: invoiceFilterProperties.statuses,
    invoiceClass: invoiceFilterProperties.invoiceClass,
    accountId: invoiceFilterProperties.accountId,
    includeLines: {
      type: 'boolean',
      title: 'Include lines',
      description: 'Read each changed invoice in full (lines, VAT rates): one more call per invoice.',
      default: true,
    },
    batchSize: { type: 'integer', title: 'Invoices per poll', minimum: 1, maximum: 500, default: 100 },
    periodLookbackDays: {
      type: 'integer',
      title: 'Only billing periods of the last … days',
      description: 'Limits each poll\'s scan to invoices whose billing period started in this many days (empty: all invoices).',
      minimum: 1,
      maximum: 3660,
    },
    recentDays: {
      type: 'integer',
      title: 'Initial sync: "recent" means the last … days',
      description: 'Backfill phase "recent" takes invoices whose billing period started in this many days; phase "older" the rest.',
      minimum: 1,
      maximum: 3660,
      default: 365,
    },
  },
  additionalProperties: false,
};

function withDefaults(config: unknown): InvoicesPollingConfig {
  return validateInput<InvoicesPollingConfig>(configSchema, config ?? {}, 'configuration of "Invoice changed"');
}

async function toItem(ctx: ConnectorContext, row: TogaiInvoiceRow, includeLines: boolean, id: string): Promise<PolledItem> {
  const invoice = includeLines ? await fetchInvoice(ctx, row.id) : row;
  const payload = invoiceEvent(invoice);
  return { id, payload, modifiedAt: payload.occurredAt };
}

interface BackfillCursor {
  nextToken: string | null;
  /** epoch ms splitting "recent" from "older" (fixed at the first page) */
  boundaryMs: number;
}

/** `phase`: undefined/"all", "recent", "older", or "since:<ISO time>" (billing periods starting then or later). */
function phaseWindow(phase: string | undefined, boundaryMs: number): { startTime?: number; keep: (row: TogaiInvoiceRow) => boolean } {
  if (phase === undefined || phase === '' || phase === 'all') return { keep: () => true };
  if (phase === 'recent') return { startTime: boundaryMs, keep: (row) => Date.parse(String(row.startDate ?? '')) >= boundaryMs };
  if (phase === 'older') return { keep: (row) => !(Date.parse(String(row.startDate ?? '')) >= boundaryMs) };
  if (phase.startsWith('since:')) {
    const since = Date.parse(phase.slice('since:'.length));
    if (!Number.isNaN(since)) return { startTime: since, keep: (row) => Date.parse(String(row.startDate ?? '')) >= since };
  }
  throw new ConnectorError('INVALID_INPUT', `Unknown backfill phase "${phase}": use "recent", "older", "all" or "since:<ISO time>".`, {
    retryable: false,
  });
}

export const invoicesPollingTrigger = defineTrigger<InvoicesPollingConfig, unknown>({
  key: 'invoices_polling',
  kind: 'polling',
  title: 'Invoice changed (polling)',
  description:
    'Checks the platform\'s invoices on a schedule and starts the flow for each invoice of the chosen statuses and ' +
    'class that was generated or changed since the last check (the event type says which). Togai cannot sort by ' +
    'update time, so each check reads the invoice list (50 per call). Supports the initial sync of existing invoices.',
  configSchema,
  outputSchema: eventPayloadSchema,
  sampleOutput: sampleEventPayload,
  defaultIntervalMs: 5 * 60_000,
  poll: async (ctx, { cursor, config: raw }) => {
    const config = withDefaults(raw);
    const startTime = config.periodLookbackDays ? ctx.now().getTime() - config.periodLookbackDays * DAY_MS : undefined;
    const all = togaiRows<TogaiInvoiceRow>(ctx, '/invoices', invoiceQuery(config, startTime ? { startTime } : {}), FILTER_PAGE_SIZE);
    async function* matching() {
      for await (const row of all) if (matchesInvoiceFilter(row, config)) yield row;
    }
    const { changed, nextCursor, hasMore } = await selectChanges(matching(), isChangeCursor(cursor) ? cursor : null, config.batchSize);
    const items: PolledItem[] = [];
    for (const row of changed) items.push(await toItem(ctx, row, config.includeLines, `${row.id}@${String(row.updatedAt ?? '')}`));
    return { items, nextCursor, hasMore };
  },
  listExisting: async (ctx, { cursor, config: raw, phase }) => {
    const config = withDefaults(raw);
    const previous = cursor as BackfillCursor | null | undefined;
    const boundaryMs = previous?.boundaryMs ?? ctx.now().getTime() - config.recentDays * DAY_MS;
    const window = phaseWindow(phase, boundaryMs);
    const query = previous?.nextToken
      ? { nextToken: previous.nextToken }
      : { ...invoiceQuery(config, window.startTime !== undefined ? { startTime: window.startTime } : {}), pageSize: FILTER_PAGE_SIZE };
    const page = (await ctx.http.get<TogaiPage<TogaiInvoiceRow>>('/invoices', query)).body ?? {};
    const rows = Array.isArray(page.data) ? page.data : [];
    const items: PolledItem[] = [];
    for (const row of rows) {
      if (matchesInvoiceFilter(row, config) && window.keep(row)) items.push(await toItem(ctx, row, config.includeLines, row.id));
    }
    const nextToken = rows.length > 0 ? (page.nextToken ?? null) : null;
    return { items, nextCursor: nextToken ? { nextToken, boundaryMs } : null, hasMore: nextToken !== null };
  },
});
