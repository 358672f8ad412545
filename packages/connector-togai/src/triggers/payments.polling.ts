// Polling trigger: payments recorded since the last poll (payments do not change, so `createdAt` orders them), plus a
// paged backfill.
import { ConnectorError, defineTrigger, validateInput, type JsonSchema, type PolledItem } from '@braid/connector-sdk';
import type { TogaiPayment } from '../actions/payments.action.js';
import { FILTER_PAGE_SIZE, togaiRows, type TogaiPage } from '../togai.http.js';
import { samplePayment } from '../togai.schemas.js';
import { isChangeCursor, selectChanges } from './changes.cursor.js';
import { eventPayloadSchema, paymentEvent } from './event.payload.js';

export interface PaymentsPollingConfig {
  accountId?: string;
  batchSize: number;
}

const configSchema: JsonSchema = {
  type: 'object',
  properties: {
    accountId: { type: 'string', title: 'Account id', description: 'Only payments of this account (empty: all).' },
    batchSize: { type: 'integer', title: 'Payments per poll', minimum: 1, maximum: 500, default: 100 },
  },
  additionalProperties: false,
};

function withDefaults(config: unknown): PaymentsPollingConfig {
  return validateInput<PaymentsPollingConfig>(configSchema, config ?? {}, 'configuration of "Payment recorded"');
}

const ofAccount = (config: PaymentsPollingConfig) => (payment: TogaiPayment) => !config.accountId || payment.accountId === config.accountId;

export const paymentsPollingTrigger = defineTrigger<PaymentsPollingConfig, unknown>({
  key: 'payments_polling',
  kind: 'polling',
  title: 'Payment recorded (polling)',
  description:
    'Checks the platform\'s payments on a schedule and starts the flow for each payment recorded since the last check ' +
    '(50 per call). Supports the initial sync of existing payments.',
  configSchema,
  outputSchema: eventPayloadSchema,
  sampleOutput: paymentEvent(samplePayment),
  defaultIntervalMs: 5 * 60_000,
  poll: async (ctx, { cursor, config: raw }) => {
    const config = withDefaults(raw);
    const all = togaiRows<TogaiPayment>(ctx, '/payments', { account_id: config.accountId }, FILTER_PAGE_SIZE);
    const keep = ofAccount(config);
    async function* matching() {
      for await (const payment of all) if (keep(payment)) yield payment;
    }
    const { changed, nextCursor, hasMore } = await selectChanges(
      matching(),
      isChangeCursor(cursor) ? cursor : null,
      config.batchSize,
      (row) => row.createdAt,
    );
    const items: PolledItem[] = changed.map((payment) => {
      const payload = paymentEvent(payment);
      return { id: payload.eventId!, payload, modifiedAt: payload.occurredAt };
    });
    return { items, nextCursor, hasMore };
  },
  /** `phase`: undefined/"all", or "since:<ISO time>" (recorded then or later). */
  listExisting: async (ctx, { cursor, config: raw, phase }) => {
    const config = withDefaults(raw);
    let since: number | undefined;
    if (phase?.startsWith('since:')) since = Date.parse(phase.slice('since:'.length));
    else if (phase !== undefined && phase !== '' && phase !== 'all') since = Number.NaN;
    if (since !== undefined && Number.isNaN(since)) {
      throw new ConnectorError('INVALID_INPUT', `Unknown backfill phase "${phase}": use "all" or "since:<ISO time>".`, { retryable: false });
    }
    const token = (cursor as { nextToken?: string } | null | undefined)?.nextToken;
    const query = token ? { nextToken: token } : { account_id: config.accountId, start_time: since, pageSize: FILTER_PAGE_SIZE };
    const page = (await ctx.http.get<TogaiPage<TogaiPayment>>('/payments', query)).body ?? {};
    const rows = Array.isArray(page.data) ? page.data : [];
    const keep = ofAccount(config);
    const items: PolledItem[] = rows
      .filter((p) => keep(p) && (since === undefined || Date.parse(String(p.createdAt ?? '')) >= since))
      .map((p) => ({ id: p.id, payload: paymentEvent(p), modifiedAt: String(p.createdAt ?? '') }));
    const nextToken = rows.length > 0 ? (page.nextToken ?? null) : null;
    return { items, nextCursor: nextToken ? { nextToken } : null, hasMore: nextToken !== null };
  },
});
