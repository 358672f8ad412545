import { Inject, Injectable } from '@nestjs/common';
import type { PreviewStepView } from '@braid/flow-model';
import { DataSource, type EntityManager } from 'typeorm';
import { BRAID_CONFIG, type BraidConfig } from '../config/config.service.js';
import { QueueService } from '../queue/queue.service.js';
import { RunsError, RunsErrorCode } from './runs.errors.js';
import { runOutcomeSummary, type UpsertOutcome } from './runs.outcome.js';
import { RUN_QUEUE, runQueueDefinition, type RunMode, type RunSource, type RunStatus } from './runs.queue.js';
import { rowsOf } from '../queue/sql.rows.js';

export interface EnqueueRunInput {
  workspaceId: string;
  flowId: string;
  flowVersionId: string;
  /** The stored event (trigger_events.id); null for replays of runs whose event is gone. */
  eventId: string | null;
  triggerOutput: unknown;
  source: Exclude<RunSource, 'preview'>;
  replayOfRunId?: string;
}

export interface RunSummary {
  id: string;
  flowId: string;
  flowName: string;
  flowVersionId: string | null;
  version: number | null;
  eventId: string | null;
  source: string;
  status: RunStatus;
  mode: RunMode;
  replayOfRunId: string | null;
  error: unknown;
  attempt: number;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  /** The outcome in one line: "created contact 46", "skipped: echo of run …", "failed at find: …"; null while queued or running. */
  summary: string | null;
}

/** A recorded step execution: what a preview shows, plus how long it took. */
export interface RunStepView extends PreviewStepView {
  durationMs: number | null;
}

export interface RunDetail extends RunSummary {
  triggerOutput: unknown;
  output: unknown;
  steps: RunStepView[];
}

export interface ListRunsQuery {
  flowId?: string;
  status?: RunStatus;
  from?: string;
  to?: string;
  /** Include preview / dry-run runs (default: only live runs). */
  includePreviews?: boolean;
  limit?: number;
  cursor?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (value: unknown) => (value ? new Date(value as string).toISOString() : null);

function toSummary(row: Record<string, unknown>): RunSummary {
  const started = row.started_at ? new Date(row.started_at as string).getTime() : null;
  const finished = row.finished_at ? new Date(row.finished_at as string).getTime() : null;
  return {
    id: row.id as string,
    flowId: row.flow_id as string,
    flowName: row.flow_name as string,
    flowVersionId: (row.flow_version_id as string | null) ?? null,
    version: (row.version as number | null) ?? null,
    eventId: (row.event_id as string | null) ?? null,
    source: row.source as string,
    status: row.status as RunStatus,
    mode: row.mode as RunMode,
    replayOfRunId: (row.replay_of_run_id as string | null) ?? null,
    error: row.error ?? null,
    attempt: row.attempt as number,
    queuedAt: iso(row.queued_at)!,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    durationMs: started !== null && finished !== null ? finished - started : null,
    summary: runOutcomeSummary({
      status: row.status as RunStatus,
      error: row.error ?? null,
      stopMessage: (row.stop_message as string | null) ?? null,
      succeededSteps: (row.succeeded_steps as number | null) ?? 0,
      upserts: Array.isArray(row.upserts) ? (row.upserts as UpsertOutcome[]) : [],
    }),
  };
}

function encodeCursor(row: RunSummary): string {
  return Buffer.from(JSON.stringify([row.queuedAt, row.id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'string' && UUID.test(value[1]) && !Number.isNaN(Date.parse(value[0]))) return [value[0], value[1]];
  } catch {
    // fall through
  }
  throw new RunsError(RunsErrorCode.INVALID_FILTER, 'The cursor is not one this API returned; use nextCursor from the previous page.', { pointer: '/cursor' });
}

function parseTime(value: string | undefined, name: string): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new RunsError(RunsErrorCode.INVALID_FILTER, `"${name}" must be an ISO date-time like 2026-01-31T12:00:00Z.`, { pointer: `/${name}` });
  return new Date(time);
}

// The outcome facts (runs.outcome.ts) come with every summary: the message of a run that stopped early, the
// number of succeeded steps, and what its upsert-with-link steps did, grouped (a loop of 10 000 upserts is a
// few rows). The step's kind and target type come from the version the run ran (the draft for previews).
const RUN_DEFINITION = 'COALESCE(v.definition, f.draft)';
const SUMMARY_SELECT = `SELECT r.id, r.flow_id, f.name AS flow_name, r.flow_version_id, v.version, r.event_id, r.source, r.status, r.mode,
  r.replay_of_run_id, r.error, r.attempt, r.queued_at, r.started_at, r.finished_at,
  CASE WHEN r.output->>'stopped' = 'true' THEN r.output->>'message' END AS stop_message,
  (SELECT count(*)::int FROM run_steps s WHERE s.run_id = r.id AND s.status = 'succeeded') AS succeeded_steps,
  (SELECT COALESCE(jsonb_agg(u), '[]'::jsonb) FROM (
     SELECT s.output->>'path' AS path, ${RUN_DEFINITION} #>> ARRAY['steps', s.step_id, 'target', 'type'] AS "targetType",
       COALESCE(jsonb_typeof(s.output->'result'), 'null') <> 'null' AS wrote, count(*)::int AS count,
       min(s.output->>'targetId') AS "targetId", min(s.output->>'matchedBy') AS "matchedBy"
     FROM run_steps s
     WHERE s.run_id = r.id AND s.status = 'succeeded' AND ${RUN_DEFINITION} #>> ARRAY['steps', s.step_id, 'kind'] = 'upsertWithLink'
     GROUP BY 1, 2, 3 ORDER BY min(s.seq)) u) AS upserts
  FROM runs r JOIN flows f ON f.id = r.flow_id LEFT JOIN flow_versions v ON v.id = r.flow_version_id`;

/** Runs: creation (queued + job, atomically), listing, cancel, replay. Execution lives in src/engine. */
@Injectable()
export class RunsService {
  constructor(
    private readonly queue: QueueService,
    private readonly dataSource: DataSource,
    @Inject(BRAID_CONFIG) config: BraidConfig,
  ) {
    queue.defineQueue(RUN_QUEUE, runQueueDefinition(config.engine.runJobExpireSeconds));
  }

  /**
   * Creates a queued run for a stored event and enqueues it, inside the caller's transaction. An event gets
   * one live run: enqueueing the same event again answers the existing run (`duplicate: true`) and sends no job.
   */
  async enqueueRun(manager: EntityManager, input: EnqueueRunInput): Promise<{ runId: string; duplicate?: boolean }> {
    const replayOf = input.replayOfRunId ?? null;
    const rows: Array<{ id: string }> = await manager.query(
      `INSERT INTO runs (workspace_id, flow_id, flow_version_id, event_id, source, status, mode, replay_of_run_id, trigger_output)
       VALUES ($1, $2, $3, $4, $5, 'queued', 'live', $6, $7::jsonb)
       ON CONFLICT (event_id) WHERE event_id IS NOT NULL AND replay_of_run_id IS NULL AND mode = 'live' DO NOTHING
       RETURNING id`,
      [input.workspaceId, input.flowId, input.flowVersionId, input.eventId, input.source, replayOf, JSON.stringify(input.triggerOutput ?? null)],
    );
    if (!rows[0]) {
      const existing: Array<{ id: string }> = await manager.query(
        `SELECT id FROM runs WHERE event_id = $1 AND replay_of_run_id IS NULL AND mode = 'live' AND workspace_id = $2`,
        [input.eventId, input.workspaceId],
      );
      if (!existing[0]) throw new Error(`event ${String(input.eventId)} already has a run in another workspace`);
      return { runId: existing[0].id, duplicate: true };
    }
    const runId = rows[0].id;
    await this.queue.sendInTransaction(manager, RUN_QUEUE, { runId, flowId: input.flowId, flowVersionId: input.flowVersionId });
    return { runId };
  }

  async list(workspaceId: string, query: ListRunsQuery): Promise<{ runs: RunSummary[]; nextCursor: string | null }> {
    const where = ['r.workspace_id = $1'];
    const params: unknown[] = [workspaceId];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.flowId !== undefined) {
      if (!UUID.test(query.flowId)) return { runs: [], nextCursor: null };
      add('r.flow_id = ?', query.flowId);
    }
    if (query.status !== undefined) add('r.status = ?', query.status);
    const from = parseTime(query.from, 'from');
    const to = parseTime(query.to, 'to');
    if (from) add('r.queued_at >= ?', from);
    if (to) add('r.queued_at < ?', to);
    if (!query.includePreviews) where.push(`r.mode = 'live'`);
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor);
      params.push(at, id);
      where.push(`(r.queued_at, r.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `${SUMMARY_SELECT} WHERE ${where.join(' AND ')} ORDER BY r.queued_at DESC, r.id DESC LIMIT ${limit + 1}`,
      params,
    );
    const runs = rows.slice(0, limit).map(toSummary);
    return { runs, nextCursor: rows.length > limit ? encodeCursor(runs[runs.length - 1]!) : null };
  }

  async get(workspaceId: string, runId: string): Promise<RunDetail> {
    if (!UUID.test(runId)) throw RunsError.notFound();
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `${SUMMARY_SELECT.replace('SELECT ', 'SELECT r.trigger_output, r.output, ')} WHERE r.workspace_id = $1 AND r.id = $2`,
      [workspaceId, runId],
    );
    const row = rows[0];
    if (!row) throw RunsError.notFound();
    const steps: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT step_id, path, status, input, output, error, attempts, dry_run, started_at, finished_at FROM run_steps WHERE run_id = $1 AND workspace_id = $2 ORDER BY seq, started_at`,
      [runId, workspaceId],
    );
    return {
      ...toSummary(row),
      triggerOutput: row.trigger_output ?? null,
      output: row.output ?? null,
      steps: steps.map((s) => ({
        stepId: s.step_id as string,
        path: s.path as string,
        status: s.status as string,
        input: s.input,
        output: s.output,
        error: s.error,
        attempts: s.attempts as number,
        dryRun: s.dry_run as boolean,
        startedAt: iso(s.started_at)!,
        finishedAt: iso(s.finished_at),
        durationMs: s.finished_at ? new Date(s.finished_at as string).getTime() - new Date(s.started_at as string).getTime() : null,
      })),
    };
  }

  /** Cancels a queued or running run; a running one stops before its next step (or its current wait). */
  async cancel(workspaceId: string, runId: string): Promise<RunSummary> {
    if (!UUID.test(runId)) throw RunsError.notFound();
    const rows = rowsOf<{ status: string }>(await this.dataSource.query(
      `UPDATE runs SET status = 'cancelled', finished_at = now(), error = $3::jsonb
       WHERE workspace_id = $1 AND id = $2 AND status IN ('queued', 'running') RETURNING status`,
      [workspaceId, runId, JSON.stringify({ code: 'CANCELLED', message: 'The run was cancelled.' })],
    ));
    if (rows.length === 0) {
      const run = await this.get(workspaceId, runId);
      throw new RunsError(RunsErrorCode.RUN_NOT_CANCELLABLE, `The run has already ${run.status === 'cancelled' ? 'been cancelled' : run.status}; only queued or running runs can be cancelled.`);
    }
    return this.get(workspaceId, runId);
  }

  /**
   * Replays a run: a new run from the stored trigger output, on the flow's current published version or
   * on the version the original ran.
   */
  async replay(workspaceId: string, runId: string, version: 'current' | 'original'): Promise<{ runId: string }> {
    if (!UUID.test(runId)) throw RunsError.notFound();
    const rows: Array<{ id: string; flow_id: string; flow_version_id: string | null; event_id: string | null; trigger_output: unknown; mode: string; published_version_id: string | null }> =
      await this.dataSource.query(
        `SELECT r.id, r.flow_id, r.flow_version_id, r.event_id, r.trigger_output, r.mode, f.published_version_id
         FROM runs r JOIN flows f ON f.id = r.flow_id WHERE r.workspace_id = $1 AND r.id = $2`,
        [workspaceId, runId],
      );
    const run = rows[0];
    if (!run) throw RunsError.notFound();
    const versionId = version === 'original' ? run.flow_version_id : run.published_version_id;
    if (run.mode !== 'live' || !versionId) {
      throw new RunsError(
        RunsErrorCode.RUN_NOT_REPLAYABLE,
        run.mode !== 'live' ? 'Previews cannot be replayed; run the preview again.' : 'The flow has no published version to replay on; publish it first.',
      );
    }
    return this.dataSource.transaction((manager) =>
      this.enqueueRun(manager, { workspaceId, flowId: run.flow_id, flowVersionId: versionId, eventId: run.event_id, triggerOutput: run.trigger_output, source: 'replay', replayOfRunId: run.id }),
    );
  }

  /** Replays every failed live run of a flow queued in [from, to). */
  async replayFailed(workspaceId: string, flowId: string, input: { from?: string; to?: string; version: 'current' | 'original' }): Promise<{ count: number; runIds: string[] }> {
    const from = parseTime(input.from, 'from') ?? new Date(0);
    const to = parseTime(input.to, 'to') ?? new Date(Date.now() + 1000);
    const published: Array<{ published_version_id: string | null }> = UUID.test(flowId)
      ? await this.dataSource.query(`SELECT published_version_id FROM flows WHERE workspace_id = $1 AND id = $2`, [workspaceId, flowId])
      : [];
    if (!published[0]) throw new RunsError(RunsErrorCode.RUN_NOT_FOUND, 'No such flow in this workspace.');
    if (input.version === 'current' && !published[0].published_version_id) {
      throw new RunsError(RunsErrorCode.RUN_NOT_REPLAYABLE, 'The flow has no published version to replay on; publish it first.');
    }
    return this.dataSource.transaction(async (manager) => {
      const failed: Array<{ id: string; flow_version_id: string; event_id: string | null; trigger_output: unknown }> = await manager.query(
        `SELECT id, flow_version_id, event_id, trigger_output FROM runs
         WHERE workspace_id = $1 AND flow_id = $2 AND status = 'failed' AND mode = 'live' AND queued_at >= $3 AND queued_at < $4
         ORDER BY queued_at LIMIT 10000`,
        [workspaceId, flowId, from, to],
      );
      const runIds: string[] = [];
      for (const run of failed) {
        const versionId = input.version === 'original' ? run.flow_version_id : published[0]!.published_version_id!;
        const { runId } = await this.enqueueRun(manager, { workspaceId, flowId, flowVersionId: versionId, eventId: run.event_id, triggerOutput: run.trigger_output, source: 'replay', replayOfRunId: run.id });
        runIds.push(runId);
      }
      return { count: runIds.length, runIds };
    });
  }
}
