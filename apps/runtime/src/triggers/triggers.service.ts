import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  ConnectorError,
  describeSecretSpec,
  secretMatchesSpec,
  webhookSecretSpec,
  type AppWebhookTriggerDefinition,
  type WebhookSecretSpec,
  type WebhookTriggerDefinition,
} from '@braid/connector-sdk';
import { nextScheduleTimes, validateManualPayload, type ManualTriggerConfig, type ScheduleTriggerConfig } from '@braid/connector-core';
import type { FlowDefinition, TriggerNode } from '@braid/flow-model';
import { BRAID_CONFIG, type BraidConfig } from '../config/config.service.js';
import { ConnectorsService } from '../connectors/connectors.service.js';
import { insertTriggerEvent, latestEvent } from '../events/events.store.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { QueueService } from '../queue/queue.service.js';
import { RunsService } from '../runs/runs.service.js';
import { TriggerContexts } from './trigger.context.js';
import { pollIntervalMs, resolveTrigger, webhookKinds, type ResolvedTrigger } from './trigger.resolve.js';
import { TriggerSecrets } from './trigger.secrets.js';
import { TriggersError, TriggersErrorCode } from './triggers.errors.js';
import { WebhookIngress } from './webhook.ingress.js';

/** pg-boss queue of polls: job data `{ flowId }`, one waiting + one active per flow (stately, keyed by flow). */
export const POLL_QUEUE = 'trigger.poll';
/** pg-boss cron queue ticking every minute: due schedules, app-webhook renewals, stalled poll chains. */
export const TICK_QUEUE = 'trigger.tick';
/** Pages read by one poll job before it hands over to a new job (keeps one job short). */
const MAX_PAGES_PER_POLL = 20;
const MIN_POLL_INTERVAL_MS = 1000;

export interface WebhookInfo {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** "set" when the flow has a secret (it is shown only once, when created or rotated). */
  secretHint?: string;
  /** The secret this trigger needs (what "create secret" makes), e.g. 32 letters and digits for Zoho Books. */
  secretFormat: { format: 'opaque' | 'alphanumeric'; length?: number; description: string };
  instructions: string[];
}

interface StateRow {
  flow_id: string;
  workspace_id: string;
  kind: string;
  connector_key: string;
  trigger_key: string;
  armed_version_id: string | null;
  cursor: unknown;
  registration_ciphertext: string | null;
  registration_external_id: string | null;
  registration_expires_at: Date | null;
  next_run_at: Date | null;
  last_error: string | null;
  poll_generation: number;
  trigger?: TriggerNode;
}

/** What one poll (one job, or "poll now") did. */
export interface PollOutcome {
  /** false: another poller held the flow's lock, or the flow's polling trigger is not armed. */
  polled: boolean;
  pages: number;
  /** Runs enqueued for new items (duplicates of items already run are not counted). */
  enqueued: number;
  /** More pages are waiting (the page limit of one poll was reached): the next poll follows at once. */
  hasMore: boolean;
  /** Why the poll failed (pages before the failure are kept; the cursor stays at the failed page). */
  error?: string;
}

/**
 * Dedupe key of a polled item version. Generation 0 keeps the original `poll:<id>:<modifiedAt>`; every
 * "resync from date" starts a new generation (`poll#<n>:…`) so the records it rewinds over run again, once.
 */
export function pollDedupeKey(generation: number, item: { id: string; modifiedAt?: string }): string {
  const version = `${item.id}:${item.modifiedAt ?? ''}`;
  return generation > 0 ? `poll#${generation}:${version}` : `poll:${version}`;
}

interface Registration {
  externalId: string;
  state: unknown;
}

/**
 * Arms and disarms flow triggers (RUNTIME-CONTRACTS.md "Events + trigger arming"), runs flows by hand, and
 * drives polling (self-rescheduling pg-boss jobs, one per flow), schedules and app-webhook renewals (a pg-boss
 * cron tick every minute, shared by all replicas). Every event is stored and its run enqueued in ONE transaction.
 */
@Injectable()
export class TriggersService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Triggers');
  /** Clock for schedules and renewals (tests move it). */
  now: () => Date = () => new Date();

  constructor(
    private readonly dataSource: DataSource,
    private readonly connectors: ConnectorsService,
    private readonly runs: RunsService,
    private readonly queue: QueueService,
    private readonly contexts: TriggerContexts,
    private readonly secrets: TriggerSecrets,
    private readonly metrics: MetricsService,
    private readonly ingress: WebhookIngress,
    @Inject(BRAID_CONFIG) private readonly config: BraidConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Created with their policies before anything is sent to them.
    await this.queue.ensureQueue(POLL_QUEUE, { policy: 'stately', retryLimit: 5, retryDelay: 5, retryBackoff: true, expireInSeconds: 15 * 60 });
    await this.queue.ensureQueue(TICK_QUEUE, { policy: 'singleton', retryLimit: 0, expireInSeconds: 5 * 60 });
    await this.queue.work<{ flowId: string }>(POLL_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => {
      if (job) await this.pollFlow(job.data.flowId);
    });
    await this.queue.work(TICK_QUEUE, { batchSize: 1, pollingIntervalSeconds: 5 }, async () => {
      await this.tick();
    });
    await this.queue.schedule(TICK_QUEUE, '* * * * *', {}, { tz: 'UTC' });
  }

  // ---------------------------------------------------------------------------------------------------------
  // URLs, endpoints, secrets

  /** Public URL of a flow's webhook: BRAID_PUBLIC_URL, else the address the runtime listens on. */
  webhookUrl(token: string): string {
    const base = this.config.publicUrl ?? `http://${this.config.host === '0.0.0.0' ? '127.0.0.1' : this.config.host}:${this.config.port}`;
    return `${base}/hooks/${token}`;
  }

  private async assertFlow(manager: EntityManager, workspaceId: string, flowId: string) {
    const rows: Array<{ id: string; enabled: boolean; published_version_id: string | null; draft: FlowDefinition }> = await manager.query(
      `SELECT id, enabled, published_version_id, draft FROM flows WHERE id = $1 AND workspace_id = $2`,
      [flowId, workspaceId],
    );
    if (!rows[0]) throw TriggersError.flowNotFound(flowId);
    return rows[0];
  }

  /** The flow's endpoint (token + optional secret), created on first use. */
  private async ensureEndpoint(manager: EntityManager, workspaceId: string, flowId: string): Promise<{ token: string; secret_ciphertext: string | null }> {
    await manager.query(
      `INSERT INTO trigger_endpoints (flow_id, workspace_id, token) VALUES ($1, $2, $3) ON CONFLICT (flow_id) DO NOTHING`,
      [flowId, workspaceId, TriggerSecrets.generateToken()],
    );
    const rows: Array<{ token: string; secret_ciphertext: string | null }> = await manager.query(
      `SELECT token, secret_ciphertext FROM trigger_endpoints WHERE flow_id = $1 AND workspace_id = $2`,
      [flowId, workspaceId],
    );
    return rows[0]!;
  }

  /**
   * The flow's secret (generated in the trigger's format when missing: app-webhook registrations always need one).
   * `fit`: a secret of another format (made for an earlier trigger) is replaced — for a new registration only;
   * a renewal keeps the secret the app already has.
   */
  private async ensureSecret(
    manager: EntityManager,
    workspaceId: string,
    flowId: string,
    spec: WebhookSecretSpec,
    options: { fit: boolean },
  ): Promise<string> {
    const endpoint = await this.ensureEndpoint(manager, workspaceId, flowId);
    if (endpoint.secret_ciphertext) {
      const existing = await this.secrets.decrypt<string>(workspaceId, flowId, endpoint.secret_ciphertext);
      if (!options.fit || secretMatchesSpec(spec, existing)) return existing;
    }
    const secret = TriggerSecrets.generate(spec);
    await manager.query(`UPDATE trigger_endpoints SET secret_ciphertext = $2, secret_set_at = now() WHERE flow_id = $1`, [
      flowId,
      await this.secrets.encrypt(workspaceId, flowId, secret),
    ]);
    return secret;
  }

  /**
   * Creates or replaces the flow's webhook secret, in the format its trigger declares (e.g. 32 letters and digits
   * for Zoho Books); the only time it is returned. This exact secret is what the trigger verifies with.
   */
  async rotateSecret(workspaceId: string, flowId: string): Promise<{ secret: string }> {
    return this.dataSource.transaction(async (manager) => {
      const flow = await this.assertFlow(manager, workspaceId, flowId);
      const resolved = await this.currentTrigger(manager, flow);
      await this.ensureEndpoint(manager, workspaceId, flowId);
      const secret = TriggerSecrets.generate(resolved ? webhookSecretSpec(resolved.trigger) : undefined);
      await manager.query(`UPDATE trigger_endpoints SET secret_ciphertext = $2, secret_set_at = now() WHERE flow_id = $1`, [
        flowId,
        await this.secrets.encrypt(workspaceId, flowId, secret),
      ]);
      return { secret };
    }).finally(() => this.ingress.invalidate());
  }

  /** Replaces the URL token (the old URL stops working at once). */
  async rotateToken(workspaceId: string, flowId: string): Promise<{ url: string }> {
    return this.dataSource.transaction(async (manager) => {
      await this.assertFlow(manager, workspaceId, flowId);
      await this.ensureEndpoint(manager, workspaceId, flowId);
      const token = TriggerSecrets.generateToken();
      await manager.query(`UPDATE trigger_endpoints SET token = $2 WHERE flow_id = $1`, [flowId, token]);
      return { url: this.webhookUrl(token) };
    }).finally(() => this.ingress.invalidate());
  }

  // ---------------------------------------------------------------------------------------------------------
  // Contract: arm / disarm / runManually / webhookInfo / lastEvent

  /** Called by FlowsService after publish+enable, after enable, and after a new version is published while enabled. */
  async arm(workspaceId: string, flowId: string, version: { id: string; definition: FlowDefinition }): Promise<void> {
    const resolved = resolveTrigger(this.connectors, version.definition.trigger);
    const previous = await this.state(flowId);
    if (previous?.registration_ciphertext) await this.unregister(workspaceId, flowId, previous);
    const now = this.now();
    const sameTrigger = previous?.connector_key === resolved.connector.key && previous?.trigger_key === resolved.trigger.key;
    let nextRunAt: Date | null = null;
    if (resolved.kind === 'schedule') nextRunAt = new Date(nextScheduleTimes(resolved.config as unknown as ScheduleTriggerConfig, now, 1)[0]!);
    if (resolved.kind === 'polling') nextRunAt = now;

    await this.dataSource.transaction(async (manager) => {
      await this.assertFlow(manager, workspaceId, flowId);
      if (webhookKinds.has(resolved.kind)) await this.ensureEndpoint(manager, workspaceId, flowId);
      await manager.query(
        `INSERT INTO trigger_states (flow_id, workspace_id, kind, connector_key, trigger_key, armed_version_id, cursor, next_run_at, last_error, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, NULL, now())
         ON CONFLICT (flow_id) DO UPDATE SET kind = $3, connector_key = $4, trigger_key = $5, armed_version_id = $6,
           cursor = CASE WHEN $8 THEN trigger_states.cursor ELSE NULL END, next_run_at = $7, last_error = NULL,
           registration_ciphertext = NULL, registration_external_id = NULL, registration_expires_at = NULL, updated_at = now()`,
        [flowId, workspaceId, resolved.kind, resolved.connector.key, resolved.trigger.key, version.id, nextRunAt, sameTrigger],
      );
    });

    this.ingress.invalidate();
    if (resolved.kind === 'app-webhook') await this.register(workspaceId, flowId, resolved);
    if (resolved.kind === 'polling') await this.pollSoon(flowId);
    this.logger.log(`Armed the ${resolved.kind} trigger "${resolved.trigger.key}" of flow ${flowId} (version ${version.id}).`);
  }

  /**
   * Polls the flow now: a poll already waiting (the previous version's next interval) is moved to now — the
   * queue keeps one waiting poll per flow — or a new one is queued.
   */
  private async pollSoon(flowId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND singleton_key = $2 AND state = 'created' AND start_after > now()`,
      [POLL_QUEUE, flowId],
    );
    await this.queue.send(POLL_QUEUE, { flowId }, { singletonKey: flowId });
  }

  /** Called on disable and before delete: no new events are accepted; app registrations are removed. */
  async disarm(workspaceId: string, flowId: string): Promise<void> {
    const state = await this.state(flowId);
    if (!state || state.workspace_id !== workspaceId) return;
    await this.dataSource.query(
      `UPDATE trigger_states SET armed_version_id = NULL, next_run_at = NULL, updated_at = now() WHERE flow_id = $1 AND workspace_id = $2`,
      [flowId, workspaceId],
    );
    this.ingress.invalidate();
    if (state.registration_ciphertext) await this.unregister(workspaceId, flowId, state);
    this.logger.log(`Disarmed the trigger of flow ${flowId}.`);
  }

  /** Manual run / "run this flow for order X": stores an event and enqueues a run of the published version. */
  async runManually(workspaceId: string, flowId: string, payload: unknown): Promise<{ eventId: string; runId: string }> {
    return this.dataSource.transaction(async (manager) => {
      const flow = await this.assertFlow(manager, workspaceId, flowId);
      if (!flow.published_version_id) {
        throw new TriggersError(TriggersErrorCode.NOT_PUBLISHED, `Flow ${flowId} has no published version: publish it before running it.`);
      }
      const versions: Array<{ definition: FlowDefinition }> = await manager.query(`SELECT definition FROM flow_versions WHERE id = $1`, [
        flow.published_version_id,
      ]);
      const resolved = resolveTrigger(this.connectors, versions[0]!.definition.trigger);
      let triggerOutput: unknown = payload ?? {};
      if (resolved.kind === 'manual') {
        try {
          triggerOutput = validateManualPayload(resolved.config as unknown as ManualTriggerConfig, payload);
        } catch (error) {
          if (error instanceof ConnectorError) {
            const pointer = error.issues?.[0]?.pointer;
            throw new TriggersError(TriggersErrorCode.INVALID_PAYLOAD, error.message, {
              details: { issues: error.issues ?? [] },
              ...(pointer !== undefined ? { pointer: `/payload${pointer}` } : {}),
            });
          }
          throw error;
        }
      }
      const event = await insertTriggerEvent(manager, {
        workspaceId,
        flowId,
        flowVersionId: flow.published_version_id,
        source: 'manual',
        payload: triggerOutput,
      });
      const { runId } = await this.runs.enqueueRun(manager, {
        workspaceId,
        flowId,
        flowVersionId: flow.published_version_id,
        eventId: event.id,
        triggerOutput,
        source: 'manual',
      });
      return { eventId: event.id, runId };
    });
  }

  /**
   * The trigger the editor shows for a flow: the published version's, unless the draft changes the connector
   * (then the draft's: what will be published). undefined when it does not resolve (e.g. a draft in progress).
   */
  private async currentTrigger(
    manager: EntityManager,
    flow: { published_version_id: string | null; draft: FlowDefinition },
  ): Promise<ResolvedTrigger | undefined> {
    let definition: FlowDefinition = flow.draft;
    if (flow.published_version_id) {
      const versions: Array<{ definition: FlowDefinition }> = await manager.query(`SELECT definition FROM flow_versions WHERE id = $1`, [
        flow.published_version_id,
      ]);
      if (versions[0] && versions[0].definition.trigger.connector === definition.trigger?.connector) definition = versions[0].definition;
    }
    const node = definition.trigger;
    if (!node) return undefined;
    try {
      return resolveTrigger(this.connectors, node);
    } catch (error) {
      if (error instanceof TriggersError) return undefined;
      throw error;
    }
  }

  /** Webhook URL of a flow and the set-up help; null when the flow's trigger does not receive webhooks. */
  async webhookInfo(workspaceId: string, flowId: string): Promise<WebhookInfo | null> {
    return this.dataSource.transaction(async (manager) => {
      const flow = await this.assertFlow(manager, workspaceId, flowId);
      const resolved = await this.currentTrigger(manager, flow);
      if (!resolved || !webhookKinds.has(resolved.kind)) return null;
      const endpoint = await this.ensureEndpoint(manager, workspaceId, flowId);
      const url = this.webhookUrl(endpoint.token);
      const secretHint = endpoint.secret_ciphertext ? 'set' : undefined;
      const spec = webhookSecretSpec(resolved.trigger);
      const secretFormat = { ...spec, description: describeSecretSpec(spec) };
      // A secret made for another trigger (e.g. before the flow switched to Zoho Books) cannot be pasted there.
      const misfit =
        endpoint.secret_ciphertext && resolved.kind === 'webhook' && !secretMatchesSpec(spec, await this.secrets.decrypt<string>(workspaceId, flowId, endpoint.secret_ciphertext))
          ? [`The current secret does not fit this trigger (it needs ${secretFormat.description}): replace the secret, then paste the new one.`]
          : [];
      if (resolved.kind === 'app-webhook') {
        return {
          url,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          ...(secretHint ? { secretHint } : {}),
          secretFormat,
          instructions: [`${resolved.connector.title} is told about this URL automatically when the flow is enabled, and forgets it when the flow is disabled.`],
        };
      }
      const trigger = resolved.trigger as WebhookTriggerDefinition;
      const setup = trigger.setupInstructions?.(resolved.config, url, undefined);
      return {
        url,
        method: setup?.method ?? 'POST',
        headers: setup?.headers ?? { 'content-type': 'application/json' },
        ...(secretHint ? { secretHint } : {}),
        secretFormat,
        instructions: [...misfit, ...(setup?.notes ?? [`Send POST requests with a JSON body to ${url}.`])],
      };
    });
  }

  /** The newest stored event of the flow (editor preview with "the last real event"). */
  async lastEvent(workspaceId: string, flowId: string): Promise<{ id: string; payload: unknown } | null> {
    const event = await latestEvent(this.dataSource.manager, workspaceId, flowId);
    return event ? { id: event.id, payload: event.payload } : null;
  }

  // ---------------------------------------------------------------------------------------------------------
  // App webhooks

  private async state(flowId: string): Promise<StateRow | undefined> {
    const rows: StateRow[] = await this.dataSource.query(`SELECT * FROM trigger_states WHERE flow_id = $1`, [flowId]);
    return rows[0];
  }

  private async armedTrigger(state: StateRow): Promise<ResolvedTrigger | undefined> {
    if (!state.armed_version_id) return undefined;
    const rows: Array<{ trigger: TriggerNode }> = await this.dataSource.query(`SELECT definition->'trigger' AS trigger FROM flow_versions WHERE id = $1`, [
      state.armed_version_id,
    ]);
    return rows[0] ? resolveTrigger(this.connectors, rows[0].trigger) : undefined;
  }

  private async register(workspaceId: string, flowId: string, resolved: ResolvedTrigger): Promise<void> {
    const trigger = resolved.trigger as AppWebhookTriggerDefinition;
    const { token, secret } = await this.dataSource.transaction(async (manager) => ({
      token: (await this.ensureEndpoint(manager, workspaceId, flowId)).token,
      secret: await this.ensureSecret(manager, workspaceId, flowId, webhookSecretSpec(trigger), { fit: true }),
    }));
    let registration;
    try {
      const ctx = await this.contexts.contextFor(workspaceId, resolved, { flowId });
      registration = await trigger.register(ctx, { webhookUrl: this.webhookUrl(token), config: resolved.config, secret });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.dataSource.query(`UPDATE trigger_states SET armed_version_id = NULL, last_error = $2, updated_at = now() WHERE flow_id = $1`, [flowId, message]);
      this.ingress.invalidate();
      if (error instanceof TriggersError) throw error;
      throw new TriggersError(
        TriggersErrorCode.REGISTRATION_FAILED,
        `${resolved.connector.title} refused to register the webhook of "${resolved.trigger.title}": ${message}`,
      );
    }
    await this.saveRegistration(workspaceId, flowId, registration);
  }

  private async saveRegistration(workspaceId: string, flowId: string, registration: { externalId: string; state: unknown; expiresAt?: string }) {
    const stored: Registration = { externalId: registration.externalId, state: registration.state };
    await this.dataSource.query(
      `UPDATE trigger_states SET registration_ciphertext = $2, registration_external_id = $3, registration_expires_at = $4, last_error = NULL, updated_at = now()
        WHERE flow_id = $1`,
      [flowId, await this.secrets.encrypt(workspaceId, flowId, stored), registration.externalId, registration.expiresAt ? new Date(registration.expiresAt) : null],
    );
    this.ingress.invalidate();
  }

  /** Removes the app's registration (best effort: a failure is recorded, the flow is disarmed anyway). */
  private async unregister(workspaceId: string, flowId: string, state: StateRow): Promise<void> {
    if (!state.registration_ciphertext) return;
    try {
      const connector = this.connectors.definition(state.connector_key);
      const trigger = connector.triggers.find((t) => t.key === state.trigger_key);
      const versionId = state.armed_version_id;
      const nodeRows: Array<{ trigger: TriggerNode }> = versionId
        ? await this.dataSource.query(`SELECT definition->'trigger' AS trigger FROM flow_versions WHERE id = $1`, [versionId])
        : await this.dataSource.query(
            `SELECT v.definition->'trigger' AS trigger FROM flows f JOIN flow_versions v ON v.id = f.published_version_id WHERE f.id = $1`,
            [flowId],
          );
      if (trigger?.kind === 'app-webhook' && nodeRows[0]) {
        const resolved = resolveTrigger(this.connectors, nodeRows[0].trigger);
        const registration = await this.secrets.decrypt<Registration>(workspaceId, flowId, state.registration_ciphertext);
        const ctx = await this.contexts.contextFor(workspaceId, resolved, { flowId });
        await trigger.unregister(ctx, { state: registration.state, config: resolved.config });
      }
      await this.dataSource.query(
        `UPDATE trigger_states SET registration_ciphertext = NULL, registration_external_id = NULL, registration_expires_at = NULL, updated_at = now()
          WHERE flow_id = $1`,
        [flowId],
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn(`Could not remove the app webhook of flow ${flowId}: ${message}`);
      await this.dataSource.query(`UPDATE trigger_states SET last_error = $2, updated_at = now() WHERE flow_id = $1`, [
        flowId,
        `Could not remove the app webhook: ${message}`,
      ]);
    }
  }

  /** Renews (or re-registers) app webhooks that expire within their trigger's `renewBeforeMs`. */
  async renewRegistrations(now = this.now()): Promise<number> {
    const rows: StateRow[] = await this.dataSource.query(
      `SELECT * FROM trigger_states WHERE kind = 'app-webhook' AND armed_version_id IS NOT NULL
          AND registration_expires_at IS NOT NULL AND registration_expires_at < $1::timestamptz + interval '7 days'`,
      [now],
    );
    let renewed = 0;
    for (const state of rows) {
      const resolved = await this.armedTrigger(state);
      if (!resolved || resolved.kind !== 'app-webhook' || !state.registration_ciphertext) continue;
      const trigger = resolved.trigger as AppWebhookTriggerDefinition;
      const renewBeforeMs = trigger.renewBeforeMs ?? 60 * 60_000;
      if (state.registration_expires_at!.getTime() - renewBeforeMs > now.getTime()) continue;
      try {
        const { token, secret } = await this.dataSource.transaction(async (manager) => ({
          token: (await this.ensureEndpoint(manager, state.workspace_id, state.flow_id)).token,
          secret: await this.ensureSecret(manager, state.workspace_id, state.flow_id, webhookSecretSpec(trigger), { fit: false }),
        }));
        const registration = await this.secrets.decrypt<Registration>(state.workspace_id, state.flow_id, state.registration_ciphertext);
        const ctx = await this.contexts.contextFor(state.workspace_id, resolved, { flowId: state.flow_id });
        const webhookUrl = this.webhookUrl(token);
        const next = trigger.renew
          ? await trigger.renew(ctx, { state: registration.state, config: resolved.config, webhookUrl, secret })
          : await (async () => {
              await trigger.unregister(ctx, { state: registration.state, config: resolved.config });
              return trigger.register(ctx, { webhookUrl, config: resolved.config, secret });
            })();
        await this.saveRegistration(state.workspace_id, state.flow_id, next);
        renewed += 1;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.logger.warn(`Could not renew the app webhook of flow ${state.flow_id}: ${message}`);
        await this.dataSource.query(`UPDATE trigger_states SET last_error = $2, updated_at = now() WHERE flow_id = $1`, [
          state.flow_id,
          `Could not renew the app webhook: ${message}`,
        ]);
      }
    }
    return renewed;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Polling

  /**
   * One poll job of a flow: page by page, each page in ONE transaction that holds the flow's poll lock (another
   * replica polling the same flow makes this one stop) and its trigger state row, stores the items
   * as events (deduplicated by item id + modification time within the state's resync generation), enqueues their
   * runs and saves the cursor. A failure (or a crash) rolls the page back: the cursor stays where it was, so
   * nothing is skipped or repeated. Then the next poll is scheduled `interval` later.
   */
  async pollFlow(flowId: string): Promise<PollOutcome> {
    const outcome: PollOutcome = { polled: false, pages: 0, enqueued: 0, hasMore: false };
    const seen: { generation?: number } = {};
    let intervalMs: number | undefined;
    try {
      for (let page = 0; page < MAX_PAGES_PER_POLL; page += 1) {
        const result = await this.dataSource.transaction(async (manager) => this.pollPage(manager, flowId, seen));
        // Disarmed, or another poller holds the flow (that one schedules the next poll).
        if (!result) return outcome;
        outcome.polled = true;
        outcome.pages += 1;
        outcome.enqueued += result.enqueued;
        intervalMs = result.intervalMs;
        outcome.hasMore = result.hasMore;
        if (!result.hasMore) break;
      }
      this.metrics.pollFinished('ok');
    } catch (error) {
      outcome.hasMore = false; // retry after the interval, not at once
      outcome.polled = true;
      this.metrics.pollFinished('failed');
      const message = error instanceof Error ? error.message : String(error);
      outcome.error = message;
      this.logger.warn(`Poll of flow ${flowId} failed (the cursor is unchanged; it is retried next interval): ${message}`);
      await this.dataSource.query(`UPDATE trigger_states SET last_error = $2, updated_at = now() WHERE flow_id = $1`, [flowId, message]);
      const state = await this.state(flowId);
      const resolved = state ? await this.armedTrigger(state).catch(() => undefined) : undefined;
      intervalMs = resolved ? pollIntervalMs(resolved, MIN_POLL_INTERVAL_MS) : 60_000;
    }
    await this.scheduleNextPoll(flowId, outcome.hasMore ? 0 : (intervalMs ?? 60_000), seen.generation);
    return outcome;
  }

  /**
   * Queues the flow's next poll `delayMs` from now (`next_run_at`), unless one is already waiting (the queue keeps
   * one waiting poll per flow: e.g. the regular one when "poll now" ran in between, which then keeps its time). At once (a waiting poll is brought forward) when more pages wait, or when a resync started a new
   * generation after this poll read the state (its own "poll now" found this poll's job in the queue).
   */
  private async scheduleNextPoll(flowId: string, delayMs: number, generationSeen?: number): Promise<void> {
    const state = await this.state(flowId);
    if (!state?.armed_version_id || state.kind !== 'polling') return;
    if (generationSeen !== undefined && state.poll_generation !== generationSeen) delayMs = 0;
    if (delayMs === 0) {
      await this.dataSource.query(
        `UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND singleton_key = $2 AND state = 'created' AND start_after > now()`,
        [POLL_QUEUE, flowId],
      );
    }
    await this.dataSource.query(`UPDATE trigger_states SET next_run_at = now() + make_interval(secs => $2) WHERE flow_id = $1`, [flowId, delayMs / 1000]);
    await this.queue.send(POLL_QUEUE, { flowId }, { singletonKey: flowId, startAfter: Math.ceil(delayMs / 1000) });
  }

  /**
   * "Poll now" (API): one poll of an enabled flow's polling trigger at once, through the same path as the
   * scheduled poll (the flow's poll lock, one transaction per page with its cursor). The regular schedule goes on.
   */
  async pollNow(workspaceId: string, flowId: string): Promise<{ enqueued: number; pages: number; hasMore: boolean }> {
    const flow = await this.assertFlow(this.dataSource.manager, workspaceId, flowId);
    if (!flow.published_version_id) {
      throw new TriggersError(TriggersErrorCode.NOT_PUBLISHED, `Flow ${flowId} has no published version: publish and enable it before polling it.`);
    }
    const versions: Array<{ definition: FlowDefinition }> = await this.dataSource.query(`SELECT definition FROM flow_versions WHERE id = $1`, [
      flow.published_version_id,
    ]);
    const node = versions[0]!.definition.trigger;
    const kind = this.connectors.definition(node.connector).triggers.find((t) => t.key === node.trigger)?.kind;
    if (kind !== 'polling') {
      throw new TriggersError(
        TriggersErrorCode.NOT_POLLING,
        `Flow ${flowId} does not start from a polling trigger (its trigger is "${node.connector}.${node.trigger}"${kind ? `, ${kind}` : ''}): only polling triggers can be polled now.`,
      );
    }
    const state = await this.state(flowId);
    if (!flow.enabled || !state?.armed_version_id || state.kind !== 'polling') {
      throw new TriggersError(
        TriggersErrorCode.FLOW_DISABLED,
        `Flow ${flowId} is not enabled${flow.enabled && state?.last_error ? ` (its trigger could not be armed: ${state.last_error})` : ''}: enable it to poll it.`,
      );
    }
    const outcome = await this.pollFlow(flowId);
    if (!outcome.polled) {
      throw new TriggersError(TriggersErrorCode.POLL_IN_PROGRESS, `Flow ${flowId} is being polled right now: wait a moment and try again.`);
    }
    if (outcome.error !== undefined) {
      throw new TriggersError(
        TriggersErrorCode.POLL_FAILED,
        `Polling flow ${flowId} failed after ${outcome.enqueued} new run(s): ${outcome.error} The position is kept; the failed page is read again at the next poll.`,
        { details: { enqueued: outcome.enqueued, pages: outcome.pages } },
      );
    }
    return { enqueued: outcome.enqueued, pages: outcome.pages, hasMore: outcome.hasMore };
  }

  private async pollPage(
    manager: EntityManager,
    flowId: string,
    seen: { generation?: number },
  ): Promise<{ hasMore: boolean; intervalMs: number; enqueued: number } | undefined> {
    // One poller per flow across replicas: whoever holds this lock polls (and schedules the next poll); the
    // row lock below then only waits for short updates (errors, next run time), it never skips a poll.
    const [{ locked }] = (await manager.query(`SELECT pg_try_advisory_xact_lock(hashtextextended($1, 7302)) AS locked`, [`poll:${flowId}`])) as [{ locked: boolean }];
    if (!locked) return undefined;
    const rows: StateRow[] = await manager.query(
      `SELECT s.*, v.definition->'trigger' AS trigger FROM trigger_states s JOIN flow_versions v ON v.id = s.armed_version_id
        WHERE s.flow_id = $1 AND s.kind = 'polling' FOR UPDATE OF s`,
      [flowId],
    );
    const state = rows[0];
    if (!state?.trigger || !state.armed_version_id) return undefined;
    seen.generation = state.poll_generation;
    const resolved = resolveTrigger(this.connectors, state.trigger);
    if (resolved.trigger.kind !== 'polling') return undefined;
    const ctx = await this.contexts.contextFor(state.workspace_id, resolved, { flowId });
    const result = await resolved.trigger.poll(ctx, { cursor: state.cursor ?? null, config: resolved.config });
    let enqueued = 0;
    for (const item of result.items) {
      const event = await insertTriggerEvent(manager, {
        workspaceId: state.workspace_id,
        flowId,
        flowVersionId: state.armed_version_id,
        source: 'poll',
        providerEventId: item.id,
        dedupeKey: pollDedupeKey(state.poll_generation ?? 0, item),
        payload: item.payload,
      });
      if (event.duplicate) continue;
      await this.runs.enqueueRun(manager, {
        workspaceId: state.workspace_id,
        flowId,
        flowVersionId: state.armed_version_id,
        eventId: event.id,
        triggerOutput: item.payload,
        source: 'poll',
      });
      enqueued += 1;
    }
    await manager.query(`UPDATE trigger_states SET cursor = $2::jsonb, last_run_at = now(), last_error = NULL, updated_at = now() WHERE flow_id = $1`, [
      flowId,
      JSON.stringify(result.nextCursor ?? null),
    ]);
    return { hasMore: result.hasMore && result.items.length > 0, intervalMs: pollIntervalMs(resolved, MIN_POLL_INTERVAL_MS), enqueued };
  }

  // ---------------------------------------------------------------------------------------------------------
  // Schedules and the minute tick

  /**
   * Fires every armed schedule whose next tick is due: event + run + next tick in ONE transaction per flow
   * (row locked, SKIP LOCKED across replicas), so a tick fires exactly once. Ticks missed while the runtime
   * was down fire once, not once per missed tick.
   */
  async fireDueSchedules(now = this.now()): Promise<number> {
    const due: Array<{ flow_id: string }> = await this.dataSource.query(
      `SELECT flow_id FROM trigger_states WHERE kind = 'schedule' AND armed_version_id IS NOT NULL AND next_run_at <= $1`,
      [now],
    );
    let fired = 0;
    for (const { flow_id: flowId } of due) {
      const done = await this.dataSource.transaction(async (manager) => {
        const rows: StateRow[] = await manager.query(
          `SELECT s.*, v.definition->'trigger' AS trigger FROM trigger_states s JOIN flow_versions v ON v.id = s.armed_version_id
            WHERE s.flow_id = $1 AND s.kind = 'schedule' AND s.next_run_at <= $2 FOR UPDATE OF s SKIP LOCKED`,
          [flowId, now],
        );
        const state = rows[0];
        if (!state?.trigger || !state.armed_version_id || !state.next_run_at) return false;
        const resolved = resolveTrigger(this.connectors, state.trigger);
        const config = resolved.config as unknown as ScheduleTriggerConfig;
        const payload = { scheduledAt: state.next_run_at.toISOString(), timezone: config.timezone };
        const event = await insertTriggerEvent(manager, {
          workspaceId: state.workspace_id,
          flowId,
          flowVersionId: state.armed_version_id,
          source: 'schedule',
          dedupeKey: `schedule:${payload.scheduledAt}`,
          payload,
        });
        if (!event.duplicate) {
          await this.runs.enqueueRun(manager, {
            workspaceId: state.workspace_id,
            flowId,
            flowVersionId: state.armed_version_id,
            eventId: event.id,
            triggerOutput: payload,
            source: 'schedule',
          });
        }
        const from = now.getTime() > state.next_run_at.getTime() ? now : state.next_run_at;
        const next = nextScheduleTimes(config, from, 1)[0]!;
        await manager.query(`UPDATE trigger_states SET next_run_at = $2, last_run_at = now(), updated_at = now() WHERE flow_id = $1`, [flowId, next]);
        return !event.duplicate;
      });
      if (done) fired += 1;
    }
    return fired;
  }

  /**
   * Restarts poll chains that stopped (e.g. a job lost with its replica): stately queue, so never twice. And
   * brings a waiting poll forward to the state's `next_run_at` when that is earlier (a "resync from date" sets it
   * to now while the regular poll waits for its interval).
   */
  async resumeStalledPolls(now = this.now()): Promise<number> {
    const rows: Array<{ flow_id: string }> = await this.dataSource.query(
      `SELECT flow_id FROM trigger_states WHERE kind = 'polling' AND armed_version_id IS NOT NULL
          AND (next_run_at IS NULL OR next_run_at < $1::timestamptz - interval '2 minutes')`,
      [now],
    );
    for (const row of rows) await this.queue.send(POLL_QUEUE, { flowId: row.flow_id }, { singletonKey: row.flow_id });
    await this.dataSource.query(
      `UPDATE pgboss.job j SET start_after = greatest(s.next_run_at, now()) FROM trigger_states s
        WHERE j.name = $1 AND j.state = 'created' AND j.singleton_key = s.flow_id::text
          AND s.kind = 'polling' AND s.armed_version_id IS NOT NULL AND s.next_run_at IS NOT NULL
          AND j.start_after > s.next_run_at + interval '5 seconds'`,
      [POLL_QUEUE],
    );
    return rows.length;
  }

  /**
   * Deletes events older than the run retention (BRAID_RUN_RETENTION_DAYS, default 30, as the engine's run
   * retention) plus a day, at most `limit` per call. A provider redelivering an event that old would run again.
   */
  async pruneEvents(now = this.now(), limit = 5000): Promise<number> {
    const cutoff = new Date(now.getTime() - (this.config.engine.runRetentionDays + 1) * 86_400_000);
    // TypeORM answers a DELETE with [rows, affected count].
    const result: [unknown[], number] = await this.dataSource.query(
      `DELETE FROM trigger_events WHERE id IN (SELECT id FROM trigger_events WHERE received_at < $1 ORDER BY received_at LIMIT $2)`,
      [cutoff, limit],
    );
    return result[1];
  }

  async tick(): Promise<void> {
    const now = this.now();
    for (const [name, task] of [
      ['schedules', () => this.fireDueSchedules(now)],
      ['app-webhook renewals', () => this.renewRegistrations(now)],
      ['stalled polls', () => this.resumeStalledPolls(now)],
      ['event retention', () => this.pruneEvents(now)],
    ] as const) {
      try {
        await task();
      } catch (error) {
        this.logger.error(`Trigger tick (${name}) failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
