import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { bodyHashLockKey, type EventSource, findDuplicateEvent } from '../events/events.store.js';
import { QueueService, WAKE_CHANNEL } from '../queue/queue.service.js';
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

/** Runs handed to this process's workers once the batch has committed (slots reserved beforehand). */
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
/**
 * Deliveries waiting for the batch in flight that make a burst: a few now and then is normal (at 1,000/s about 4
 * arrive during a batch). With 6, the p99 at 1,000/s was 17-19 ms against 23-32 ms with 8; with 4, runs were held
 * back at 300/s too, and accept→start p50 reached 38 ms (`pnpm bench`).
 */
const BACKLOG_PENDING = 6;

/** The duplicate key an event is checked against (same flow and key: the second one is a duplicate). */
const keyOf = (event: AcceptedEvent) => `${event.flowId}:${event.dedupeKey ?? event.bodyHash ?? randomUUID()}`;

/** The batch in one call, locks included (braid_accept_events, accept.migration.ts); answers the stored event ids. */
const ACCEPT_EVENTS = `SELECT braid_accept_events($1::jsonb, $2::bytea[], $3::text[], $4, $5, $6, $7, $8) AS stored`;

/**
 * Group commit for webhook accepts. Each accept is a small write (event + run + job) whose cost is mostly
 * round trips and the commit. Up to `parallel` batches are written at once; requests arriving meanwhile are
 * committed together in the next one (at most `maxBatch` requests). A batch is one call (locks, events, runs and
 * jobs) committing on its own, however many events it carries. One batch at a time beat two and four on this
 * 2-core machine: every batch in flight is one more PostgreSQL backend to wake, and one at a time gave bigger
 * batches, less CPU in both processes and a lower p99 (`pnpm bench`). Every caller is answered only after its
 * batch committed. A failed batch is retried one request at a time, so one bad request cannot fail its
 * neighbours. Two deliveries with the same duplicate key never share a batch (the second waits for the next).
 */
export class AcceptBatcher {
  private readonly pending: Pending[] = [];
  private running = 0;
  private notifiedAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: QueueService,
    private readonly parallel = 1,
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
   * One call that commits on its own; then the new runs go straight to this process's workers when they have free
   * slots (their jobs wait in the queue as the fallback), or else the workers are woken to fetch them.
   */
  private async storeAndHandOff(requests: AcceptedEvent[][]): Promise<AcceptedRef[][]> {
    await this.queue.ensureQueue(RUN_QUEUE);
    const consumer = this.queue.localConsumer(RUN_QUEUE);
    // Slots for every event (duplicates give theirs back after commit).
    const handOff: HandOff = { reserved: consumer ? consumer.reserve(requests.flat().length) : 0, jobs: [], queued: 0 };
    let results: AcceptedRef[][];
    try {
      results = await this.store(requests, handOff, consumer?.fallbackDelayMs ?? 0);
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

  private async store(requests: AcceptedEvent[][], handOff: HandOff, fallbackDelayMs: number): Promise<AcceptedRef[][]> {
    const events = requests.flat();
    const ids = events.map(() => ({ eventId: randomUUID(), runId: randomUUID(), jobId: randomUUID() }));
    // Identical deliveries without a key are serialised across batches and processes (same lock as
    // insertTriggerEvent).
    const hashKeys = [...new Set(events.filter((e) => !e.dedupeKey && e.bodyHash).map((e) => bodyHashLockKey(e.flowId, e.bodyHash!)))];
    const rows = events.map((event, index) => ({
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
      body_index: index + 1, // into $2, 1-based
      content_type: event.contentType,
      headers: event.headers,
      signature_verified: event.signatureVerified,
    }));
    // Other replicas are woken for runs this process does not take, at most once per NOTIFY_INTERVAL_MS: every
    // notifying transaction commits under one database-wide lock, so a NOTIFY per accept serialised the
    // commits of a burst. Replicas find later jobs on that wake-up's fetch, the next one, or their 1 s poll.
    const notify = handOff.reserved < events.length && Date.now() - this.notifiedAt >= NOTIFY_INTERVAL_MS;
    if (notify) this.notifiedAt = Date.now();
    const [result] = await queryPrepared<{ stored: string[] }>(this.dataSource, ACCEPT_EVENTS, [
      JSON.stringify(rows), events.map((event) => event.rawBody), hashKeys, WAKE_CHANNEL, RUN_QUEUE, notify, handOff.reserved, fallbackDelayMs / 1000,
    ]);
    const stored = new Set(result!.stored);
    events.forEach((event, index) => {
      if (!stored.has(ids[index]!.eventId)) return;
      const data: RunJobData = { runId: ids[index]!.runId, flowId: event.flowId, flowVersionId: event.flowVersionId };
      // The same order as the function's: the first `reserved` new runs are handed over.
      if (handOff.jobs.length < handOff.reserved) handOff.jobs.push({ id: ids[index]!.jobId, data });
      else handOff.queued += 1;
    });
    const existing = stored.size < events.length ? await this.findDuplicates(events.filter((_, index) => !stored.has(ids[index]!.eventId))) : new Map<AcceptedEvent, string>();
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

  /** The stored event each duplicate repeats. */
  private async findDuplicates(duplicates: AcceptedEvent[]): Promise<Map<AcceptedEvent, string>> {
    const found = new Map<AcceptedEvent, string>();
    for (const event of duplicates) {
      const id = await findDuplicateEvent(this.dataSource, event);
      if (id) found.set(event, id);
    }
    return found;
  }
}
