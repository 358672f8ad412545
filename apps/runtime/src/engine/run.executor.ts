import { randomUUID } from 'node:crypto';
import { Injectable, Logger, Optional } from '@nestjs/common';
import type { FlowDefinition } from '@braid/flow-model';
import { DataSource, type EntityManager } from 'typeorm';
import { ConnectorsService } from '../connectors/connectors.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { QueueService } from '../queue/queue.service.js';
import { RUN_QUEUE, type RunJobData } from '../runs/runs.queue.js';
import { ConnectionsBridge } from './connections.bridge.js';
import { EngineSettings } from './engine.settings.js';
import { type RecordedStep, RunInterrupted, RunSuspended, RunWalker, StepFailure, type WalkRun } from './run.walker.js';
import { queryPlanned, queryPrepared } from '../queue/sql.prepared.js';
import { rowsOf } from '../queue/sql.rows.js';

interface ClaimedRun {
  id: string;
  workspace_id: string;
  flow_id: string;
  mode: 'live' | 'preview' | 'dry-run';
  trigger_output: unknown;
  flow_version_id: string;
  started_at: Date;
  attempt: number;
}

/** Lease owner of a run re-enqueued by the sweeper: any worker may claim it. */
const SWEPT = 'swept';

/** This process's identity in run leases. */
export const WORKER_ID = `${process.pid}-${randomUUID().slice(0, 8)}`;

/**
 * Executes queued runs. A run is claimed with a lease (owner + expiry) renewed while it executes; if the
 * process dies, the sweeper re-enqueues runs whose lease expired and another worker resumes them from
 * their recorded steps. The claim is a single conditional UPDATE, so one run never executes twice at once.
 */
@Injectable()
export class RunExecutor {
  private readonly logger = new Logger('RunExecutor');
  private readonly executing = new Set<string>();
  private readonly definitions = new Map<string, FlowDefinition>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly connectors: ConnectorsService,
    private readonly connections: ConnectionsBridge,
    private readonly settings: EngineSettings,
    private readonly queue: QueueService,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  private async claim(runId: string, manager: EntityManager = this.dataSource.manager): Promise<ClaimedRun | undefined> {
    return (await this.claimMany([runId], manager)).get(runId);
  }

  /**
   * Claims every runnable run of `runIds` in one conditional UPDATE (the others are left alone). Planned on each
   * call, not prepared: a generic plan made while the table was small kept scanning it as it grew (3-9 ms per
   * claim at 16,000 runs instead of 0.3 ms by primary key).
   */
  private async claimMany(runIds: string[], manager: EntityManager = this.dataSource.manager): Promise<Map<string, ClaimedRun>> {
    const rows = await queryPlanned<ClaimedRun>(manager,
      `UPDATE runs r SET status = 'running', started_at = COALESCE(r.started_at, now()), attempt = r.attempt + 1,
         lease_owner = $2, lease_expires_at = now() + make_interval(secs => $3), resume_at = NULL
       WHERE r.id = ANY($1::uuid[]) AND r.flow_version_id IS NOT NULL AND r.status IN ('queued', 'running')
         AND (r.lease_owner IS NULL OR r.lease_owner = '${SWEPT}' OR r.lease_expires_at < now())
         AND (r.resume_at IS NULL OR r.resume_at <= now() + interval '1 second')
       RETURNING r.id, r.workspace_id, r.flow_id, r.flow_version_id, r.mode, r.trigger_output, r.started_at, r.attempt`,
      [runIds, WORKER_ID, this.settings.leaseMs / 1000],
    );
    return new Map(rows.map((row) => [row.id, row]));
  }

  /** Published versions never change: their definitions are cached (bounded). */
  private async definitionOf(versionId: string): Promise<FlowDefinition | undefined> {
    const cached = this.definitions.get(versionId);
    if (cached) return cached;
    const rows: Array<{ definition: FlowDefinition }> = await this.dataSource.query(`SELECT definition FROM flow_versions WHERE id = $1`, [versionId]);
    const definition = rows[0]?.definition;
    if (definition) {
      if (this.definitions.size >= 1000) this.definitions.delete(this.definitions.keys().next().value!);
      this.definitions.set(versionId, definition);
    }
    return definition;
  }

  /**
   * Executes the runs of several jobs: those whose flow version is known and has no concurrency limit are
   * claimed together in one statement, the others one by one. One promise per job (same order), settled when
   * its run has executed or turned out not to be runnable.
   */
  executeQueuedBatch(jobs: RunJobData[]): Array<Promise<void>> {
    const plans = jobs.map((job) => {
      // A second job for a run this process is executing (e.g. an expired job retried) is a no-op.
      if (this.executing.has(job.runId)) return 'skip' as const;
      this.executing.add(job.runId);
      const definition = job.flowVersionId ? this.definitions.get(job.flowVersionId) : undefined;
      const limit = definition?.settings?.maxConcurrentRuns;
      return definition && job.flowId && !(limit && limit > 0) ? ('batch' as const) : ('single' as const);
    });
    const batchIds = jobs.filter((_, index) => plans[index] === 'batch').map((job) => job.runId);
    const claimed = batchIds.length > 0 ? this.claimMany(batchIds) : Promise.resolve(new Map<string, ClaimedRun>());
    return jobs.map((job, index) => {
      const plan = plans[index];
      if (plan === 'skip') return Promise.resolve();
      const work =
        plan === 'batch'
          ? claimed.then((runs) => {
              const run = runs.get(job.runId);
              return run ? this.executeClaimed(run) : undefined;
            })
          : this.claimAndExecute(job);
      return work.finally(() => this.executing.delete(job.runId));
    });
  }

  /** Executes a queued run (the pg-boss job handler). Returns without doing anything if it is not runnable. */
  async executeQueued(job: RunJobData): Promise<void> {
    const runId = job.runId;
    // A second job for a run this process is executing (e.g. an expired job retried) is a no-op.
    if (this.executing.has(runId)) return;
    this.executing.add(runId);
    try {
      await this.claimAndExecute(job);
    } finally {
      this.executing.delete(runId);
    }
  }

  /** settings.maxConcurrentRuns of the run's version (null: no limit). */
  private async concurrencyLimit(job: RunJobData): Promise<{ flowId: string; limit: number } | null> {
    let { flowId, flowVersionId } = job;
    if (!flowId || !flowVersionId) {
      const rows: Array<{ flow_id: string; flow_version_id: string | null }> = await this.dataSource.query(`SELECT flow_id, flow_version_id FROM runs WHERE id = $1`, [job.runId]);
      if (!rows[0]?.flow_version_id) return null;
      flowId = rows[0].flow_id;
      flowVersionId = rows[0].flow_version_id;
    }
    const limit = (await this.definitionOf(flowVersionId))?.settings?.maxConcurrentRuns;
    return limit && limit > 0 ? { flowId, limit } : null;
  }

  /**
   * Claims the run only while fewer than `limit` runs of its flow are running (a run waiting for a
   * Retry-After counts). Claims of one flow are serialised by an advisory lock. 'busy' = try again later.
   */
  private async claimWithinLimit(runId: string, flowId: string, limit: number): Promise<ClaimedRun | 'busy' | undefined> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`braid-flow-runs:${flowId}`]);
      const [busy] = await manager.query(
        `SELECT count(*)::int AS n FROM runs WHERE flow_id = $1 AND id <> $2 AND status = 'running'
           AND ((lease_owner IS NOT NULL AND lease_owner <> '${SWEPT}' AND lease_expires_at > now()) OR resume_at IS NOT NULL)`,
        [flowId, runId],
      );
      if ((busy as { n: number }).n >= limit) return 'busy';
      return this.claim(runId, manager);
    });
  }

  private async claimAndExecute(job: RunJobData): Promise<void> {
    const runId = job.runId;
    const concurrency = await this.concurrencyLimit(job);
    const claimed = concurrency ? await this.claimWithinLimit(runId, concurrency.flowId, concurrency.limit) : await this.claim(runId);
    if (claimed === 'busy') {
      // The flow is at its limit: look again shortly (start order among waiting runs is not guaranteed).
      await this.queue.send(RUN_QUEUE, job, { startAfter: new Date(Date.now() + 500) });
      return;
    }
    if (!claimed) return;
    await this.executeClaimed(claimed);
  }

  private async executeClaimed(claimed: ClaimedRun): Promise<void> {
    const definition = await this.definitionOf(claimed.flow_version_id);
    if (!definition) return;
    const run = { ...claimed, definition };
    if (run.attempt === 1) this.metrics?.runStarted(run.flow_id);
    // First execution: nothing recorded yet (saves a query per run).
    const recorded = run.attempt > 1 ? await this.loadSteps(run.id) : [];
    const controller = new AbortController();
    let interruption: RunInterrupted | undefined;
    const interrupt = (reason: RunInterrupted['reason']) => {
      if (interruption) return;
      interruption = new RunInterrupted(reason);
      controller.abort(interruption);
    };
    const heartbeat = setInterval(() => {
      void this.renewLease(run.id).then(
        (status) => {
          if (status === 'cancelled') interrupt('cancelled');
          else if (status !== 'running') interrupt('lease-lost');
        },
        () => undefined,
      );
    }, Math.max(200, Math.floor(this.settings.leaseMs / 3)));
    const timeoutSeconds = run.definition.settings?.runTimeoutSeconds;
    const timeout = timeoutSeconds
      ? setTimeout(() => interrupt('timeout'), Math.max(0, new Date(run.started_at).getTime() + timeoutSeconds * 1000 - Date.now()))
      : undefined;
    const walkRun: WalkRun = { id: run.id, workspaceId: run.workspace_id, flowId: run.flow_id, mode: 'live', triggerOutput: run.trigger_output };
    const walker = new RunWalker(walkRun, run.definition, {
      dataSource: this.dataSource,
      connectors: this.connectors,
      connections: this.connections,
      settings: this.settings,
      signal: controller.signal,
      interruption: () => interruption,
      ...(this.metrics ? { metrics: this.metrics } : {}),
    }, recorded);
    try {
      const output = await walker.walk();
      // The last step rows and the run's final state in one statement.
      if (await this.finish(run.id, 'succeeded', output, null, walker)) this.metrics?.runFinished(run.flow_id, 'succeeded');
    } catch (error) {
      await this.settle(run.id, run.flow_id, error, walker);
    } finally {
      clearInterval(heartbeat);
      if (timeout) clearTimeout(timeout);
    }
  }

  private async settle(runId: string, flowId: string, error: unknown, walker: RunWalker): Promise<void> {
    if (error instanceof StepFailure) {
      if (await this.finish(runId, 'failed', null, error.info, walker)) this.metrics?.runFinished(flowId, 'failed');
      return;
    }
    // Steps that completed before the interruption are recorded whatever happens next (never repeated).
    if (error instanceof RunSuspended || error instanceof RunInterrupted) await walker.flush();
    else await walker.flush().catch(() => undefined);
    if (error instanceof RunSuspended) {
      // Give the worker back; the run continues at resumeAt (same step, next attempt).
      await this.dataSource.query(`UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL, resume_at = $3 WHERE id = $1 AND lease_owner = $2`, [runId, WORKER_ID, error.resumeAt]);
      await this.queue.send(RUN_QUEUE, { runId }, { startAfter: error.resumeAt });
    } else if (error instanceof RunInterrupted) {
      if (error.reason === 'timeout') {
        const finished = await this.finish(runId, 'failed', null, { code: 'RUN_TIMEOUT', message: 'The run took longer than the flow\'s run time limit (settings.runTimeoutSeconds).' });
        if (finished) this.metrics?.runFinished(flowId, 'failed');
      }
      if (error.reason === 'cancelled') {
        this.metrics?.runFinished(flowId, 'cancelled');
        await this.dataSource.query(`UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL WHERE id = $1 AND lease_owner = $2`, [runId, WORKER_ID]);
      }
      // lease-lost: another worker owns the run now.
    } else {
      // Infrastructure failure (database gone ...): release the lease so the run is resumed, and let the job retry.
      await this.dataSource.query(`UPDATE runs SET lease_expires_at = now() WHERE id = $1 AND lease_owner = $2`, [runId, WORKER_ID]).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Marks the run finished (if this worker still owns it and nobody cancelled it); true when it did. With a
   * walker, its step rows not written yet go in the same statement (they are written either way).
   */
  private async finish(runId: string, status: 'succeeded' | 'failed', output: unknown, error: unknown, walker?: RunWalker): Promise<boolean> {
    const statement = {
      sql: `UPDATE runs SET status = $3, output = $4::jsonb, error = $5::jsonb, finished_at = now(), lease_owner = NULL, lease_expires_at = NULL
       WHERE id = $1 AND lease_owner = $2 AND status = 'running' RETURNING id`,
      params: [runId, WORKER_ID, status, JSON.stringify(output ?? null), error ? JSON.stringify(error) : null],
    };
    const rows = walker ? await walker.flush(statement) : await queryPrepared(this.dataSource, statement.sql, statement.params);
    return (rows as unknown[]).length > 0;
  }

  /** Extends this worker's lease; answers the run's status (or undefined when the lease is no longer ours). */
  private async renewLease(runId: string): Promise<string | undefined> {
    const rows = rowsOf<{ status: string; lease_owner: string | null }>(await this.dataSource.query(
      `UPDATE runs SET lease_expires_at = CASE WHEN lease_owner = $2 AND status = 'running' THEN now() + make_interval(secs => $3) ELSE lease_expires_at END
       WHERE id = $1 RETURNING status, lease_owner`,
      [runId, WORKER_ID, this.settings.leaseMs / 1000],
    ));
    const row = rows[0];
    if (!row) return 'cancelled';
    if (row.status === 'running' && row.lease_owner !== WORKER_ID) return undefined;
    return row.status;
  }

  async loadSteps(runId: string): Promise<RecordedStep[]> {
    const rows: Array<{ path: string; step_id: string; status: RecordedStep['status']; input: unknown; output: unknown; error: RecordedStep['error']; attempts: number }> =
      await this.dataSource.query(`SELECT path, step_id, status, input, output, error, attempts FROM run_steps WHERE run_id = $1 ORDER BY seq`, [runId]);
    return rows.map((r) => ({ path: r.path, stepId: r.step_id, status: r.status, input: r.input, output: r.output, error: r.error, attempts: r.attempts }));
  }

  /** Re-enqueues runs whose worker stopped renewing its lease (crashed or killed process). */
  async resumeAbandonedRuns(): Promise<number> {
    const rows = rowsOf<{ id: string }>(await this.dataSource.query(
      `UPDATE runs SET lease_owner = '${SWEPT}', lease_expires_at = now() + make_interval(secs => $1) WHERE id IN (
         SELECT id FROM runs WHERE status = 'running' AND (
           (lease_owner IS NOT NULL AND lease_expires_at < now()) OR (lease_owner IS NULL AND resume_at < now() - interval '1 minute'))
         ORDER BY lease_expires_at LIMIT 1000 FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [this.settings.leaseMs / 1000],
    ));
    for (const row of rows) await this.queue.send(RUN_QUEUE, { runId: row.id });
    if (rows.length) this.logger.log(`Resuming ${rows.length} run(s) abandoned by a stopped worker.`);
    return rows.length;
  }
}
