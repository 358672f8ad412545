import { Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { DataSource } from 'typeorm';
import { pointerOf } from '../common/validation.pipe.js';
import { ConnectionsService } from '../connections/connections.service.js';
import type { ConnectionView } from '../connections/connections.view.js';
import { FlowsError } from '../flows/flows.errors.js';
import { type FlowDetail, FlowsService } from '../flows/flows.service.js';
import { IntegrationsError, IntegrationsErrorCode } from './integrations.errors.js';
import { renderTemplateFlow } from './template.render.js';
import { TemplatesCatalog } from './templates.catalog.js';
import type { LoadedTemplate } from './templates.loader.js';

export type IntegrationStatus = 'pending-initial-sync' | 'active' | 'needs-attention';

export interface CreateIntegrationInput {
  templateId: string;
  name?: string;
  connections: Record<string, string>;
  settings?: Record<string, unknown>;
  modules?: Record<string, boolean>;
}

export interface UpdateIntegrationInput {
  name?: string;
  settings?: Record<string, unknown>;
  modules?: Record<string, boolean>;
}

/** Progress of one backfill, as the sync toolkit reports it (RUNTIME-CONTRACTS.md "Backfill / initial sync API"). */
export interface BackfillProgress {
  id: string;
  flowId: string;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  phase?: string | null;
  listed?: number;
  done: number;
  pending?: number;
  error?: string | null;
  total?: number | null;
  failed: number;
  startedAt?: string;
  finishedAt?: string | null;
}

/** What integrations need from the sync toolkit (src/sync), looked up at run time so there is no import cycle. */
export interface BackfillContract {
  start(workspaceId: string, flowId: string, options: { phases?: string[] }): Promise<{ backfillId: string }>;
  get(workspaceId: string, backfillId: string): Promise<BackfillProgress>;
}

interface InitialSyncState {
  startedAt: string;
  backfills: Array<{ flowKey: string; flowId: string; backfillId: string }>;
}

export interface InitialSyncView {
  status: 'not-started' | 'running' | 'succeeded' | 'failed';
  startedAt: string | null;
  done: number;
  total: number | null;
  failed: number;
  flows: Array<{ flowKey: string; flowId: string; backfill: BackfillProgress | null }>;
}

export interface IntegrationView {
  id: string;
  templateId: string;
  name: string;
  status: IntegrationStatus;
  /** Why the status is not "active": what to do about it. */
  reasons: string[];
  connections: Array<{ slot: string; title: string; connectionId: string; connector: string; name: string | null; status: string }>;
  settings: Record<string, unknown>;
  modules: Array<{ key: string; title: string; enabled: boolean; flows: string[] }>;
  flows: Array<{ key: string; flowId: string; name: string | null; enabled: boolean; module: string | null; publishedVersion: number | null; lastRun: FlowDetail['lastRun'] | null; missing: boolean }>;
  initialSync: InitialSyncView;
  createdAt: string;
  updatedAt: string;
}

interface IntegrationRow {
  id: string;
  workspace_id: string;
  template_id: string;
  name: string;
  connections: Record<string, string>;
  settings: Record<string, unknown>;
  modules: Record<string, boolean>;
  flows: Record<string, string>;
  initial_sync: InitialSyncState | null;
  created_at: Date;
  updated_at: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// The sync toolkit's BackfillService, by path: integrations work (without initial sync) in a build without it.
const SYNC_MODULES = [['../sync/backfill.service.js', 'BackfillService']] as const;

function settingsAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  (ajvFormats as unknown as { default: typeof ajvFormats.default }).default(ajv);
  return ajv;
}

/** Integrations: a template instantiated with connections, settings and module switches, as ordinary flows. */
@Injectable()
export class IntegrationsService {
  private readonly logger = new Logger('Integrations');
  // Every problem of the settings form at once (the shared API-body ajv stops at the first).
  private readonly ajv = settingsAjv();
  private backfills: BackfillContract | null | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly catalog: TemplatesCatalog,
    private readonly flows: FlowsService,
    private readonly connections: ConnectionsService,
    private readonly moduleRef: ModuleRef,
  ) {}

  // ------------------------------------------------------------------------------------------------------
  // input checks

  /** Settings with the schema's top-level defaults filled in, checked against the template's settings schema. */
  private checkedSettings(template: LoadedTemplate, settings: Record<string, unknown>): Record<string, unknown> {
    const schema = template.manifest.settings as { properties?: Record<string, { default?: unknown }> };
    const filled = { ...settings };
    for (const [key, property] of Object.entries(schema.properties ?? {})) {
      if (filled[key] === undefined && property.default !== undefined) filled[key] = property.default;
    }
    const validate = this.ajv.compile(template.manifest.settings);
    if (!validate(filled)) {
      const problems = (validate.errors ?? []).map((e: ErrorObject) => ({ pointer: `/settings${pointerOf(e)}`, message: `${pointerOf(e) || 'settings'} ${e.message ?? 'is invalid'}` }));
      throw new IntegrationsError(
        IntegrationsErrorCode.INVALID_SETTINGS,
        `The settings do not fit the template "${template.manifest.title}": ${problems.map((p) => `${p.pointer}: ${p.message}`).join('; ')}.`,
        { pointer: problems[0]?.pointer ?? '/settings', details: { problems } },
      );
    }
    return filled;
  }

  private async checkedConnections(workspaceId: string, template: LoadedTemplate, chosen: Record<string, string>): Promise<Map<string, ConnectionView>> {
    const views = new Map<string, ConnectionView>();
    const slots = new Map(template.manifest.connections.map((s) => [s.key, s]));
    for (const key of Object.keys(chosen)) {
      if (!slots.has(key)) {
        throw new IntegrationsError(IntegrationsErrorCode.INVALID_CONNECTIONS, `"${key}" is not a connection of this template (it needs: ${[...slots.keys()].join(', ')}).`, { pointer: `/connections/${key}` });
      }
    }
    for (const slot of template.manifest.connections) {
      const id = chosen[slot.key];
      const pointer = `/connections/${slot.key}`;
      if (!id) throw new IntegrationsError(IntegrationsErrorCode.INVALID_CONNECTIONS, `Choose a ${slot.connector} connection for "${slot.title}" (connections.${slot.key}).`, { pointer });
      const view = UUID.test(id) ? await this.connections.get(workspaceId, id).catch(() => null) : null;
      if (!view) throw new IntegrationsError(IntegrationsErrorCode.INVALID_CONNECTIONS, `Connection ${id} for "${slot.title}" does not exist in this workspace. GET …/connections lists them.`, { pointer });
      if (view.connectorKey !== slot.connector) {
        throw new IntegrationsError(IntegrationsErrorCode.INVALID_CONNECTIONS, `"${slot.title}" needs a ${slot.connector} connection; "${view.name}" is a ${view.connectorKey} connection.`, { pointer });
      }
      views.set(slot.key, view);
    }
    return views;
  }

  private checkedModules(template: LoadedTemplate, modules: Record<string, boolean>, current?: Record<string, boolean>): Record<string, boolean> {
    const known = new Set(template.manifest.modules.map((m) => m.key));
    for (const key of Object.keys(modules)) {
      if (!known.has(key)) throw new IntegrationsError(IntegrationsErrorCode.UNKNOWN_MODULE, `Unknown module "${key}" (this template has: ${[...known].join(', ') || 'none'}).`, { pointer: `/modules/${key}` });
    }
    return Object.fromEntries(template.manifest.modules.map((m) => [m.key, modules[m.key] ?? current?.[m.key] ?? m.default ?? true]));
  }

  /** Flows behind a switched-off module are disabled; flows in no module are always on. */
  private flowEnabled(template: LoadedTemplate, modules: Record<string, boolean>, flowKey: string): boolean {
    const owners = template.manifest.modules.filter((m) => m.flows.includes(flowKey));
    return owners.length === 0 || owners.some((m) => modules[m.key]);
  }

  private renderFlows(template: LoadedTemplate, integrationName: string, connections: Record<string, string>, settings: Record<string, unknown>) {
    return template.flows.map((flow) => ({
      key: flow.key,
      definition: renderTemplateFlow(flow.definition, { connections, settings, name: `${integrationName} · ${flow.definition.name}` }),
    }));
  }

  private flowRejected(error: unknown, flowKey: string): unknown {
    if (error instanceof FlowsError) {
      return new IntegrationsError(IntegrationsErrorCode.FLOW_REJECTED, `Flow "${flowKey}" of the template could not be set up: ${error.message}.`, { details: { flow: flowKey, code: error.code, ...(error.extra.details ? { problems: error.extra.details } : {}) } });
    }
    return error;
  }

  // ------------------------------------------------------------------------------------------------------
  // API

  async create(workspaceId: string, userId: string | null, input: CreateIntegrationInput): Promise<IntegrationView> {
    const template = this.catalog.get(input.templateId, '/templateId');
    const settings = this.checkedSettings(template, input.settings ?? {});
    await this.checkedConnections(workspaceId, template, input.connections);
    const modules = this.checkedModules(template, input.modules ?? {});
    const name = input.name?.trim() || template.manifest.title;
    const created: Record<string, string> = {};
    try {
      for (const flow of this.renderFlows(template, name, input.connections, settings)) {
        const detail = await this.flows.create(workspaceId, userId, { definition: flow.definition }).catch((e) => { throw this.flowRejected(e, flow.key); });
        created[flow.key] = detail.id;
        await this.flows.publish(workspaceId, detail.id, userId).catch((e) => { throw this.flowRejected(e, flow.key); });
        if (this.flowEnabled(template, modules, flow.key)) await this.flows.setEnabled(workspaceId, detail.id, true);
      }
    } catch (error) {
      // Nothing half-made stays behind: the flows created so far are removed.
      for (const flowId of Object.values(created)) await this.flows.delete(workspaceId, flowId).catch(() => undefined);
      throw error;
    }
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `INSERT INTO integrations (workspace_id, template_id, name, connections, settings, modules, flows, created_by)
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6::jsonb, $7::jsonb, $8) RETURNING id`,
      [workspaceId, template.manifest.id, name, JSON.stringify(input.connections), JSON.stringify(settings), JSON.stringify(modules), JSON.stringify(created), userId],
    );
    this.logger.log(`Integration ${rows[0]!.id} created from template ${template.manifest.id} with ${Object.keys(created).length} flow(s)`);
    return this.get(workspaceId, rows[0]!.id);
  }

  private async row(workspaceId: string, integrationId: string): Promise<IntegrationRow> {
    if (!UUID.test(integrationId)) throw IntegrationsError.notFound();
    const rows: IntegrationRow[] = await this.dataSource.query(`SELECT * FROM integrations WHERE workspace_id = $1 AND id = $2`, [workspaceId, integrationId]);
    if (!rows[0]) throw IntegrationsError.notFound();
    return rows[0];
  }

  async list(workspaceId: string): Promise<IntegrationView[]> {
    const rows: IntegrationRow[] = await this.dataSource.query(`SELECT * FROM integrations WHERE workspace_id = $1 ORDER BY created_at, id`, [workspaceId]);
    return Promise.all(rows.map((row) => this.view(row)));
  }

  async get(workspaceId: string, integrationId: string): Promise<IntegrationView> {
    return this.view(await this.row(workspaceId, integrationId));
  }

  async update(workspaceId: string, userId: string | null, integrationId: string, patch: UpdateIntegrationInput): Promise<IntegrationView> {
    const row = await this.row(workspaceId, integrationId);
    const template = this.catalog.get(row.template_id);
    const name = patch.name?.trim() || row.name;
    const settings = patch.settings ? this.checkedSettings(template, patch.settings) : row.settings;
    const modules = patch.modules ? this.checkedModules(template, patch.modules, row.modules) : row.modules;
    if (patch.settings) {
      // The settings are written into the flows (see renderTemplateFlow): render them again and republish.
      for (const flow of this.renderFlows(template, name, row.connections, settings)) {
        const flowId = row.flows[flow.key];
        if (!flowId) continue;
        try {
          await this.flows.replaceDraft(workspaceId, flowId, flow.definition);
          await this.flows.publish(workspaceId, flowId, userId);
        } catch (error) {
          throw this.flowRejected(error, flow.key);
        }
      }
    }
    for (const flow of template.flows) {
      const flowId = row.flows[flow.key];
      if (!flowId) continue;
      const shouldRun = this.flowEnabled(template, modules, flow.key);
      const current = await this.flows.get(workspaceId, flowId).catch(() => null);
      if (current && current.enabled !== shouldRun) await this.flows.setEnabled(workspaceId, flowId, shouldRun);
    }
    await this.dataSource.query(
      `UPDATE integrations SET name = $3, settings = $4::jsonb, modules = $5::jsonb, updated_at = now() WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, integrationId, name, JSON.stringify(settings), JSON.stringify(modules)],
    );
    return this.get(workspaceId, integrationId);
  }

  /** Disables and deletes the integration's flows (record links stay), then the integration. */
  async delete(workspaceId: string, integrationId: string): Promise<void> {
    const row = await this.row(workspaceId, integrationId);
    for (const flowId of Object.values(row.flows)) {
      await this.flows.delete(workspaceId, flowId).catch((error: unknown) => {
        if (!(error instanceof FlowsError)) throw error; // already deleted by hand: fine
      });
    }
    await this.dataSource.query(`DELETE FROM integrations WHERE workspace_id = $1 AND id = $2`, [workspaceId, integrationId]);
  }

  // ------------------------------------------------------------------------------------------------------
  // initial sync

  private async backfillService(): Promise<BackfillContract | null> {
    if (this.backfills !== undefined) return this.backfills;
    this.backfills = null;
    for (const [path, exportName] of SYNC_MODULES) {
      try {
        const module = (await import(/* @vite-ignore */ path)) as Record<string, new (...args: never[]) => unknown>;
        const type = module[exportName];
        const service = type ? (this.moduleRef.get(type, { strict: false }) as Partial<BackfillContract>) : null;
        if (service && typeof service.start === 'function' && typeof service.get === 'function') {
          this.backfills = service as BackfillContract;
          break;
        }
      } catch {
        // not installed in this build
      }
    }
    return this.backfills;
  }

  async startInitialSync(workspaceId: string, integrationId: string): Promise<InitialSyncView> {
    const row = await this.row(workspaceId, integrationId);
    const template = this.catalog.get(row.template_id);
    const candidates = template.flows.filter((f) => f.initialSync && row.flows[f.key] && this.flowEnabled(template, row.modules, f.key));
    if (candidates.length === 0) {
      throw new IntegrationsError(IntegrationsErrorCode.INITIAL_SYNC_UNAVAILABLE, `"${row.name}" has no switched-on flow that can import existing records.`);
    }
    const service = await this.backfillService();
    if (!service) {
      throw new IntegrationsError(IntegrationsErrorCode.INITIAL_SYNC_UNAVAILABLE, 'Initial sync needs the sync toolkit (backfills), which is not part of this build.');
    }
    const current = await this.initialSyncView(row);
    if (current.status === 'running') throw new IntegrationsError(IntegrationsErrorCode.INITIAL_SYNC_RUNNING, `The initial sync of "${row.name}" is still running (${current.done} done); wait for it to finish.`);
    const backfills: InitialSyncState['backfills'] = [];
    for (const flow of candidates) {
      const flowId = row.flows[flow.key]!;
      const { backfillId } = await service.start(workspaceId, flowId, flow.backfillPhases ? { phases: flow.backfillPhases } : {});
      backfills.push({ flowKey: flow.key, flowId, backfillId });
    }
    const state: InitialSyncState = { startedAt: new Date().toISOString(), backfills };
    await this.dataSource.query(`UPDATE integrations SET initial_sync = $3::jsonb, updated_at = now() WHERE workspace_id = $1 AND id = $2`, [workspaceId, integrationId, JSON.stringify(state)]);
    return this.initialSyncView({ ...row, initial_sync: state });
  }

  async initialSync(workspaceId: string, integrationId: string): Promise<InitialSyncView> {
    return this.initialSyncView(await this.row(workspaceId, integrationId));
  }

  private async initialSyncView(row: IntegrationRow): Promise<InitialSyncView> {
    const state = row.initial_sync;
    if (!state) return { status: 'not-started', startedAt: null, done: 0, total: null, failed: 0, flows: [] };
    const service = await this.backfillService();
    const flows = await Promise.all(
      state.backfills.map(async (b) => ({ flowKey: b.flowKey, flowId: b.flowId, backfill: service ? await service.get(row.workspace_id, b.backfillId).catch(() => null) : null })),
    );
    const progress = flows.map((f) => f.backfill);
    const status: InitialSyncView['status'] = progress.some((p) => !p || p.status === 'running')
      ? 'running'
      : progress.every((p) => p?.status === 'succeeded')
        ? 'succeeded'
        : 'failed';
    const totals = progress.map((p) => p?.total);
    return {
      status,
      startedAt: state.startedAt,
      done: progress.reduce((sum, p) => sum + (p?.done ?? 0), 0),
      total: totals.every((t) => typeof t === 'number') ? totals.reduce((sum: number, t) => sum + (t as number), 0) : null,
      failed: progress.reduce((sum, p) => sum + (p?.failed ?? 0), 0),
      flows,
    };
  }

  // ------------------------------------------------------------------------------------------------------
  // view

  /** An integration whose template is no longer installed: its flows still run; it can be deleted. */
  private async orphanView(row: IntegrationRow): Promise<IntegrationView> {
    const flows: IntegrationView['flows'] = [];
    for (const [key, flowId] of Object.entries(row.flows)) {
      const detail = await this.flows.get(row.workspace_id, flowId).catch(() => null);
      flows.push({ key, flowId, name: detail?.name ?? null, enabled: detail?.enabled ?? false, module: null, publishedVersion: detail?.publishedVersion?.version ?? null, lastRun: detail?.lastRun ?? null, missing: !detail });
    }
    return {
      id: row.id,
      templateId: row.template_id,
      name: row.name,
      status: 'needs-attention',
      reasons: [`Template "${row.template_id}" is no longer installed: its flows keep running, but settings and modules cannot be changed. Delete the integration or install the template again.`],
      connections: Object.entries(row.connections).map(([slot, connectionId]) => ({ slot, title: slot, connectionId, connector: '', name: null, status: 'unknown' })),
      settings: row.settings,
      modules: Object.entries(row.modules).map(([key, enabled]) => ({ key, title: key, enabled, flows: [] })),
      flows,
      initialSync: await this.initialSyncView(row),
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
    };
  }

  private async view(row: IntegrationRow): Promise<IntegrationView> {
    const template = this.catalog.find(row.template_id);
    if (!template) return this.orphanView(row);
    const reasons: string[] = [];
    const connections: IntegrationView['connections'] = [];
    for (const slot of template.manifest.connections) {
      const connectionId = row.connections[slot.key] ?? '';
      const view = await this.connections.get(row.workspace_id, connectionId).catch(() => null);
      connections.push({ slot: slot.key, title: slot.title, connectionId, connector: slot.connector, name: view?.name ?? null, status: view?.status ?? 'deleted' });
      if (!view) reasons.push(`The connection for "${slot.title}" was deleted: create the integration again with a new connection.`);
      else if (view.status === 'needs_reconnect') reasons.push(`Connection "${view.name}" needs to be reconnected (Connections › ${view.name} › Reconnect).`);
      else if (view.status === 'error') reasons.push(`Connection "${view.name}" reported an error: ${view.lastError ?? 'unknown'}.`);
    }
    const flows: IntegrationView['flows'] = [];
    for (const flow of template.flows) {
      const flowId = row.flows[flow.key];
      if (!flowId) continue;
      const detail = await this.flows.get(row.workspace_id, flowId).catch(() => null);
      const module = template.manifest.modules.find((m) => m.flows.includes(flow.key))?.key ?? null;
      flows.push({
        key: flow.key,
        flowId,
        name: detail?.name ?? null,
        enabled: detail?.enabled ?? false,
        module,
        publishedVersion: detail?.publishedVersion?.version ?? null,
        lastRun: detail?.lastRun ?? null,
        missing: !detail,
      });
      if (!detail) reasons.push(`Flow "${flow.definition.name}" was deleted: switch its module off, or create the integration again.`);
      else if (detail.lastRun?.status === 'failed') reasons.push(`The last run of "${detail.name}" failed (run ${detail.lastRun.id}): open it in Runs to see why, then replay it.`);
    }
    const initialSync = await this.initialSyncView(row);
    const needsInitialSync = template.flows.some((f) => f.initialSync && this.flowEnabled(template, row.modules, f.key));
    if (initialSync.status === 'failed') reasons.push(`The initial sync failed (${initialSync.failed} record(s)): start it again.`);
    let status: IntegrationStatus = 'active';
    if (reasons.length > 0) status = 'needs-attention';
    else if (needsInitialSync && initialSync.status !== 'succeeded') {
      status = 'pending-initial-sync';
      reasons.push(initialSync.status === 'running' ? `Initial sync running: ${initialSync.done}${initialSync.total != null ? ` of ${initialSync.total}` : ''} done.` : 'Existing records have not been imported yet: start the initial sync.');
    }
    return {
      id: row.id,
      templateId: row.template_id,
      name: row.name,
      status,
      reasons,
      connections,
      settings: row.settings,
      modules: template.manifest.modules.map((m) => ({ key: m.key, title: m.title, enabled: row.modules[m.key] ?? false, flows: m.flows })),
      flows,
      initialSync,
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
    };
  }
}
