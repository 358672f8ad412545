import type { DataSource, EntityManager } from 'typeorm';

/** What fired a stored event (trigger_events.source). */
export type EventSource = 'webhook' | 'poll' | 'app-webhook' | 'schedule' | 'manual';

export interface NewTriggerEvent {
  workspaceId: string;
  flowId: string;
  flowVersionId: string;
  source: EventSource;
  payload: unknown;
  /** The provider's event id (webhooks) — kept for support and replays. */
  providerEventId?: string;
  /**
   * Permanent duplicate key per flow (provider event id, polled item id + version, schedule tick):
   * a second event with the same key is acknowledged and not stored again.
   */
  dedupeKey?: string;
  /** When there is no key: SHA-256 of the delivery; a same hash within `dedupeWindowSeconds` is a duplicate. */
  bodyHash?: string;
  dedupeWindowSeconds?: number;
  rawBody?: Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  signatureVerified?: boolean;
}

export interface StoredEventRef {
  id: string;
  duplicate: boolean;
}

const INSERT_COLUMNS = `(workspace_id, flow_id, flow_version_id, source, provider_event_id, dedupe_key, body_hash, payload,
  raw_body, content_type, headers, signature_verified)`;

function insertValues(event: NewTriggerEvent): unknown[] {
  return [
    event.workspaceId,
    event.flowId,
    event.flowVersionId,
    event.source,
    event.providerEventId ?? null,
    event.dedupeKey ?? null,
    event.dedupeKey ? null : (event.bodyHash ?? null),
    JSON.stringify(event.payload ?? null),
    event.rawBody ?? null,
    event.contentType ?? null,
    event.headers ? JSON.stringify(event.headers) : null,
    event.signatureVerified ?? false,
  ];
}

/**
 * The advisory-lock key that serialises identical deliveries without a key (lock namespace 7301, also taken by
 * braid_accept_events for webhook batches).
 */
export function bodyHashLockKey(flowId: string, bodyHash: string): string {
  return `${flowId}:${bodyHash}`;
}

/**
 * The stored event a duplicate repeats: the one with its key, or else the newest with its body hash within the
 * window. A statement of its own, so it sees what concurrent deliveries committed.
 */
export async function findDuplicateEvent(
  db: DataSource | EntityManager,
  event: Pick<NewTriggerEvent, 'flowId' | 'dedupeKey' | 'bodyHash' | 'dedupeWindowSeconds'>,
): Promise<string | undefined> {
  const rows: Array<{ id: string }> = event.dedupeKey
    ? await db.query(`SELECT id FROM trigger_events WHERE flow_id = $1 AND dedupe_key = $2`, [event.flowId, event.dedupeKey])
    : await db.query(
        `SELECT id FROM trigger_events
          WHERE flow_id = $1 AND body_hash = $2 AND received_at > clock_timestamp() - make_interval(secs => $3)
          ORDER BY received_at DESC LIMIT 1`,
        [event.flowId, event.bodyHash, event.dedupeWindowSeconds ?? 300],
      );
  return rows[0]?.id;
}

/**
 * Stores one trigger event inside the caller's transaction, unless it is a duplicate.
 *
 * - With a `dedupeKey`: `INSERT … ON CONFLICT DO NOTHING` on the unique (flow_id, dedupe_key) index; a
 *   concurrent delivery of the same key waits for the first transaction and then finds it.
 * - With only a `bodyHash`: a transaction-scoped advisory lock on (flow, hash) serialises identical
 *   deliveries across processes, then "same hash received within the window?" is read from the index — a
 *   sliding window, so it is exact at any boundary (no time buckets).
 */
export async function insertTriggerEvent(manager: EntityManager, event: NewTriggerEvent): Promise<StoredEventRef> {
  if (event.dedupeKey) {
    const inserted: Array<{ id: string }> = await manager.query(
      `INSERT INTO trigger_events ${INSERT_COLUMNS} VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11::jsonb, $12)
       ON CONFLICT (flow_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING RETURNING id`,
      insertValues(event),
    );
    if (inserted[0]) return { id: inserted[0].id, duplicate: false };
    return { id: (await findDuplicateEvent(manager, event))!, duplicate: true };
  }
  if (event.bodyHash) {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 7301))`, [bodyHashLockKey(event.flowId, event.bodyHash)]);
    const existing = await findDuplicateEvent(manager, event);
    if (existing) return { id: existing, duplicate: true };
  }
  const inserted: Array<{ id: string }> = await manager.query(
    `INSERT INTO trigger_events ${INSERT_COLUMNS} VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11::jsonb, $12) RETURNING id`,
    insertValues(event),
  );
  return { id: inserted[0]!.id, duplicate: false };
}

export interface StoredEvent {
  id: string;
  flowId: string;
  flowVersionId: string | null;
  source: EventSource;
  providerEventId: string | null;
  payload: unknown;
  contentType: string | null;
  headers: Record<string, string> | null;
  signatureVerified: boolean;
  receivedAt: string;
}

interface EventRow {
  id: string;
  flow_id: string;
  flow_version_id: string | null;
  source: EventSource;
  provider_event_id: string | null;
  payload: unknown;
  content_type: string | null;
  headers: Record<string, string> | null;
  signature_verified: boolean;
  received_at: Date;
}

const EVENT_COLUMNS = 'id, flow_id, flow_version_id, source, provider_event_id, payload, content_type, headers, signature_verified, received_at';

function toEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    flowId: row.flow_id,
    flowVersionId: row.flow_version_id,
    source: row.source,
    providerEventId: row.provider_event_id,
    payload: row.payload,
    contentType: row.content_type,
    headers: row.headers,
    signatureVerified: row.signature_verified,
    receivedAt: row.received_at.toISOString(),
  };
}

/** The newest event of a flow (editor preview with "the last real event"). */
export async function latestEvent(manager: EntityManager, workspaceId: string, flowId: string): Promise<StoredEvent | null> {
  const rows: EventRow[] = await manager.query(
    `SELECT ${EVENT_COLUMNS} FROM trigger_events WHERE workspace_id = $1 AND flow_id = $2 ORDER BY received_at DESC LIMIT 1`,
    [workspaceId, flowId],
  );
  return rows[0] ? toEvent(rows[0]) : null;
}

/** One event with its raw body (replays of webhook deliveries). */
export async function findEvent(
  manager: EntityManager,
  workspaceId: string,
  eventId: string,
): Promise<(StoredEvent & { rawBody: Buffer | null }) | null> {
  const rows: Array<EventRow & { raw_body: Buffer | null }> = await manager.query(
    `SELECT ${EVENT_COLUMNS}, raw_body FROM trigger_events WHERE workspace_id = $1 AND id = $2`,
    [workspaceId, eventId],
  );
  const row = rows[0];
  return row ? { ...toEvent(row), rawBody: row.raw_body } : null;
}

/** Events of a flow, newest first (API listing). */
export async function listEvents(
  manager: EntityManager,
  workspaceId: string,
  flowId: string,
  limit: number,
): Promise<StoredEvent[]> {
  const rows: EventRow[] = await manager.query(
    `SELECT ${EVENT_COLUMNS} FROM trigger_events WHERE workspace_id = $1 AND flow_id = $2 ORDER BY received_at DESC LIMIT $3`,
    [workspaceId, flowId, limit],
  );
  return rows.map(toEvent);
}
