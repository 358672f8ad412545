import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { EntityManager } from 'typeorm';
import { BRAID_CONFIG, type BraidConfig } from '../config/config.service.js';
import { DATABASE_CONNECTION, type DatabaseConnection } from '../database/database.module.js';

export type SendOptions = Omit<PgBoss.SendOptions, 'db'>;
export type WorkOptions = PgBoss.WorkOptions;
export type QueueJob<T> = PgBoss.Job<T>;
export type QueueDefinition = Omit<PgBoss.Queue, 'name'>;

/**
 * A worker in this process that takes jobs straight from the enqueuer once its transaction has committed (the
 * webhook ingress, triggers/accept.batcher.ts). Such jobs are still stored, with a later start, as the durable
 * fallback: if this process dies before finishing them, any worker runs them after `fallbackDelayMs`.
 */
export interface LocalConsumer {
  /** How long a handed-over job waits before any worker may take it from the queue. */
  readonly fallbackDelayMs: number;
  /** Reserves up to `count` free slots now; answers how many. */
  reserve(count: number): number;
  /** Gives back reserved slots that were not used (fewer new jobs than reserved, or the transaction failed). */
  release(count: number): void;
  /** Runs committed jobs in reserved slots; the consumer deletes each job from the queue when it is done. */
  take(jobs: Array<{ id: string; data: object }>): void;
  /** Jobs were committed to the queue without a slot: older work waits there, so hand nothing over until it is fetched. */
  overflowed(): void;
}

/** Backlog reports further apart than this start a new backlog period. */
const INGRESS_BACKLOG_GAP_MS = 1_000;

/** Channel on which every enqueue is announced (inside the enqueuing transaction, so only on commit). */
export const WAKE_CHANNEL = 'braid_queue_wake';
const PGBOSS_SCHEMA = 'pgboss';
/**
 * pg-boss's fetch index is ordered by start time, so every fetch sorted all the due jobs of its queue: 7 ms a fetch
 * with a few thousand runs waiting (`pnpm bench`). Braid gives no job a priority and fetches in plain FIFO order
 * (`priority: false`), which this index serves in order: a fetch reads about as many entries as it takes.
 * A migration cannot create it (pg-boss creates its schema on start); the lock keeps two replicas starting at once
 * from creating it twice.
 */
const FETCH_ORDER_INDEX = `SELECT pg_advisory_xact_lock(7303);
  CREATE INDEX IF NOT EXISTS braid_job_fetch_order ON ${PGBOSS_SCHEMA}.job (name, created_on, id) WHERE state < 'active'`;

/**
 * pg-boss 10 on the runtime's PostgreSQL (schema `pgboss`). Jobs can be enqueued inside a TypeORM
 * transaction (the job exists iff the transaction commits). Workers poll, and are also woken at once
 * through LISTEN/NOTIFY when any replica enqueues, so a queued job starts within milliseconds.
 */
@Injectable()
export class QueueService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Queue');
  private boss: PgBoss | undefined;
  private listener: pg.Client | undefined;
  private readonly started: Promise<PgBoss>;
  private resolveStarted!: (boss: PgBoss) => void;
  private rejectStarted!: (error: unknown) => void;
  private readonly createdQueues = new Set<string>();
  private readonly workerIds = new Map<string, string[]>();
  private readonly wakeListeners = new Map<string, Array<() => void>>();
  private readonly definitions = new Map<string, QueueDefinition>();
  private readonly localConsumers = new Map<string, LocalConsumer>();
  private ingressBacklogAt = 0;
  /** When the current run of backlog reports began (reports less than INGRESS_BACKLOG_GAP_MS apart). */
  private ingressBacklogSince = 0;
  private stopping = false;

  constructor(
    @Inject(DATABASE_CONNECTION) private readonly connection: DatabaseConnection,
    @Inject(BRAID_CONFIG) private readonly config: BraidConfig,
  ) {
    this.started = new Promise<PgBoss>((resolve, reject) => {
      this.resolveStarted = resolve;
      this.rejectStarted = reject;
    });
    this.started.catch(() => undefined);
  }

  async onModuleInit(): Promise<void> {
    // The DatabaseModule has run the migrations by now; pg-boss installs/migrates its own schema.
    const boss = new PgBoss({
      connectionString: this.connection.url,
      schema: PGBOSS_SCHEMA,
      max: 6,
      application_name: 'braid-queue',
      archiveCompletedAfterSeconds: 60 * 60,
      deleteAfterDays: 7,
      // Maintenance also expires jobs whose worker died (they are then retried).
      maintenanceIntervalSeconds: this.config.engine.queueMaintenanceSeconds,
    });
    boss.on('error', (error) => this.logger.error(`pg-boss: ${error.message}`));
    try {
      await boss.start();
      await boss.getDb().executeSql(FETCH_ORDER_INDEX, []);
      this.boss = boss;
      await this.listen();
      this.resolveStarted(boss);
    } catch (error) {
      this.rejectStarted(error);
      throw error;
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connection.url, application_name: 'braid-queue-listen' });
    client.on('error', (error) => this.logger.warn(`queue wake-up listener: ${error.message}`));
    client.on('notification', (message) => {
      if (message.channel === WAKE_CHANNEL && message.payload) this.wakeLocalWorkers(message.payload);
    });
    await client.connect();
    await client.query(`LISTEN ${WAKE_CHANNEL}`);
    this.listener = client;
  }

  private wakeLocalWorkers(queue: string): void {
    if (this.stopping) return;
    for (const id of this.workerIds.get(queue) ?? []) this.boss?.notifyWorker(id);
    for (const listener of this.wakeListeners.get(queue) ?? []) listener();
  }

  /**
   * Wakes this process's workers of `queue` now, e.g. right after committing an enqueue: they need not wait for
   * the NOTIFY to come back from PostgreSQL (other replicas still get it).
   */
  wakeLocal(queue: string): void {
    this.wakeLocalWorkers(queue);
  }

  /**
   * The webhook ingress has deliveries waiting for a transaction (more arrive than it commits). Workers of
   * this process then start no runs for a moment (see RunDispatcher): acknowledging deliveries comes first,
   * their runs wait durably.
   */
  reportIngressBacklog(): void {
    const now = Date.now();
    if (now - this.ingressBacklogAt >= INGRESS_BACKLOG_GAP_MS) this.ingressBacklogSince = now;
    this.ingressBacklogAt = now;
  }

  /**
   * The ingress backlog as the run dispatcher weighs it: ms since the last report and how long the current
   * period of reports has lasted; undefined if the ingress never reported one.
   */
  ingressBacklog(): { sinceMs: number; lastedMs: number } | undefined {
    if (this.ingressBacklogAt === 0) return undefined;
    const now = Date.now();
    return { sinceMs: now - this.ingressBacklogAt, lastedMs: this.ingressBacklogAt - this.ingressBacklogSince };
  }

  /** Registers this process's direct consumer of `queue` (the run dispatcher). */
  registerLocalConsumer(queue: string, consumer: LocalConsumer): void {
    this.localConsumers.set(queue, consumer);
  }

  localConsumer(queue: string): LocalConsumer | undefined {
    return this.stopping ? undefined : this.localConsumers.get(queue);
  }

  /** Called whenever a job is enqueued on `queue` by any replica (after the enqueuing transaction commits). */
  onWake(queue: string, listener: () => void): void {
    this.wakeListeners.set(queue, [...(this.wakeListeners.get(queue) ?? []), listener]);
  }

  /** Options a queue is created with (retry, expiry); call before the first send/work. */
  defineQueue(queue: string, definition: QueueDefinition): void {
    this.definitions.set(queue, definition);
  }

  private async ready(): Promise<PgBoss> {
    return this.started;
  }

  /** Creates the queue once (pg-boss 10 needs it before send/work); later calls are no-ops. */
  async ensureQueue(queue: string, definition: QueueDefinition = this.definitions.get(queue) ?? {}): Promise<void> {
    if (this.createdQueues.has(queue)) return;
    const boss = await this.ready();
    if (!(await boss.getQueue(queue))) {
      try {
        await boss.createQueue(queue, { name: queue, ...definition });
      } catch (error) {
        // Another replica created it at the same moment.
        if (!(await boss.getQueue(queue))) throw error;
      }
    }
    this.createdQueues.add(queue);
  }

  async send(queue: string, data: object, options: SendOptions = {}): Promise<string | null> {
    const boss = await this.ready();
    await this.ensureQueue(queue);
    const id = await boss.send(queue, data, options);
    await boss.getDb().executeSql('SELECT pg_notify($1, $2)', [WAKE_CHANNEL, queue]);
    return id;
  }

  /** Enqueues inside an open TypeORM transaction: the job exists iff the transaction commits. */
  async sendInTransaction(manager: EntityManager, queue: string, data: object, options: SendOptions = {}): Promise<string | null> {
    const boss = await this.ready();
    await this.ensureQueue(queue);
    const id = await boss.send(queue, data, { ...options, db: this.transactionDb(manager) });
    await manager.query('SELECT pg_notify($1, $2)', [WAKE_CHANNEL, queue]);
    return id;
  }

  private transactionDb(manager: EntityManager): PgBoss.Db {
    return {
      executeSql: async (text, values) => {
        const runner = manager.queryRunner;
        if (runner) return { rows: (await runner.query(text, values, true)).records as unknown[] as never[] };
        return { rows: (await manager.query(text, values)) as never[] };
      },
    };
  }

  /** Registers a worker in this process (it is woken at once when a job is enqueued anywhere). */
  async work<T>(queue: string, options: WorkOptions, handler: (jobs: Array<QueueJob<T>>) => Promise<unknown>): Promise<string> {
    const boss = await this.ready();
    await this.ensureQueue(queue);
    const id = await boss.work<T>(queue, options, handler);
    this.workerIds.set(queue, [...(this.workerIds.get(queue) ?? []), id]);
    return id;
  }

  /** Takes up to `batchSize` jobs (they become active); settle each with complete() or fail(). */
  async fetch<T>(queue: string, batchSize: number): Promise<Array<QueueJob<T>>> {
    const boss = await this.ready();
    await this.ensureQueue(queue);
    return (await boss.fetch<T>(queue, { batchSize, priority: false })) ?? [];
  }

  async complete(queue: string, ids: string[]): Promise<void> {
    if (ids.length === 0 || !this.boss) return;
    await this.boss.complete(queue, ids);
  }

  /** Removes jobs (e.g. handed-over jobs whose work is done) from the queue. */
  async deleteJobs(queue: string, ids: string[]): Promise<void> {
    if (ids.length === 0 || !this.boss) return;
    await this.boss.deleteJob(queue, ids);
  }

  async fail(queue: string, id: string, reason: { message: string }): Promise<void> {
    if (!this.boss) return;
    await this.boss.fail(queue, id, reason);
  }

  /** A cron schedule shared by all replicas (one job per tick). */
  async schedule(queue: string, cron: string, data: object = {}, options: PgBoss.ScheduleOptions = {}): Promise<void> {
    const boss = await this.ready();
    await this.ensureQueue(queue);
    await boss.schedule(queue, cron, data, options);
  }

  /** Before the pool closes: stop fetching, let running handlers finish (bounded), then close pg-boss. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
    const boss = this.boss;
    this.boss = undefined;
    if (boss) await boss.stop({ graceful: true, wait: true, timeout: 10_000 }).catch((error: Error) => this.logger.warn(`pg-boss stop: ${error.message}`));
  }
}
