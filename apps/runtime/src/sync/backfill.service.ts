// Initial sync (backfill): runs a published flow once over every record its trigger can list (`listExisting`),
// chunk by chunk. One pg-boss job per chunk; each chunk is ONE transaction that stores the listed items (one row
// per source record and backfill: a repeated chunk enqueues nothing twice), their events and runs (source
// 'backfill'), and the new listing position. A crash rolls the chunk back, the job is retried and resumes from
// the last committed position. Progress = the backfill's runs by status. When the last phase is listed and every
// run has finished, the trigger's polling cursor is set to where the backfill started, so incremental polling
// continues from there (changes made meanwhile are polled once; their events are deduplicated as usual).
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ConnectorError, type PollResult } from '@braid/connector-sdk';
import type { FlowDefinition } from '@braid/flow-model';
import { DataSource, type EntityManager } from 'typeorm';
import { BRAID_CONFIG, type BraidConfig } from '../config/config.service.js';
import { ConnectorsService } from '../connectors/connectors.service.js';
import { insertTriggerEvent } from '../events/events.store.js';
import { QueueService } from '../queue/queue.service.js';
import { RunsService } from '../runs/runs.service.js';
import { TriggerContexts } from '../triggers/trigger.context.js';
import { resolveTrigger, type ResolvedTrigger } from '../triggers/trigger.resolve.js';
import { POLL_QUEUE } from '../triggers/triggers.service.js';
import { SyncError, SyncErrorCode } from './sync.errors.js';

export const BACKFILL_QUEUE = 'sync.backfill';

export type BackfillStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface BackfillView {
  id: string;
  flowId: string;
  status: BackfillStatus;
  /** The phase being listed (null: the trigger's default listing), and all phases in order. */
  phase: string | null;
  phases: Array<string | null>;
  /** Records listed so far; `total` once every phase is listed (null before). */
  listed: number;
  total: number | null;
  done: number;
  failed: number;
  /** Runs queued or running. */
  pending: number;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

interface BackfillRow {
  id: string;
  workspace_id: string;
  flow_id: string;
  flow_version_id: string;
  status: BackfillStatus;
  phases: Array<string | null>;
  phase_index: number;
  cursor: unknown;
  start_cursor: unknown;
  listing_done: boolean;
  listed: number;
  error: string | null;
  started_at: Date;
  finished_at: Date | null;
}

type ChunkOutcome = 'list' | 'wait' | 'finish' | 'none';

@Injectable()
export class BackfillService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Backfill');
  /** Runs of one backfill allowed to wait in the queue before listing pauses (memory and fairness). */
  maxPendingRuns = 300;
  /** Test hook: called inside a chunk's transaction after its items are stored, before it commits. */
  beforeChunkCommit?: (info: { backfillId: string; items: number }) => void | Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly connectors: ConnectorsService,
    private readonly runs: RunsService,
    private readonly queue: QueueService,
    private readonly moduleRef: ModuleRef,
    @Inject(BRAID_CONFIG) private readonly config: BraidConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // A chunk job is one page: one held by a process that died (SIGKILL mid-chunk) is handed out again after the
    // run-job expiry (at most 10 min) — until then the stately queue keeps the backfill's next job waiting.
    const expireInSeconds = Math.min(10 * 60, this.config.engine.runJobExpireSeconds);
    await this.queue.ensureQueue(BACKFILL_QUEUE, { policy: 'stately', retryLimit: 20, retryDelay: 2, retryBackoff: true, expireInSeconds });
    await this.queue.work<{ backfillId: string }>(BACKFILL_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => {
      if (job) await this.runChunk(job.data.backfillId);
    });
    // Backfills interrupted by a stop or a crash continue where their last chunk committed.
    const running: Array<{ id: string }> = await this.dataSource.query(`SELECT id FROM backfills WHERE status = 'running'`);
    for (const { id } of running) await this.schedule(id, 0);
  }

  private contexts(): TriggerContexts {
    return this.moduleRef.get(TriggerContexts, { strict: false });
  }

  private async schedule(backfillId: string, delaySeconds: number): Promise<void> {
    await this.queue.send(BACKFILL_QUEUE, { backfillId }, { singletonKey: backfillId, ...(delaySeconds > 0 ? { startAfter: delaySeconds } : {}) });
  }

  private async publishedFlow(manager: EntityManager, workspaceId: string, flowId: string): Promise<{ versionId: string; definition: FlowDefinition }> {
    const rows: Array<{ published_version_id: string | null; definition: FlowDefinition | null }> = await manager.query(
      `SELECT f.published_version_id, v.definition FROM flows f LEFT JOIN flow_versions v ON v.id = f.published_version_id WHERE f.id = $1 AND f.workspace_id = $2`,
      [flowId, workspaceId],
    );
    const row = rows[0];
    if (!row) throw new SyncError(SyncErrorCode.FLOW_NOT_FOUND, `There is no flow ${flowId} in this workspace.`);
    if (!row.published_version_id || !row.definition) {
      throw new SyncError(SyncErrorCode.NOT_PUBLISHED, `Flow ${flowId} has no published version: publish it before running an initial sync.`);
    }
    return { versionId: row.published_version_id, definition: row.definition };
  }

  /** Starts an initial sync of a published flow over the records its trigger lists. */
  async start(workspaceId: string, flowId: string, options: { phases?: string[] } = {}): Promise<{ backfillId: string }> {
    const flow = await this.publishedFlow(this.dataSource.manager, workspaceId, flowId);
    const resolved = resolveTrigger(this.connectors, flow.definition.trigger);
    if (!('listExisting' in resolved.trigger) || typeof resolved.trigger.listExisting !== 'function') {
      throw new SyncError(
        SyncErrorCode.CANNOT_LIST_EXISTING,
        `The trigger "${resolved.trigger.title}" cannot list existing records, so flow ${flowId} cannot run an initial sync. Use a polling trigger of the app (e.g. "modified records") for the sync flow.`,
      );
    }
    // Where incremental polling will continue from: a first poll without a cursor only marks "now".
    let startCursor: unknown = null;
    if (resolved.trigger.kind === 'polling') {
      const ctx = await this.contexts().contextFor(workspaceId, resolved, { flowId });
      startCursor = (await resolved.trigger.poll(ctx, { cursor: null, config: resolved.config })).nextCursor ?? null;
    }
    const phases = options.phases && options.phases.length > 0 ? options.phases : [null];
    let id: string;
    try {
      const rows: Array<{ id: string }> = await this.dataSource.query(
        `INSERT INTO backfills (workspace_id, flow_id, flow_version_id, status, phases, start_cursor) VALUES ($1, $2, $3, 'running', $4::jsonb, $5::jsonb) RETURNING id`,
        [workspaceId, flowId, flow.versionId, JSON.stringify(phases), JSON.stringify(startCursor)],
      );
      id = rows[0]!.id;
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new SyncError(SyncErrorCode.BACKFILL_RUNNING, `An initial sync of flow ${flowId} is already running; watch its progress or cancel it first.`);
      }
      throw error;
    }
    await this.schedule(id, 0);
    this.logger.log(`Initial sync ${id} of flow ${flowId} started (phases: ${phases.map((p) => p ?? 'default').join(', ')}).`);
    return { backfillId: id };
  }

  /** One chunk (one page of `listExisting`), then the next job: another chunk, a pause, or the completion check. */
  async runChunk(backfillId: string): Promise<void> {
    let outcome: ChunkOutcome;
    try {
      outcome = await this.dataSource.transaction((manager) => this.listChunk(manager, backfillId));
    } catch (error) {
      if (error instanceof ConnectorError && error.code === 'RATE_LIMITED') {
        // The app asked us to slow down: continue from the same position later.
        const waitSeconds = Math.max(1, Math.ceil((error.retryAfterMs ?? 5_000) / 1000));
        await this.dataSource.query(`UPDATE backfills SET error = $2, heartbeat_at = now() WHERE id = $1`, [backfillId, `Rate limited; continuing in ${waitSeconds} s.`]);
        await this.schedule(backfillId, waitSeconds);
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof ConnectorError && !error.retryable) {
        await this.dataSource.query(`UPDATE backfills SET status = 'failed', error = $2, finished_at = now() WHERE id = $1 AND status = 'running'`, [backfillId, message]);
        this.logger.warn(`Initial sync ${backfillId} failed: ${message}`);
        return;
      }
      await this.dataSource.query(`UPDATE backfills SET error = $2, heartbeat_at = now() WHERE id = $1`, [backfillId, message]);
      throw error; // pg-boss retries the job (the chunk rolled back)
    }
    if (outcome === 'list') await this.schedule(backfillId, 0);
    else if (outcome === 'wait') await this.schedule(backfillId, 1);
    else if (outcome === 'finish' && !(await this.finishIfDone(backfillId))) await this.schedule(backfillId, 1);
  }

  private async listChunk(manager: EntityManager, backfillId: string): Promise<ChunkOutcome> {
    const rows: BackfillRow[] = await manager.query(`SELECT * FROM backfills WHERE id = $1 FOR UPDATE SKIP LOCKED`, [backfillId]);
    const b = rows[0];
    if (!b || b.status !== 'running') return 'none';
    if (b.listing_done) return 'finish';
    if ((await this.pendingRuns(manager, backfillId)) >= this.maxPendingRuns) return 'wait';

    const versions: Array<{ definition: FlowDefinition }> = await manager.query(`SELECT definition FROM flow_versions WHERE id = $1`, [b.flow_version_id]);
    const resolved: ResolvedTrigger = resolveTrigger(this.connectors, versions[0]!.definition.trigger);
    const trigger = resolved.trigger as { listExisting?: (ctx: unknown, input: { cursor: unknown; config: unknown; phase?: string }) => Promise<PollResult> };
    if (typeof trigger.listExisting !== 'function') throw new SyncError(SyncErrorCode.CANNOT_LIST_EXISTING, `The trigger of flow ${b.flow_id} cannot list existing records.`);
    const ctx = await this.contexts().contextFor(b.workspace_id, resolved, { flowId: b.flow_id });
    const phase = b.phases[b.phase_index] ?? null;
    const page = await trigger.listExisting(ctx, { cursor: b.cursor ?? null, config: resolved.config, ...(phase !== null ? { phase } : {}) });

    let stored = 0;
    for (const item of page.items) {
      const inserted: Array<{ item_id: string }> = await manager.query(
        `INSERT INTO backfill_items (backfill_id, item_id, phase) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING item_id`,
        [backfillId, item.id, phase],
      );
      if (!inserted[0]) continue; // listed before (an earlier phase, or an overlapping page)
      const event = await insertTriggerEvent(manager, {
        workspaceId: b.workspace_id,
        flowId: b.flow_id,
        flowVersionId: b.flow_version_id,
        source: 'poll',
        providerEventId: item.id,
        dedupeKey: `backfill:${backfillId}:${item.id}`,
        payload: item.payload,
      });
      const { runId } = await this.runs.enqueueRun(manager, {
        workspaceId: b.workspace_id,
        flowId: b.flow_id,
        flowVersionId: b.flow_version_id,
        eventId: event.id,
        triggerOutput: item.payload,
        source: 'backfill',
      });
      await manager.query(`UPDATE backfill_items SET event_id = $3, run_id = $4 WHERE backfill_id = $1 AND item_id = $2`, [backfillId, item.id, event.id, runId]);
      stored += 1;
    }

    let cursor: unknown = null;
    let phaseIndex = b.phase_index;
    let listingDone = false;
    if (page.hasMore && page.nextCursor !== null && page.nextCursor !== undefined) cursor = page.nextCursor;
    else if (phaseIndex + 1 < b.phases.length) phaseIndex += 1;
    else listingDone = true;
    await manager.query(
      `UPDATE backfills SET cursor = $2::jsonb, phase_index = $3, listing_done = $4, listed = listed + $5, chunks = chunks + 1, error = NULL, heartbeat_at = now() WHERE id = $1`,
      [backfillId, JSON.stringify(cursor), phaseIndex, listingDone, stored],
    );
    await this.beforeChunkCommit?.({ backfillId, items: stored });
    return listingDone ? 'finish' : 'list';
  }

  private async pendingRuns(manager: EntityManager, backfillId: string): Promise<number> {
    const rows: Array<{ n: string }> = await manager.query(
      `SELECT count(*) AS n FROM backfill_items i JOIN runs r ON r.id = i.run_id WHERE i.backfill_id = $1 AND r.status IN ('queued', 'running')`,
      [backfillId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Completes a fully listed backfill whose runs have all finished; hands the start cursor to the trigger. */
  private async finishIfDone(backfillId: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const rows: BackfillRow[] = await manager.query(`SELECT * FROM backfills WHERE id = $1 FOR UPDATE`, [backfillId]);
      const b = rows[0];
      if (!b || b.status !== 'running') return true;
      if (!b.listing_done || (await this.pendingRuns(manager, backfillId)) > 0) return false;
      await manager.query(`UPDATE backfills SET status = 'succeeded', finished_at = now(), heartbeat_at = now() WHERE id = $1`, [backfillId]);
      if (b.start_cursor !== null && b.start_cursor !== undefined) {
        const versions: Array<{ definition: FlowDefinition }> = await manager.query(`SELECT definition FROM flow_versions WHERE id = $1`, [b.flow_version_id]);
        const node = versions[0]!.definition.trigger;
        // trigger_states belongs to the triggers feature: only the cursor of a polling state of the same trigger is
        // written (a state row is created unarmed if the flow was never enabled; arming keeps the cursor).
        await manager.query(
          `INSERT INTO trigger_states (flow_id, workspace_id, kind, connector_key, trigger_key, cursor, updated_at)
           VALUES ($1, $2, 'polling', $3, $4, $5::jsonb, now())
           ON CONFLICT (flow_id) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = now()
             WHERE trigger_states.kind = 'polling' AND trigger_states.connector_key = EXCLUDED.connector_key AND trigger_states.trigger_key = EXCLUDED.trigger_key`,
          [b.flow_id, b.workspace_id, node.connector, node.trigger, JSON.stringify(b.start_cursor)],
        );
      }
      this.logger.log(`Initial sync ${backfillId} of flow ${b.flow_id} finished (${b.listed} records).`);
      return true;
    });
  }

  async cancel(workspaceId: string, backfillId: string): Promise<BackfillView> {
    await this.dataSource.query(`UPDATE backfills SET status = 'cancelled', finished_at = now() WHERE id = $1 AND workspace_id = $2 AND status = 'running'`, [backfillId, workspaceId]);
    return this.get(workspaceId, backfillId);
  }

  async get(workspaceId: string, backfillId: string): Promise<BackfillView> {
    const views = await this.views(workspaceId, 'b.id = $2', [backfillId]);
    if (!views[0]) throw new SyncError(SyncErrorCode.BACKFILL_NOT_FOUND, `There is no initial sync ${backfillId} in this workspace.`);
    return views[0];
  }

  async listForFlow(workspaceId: string, flowId: string): Promise<BackfillView[]> {
    return this.views(workspaceId, 'b.flow_id = $2', [flowId]);
  }

  private async views(workspaceId: string, where: string, params: unknown[]): Promise<BackfillView[]> {
    const rows: Array<BackfillRow & { done: string; failed: string; pending: string }> = await this.dataSource.query(
      `SELECT b.*,
         (SELECT count(*) FROM backfill_items i JOIN runs r ON r.id = i.run_id WHERE i.backfill_id = b.id AND r.status = 'succeeded') AS done,
         (SELECT count(*) FROM backfill_items i JOIN runs r ON r.id = i.run_id WHERE i.backfill_id = b.id AND r.status IN ('failed', 'cancelled')) AS failed,
         (SELECT count(*) FROM backfill_items i JOIN runs r ON r.id = i.run_id WHERE i.backfill_id = b.id AND r.status IN ('queued', 'running')) AS pending
       FROM backfills b WHERE b.workspace_id = $1 AND ${where} ORDER BY b.started_at DESC LIMIT 50`,
      [workspaceId, ...params],
    );
    return rows.map((b) => ({
      id: b.id,
      flowId: b.flow_id,
      status: b.status,
      phase: b.listing_done ? null : (b.phases[b.phase_index] ?? null),
      phases: b.phases,
      listed: b.listed,
      total: b.listing_done ? b.listed : null,
      done: Number(b.done),
      failed: Number(b.failed),
      pending: Number(b.pending),
      error: b.error,
      startedAt: new Date(b.started_at).toISOString(),
      finishedAt: b.finished_at ? new Date(b.finished_at).toISOString() : null,
    }));
  }

  /**
   * "Resync from date": rewinds the flow's polling cursor so the next poll reports every record modified since
   * `from`. Cursors are the connector's own JSON; every ISO-time watermark in it (`updatedAt`, `watermark`, at any
   * depth) is set to `from` and the ids remembered at the old watermark are dropped.
   */
  async resync(workspaceId: string, flowId: string, from: Date): Promise<{ flowId: string; cursor: unknown }> {
    const cursor = await this.dataSource.transaction(async (manager) => {
      await this.publishedFlow(manager, workspaceId, flowId);
      const rows: Array<{ kind: string; cursor: unknown }> = await manager.query(`SELECT kind, cursor FROM trigger_states WHERE flow_id = $1 AND workspace_id = $2 FOR UPDATE`, [flowId, workspaceId]);
      const state = rows[0];
      const rewound = state?.kind === 'polling' ? rewindCursor(state.cursor, from.toISOString()) : undefined;
      if (!state || state.kind !== 'polling' || rewound === undefined) {
        throw new SyncError(
          SyncErrorCode.NOT_POLLING,
          `Flow ${flowId} has no polling position to reset: enable the flow with a polling trigger (and let it poll once), or run an initial sync instead.`,
        );
      }
      // A new poll generation: records already run are run again once (triggers dedupe polls per generation).
      await manager.query(`UPDATE trigger_states SET cursor = $2::jsonb, poll_generation = poll_generation + 1, next_run_at = now(), updated_at = now() WHERE flow_id = $1`, [flowId, JSON.stringify(rewound)]);
      return rewound;
    });
    await this.queue.send(POLL_QUEUE, { flowId }, { singletonKey: flowId });
    return { flowId, cursor };
  }
}

const WATERMARK_KEYS = new Set(['updatedAt', 'watermark', 'createdAt', 'since', 'modifiedSince']);
const ID_LIST_KEYS = /^ids/;

/** The cursor with its time watermarks set to `from` (undefined: no watermark found, cannot rewind). */
export function rewindCursor(cursor: unknown, from: string): unknown {
  let found = false;
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (WATERMARK_KEYS.has(key) && (typeof v === 'string' || v === null)) {
        out[key] = from;
        found = true;
      } else if (ID_LIST_KEYS.test(key) && Array.isArray(v)) out[key] = [];
      else out[key] = walk(v);
    }
    return out;
  };
  const result = walk(cursor);
  return found ? result : undefined;
}
