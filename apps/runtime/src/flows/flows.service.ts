import { Injectable, Logger } from '@nestjs/common';
import {
  applyEdits,
  type FlowDefinition,
  type FlowDirection,
  type FlowEdit,
  FlowEditError,
  parseFlowDefinition,
  type Problem,
  validateFlow,
  type FlowDetail,
  type FlowExport,
  type FlowSummary,
  type FlowVersionInfo,
} from '@braid/flow-model';

export type { FlowDetail, FlowExport, FlowSummary, FlowVersionInfo };
import { DataSource } from 'typeorm';
import { ConnectorsService } from '../connectors/connectors.service.js';
import { PreviewService, type PreviewResult } from '../engine/preview.service.js';
import { redactWriteOnly } from '../engine/run.walker.js';
import { RunsService } from '../runs/runs.service.js';
import { FlowsBridges } from './flows.bridges.js';
import { FlowsError, FlowsErrorCode } from './flows.errors.js';
import { rowsOf } from '../queue/sql.rows.js';

export type CreateFlowInput =
  | { name: string; direction: FlowDirection; description?: string }
  | { definition: unknown }
  | { templateId: string };

export interface PreviewInput {
  source: 'sample' | 'last-event' | 'payload';
  payload?: unknown;
  mode?: 'normal' | 'dry-run';
  stepId?: string;
  /** Outputs of earlier steps for "test this step" (default: those of the flow's last preview). */
  stepOutputs?: Record<string, unknown>;
  /** For a step inside a for-each body: the element and position to test with. */
  loop?: { item: unknown; index: number };
}

interface FlowRow {
  id: string;
  workspace_id: string;
  name: string;
  direction: FlowDirection;
  draft: FlowDefinition;
  draft_revision: number;
  enabled: boolean;
  published_version_id: string | null;
  created_at: Date;
  updated_at: Date;
  version?: number | null;
  published_at?: Date | null;
  published_by?: string | null;
  published_definition?: FlowDefinition | null;
  last_run_id?: string | null;
  last_run_status?: string | null;
  last_run_queued_at?: Date | null;
  last_run_finished_at?: Date | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function blankFlow(name: string, direction: FlowDirection, description?: string): FlowDefinition {
  return {
    schemaVersion: 1,
    name,
    ...(description ? { description } : {}),
    direction,
    trigger: { connector: 'core', trigger: 'manual', config: { payloadSchema: { type: 'object' } } },
    start: null,
    steps: {},
  };
}

/** Every connectionRef in a definition (trigger and steps). */
export function connectionRefsOf(flow: FlowDefinition): Map<string, string> {
  const refs = new Map<string, string>();
  if (flow.trigger.connectionRef) refs.set(flow.trigger.connectionRef, flow.trigger.connector);
  for (const step of Object.values(flow.steps)) if (step.kind === 'action' && step.connectionRef) refs.set(step.connectionRef, step.connector);
  return refs;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object).sort().map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const FLOW_SELECT = `SELECT f.*, v.version, v.published_at, v.published_by, v.definition AS published_definition,
    lr.id AS last_run_id, lr.status AS last_run_status, lr.queued_at AS last_run_queued_at, lr.finished_at AS last_run_finished_at
  FROM flows f
  LEFT JOIN flow_versions v ON v.id = f.published_version_id
  LEFT JOIN LATERAL (SELECT id, status, queued_at, finished_at FROM runs WHERE flow_id = f.id AND workspace_id = f.workspace_id AND mode = 'live'
                     ORDER BY queued_at DESC LIMIT 1) lr ON true`;

/** Flows: drafts, edits, validation, immutable published versions, enable/disable, export/import, previews. */
@Injectable()
export class FlowsService {
  private readonly logger = new Logger('Flows');

  constructor(
    private readonly dataSource: DataSource,
    private readonly connectors: ConnectorsService,
    private readonly bridges: FlowsBridges,
    private readonly runs: RunsService,
    private readonly previews: PreviewService,
  ) {}

  // ------------------------------------------------------------------------------------------------------
  // reading

  private async row(workspaceId: string, flowId: string): Promise<FlowRow> {
    if (!UUID.test(flowId)) throw FlowsError.notFound();
    const rows: FlowRow[] = await this.dataSource.query(`${FLOW_SELECT} WHERE f.workspace_id = $1 AND f.id = $2`, [workspaceId, flowId]);
    if (!rows[0]) throw FlowsError.notFound();
    return rows[0];
  }

  private summary(row: FlowRow): FlowSummary {
    const actionConnectors = [...new Set(Object.values(row.draft.steps).flatMap((s) => (s.kind === 'action' ? [s.connector] : [])))];
    return {
      id: row.id,
      name: row.name,
      direction: row.direction,
      enabled: row.enabled,
      draftRevision: row.draft_revision,
      publishedVersion:
        row.published_version_id && row.version != null
          ? { id: row.published_version_id, version: row.version, publishedAt: new Date(row.published_at!).toISOString(), publishedBy: row.published_by ?? null }
          : null,
      triggerConnector: row.draft.trigger.connector,
      triggerKey: row.draft.trigger.trigger,
      actionConnectors,
      lastRun: row.last_run_id
        ? { id: row.last_run_id, status: row.last_run_status!, queuedAt: new Date(row.last_run_queued_at!).toISOString(), finishedAt: row.last_run_finished_at ? new Date(row.last_run_finished_at).toISOString() : null }
        : null,
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
    };
  }

  async list(workspaceId: string): Promise<FlowSummary[]> {
    const rows: FlowRow[] = await this.dataSource.query(`${FLOW_SELECT} WHERE f.workspace_id = $1 ORDER BY f.created_at, f.id`, [workspaceId]);
    return rows.map((row) => this.summary(row));
  }

  async get(workspaceId: string, flowId: string): Promise<FlowDetail> {
    const row = await this.row(workspaceId, flowId);
    return {
      ...this.summary(row),
      draft: row.draft,
      problems: await this.problemsOf(workspaceId, row.draft),
      hasUnpublishedChanges: !row.published_definition || stableJson(row.published_definition) !== stableJson(row.draft),
    };
  }

  /** Every problem that stops `flow` from being published in this workspace. */
  async problemsOf(workspaceId: string, flow: FlowDefinition): Promise<Problem[]> {
    const connections = await this.bridges.connections();
    const ids = connections ? await connections.listIds(workspaceId) : undefined;
    return validateFlow(flow, this.connectors.describeAll(), ids ? { connections: ids } : {});
  }

  // ------------------------------------------------------------------------------------------------------
  // writing

  private parse(json: unknown, pointerPrefix: string): FlowDefinition {
    const parsed = parseFlowDefinition(json);
    if (!parsed.ok) throw FlowsError.withProblems(FlowsErrorCode.FLOW_MALFORMED, 'The flow definition is malformed', parsed.problems, pointerPrefix);
    return parsed.flow;
  }

  async create(workspaceId: string, userId: string | null, input: CreateFlowInput): Promise<FlowDetail> {
    let definition: FlowDefinition;
    if ('templateId' in input) {
      const templates = await this.bridges.templates();
      const template = templates ? await templates.definitionFor(workspaceId, input.templateId) : null;
      if (!template) throw new FlowsError(FlowsErrorCode.UNKNOWN_TEMPLATE, `Unknown template "${input.templateId}". GET …/templates lists the available templates.`, { pointer: '/templateId' });
      definition = this.parse(template.definition, '');
    } else if ('definition' in input) {
      definition = this.parse(input.definition, '/definition');
    } else {
      definition = blankFlow(input.name.trim(), input.direction, input.description);
    }
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `INSERT INTO flows (workspace_id, name, direction, draft, created_by) VALUES ($1, $2, $3, $4::jsonb, $5) RETURNING id`,
      [workspaceId, definition.name, definition.direction, JSON.stringify(definition), userId],
    );
    return this.get(workspaceId, rows[0]!.id);
  }

  private async saveDraft(workspaceId: string, flowId: string, definition: FlowDefinition, baseRevision: number | undefined): Promise<FlowDetail> {
    const rows = rowsOf<{ id: string }>(await this.dataSource.query(
      `UPDATE flows SET draft = $3::jsonb, name = $4, direction = $5, draft_revision = draft_revision + 1, updated_at = now()
       WHERE workspace_id = $1 AND id = $2 AND ($6::int IS NULL OR draft_revision = $6) RETURNING id`,
      [workspaceId, flowId, JSON.stringify(definition), definition.name, definition.direction, baseRevision ?? null],
    ));
    if (!rows[0]) {
      const current = await this.row(workspaceId, flowId);
      throw new FlowsError(
        FlowsErrorCode.REVISION_CONFLICT,
        `The draft was changed by someone else (now at revision ${current.draft_revision}, your edit was based on ${baseRevision}). Reload the flow and apply your change again.`,
        { details: { currentRevision: current.draft_revision } },
      );
    }
    return this.get(workspaceId, flowId);
  }

  /** Replaces the whole draft (structure checked; publishing checks the rest). */
  async replaceDraft(workspaceId: string, flowId: string, definition: unknown, baseRevision?: number): Promise<FlowDetail> {
    await this.row(workspaceId, flowId);
    return this.saveDraft(workspaceId, flowId, this.parse(definition, '/definition'), baseRevision);
  }

  /** Applies edit operations to the draft at `baseRevision` (409 when the draft moved on). */
  async editDraft(workspaceId: string, flowId: string, edits: FlowEdit[], baseRevision: number): Promise<FlowDetail> {
    const row = await this.row(workspaceId, flowId);
    if (row.draft_revision !== baseRevision) {
      throw new FlowsError(
        FlowsErrorCode.REVISION_CONFLICT,
        `The draft was changed by someone else (now at revision ${row.draft_revision}, your edits were based on ${baseRevision}). Reload the flow and apply your change again.`,
        { details: { currentRevision: row.draft_revision } },
      );
    }
    let next: FlowDefinition;
    try {
      next = applyEdits(row.draft, edits);
    } catch (error) {
      if (error instanceof FlowEditError) {
        const at = error.editIndex !== undefined ? `/edits/${error.editIndex}` : '/edits';
        if (error.problems?.length) {
          throw FlowsError.withProblems(FlowsErrorCode.EDIT_REJECTED, `Edit ${error.editIndex ?? ''} was refused (${error.code})`.replace('  ', ' '), error.problems);
        }
        throw new FlowsError(FlowsErrorCode.EDIT_REJECTED, error.message, { pointer: at, details: { editCode: error.code, editIndex: error.editIndex } });
      }
      throw error;
    }
    return this.saveDraft(workspaceId, flowId, next, baseRevision);
  }

  /** Validates the draft with the connector catalog and the workspace's connections, then freezes it as a new version. */
  async publish(workspaceId: string, flowId: string, userId: string | null): Promise<FlowDetail> {
    const row = await this.row(workspaceId, flowId);
    const problems = await this.problemsOf(workspaceId, row.draft);
    if (problems.length > 0) throw FlowsError.withProblems(FlowsErrorCode.FLOW_INVALID, 'The flow cannot be published', problems, '/draft');
    const version = await this.dataSource.transaction(async (manager) => {
      // Lock the flow row: two publishes at once get consecutive numbers.
      await manager.query(`SELECT 1 FROM flows WHERE id = $1 FOR UPDATE`, [flowId]);
      const inserted: Array<{ id: string; version: number }> = await manager.query(
        `INSERT INTO flow_versions (flow_id, workspace_id, version, definition, published_by)
         SELECT $1, $2, COALESCE(MAX(version), 0) + 1, $3::jsonb, $4 FROM flow_versions WHERE flow_id = $1
         RETURNING id, version`,
        [flowId, workspaceId, JSON.stringify(row.draft), userId],
      );
      await manager.query(`UPDATE flows SET published_version_id = $2, updated_at = now() WHERE id = $1`, [flowId, inserted[0]!.id]);
      return inserted[0]!;
    });
    if (row.enabled) await this.arm(workspaceId, flowId, { id: version.id, definition: row.draft });
    return this.get(workspaceId, flowId);
  }

  private async arm(workspaceId: string, flowId: string, version: { id: string; definition: FlowDefinition }): Promise<void> {
    const triggers = await this.bridges.triggers();
    await triggers?.arm(workspaceId, flowId, version);
  }

  async setEnabled(workspaceId: string, flowId: string, enabled: boolean): Promise<FlowDetail> {
    const row = await this.row(workspaceId, flowId);
    if (enabled) {
      if (!row.published_version_id || !row.published_definition) {
        throw new FlowsError(FlowsErrorCode.NOT_PUBLISHED, 'Publish the flow before enabling it (POST …/publish).');
      }
      await this.arm(workspaceId, flowId, { id: row.published_version_id, definition: row.published_definition });
    } else {
      const triggers = await this.bridges.triggers();
      await triggers?.disarm(workspaceId, flowId);
    }
    await this.dataSource.query(`UPDATE flows SET enabled = $3, updated_at = now() WHERE workspace_id = $1 AND id = $2`, [workspaceId, flowId, enabled]);
    return this.get(workspaceId, flowId);
  }

  /** Deletes the flow (disarmed first), its versions and its runs. Record links stay. */
  async delete(workspaceId: string, flowId: string): Promise<void> {
    await this.row(workspaceId, flowId);
    const triggers = await this.bridges.triggers();
    await triggers?.disarm(workspaceId, flowId);
    await this.dataSource.query(`UPDATE flows SET enabled = false WHERE workspace_id = $1 AND id = $2`, [workspaceId, flowId]);
    await this.dataSource.query(`DELETE FROM flows WHERE workspace_id = $1 AND id = $2`, [workspaceId, flowId]);
  }

  async versions(workspaceId: string, flowId: string): Promise<FlowVersionInfo[]> {
    await this.row(workspaceId, flowId);
    const rows: Array<{ id: string; version: number; published_at: Date; published_by: string | null }> = await this.dataSource.query(
      `SELECT id, version, published_at, published_by FROM flow_versions WHERE workspace_id = $1 AND flow_id = $2 ORDER BY version DESC`,
      [workspaceId, flowId],
    );
    return rows.map((r) => ({ id: r.id, version: r.version, publishedAt: new Date(r.published_at).toISOString(), publishedBy: r.published_by }));
  }

  async version(workspaceId: string, flowId: string, version: number): Promise<FlowVersionInfo & { definition: FlowDefinition }> {
    await this.row(workspaceId, flowId);
    const rows: Array<{ id: string; version: number; published_at: Date; published_by: string | null; definition: FlowDefinition }> = await this.dataSource.query(
      `SELECT id, version, published_at, published_by, definition FROM flow_versions WHERE workspace_id = $1 AND flow_id = $2 AND version = $3`,
      [workspaceId, flowId, version],
    );
    const r = rows[0];
    if (!r) throw new FlowsError(FlowsErrorCode.VERSION_NOT_FOUND, `The flow has no version ${version}. GET …/versions lists them.`);
    return { id: r.id, version: r.version, publishedAt: new Date(r.published_at).toISOString(), publishedBy: r.published_by, definition: r.definition };
  }

  /** Flows whose published version uses a connection (connections refuse deletion while any does). */
  async flowsUsingConnection(workspaceId: string, connectionId: string): Promise<Array<{ id: string; name: string }>> {
    const rows: Array<{ id: string; name: string; definition: FlowDefinition }> = await this.dataSource.query(
      `SELECT f.id, f.name, v.definition FROM flows f JOIN flow_versions v ON v.id = f.published_version_id WHERE f.workspace_id = $1`,
      [workspaceId],
    );
    return rows.filter((r) => connectionRefsOf(r.definition).has(connectionId)).map((r) => ({ id: r.id, name: r.name }));
  }

  // ------------------------------------------------------------------------------------------------------
  // export / import

  async exportFlow(workspaceId: string, flowId: string): Promise<FlowExport> {
    const row = await this.row(workspaceId, flowId);
    const connections = await this.bridges.connections();
    const refs = [];
    for (const [ref, connectorKey] of connectionRefsOf(row.draft)) {
      let name: string | null = null;
      if (connections && UUID.test(ref)) name = (await connections.get(workspaceId, ref).catch(() => null))?.name ?? null;
      refs.push({ ref, connectorKey, name });
    }
    return { format: 'braid-flow', formatVersion: 1, name: row.name, direction: row.direction, definition: this.withoutSecrets(row.draft), connections: refs };
  }

  /** Secret values typed into steps (writeOnly input fields such as an HTTP step's bearer token) are not exported. */
  private withoutSecrets(flow: FlowDefinition): FlowDefinition {
    const steps = Object.fromEntries(
      Object.entries(flow.steps).map(([id, step]) => {
        if (step.kind !== 'action') return [id, step];
        const schema = this.connectors.describeAll().find((c) => c.key === step.connector)?.actions.find((a) => a.key === step.action)?.inputSchema;
        return [id, schema ? { ...step, input: redactWriteOnly(schema, step.input) as typeof step.input } : step];
      }),
    );
    return { ...flow, steps };
  }

  /** Creates a flow from an export; `connectionMap` rewrites connection references (old ref → connection id here). */
  async importFlow(workspaceId: string, userId: string | null, document: { definition: unknown; name?: string }, connectionMap: Record<string, string> = {}): Promise<FlowDetail> {
    const definition = this.parse(document.definition, '/definition');
    const mapRef = (ref: string | undefined) => (ref !== undefined && connectionMap[ref] ? connectionMap[ref] : ref);
    const remapped: FlowDefinition = {
      ...definition,
      ...(document.name ? { name: document.name } : {}),
      trigger: { ...definition.trigger, ...(definition.trigger.connectionRef ? { connectionRef: mapRef(definition.trigger.connectionRef)! } : {}) },
      steps: Object.fromEntries(
        Object.entries(definition.steps).map(([id, step]) => [id, step.kind === 'action' && step.connectionRef ? { ...step, connectionRef: mapRef(step.connectionRef)! } : step]),
      ),
    };
    return this.create(workspaceId, userId, { definition: remapped });
  }

  // ------------------------------------------------------------------------------------------------------
  // running

  /** Runs the published version now with `payload` as the trigger's output (through the triggers feature when present). */
  async runManually(workspaceId: string, flowId: string, payload: unknown): Promise<{ runId: string; eventId: string | null }> {
    const row = await this.row(workspaceId, flowId);
    if (!row.published_version_id) throw new FlowsError(FlowsErrorCode.NOT_PUBLISHED, 'Publish the flow before running it (POST …/publish); to try the draft use POST …/preview.');
    const triggers = await this.bridges.triggers();
    if (triggers) return triggers.runManually(workspaceId, flowId, payload);
    const { runId } = await this.dataSource.transaction((manager) =>
      this.runs.enqueueRun(manager, { workspaceId, flowId, flowVersionId: row.published_version_id!, eventId: null, triggerOutput: payload, source: 'manual' }),
    );
    return { runId, eventId: null };
  }

  private async sampleEvent(workspaceId: string, row: FlowRow, input: PreviewInput): Promise<unknown> {
    if (input.source === 'payload') {
      if (input.payload === undefined) throw new FlowsError(FlowsErrorCode.NO_SAMPLE_EVENT, 'Paste the event to preview with in "payload".', { pointer: '/payload' });
      return input.payload;
    }
    if (input.source === 'last-event') {
      const triggers = await this.bridges.triggers();
      const last = triggers ? await triggers.lastEvent(workspaceId, row.id) : null;
      if (!last) throw new FlowsError(FlowsErrorCode.NO_SAMPLE_EVENT, 'This flow has received no event yet; preview with the trigger\'s sample or paste an event.', { pointer: '/source' });
      return last.payload;
    }
    const trigger = row.draft.trigger;
    const samplePayload = (trigger.config as { samplePayload?: unknown }).samplePayload;
    if (trigger.connector === 'core' && trigger.trigger === 'manual' && samplePayload !== undefined) return samplePayload;
    const descriptor = this.connectors.describeAll().find((c) => c.key === trigger.connector)?.triggers.find((t) => t.key === trigger.trigger);
    if (!descriptor) throw new FlowsError(FlowsErrorCode.NO_SAMPLE_EVENT, `The trigger ${trigger.connector} › ${trigger.trigger} is unknown, so it has no sample; paste an event instead.`, { pointer: '/source' });
    return descriptor.sampleOutput;
  }

  /** Runs the draft inline against a sample event; dry-run replaces writes by their sample output. */
  async preview(workspaceId: string, flowId: string, input: PreviewInput): Promise<PreviewResult> {
    const row = await this.row(workspaceId, flowId);
    const triggerOutput = await this.sampleEvent(workspaceId, row, input);
    let stepOutputs = input.stepOutputs;
    if (input.stepId && !stepOutputs) stepOutputs = await this.lastPreviewOutputs(workspaceId, flowId);
    return this.previews.preview({
      workspaceId,
      flowId,
      definition: row.draft,
      triggerOutput,
      dryRun: input.mode === 'dry-run',
      ...(input.stepId ? { stepId: input.stepId, stepOutputs: stepOutputs ?? {}, ...(input.loop ? { loop: input.loop } : {}) } : {}),
    });
  }

  /** Outputs of the top-level steps of the flow's most recent preview (for "test this step"). */
  private async lastPreviewOutputs(workspaceId: string, flowId: string): Promise<Record<string, unknown>> {
    const rows: Array<{ step_id: string; output: unknown }> = await this.dataSource.query(
      `SELECT s.step_id, s.output FROM run_steps s WHERE s.run_id = (
         SELECT id FROM runs WHERE workspace_id = $1 AND flow_id = $2 AND mode IN ('preview', 'dry-run') AND source = 'preview'
         ORDER BY queued_at DESC LIMIT 1)
       AND s.path = s.step_id AND s.status = 'succeeded'`,
      [workspaceId, flowId],
    );
    return Object.fromEntries(rows.map((r) => [r.step_id, r.output]));
  }
}
