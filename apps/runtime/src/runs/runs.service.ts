import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { QueueService } from '../queue/queue.service.js';
import { RUN_QUEUE, type RunSource } from './runs.queue.js';

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

/** Runs: creation (queued + job, atomically), listing, cancel, replay. Execution lives in src/engine. */
@Injectable()
export class RunsService {
  constructor(private readonly queue: QueueService) {}

  /** Creates a queued run for a stored event and enqueues it, inside the caller's transaction. */
  async enqueueRun(manager: EntityManager, input: EnqueueRunInput): Promise<{ runId: string }> {
    const rows: Array<{ id: string }> = await manager.query(
      `INSERT INTO runs (workspace_id, flow_id, flow_version_id, event_id, source, status, mode, replay_of_run_id, trigger_output)
       VALUES ($1, $2, $3, $4, $5, 'queued', 'live', $6, $7::jsonb) RETURNING id`,
      [input.workspaceId, input.flowId, input.flowVersionId, input.eventId, input.source, input.replayOfRunId ?? null, JSON.stringify(input.triggerOutput ?? null)],
    );
    const runId = rows[0]!.id;
    await this.queue.sendInTransaction(manager, RUN_QUEUE, { runId });
    return { runId };
  }
}
