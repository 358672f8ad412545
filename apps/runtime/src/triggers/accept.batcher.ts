import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { EventSource } from '../events/events.store.js';
import { type LocalConsumer, type NewJob, QueueService, WAKE_CHANNEL } from '../queue/queue.service.js';
import { queryPrepared } from '../queue/sql.prepared.js';
import { RUN_QUEUE, type RunJobData } from '../runs/runs.queue.js';

/** One event of an accepted delivery: stored, and (unless it is a duplicate) given a queued run and its job. */
export interface AcceptedEvent {
  workspaceId: string;
  flowId: string;
  flowVersionId: string;
  source: Extract<EventSource, 'webhook' | 'app-webhook'>;
  payload: unknown;
  providerEventId?: string;
  /** Permanent duplicate key per flow (`id:<provider event id>`). */
  dedupeKey?: string;
  /** Without a key: same hash within `dedupeWindowSeconds` is a duplicate (checked under an advisory lock). */
  bodyHash?: string;
  dedupeWindowSeconds: number;
  rawBody: Buffer;
  contentType: string;
  headers: Record<string, string>;
  signatureVerified: boolean;
}

export interface AcceptedRef {
  id: string;
  duplicate: boolean;
}

/** Runs handed to this process's workers once the transaction has committed (slots reserved beforehand). */
interface HandOff {
  reserved: number;
  jobs: Array<{ id: string; data: RunJobData }>;
  /** New runs left to the queue (no free local slot). */
  queued: number;
}

interface Pending {
  events: AcceptedEvent[];
  resolve: (value: AcceptedRef[]) => void;
  reject: (error: unknown) => void;
}

/** The duplicate key an event is checked against (same flow and key: the second one is a duplicate). */
const keyOf = (event: AcceptedEvent) => `${event.flowId}:${event.dedupeKey ?? event.bodyHash ?? randomUUID()}`;

/**
 * Stores the events of a batch and creates a queued run for each new one, in one statement: body-hash
 * duplicates within the window are left out (the caller holds their advisory locks), key duplicates by the
 * unique index. Ids are chosen by the caller, so the answer tells which events were new.
 */
const STORE_EVENTS_AND_RUNS = `
  WITH input AS (
    SELECT x.*, ($2::bytea[])[x.body_index] AS raw_body
      FROM jsonb_to_recordset($1::jsonb) AS x(event_id uuid, run_id uuid, workspace_id uuid, flow_id uuid, flow_version_id uuid,
        source text, provider_event_id text, dedupe_key text, body_hash text, window_seconds int, payload jsonb, body_index int,
        content_type text, headers jsonb, signature_verified boolean)
  ),
  fresh AS (
    SELECT i.* FROM input i
     WHERE i.dedupe_key IS NOT NULL OR i.body_hash IS NULL OR NOT EXISTS (
       SELECT 1 FROM trigger_events e
        WHERE e.flow_id = i.flow_id AND e.body_hash = i.body_hash AND e.received_at > clock_timestamp() - make_interval(secs => i.window_seconds))
  ),
  stored AS (
    INSERT INTO trigger_events (id, workspace_id, flow_id, flow_version_id, source, provider_event_id, dedupe_key, body_hash, payload,
      raw_body, content_type, headers, signature_verified)
    SELECT event_id, workspace_id, flow_id, flow_version_id, source, provider_event_id, dedupe_key,
           CASE WHEN dedupe_key IS NULL THEN body_hash END, COALESCE(payload, 'null'::jsonb), raw_body, content_type, headers, signature_verified
      FROM fresh
    ON CONFLICT (flow_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
    RETURNING id
  ),
  queued AS (
    INSERT INTO runs (id, workspace_id, flow_id, flow_version_id, event_id, source, status, mode, trigger_output)
    SELECT i.run_id, i.workspace_id, i.flow_id, i.flow_version_id, i.event_id, i.source, 'queued', 'live', COALESCE(i.payload, 'null'::jsonb)
      FROM input i JOIN stored s ON s.id = i.event_id
    RETURNING id
  )
  SELECT (SELECT coalesce(array_agg(id), '{}') FROM stored) AS stored,
         -- Workers of every replica are woken on commit (QueueService listens on this channel), unless every
         -- run is handed to a local worker ($5 = false).
         (SELECT count(pg_notify($3, $4)) FROM (SELECT 1 FROM queued WHERE $5::boolean LIMIT 1) AS one) AS woken`;

/**
 * Group commit for webhook accepts. Each accept is a small write (event + run + job) whose cost is mostly
 * round trips and the commit. Up to `parallel` transactions run at once; requests arriving while all are busy
 * are committed together in the next transaction (at most `maxBatch` requests), and a transaction costs the
 * same few statements however many events it carries: advisory locks for body-hash keys, one statement for
 * events and runs, one for the jobs (+ BEGIN/COMMIT). Every caller is answered only after its transaction
 * committed. A failed batch is retried one request per transaction, so one bad request cannot fail its
 * neighbours. Two deliveries with the same duplicate key never share a batch (the second waits for the next).
 */
export class AcceptBatcher {
  private readonly pending: Pending[] = [];
  private running = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: QueueService,
    private readonly parallel = 4,
    private readonly maxBatch = 64,
  ) {}

  /** Stores the events of one delivery with their runs; resolves after commit, one ref per event. */
  submit(events: AcceptedEvent[]): Promise<AcceptedRef[]> {
    return new Promise<AcceptedRef[]>((resolve, reject) => {
      this.pending.push({ events, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.parallel && this.pending.length > 0) {
      const batch = this.takeBatch();
      this.running += 1;
      void this.commit(batch).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
    // A burst: more deliveries wait than two rounds of transactions take. Ask the local workers to make room
    // (see QueueService); a few waiting now and then (steady load) is normal and changes nothing.
    if (this.pending.length >= 2 * this.parallel) this.queue.reportIngressBacklog();
  }

  /** The oldest pending requests (at most maxBatch) whose duplicate keys do not collide. */
  private takeBatch(): Pending[] {
    const keys = new Set<string>();
    const batch: Pending[] = [];
    for (let index = 0; index < this.pending.length && batch.length < this.maxBatch; ) {
      const request = this.pending[index]!;
      const own = request.events.map(keyOf);
      if (own.some((key) => keys.has(key))) {
        index += 1;
        continue;
      }
      for (const key of own) keys.add(key);
      batch.push(request);
      this.pending.splice(index, 1);
    }
    return batch;
  }

  private async commit(batch: Pending[]): Promise<void> {
    try {
      const results = await this.storeAndHandOff(batch.map((request) => request.events));
      batch.forEach((request, index) => request.resolve(results[index]!));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      for (const request of batch) {
        try {
          request.resolve((await this.storeAndHandOff([request.events]))[0]!);
        } catch (single) {
          request.reject(single);
        }
      }
    }
  }

  /**
   * One transaction; then the new runs go straight to this process's workers when they have free slots (their
   * jobs wait in the queue as the fallback), or else the workers are woken to fetch them.
   */
  private async storeAndHandOff(requests: AcceptedEvent[][]): Promise<AcceptedRef[][]> {
    const consumer = this.queue.localConsumer(RUN_QUEUE);
    const handOff: HandOff = { reserved: 0, jobs: [], queued: 0 };
    let results: AcceptedRef[][];
    try {
      results = await this.dataSource.transaction((manager) => this.store(manager, requests, consumer, handOff));
    } catch (error) {
      if (handOff.reserved > 0) consumer!.release(handOff.reserved);
      throw error;
    }
    if (consumer && handOff.reserved > handOff.jobs.length) consumer.release(handOff.reserved - handOff.jobs.length);
    if (consumer && handOff.jobs.length > 0) consumer.take(handOff.jobs);
    if (handOff.queued > 0) {
      consumer?.overflowed();
      this.queue.wakeLocal(RUN_QUEUE);
    }
    return results;
  }

  private async store(manager: EntityManager, requests: AcceptedEvent[][], consumer: LocalConsumer | undefined, handOff: HandOff): Promise<AcceptedRef[][]> {
    const events = requests.flat();
    // Slots for every event (duplicates give theirs back after commit); a retried transaction reserves again.
    if (consumer && handOff.reserved > 0) consumer.release(handOff.reserved);
    handOff.jobs = [];
    handOff.queued = 0;
    handOff.reserved = consumer ? consumer.reserve(events.length) : 0;
    const ids = events.map(() => ({ eventId: randomUUID(), runId: randomUUID() }));
    // Identical deliveries without a key are serialised across transactions and processes (same lock as
    // insertTriggerEvent), in a fixed order so two batches never wait for each other.
    const hashKeys = [...new Set(events.filter((e) => !e.dedupeKey && e.bodyHash).map((e) => `${e.flowId}:${e.bodyHash}`))].sort();
    if (hashKeys.length > 0) {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended(k, 7301)) FROM (SELECT unnest($1::text[]) AS k ORDER BY 1) AS keys`, [hashKeys]);
    }
    const bodies: Buffer[] = [];
    const rows = events.map((event, index) => {
      bodies.push(event.rawBody);
      return {
        event_id: ids[index]!.eventId,
        run_id: ids[index]!.runId,
        workspace_id: event.workspaceId,
        flow_id: event.flowId,
        flow_version_id: event.flowVersionId,
        source: event.source,
        provider_event_id: event.providerEventId ?? null,
        dedupe_key: event.dedupeKey ?? null,
        body_hash: event.dedupeKey ? null : (event.bodyHash ?? null),
        window_seconds: event.dedupeWindowSeconds,
        payload: event.payload ?? null,
        body_index: bodies.length,
        content_type: event.contentType,
        headers: event.headers,
        signature_verified: event.signatureVerified,
      };
    });
    const notify = handOff.reserved < events.length;
    const [result] = await queryPrepared<{ stored: string[] }>(manager, STORE_EVENTS_AND_RUNS, [JSON.stringify(rows), bodies, WAKE_CHANNEL, RUN_QUEUE, notify]);
    const stored = new Set(result!.stored);
    const fallbackAt = new Date(Date.now() + (consumer?.fallbackDelayMs ?? 0));
    const jobs: NewJob[] = [];
    events.forEach((event, index) => {
      if (!stored.has(ids[index]!.eventId)) return;
      const data: RunJobData = { runId: ids[index]!.runId, flowId: event.flowId, flowVersionId: event.flowVersionId };
      if (handOff.jobs.length < handOff.reserved) {
        const id = randomUUID();
        handOff.jobs.push({ id, data });
        jobs.push({ id, data, startAfter: fallbackAt });
      } else {
        handOff.queued += 1;
        jobs.push({ data });
      }
    });
    if (jobs.length > 0) await this.queue.insertInTransaction(manager, RUN_QUEUE, jobs, { notify: false });
    const existing = stored.size < events.length ? await this.findDuplicates(manager, events.filter((_, index) => !stored.has(ids[index]!.eventId))) : new Map<AcceptedEvent, string>();
    let offset = 0;
    return requests.map((request) =>
      request.map(() => {
        const index = offset++;
        const event = events[index]!;
        if (stored.has(ids[index]!.eventId)) return { id: ids[index]!.eventId, duplicate: false };
        const id = existing.get(event);
        if (!id) throw new Error(`webhook event of flow ${event.flowId} was neither stored nor found as a duplicate`);
        return { id, duplicate: true };
      }),
    );
  }

  /** The stored event each duplicate repeats (a new statement: it sees what concurrent accepts committed). */
  private async findDuplicates(manager: EntityManager, duplicates: AcceptedEvent[]): Promise<Map<AcceptedEvent, string>> {
    const found = new Map<AcceptedEvent, string>();
    for (const event of duplicates) {
      const rows: Array<{ id: string }> = event.dedupeKey
        ? await manager.query(`SELECT id FROM trigger_events WHERE flow_id = $1 AND dedupe_key = $2`, [event.flowId, event.dedupeKey])
        : await manager.query(
            `SELECT id FROM trigger_events
              WHERE flow_id = $1 AND body_hash = $2 AND received_at > clock_timestamp() - make_interval(secs => $3)
              ORDER BY received_at DESC LIMIT 1`,
            [event.flowId, event.bodyHash, event.dedupeWindowSeconds],
          );
      if (rows[0]) found.set(event, rows[0].id);
    }
    return found;
  }
}
