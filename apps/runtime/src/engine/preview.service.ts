import { Injectable } from '@nestjs/common';
import type { FlowDefinition, PreviewResult, PreviewStepView } from '@braid/flow-model';
import { DataSource } from 'typeorm';
import { ConnectorsService } from '../connectors/connectors.service.js';
import { ConnectionsBridge } from './connections.bridge.js';
import { EngineSettings } from './engine.settings.js';
import { RunInterrupted, RunWalker, StepFailure, type RunErrorInfo } from './run.walker.js';

export type { PreviewResult, PreviewStepView };

export interface PreviewRequest {
  workspaceId: string;
  flowId: string;
  definition: FlowDefinition;
  triggerOutput: unknown;
  dryRun: boolean;
  /** "Test this step": only this step runs, with `stepOutputs` as the outputs of earlier steps. */
  stepId?: string;
  stepOutputs?: Record<string, unknown>;
  loop?: { item: unknown; index: number };
}

/**
 * Runs a DRAFT inline (not queued), with a total time limit, and returns every step's input and output.
 * The run is stored with mode preview / dry-run so the editor can show it like any run. In dry-run mode,
 * write and delete actions answer their sample output and nothing changes in the connected apps.
 */
@Injectable()
export class PreviewService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly connectors: ConnectorsService,
    private readonly connections: ConnectionsBridge,
    private readonly settings: EngineSettings,
  ) {}

  async preview(request: PreviewRequest): Promise<PreviewResult> {
    const mode = request.dryRun ? 'dry-run' : 'preview';
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `INSERT INTO runs (workspace_id, flow_id, preview_definition, source, status, mode, trigger_output, started_at, attempt)
       VALUES ($1, $2, $3::jsonb, $6, 'running', $4, $5::jsonb, now(), 1) RETURNING id`,
      [request.workspaceId, request.flowId, JSON.stringify(request.definition), mode, JSON.stringify(request.triggerOutput ?? null), request.stepId ? 'step-test' : 'preview'],
    );
    const runId = rows[0]!.id;
    const controller = new AbortController();
    let interruption: RunInterrupted | undefined;
    const timer = setTimeout(() => {
      interruption = new RunInterrupted('timeout');
      controller.abort(interruption);
    }, this.settings.previewTimeoutMs);
    const walker = new RunWalker(
      { id: runId, workspaceId: request.workspaceId, flowId: request.flowId, mode, triggerOutput: request.triggerOutput },
      request.definition,
      { dataSource: this.dataSource, connectors: this.connectors, connections: this.connections, settings: this.settings, signal: controller.signal, interruption: () => interruption },
      [],
    );
    let status: PreviewResult['status'] = 'succeeded';
    let output: unknown = null;
    let error: RunErrorInfo | null = null;
    try {
      output = request.stepId ? await walker.walkOne(request.stepId, request.stepOutputs ?? {}, request.loop) : await walker.walk();
    } catch (caught) {
      status = 'failed';
      if (caught instanceof StepFailure) error = caught.info;
      else if (caught instanceof RunInterrupted) error = { code: 'PREVIEW_TIMEOUT', message: `The preview took longer than ${this.settings.previewTimeoutMs / 1000} s and was stopped.` };
      else error = { code: 'PREVIEW_ERROR', message: caught instanceof Error ? caught.message : String(caught) };
    } finally {
      clearTimeout(timer);
      await walker.flush();
    }
    await this.dataSource.query(
      `UPDATE runs SET status = $2, output = $3::jsonb, error = $4::jsonb, finished_at = now() WHERE id = $1`,
      [runId, status, JSON.stringify(output ?? null), error ? JSON.stringify(error) : null],
    );
    return { runId, mode, status, triggerOutput: request.triggerOutput, output, error, steps: await this.steps(runId) };
  }

  async steps(runId: string): Promise<PreviewStepView[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT step_id, path, status, input, output, error, attempts, dry_run, started_at, finished_at FROM run_steps WHERE run_id = $1 ORDER BY seq, started_at`,
      [runId],
    );
    return rows.map(toStepView);
  }
}

export function toStepView(row: Record<string, unknown>): PreviewStepView {
  return {
    stepId: row.step_id as string,
    path: row.path as string,
    status: row.status as string,
    input: row.input,
    output: row.output,
    error: row.error,
    attempts: row.attempts as number,
    dryRun: row.dry_run as boolean,
    startedAt: new Date(row.started_at as string).toISOString(),
    finishedAt: row.finished_at ? new Date(row.finished_at as string).toISOString() : null,
  };
}
