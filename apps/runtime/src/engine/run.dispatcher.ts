import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { type LocalConsumer, QueueService, type QueueJob } from '../queue/queue.service.js';
import { RUN_QUEUE, type RunJobData } from '../runs/runs.queue.js';
import { EngineSettings } from './engine.settings.js';
import { RunExecutor } from './run.executor.js';

const POLL_INTERVAL_MS = 1_000;
/** After the webhook ingress reported a backlog, this process starts no run for this long (see concurrencyNow)… */
const ACCEPTS_FIRST_MS = 50;
/** …then lets runs start again gradually over this long (all at once, they brought the backlog right back). */
const RAMP_UP_MS = 500;
/** A backlog lasting longer than this is an overload, not a burst: runs get a quarter of the workers again. */
const ACCEPTS_ONLY_MAX_MS = 10_000;

/**
 * How many of `all` workers may execute runs, given the webhook ingress's backlog: none while deliveries pile up
 * (acknowledging them comes first; their runs wait durably, so a burst is answered in milliseconds and executed
 * right after). Even a few runs at once take most of the CPU (a run is mostly short waits), so fewer workers did
 * not help the ingress; none did. After the backlog the number grows back over RAMP_UP_MS. A backlog lasting
 * over ACCEPTS_ONLY_MAX_MS (an overload) gives runs a quarter of the workers, so both move.
 */
export function runConcurrency(all: number, backlog: { sinceMs: number; lastedMs: number } | undefined): number {
  if (!backlog || backlog.sinceMs >= ACCEPTS_FIRST_MS + RAMP_UP_MS) return all;
  const floor = backlog.lastedMs < ACCEPTS_ONLY_MAX_MS ? 0 : Math.ceil(all / 4);
  const ramp = Math.ceil((all * (backlog.sinceMs - ACCEPTS_FIRST_MS)) / RAMP_UP_MS);
  return Math.max(floor, Math.min(all, ramp));
}

/**
 * Feeds queued runs to the executor: keeps up to `workerConcurrency` runs in flight, fetches as many jobs
 * as there are free slots in one query, and fetches again the moment a slot frees or a job is enqueued
 * anywhere (LISTEN/NOTIFY), with a 1 s poll as a fallback. Completions are batched into one query.
 *
 * It is also the queue's local consumer: the webhook ingress reserves slots before committing and hands the
 * new runs over right after the commit (no fetch, no wake-up round trip). Besides the `workerConcurrency`
 * executing runs it keeps as many handed-over runs waiting in line, so a burst of accepts is not sent through
 * the queue's fetch. Their jobs are stored with a start `fallbackDelayMs` later and deleted when the run is
 * done; if this process dies first, any worker takes them then. The run's claim (lease in PostgreSQL) still
 * guarantees one execution at a time.
 */
@Injectable()
export class RunDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown, LocalConsumer {
  private readonly logger = new Logger('RunDispatcher');
  /** Runs this process holds: executing, waiting in line, or slots reserved by an accept not committed yet. */
  private held = 0;
  /** Runs went to the queue for want of a slot: they come first (fetched), no hand-over meanwhile (FIFO-ish). */
  private queueBacklog = false;
  /**
   * The queue may hold jobs that are due: set by a wake-up (NOTIFY, the poll, an overflow), cleared when a fetch
   * finds fewer jobs than it asked for and nothing woke the dispatcher meanwhile. A freed slot fetches only while
   * it is set: with runs handed over, fetching after every run would mostly find nothing, at a cost to PostgreSQL.
   */
  private queueMayHaveJobs = true;
  private wakeUps = 0;
  private executingNow = 0;
  private readonly line: Array<{ job: { id: string; data: RunJobData }; origin: 'fetched' | 'handed-over' }> = [];
  private fetching = false;
  private wakeAgain = false;
  private stopped = false;
  private poller: NodeJS.Timeout | undefined;
  private recheck: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private completed: string[] = [];
  private handedDone: string[] = [];
  private flushScheduled = false;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(
    private readonly queue: QueueService,
    private readonly executor: RunExecutor,
    private readonly settings: EngineSettings,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.ensureQueue(RUN_QUEUE);
    this.queue.onWake(RUN_QUEUE, () => this.queueMayHaveWork());
    this.queue.registerLocalConsumer(RUN_QUEUE, this);
    this.poller = setInterval(() => this.queueMayHaveWork(), POLL_INTERVAL_MS);
    this.sweeper = setInterval(() => void this.sweep(), this.settings.sweepIntervalMs);
    // Runs left behind by a previous process are picked up straight away.
    void this.sweep();
    this.pump();
  }

  private async sweep(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.executor.resumeAbandonedRuns();
    } catch (error) {
      if (!this.stopped) this.logger.warn(`Could not look for abandoned runs: ${(error as Error).message}`);
    }
  }

  /** Fetches jobs for the free slots; safe to call any time (coalesces concurrent calls). */
  pump(): void {
    if (this.stopped) return;
    if (this.fetching) {
      this.wakeAgain = true;
      return;
    }
    this.fetching = true;
    void this.fill().finally(() => {
      this.fetching = false;
      if (this.wakeAgain) {
        this.wakeAgain = false;
        this.pump();
      }
    });
  }

  private async fill(): Promise<void> {
    try {
      while (!this.stopped) {
        const free = this.concurrencyNow() - this.held;
        if (free <= 0 || !this.queueMayHaveJobs) return;
        const wakeUpsBefore = this.wakeUps;
        const jobs = await this.queue.fetch<RunJobData>(RUN_QUEUE, free);
        if (jobs.length > 0) this.start(jobs);
        if (jobs.length < free) {
          this.queueBacklog = false;
          if (this.wakeUps === wakeUpsBefore) this.queueMayHaveJobs = false;
          return;
        }
      }
    } catch (error) {
      if (!this.stopped) this.logger.warn(`Fetching runs failed: ${(error as Error).message}`);
    }
  }

  get fallbackDelayMs(): number {
    return this.settings.leaseMs;
  }

  reserve(count: number): number {
    if (this.stopped || this.queueBacklog) return 0;
    const granted = Math.max(0, Math.min(count, 2 * this.settings.workerConcurrency - this.held));
    this.held += granted;
    return granted;
  }

  release(count: number): void {
    this.held -= count;
    this.slotFreed();
  }

  overflowed(): void {
    this.queueBacklog = true;
    this.wokenUp();
  }

  private wokenUp(): void {
    this.wakeUps += 1;
    this.queueMayHaveJobs = true;
  }

  /**
   * A wake-up or the poll: jobs may wait in the queue (another replica's, a poll's, a manual run's). While every
   * slot is held, stop handing webhook runs over until the queue has been fetched, so those are not starved.
   */
  private queueMayHaveWork(): void {
    if (this.held >= this.settings.workerConcurrency) this.queueBacklog = true;
    this.wokenUp();
    this.pump();
  }

  take(jobs: Array<{ id: string; data: object }>): void {
    for (const job of jobs) this.line.push({ job: job as { id: string; data: RunJobData }, origin: 'handed-over' });
    this.runWaiting();
  }

  /** Starts the runs of fetched jobs. */
  private start(jobs: Array<QueueJob<RunJobData>>): void {
    this.held += jobs.length;
    for (const job of jobs) this.line.push({ job, origin: 'fetched' });
    this.runWaiting();
  }

  /** How many runs may execute now (see runConcurrency); looks again soon while it is held back. */
  private concurrencyNow(): number {
    const all = this.settings.workerConcurrency;
    const backlog = this.queue.ingressBacklog();
    const now = runConcurrency(all, backlog);
    if (now < all && !this.recheck) {
      this.recheck = setTimeout(() => {
        this.recheck = undefined;
        this.runWaiting();
        this.pump();
      }, ACCEPTS_FIRST_MS / 2);
    }
    return now;
  }

  /** Starts waiting runs while fewer than concurrencyNow() execute (claimed together, see executeQueuedBatch). */
  private runWaiting(): void {
    const room = this.concurrencyNow() - this.executingNow;
    if (room <= 0 || this.line.length === 0 || this.stopped) return;
    const batch = this.line.splice(0, room);
    this.executingNow += batch.length;
    const runs = this.executor.executeQueuedBatch(batch.map(({ job }) => job.data));
    batch.forEach(({ job, origin }, index) => {
      runs[index]!
        .then(
          () => this.markCompleted(job.id, origin),
          (error: Error) => {
            if (origin === 'handed-over') {
              // Its job stays in the queue and becomes available after the fallback delay.
              this.logger.error(`Run ${job.data.runId} could not be executed (will be retried from the queue): ${error.message}`);
              return;
            }
            this.logger.error(`Run ${job.data.runId} could not be executed (will be retried): ${error.message}`);
            return this.queue.fail(RUN_QUEUE, job.id, { message: error.message }).catch(() => undefined);
          },
        )
        .finally(() => {
          this.executingNow -= 1;
          this.held -= 1;
          this.runWaiting();
          this.slotFreed();
        });
    });
  }

  private slotFreed(): void {
    if (this.executingNow === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    this.pump();
  }

  private markCompleted(id: string, origin: 'fetched' | 'handed-over'): void {
    // Fetched jobs are active: complete them. Handed-over jobs were never fetched: delete them.
    (origin === 'fetched' ? this.completed : this.handedDone).push(id);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.settleJobs();
    });
  }

  private async settleJobs(): Promise<void> {
    const completed = this.completed.splice(0);
    const handed = this.handedDone.splice(0);
    await Promise.all([
      this.queue.complete(RUN_QUEUE, completed).catch((error: Error) => this.logger.warn(`Completing jobs failed: ${error.message}`)),
      this.queue.deleteJobs(RUN_QUEUE, handed).catch((error: Error) => this.logger.warn(`Deleting handed-over jobs failed: ${error.message}`)),
    ]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.poller) clearInterval(this.poller);
    if (this.recheck) clearTimeout(this.recheck);
    if (this.sweeper) clearInterval(this.sweeper);
    // Runs still waiting in line are left to their jobs: fetched ones expire and are retried, handed-over ones
    // start after the fallback delay (on another replica, or here after a restart).
    this.held -= this.line.splice(0).length;
    if (this.executingNow > 0) {
      // Let running steps finish (bounded); what is left resumes on another replica after its lease expires.
      await Promise.race([new Promise<void>((resolve) => this.idleWaiters.push(resolve)), new Promise((resolve) => setTimeout(resolve, 10_000))]);
    }
    await this.settleJobs();
  }
}
