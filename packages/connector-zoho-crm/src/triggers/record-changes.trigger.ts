// Instant trigger: a CRM notification (watch) channel created on publish, renewed before it expires, deleted on
// unpublish. CRM signs nothing; each callback carries the channel's token, which we compare in constant time.
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import {
  ConnectorError,
  defineTrigger,
  type AppWebhookRegistration,
  type ConnectorContext,
  type JsonSchema,
  type TriggerEvent,
  type WebhookRequest,
  validateInput,
} from '@braid/connector-sdk';
import { crmErrorOf, fieldOfDetails, withCrmErrors } from '../crm.http.js';

export interface RecordChangesConfig {
  events: string[];
  channelExpiryHours: number;
}

export interface WatchState {
  channelId: string;
  token: string;
  events: string[];
  expiresAt: string;
}

export interface RecordChangePayload {
  module: string;
  operation: 'insert' | 'update' | 'delete';
  recordId: string;
  affectedFields: string[] | null;
  /** New values of the changed fields (updates, when CRM sends them): lets a sync recognise its own writes. */
  affectedValues: Record<string, unknown> | null;
  channelId: string;
  serverTime: string;
}

const HOUR = 3600_000;
/** Zoho's maximum is documented as 1 day in one place and a week in another (apis.md G3): ask for ≤ 23 h by default. */
const DEFAULT_EXPIRY_HOURS = 23;

const configSchema: JsonSchema = {
  type: 'object',
  properties: {
    events: {
      type: 'array',
      title: 'Events',
      description: 'Module.operation pairs, operation one of all, create, edit, delete — e.g. Accounts.all, Contacts.all, Addresses.all.',
      items: { type: 'string', title: 'Event', pattern: '^[A-Za-z][A-Za-z0-9_]*\\.(all|create|edit|delete)$' },
      minItems: 1,
      maxItems: 50,
      uniqueItems: true,
      default: ['Accounts.all'],
    },
    channelExpiryHours: {
      type: 'integer',
      title: 'Channel lifetime (hours)',
      description: 'How long each subscription lasts before Braid renews it (CRM allows up to a day; longer values fall back to 23 h).',
      minimum: 1,
      maximum: 168,
      default: DEFAULT_EXPIRY_HOURS,
    },
  },
  additionalProperties: false,
};

const outputSchema: JsonSchema = {
  type: 'object',
  required: ['module', 'operation', 'recordId', 'affectedFields', 'affectedValues', 'channelId', 'serverTime'],
  properties: {
    module: { type: 'string', title: 'Module' },
    operation: { type: 'string', enum: ['insert', 'update', 'delete'], title: 'Operation' },
    recordId: { type: 'string', title: 'Record id', description: 'Fetch the record with "Get record" (not for deletes).' },
    affectedFields: { type: ['array', 'null'], items: { type: 'string' }, title: 'Fields changed (updates)' },
    affectedValues: { type: ['object', 'null'], additionalProperties: true, title: 'New values of the changed fields (updates)' },
    channelId: { type: 'string', title: 'Channel id' },
    serverTime: { type: 'string', title: 'When CRM sent it (ISO)' },
  },
  additionalProperties: false,
};

function withDefaults(config: unknown): RecordChangesConfig {
  return validateInput<RecordChangesConfig>(configSchema, config ?? {}, 'configuration of "Record created, updated or deleted"');
}

function readState(state: unknown): WatchState {
  const s = state as Partial<WatchState> | null | undefined;
  if (!s || typeof s.channelId !== 'string' || typeof s.token !== 'string') {
    throw new ConnectorError('INVALID_INPUT', 'The CRM watch registration is missing its channel; publish the flow again.', { retryable: false });
  }
  return { channelId: s.channelId, token: s.token, events: Array.isArray(s.events) ? s.events.map(String) : [], expiresAt: String(s.expiresAt ?? '') };
}

/** A channel id CRM accepts (a long) that stays exact as a JSON number too. */
function newChannelId(): string {
  return String(1_000_000_000_000_000 + randomInt(0, 2 ** 47));
}

function isoWithoutMs(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

interface WatchResult {
  status?: unknown;
  code?: unknown;
  message?: unknown;
  details?: unknown;
}

type WatchMethod = 'POST' | 'PUT';

/** Subscribes (POST) or replaces (PUT) the channel; returns the per-item error when CRM refused it. */
async function writeWatch(
  ctx: ConnectorContext,
  method: WatchMethod,
  item: Record<string, unknown>,
): Promise<{ ok: true } | { ok: false; code: string; message: string; field?: string }> {
  const response = await ctx.http.request<{ watch?: WatchResult[] } | null>({
    method,
    path: '/actions/watch',
    body: { watch: [item] },
    expect: [200, 201, 207, 400],
    // the channel id is ours: repeating the same subscription cannot create a second channel
    retrySafe: true,
  });
  const result = response.body?.watch?.[0];
  if (result && result.status === 'success') return { ok: true };
  const error = result ? crmErrorOf(result) : crmErrorOf(response.body);
  const field = fieldOfDetails(error.details);
  return { ok: false, code: error.code ?? `HTTP_${response.status}`, message: error.message ?? 'refused', ...(field ? { field } : {}) };
}

async function subscribe(
  ctx: ConnectorContext,
  method: WatchMethod,
  channelId: string,
  token: string,
  config: RecordChangesConfig,
  webhookUrl: string,
): Promise<AppWebhookRegistration> {
  const now = ctx.now().getTime();
  const item = (hours: number | null): Record<string, unknown> => ({
    channel_id: channelId,
    events: config.events,
    token,
    notify_url: webhookUrl,
    return_affected_field_values: true,
    notify_on_related_action: false,
    ...(hours !== null ? { channel_expiry: isoWithoutMs(now + hours * HOUR) } : {}),
  });
  // Ask for the configured lifetime; if CRM refuses it, fall back to 23 h, then to CRM's own default (1 h).
  const attempts: Array<number | null> = [...new Set([config.channelExpiryHours, Math.min(config.channelExpiryHours, DEFAULT_EXPIRY_HOURS)])];
  attempts.push(null);
  let last: { code: string; message: string; field?: string } | undefined;
  for (const hours of attempts) {
    const result = await writeWatch(ctx, method, item(hours));
    if (result.ok) {
      const expiresAt = new Date(now + (hours ?? 1) * HOUR).toISOString();
      const state: WatchState = { channelId, token, events: [...config.events], expiresAt };
      return { externalId: channelId, state, expiresAt };
    }
    last = result;
    if (result.field !== 'channel_expiry') break;
  }
  throw new ConnectorError(
    'VALIDATION',
    `Zoho CRM refused the notification channel: ${last?.code} ${last?.message}${last?.field ? ` (${last.field})` : ''}. Check the events (Module.all|create|edit|delete) and that the connection has ZohoCRM.notifications.ALL.`,
    { retryable: false, ...(last?.field ? { field: last.field } : {}), ...(last?.code ? { vendorCode: last.code } : {}) },
  );
}

function parseBody(request: WebhookRequest): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    throw new ConnectorError('BAD_REQUEST', 'The Zoho CRM notification is not JSON.', { retryable: false, status: 400 });
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new ConnectorError('BAD_REQUEST', 'The Zoho CRM notification is not a JSON object.', { retryable: false, status: 400 });
  }
  return body as Record<string, unknown>;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export function tokensMatch(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  // hash both sides: equal-length buffers, so the comparison leaks neither content nor length
  return timingSafeEqual(digest(expected), digest(given));
}

export function parseNotification(body: Record<string, unknown>): TriggerEvent[] {
  const ids = Array.isArray(body.ids) ? body.ids.map(String) : [];
  const module = typeof body.module === 'string' ? body.module : '';
  const op = String(body.operation ?? '').toLowerCase();
  const operation: RecordChangePayload['operation'] | undefined =
    op === 'insert' || op === 'create' ? 'insert' : op === 'update' || op === 'edit' ? 'update' : op === 'delete' ? 'delete' : undefined;
  if (!module || !operation) {
    throw new ConnectorError('BAD_REQUEST', 'The Zoho CRM notification has no module or operation.', { retryable: false, status: 400 });
  }
  const serverTimeMs = typeof body.server_time === 'number' ? body.server_time : Number(body.server_time);
  const serverTime = Number.isFinite(serverTimeMs) ? new Date(serverTimeMs).toISOString() : new Date(0).toISOString();
  const channelId = String(body.channel_id ?? '');
  const affected = new Map<string, string[]>();
  if (Array.isArray(body.affected_fields)) {
    for (const entry of body.affected_fields) {
      if (!entry || typeof entry !== 'object') continue;
      for (const [id, fields] of Object.entries(entry as Record<string, unknown>)) {
        if (Array.isArray(fields)) affected.set(id, fields.map(String));
      }
    }
  }
  const values = new Map<string, Record<string, unknown>>();
  if (Array.isArray(body.affected_values)) {
    for (const entry of body.affected_values as Array<{ record_id?: unknown; values?: unknown }>) {
      if (entry && (typeof entry.record_id === 'string' || typeof entry.record_id === 'number') && entry.values && typeof entry.values === 'object') {
        values.set(String(entry.record_id), entry.values as Record<string, unknown>);
      }
    }
  }
  return ids.map((recordId) => {
    const payload: RecordChangePayload = {
      module,
      operation,
      recordId,
      affectedFields: affected.get(recordId) ?? null,
      affectedValues: values.get(recordId) ?? null,
      channelId,
      serverTime,
    };
    return { id: `${channelId}:${module}:${recordId}:${String(body.server_time ?? '')}`, payload };
  });
}

export const recordChangesTrigger = defineTrigger<RecordChangesConfig>({
  key: 'record_changes',
  kind: 'app-webhook',
  title: 'Record created, updated or deleted (instant)',
  description:
    'Zoho CRM notifies Braid the moment records of the chosen modules are created, edited or deleted (a notification ' +
    'channel subscribed on publish, renewed before it expires, removed on unpublish). One event per record; use ' +
    '"Get record" to read it.',
  configSchema,
  outputSchema,
  sampleOutput: {
    module: 'Accounts',
    operation: 'update',
    recordId: '5725767000000512001',
    affectedFields: ['Phone'],
    affectedValues: { Phone: '+1 415 555 0199' },
    channelId: '1000000000123456',
    serverTime: '2024-05-02T14:30:00.000Z',
  },
  renewBeforeMs: HOUR,
  register: (ctx, { webhookUrl, config: raw }) =>
    withCrmErrors(ctx, () => {
      const config = withDefaults(raw);
      return subscribe(ctx, 'POST', newChannelId(), randomBytes(24).toString('base64url'), config, webhookUrl);
    }),
  renew: (ctx, { state, config: raw, webhookUrl }) =>
    withCrmErrors(ctx, async () => {
      const config = withDefaults(raw);
      const current = readState(state);
      try {
        return await subscribe(ctx, 'PUT', current.channelId, current.token, config, webhookUrl);
      } catch (error) {
        // the channel already expired: subscribe it again under the same id and token
        if (error instanceof ConnectorError && error.field === 'channel_id') {
          return subscribe(ctx, 'POST', current.channelId, current.token, config, webhookUrl);
        }
        throw error;
      }
    }),
  unregister: (ctx, { state }) =>
    withCrmErrors(ctx, async () => {
      const current = readState(state);
      const response = await ctx.http.delete<{ watch?: WatchResult[] } | null>(
        '/actions/watch',
        { channel_ids: current.channelId },
        { expect: [200, 204, 207, 400] },
      );
      const results = response.body?.watch ?? [];
      const failed = results.find((r) => r.status !== 'success');
      // an expired or already removed channel is gone either way
      if (failed && !/does not exist|expired/i.test(String(failed.message ?? ''))) {
        throw new ConnectorError('VENDOR', `Zoho CRM did not remove notification channel ${current.channelId}: ${String(failed.message ?? failed.code)}`, {
          retryable: true,
        });
      }
    }),
  verifyRequest: ({ state, request }) => {
    const current = readState(state);
    const body = parseBody(request);
    if (!tokensMatch(current.token, body.token) || String(body.channel_id ?? '') !== current.channelId) {
      throw new ConnectorError('SIGNATURE_INVALID', 'The Zoho CRM notification does not carry this channel\'s token.', { retryable: false, status: 401 });
    }
  },
  parseRequest: async (_ctx, request) => ({ events: parseNotification(parseBody(request)) }),
});
