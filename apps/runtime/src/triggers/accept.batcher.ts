import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { EventSource } from '../events/events.store.js';
import { type LocalConsumer, QueueService, WAKE_CHANNEL } from '../queue/queue.service.js';
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

const NOTIFY_INTERVAL_MS = 100;
/** Deliveries waiting for a transaction that make a burst (a few now and then is normal under steady load). */
const BACKLOG_PENDING = 8;

/** The duplicate key an event is checked against (same flow and key: the second one is a duplicate). */
const keyOf = (event: AcceptedEvent) => `${event.flowId}:${event.dedupeKey ?? event.bodyHash ?? randomUUID()}`;

/**
 * Stores the events of a batch, a queued run for each new one and the run's pg-boss job, in one statement:
 * body-hash duplicates within the window are left out (the caller holds their advisory locks), key duplicates
 * by the unique index. Ids are chosen by the caller, so the answer tells which events were new. The first $6
 * new runs (in input order) go to this process's workers: their jobs start $7 seconds later (the fallback).
 * Jobs are written the way pg-boss 10's own insert writes them, with the queue's settings; one statement
 * instead of a second round trip, which is most of what an accept costs.
 */
const STORE_EVENTS_AND_RUNS = `
  WITH input AS (
    SELECT x.*, ($2::bytea[])[x.body_index] AS raw_body
      FROM jsonb_to_recordset($1::jsonb) AS x(event_id uuid, run_id uuid, job_id uuid, workspace_id uuid, flow_id uuid, flow_version_id uuid,
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
  ),
  new_jobs AS (
    SELECT i.*, CASE WHEN row_number() OVER (ORDER BY i.body_index) <= $6 THEN now() + make_interval(secs => $7) ELSE now() END AS start_after
      FROM input i JOIN stored s ON s.id = i.event_id
  ),
  jobs AS (
    INSERT INTO pgboss.job (id, name, data, priority, start_after, dead_letter, expire_in, keep_until, retry_limit, retry_delay, retry_backoff, policy)
    SELECT n.job_id, q.name, jsonb_build_object('runId', n.run_id, 'flowId', n.flow_id, 'flowVersionId', n.flow_version_id), 0, n.start_after,
           q.dead_letter, COALESCE(q.expire_seconds * interval '1 second', interval '15 minutes'),
           n.start_after + COALESCE(q.retention_minutes * interval '1 minute', interval '14 days'),
           COALESCE(q.retry_limit, 2),
           CASE WHEN COALESCE(q.retry_backoff, false) THEN GREATEST(COALESCE(q.retry_delay, 0), 1) ELSE COALESCE(q.retry_delay, 0) END,
           COALESCE(q.retry_backoff, false), q.policy
      FROM new_jobs n JOIN pgboss.queue q ON q.name = $4
    RETURNING 1
  )
  SELECT (SELECT coalesce(array_agg(id), '{}') FROM stored) AS stored,
         -- A run without its job would never start: fail the statement (nothing is stored) if the queue is missing.
         -- (The cast is outside the CASE: a constant inside it would be folded, and fail, when planning.)
         CAST(CASE WHEN (SELECT count(*) FROM jobs) <> (SELECT count(*) FROM queued) THEN 'no pg-boss queue ' || $4 END AS int) AS jobs_missing,
         -- Workers of every replica are woken on commit (QueueService listens on this channel), unless every
         -- run is handed to a local worker ($5 = false).
         (SELECT count(pg_notify($3, $4)) FROM (SELECT 1 FROM queued WHERE $5::boolean LIMIT 1) AS one) AS woken`;

/**
 * Group commit for webhook accepts. Each accept is a small write (event + run + job) whose cost is mostly
 * round trips and the commit. Up to `parallel` batches are written at once; requests arriving meanwhile are
 * committed together in the next one (at most `maxBatch` requests). A batch is one statement (events, runs and
 * jobs) committing on its own, or, when it has body-hash keys to lock, BEGIN + locks + that statement + COMMIT,
 * however many events it carries. Two in parallel beat four on this 2-core machine: bigger batches, fewer round
 * trips (`pnpm bench`). Every caller is answered only after its batch committed. A failed batch is retried one
 * request at a time, so one bad request cannot fail its neighbours. Two deliveries with the same duplicate key
 * never share a batch (the second waits for the next).
 */
export class AcceptBatcher {
  private readonly pending: Pending[] = [];
  private running = 0;
  private notifiedAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: QueueService,
    private readonly parallel = 2,
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
    // A burst: ask the local workers to make room (see QueueService and RunDispatcher).
    if (this.pending.length >= BACKLOG_PENDING) this.queue.reportIngressBacklog();
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
    await this.queue.ensureQueue(RUN_QUEUE);
    const consumer = this.queue.localConsumer(RUN_QUEUE);
    const handOff: HandOff = { reserved: 0, jobs: [], queued: 0 };
    // Identical deliveries without a key are serialised across transactions and processes (same lock as
    // insertTriggerEvent), in a fixed order so two batches never wait for each other.
    const hashKeys = [...new Set(requests.flat().filter((e) => !e.dedupeKey && e.bodyHash).map((e) => `${e.flowId}:${e.bodyHash}`))].sort();
    let results: AcceptedRef[][];
    try {
      // The locks are held until commit: a transaction. Otherwise the one statement commits on its own (no
      // BEGIN/COMMIT round trips).
      results = hashKeys.length > 0
        ? await this.dataSource.transaction((manager) => this.store(manager, requests, hashKeys, consumer, handOff))
        : await this.store(this.dataSource.manager, requests, hashKeys, consumer, handOff);
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

  private async store(
    manager: EntityManager,
    requests: AcceptedEvent[][],
    hashKeys: string[],
    consumer: LocalConsumer | undefined,
    handOff: HandOff,
  ): Promise<AcceptedRef[][]> {
    const events = requests.flat();
    // Slots for every event (duplicates give theirs back after commit); a retried transaction reserves again.
    if (consumer && handOff.reserved > 0) consumer.release(handOff.reserved);
    handOff.jobs = [];
    handOff.queued = 0;
    handOff.reserved = consumer ? consumer.reserve(events.length) : 0;
    const ids = events.map(() => ({ eventId: randomUUID(), runId: randomUUID(), jobId: randomUUID() }));
    if (hashKeys.length > 0) {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended(k, 7301)) FROM (SELECT unnest($1::text[]) AS k ORDER BY 1) AS keys`, [hashKeys]);
    }
    const bodies: Buffer[] = [];
    const rows = events.map((event, index) => {
      bodies.push(event.rawBody);
      return {
        event_id: ids[index]!.eventId,
        run_id: ids[index]!.runId,
        job_id: ids[index]!.jobId,
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
    // Other replicas are woken for runs this process does not take, at most once per NOTIFY_INTERVAL_MS: every
    // notifying transaction commits under one database-wide lock, so a NOTIFY per accept serialised the
    // commits of a burst. Replicas find later jobs on that wake-up's fetch, the next one, or their 1 s poll.
    const notify = handOff.reserved < events.length && Date.now() - this.notifiedAt >= NOTIFY_INTERVAL_MS;
    if (notify) this.notifiedAt = Date.now();
    const [result] = await queryPrepared<{ stored: string[] }>(manager, STORE_EVENTS_AND_RUNS, [
      JSON.stringify(rows), bodies, WAKE_CHANNEL, RUN_QUEUE, notify, handOff.reserved, (consumer?.fallbackDelayMs ?? 0) / 1000,
    ]);
    const stored = new Set(result!.stored);
    events.forEach((event, index) => {
      if (!stored.has(ids[index]!.eventId)) return;
      const data: RunJobData = { runId: ids[index]!.runId, flowId: event.flowId, flowVersionId: event.flowVersionId };
      // The same order as the statement's: the first `reserved` new runs are handed over.
      if (handOff.jobs.length < handOff.reserved) handOff.jobs.push({ id: ids[index]!.jobId, data });
      else handOff.queued += 1;
    });
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
