// Walks one flow for one run: each step's input, output, error, attempts and timing are written to
// run_steps as the step completes, so a run interrupted anywhere resumes from its last completed step
// (a recorded step is never executed again: its stored output is reused).
import {
  type ActionDescriptor,
  type ConnectorDefinition,
  ConnectorError,
  createConnectorContext,
  isStopRunSignal,
  runAction,
  type SsrfOptions,
} from '@braid/connector-sdk';
import {
  type ActionStep,
  type BranchStep,
  chooseBranch,
  evaluateInput,
  type EvaluationBindings,
  ExpressionError,
  type FlowDefinition,
  type ForEachStep,
  loopItems,
  type MapStep,
  type RetryPolicy,
  type Step,
  type UpsertWithLinkStep,
  type RunErrorInfo,
} from '@braid/flow-model';

export type { RunErrorInfo };
import type { DataSource } from 'typeorm';
import { BraidError } from '../common/braid.error.js';
import { PgRecordLinkStore } from '../links/links.store.js';
import { queryPrepared } from '../queue/sql.prepared.js';
import type { ConnectionsBridge } from './connections.bridge.js';
import type { EngineSettings } from './engine.settings.js';
import { SyncError } from '../sync/sync.errors.js';
import { executeUpsertWithLink, retryingCall } from './upsert-with-link.js';

export type StepStatus = 'running' | 'succeeded' | 'failed' | 'skipped';

export interface RecordedStep {
  path: string;
  stepId: string;
  status: StepStatus;
  input: unknown;
  output: unknown;
  error: RunErrorInfo | null;
  attempts: number;
}

/** The run stops here: a step failed (and does not continue on error). */
export class StepFailure extends Error {
  constructor(readonly info: RunErrorInfo) {
    super(info.message);
  }
}

/** The run must wait (e.g. a Retry-After longer than we hold a worker for): re-schedule it. */
export class RunSuspended extends Error {
  constructor(readonly resumeAt: Date) {
    super('run suspended');
  }
}

/** The run was cancelled, timed out, or this process lost its lease. */
export class RunInterrupted extends Error {
  constructor(readonly reason: 'cancelled' | 'timeout' | 'lease-lost') {
    super(`run interrupted: ${reason}`);
  }
}

/** A `core.stop` step ended the run successfully. */
class StopRun extends Error {
  constructor(readonly output: unknown) {
    super('stop');
  }
}

export interface WalkRun {
  id: string;
  workspaceId: string;
  flowId: string;
  mode: 'live' | 'preview' | 'dry-run';
  triggerOutput: unknown;
  vars?: Record<string, unknown>;
}

interface Scope {
  prefix: string;
  steps: Record<string, unknown>;
  item?: unknown;
  index?: number;
}

export interface WalkDependencies {
  dataSource: DataSource;
  connectors: { definition(key: string): ConnectorDefinition };
  connections: ConnectionsBridge;
  settings: EngineSettings;
  signal: AbortSignal;
  /** Why the signal fired (checked between steps). */
  interruption: () => RunInterrupted | undefined;
  /** Random source for backoff jitter (tests inject it). */
  random?: () => number;
  /** Prometheus recording (src/metrics), when installed. */
  metrics?: { stepDuration(connector: string, action: string, seconds: number): void; connector429(connector: string): void };
}

function toErrorInfo(error: unknown, step: { id: string }, path: string): RunErrorInfo {
  if (error instanceof ConnectorError) return { ...(error.toJSON() as { code: string; message: string }), stepId: step.id, path };
  if (error instanceof ExpressionError) {
    return { code: error.code, message: error.message, stepId: step.id, path, pointer: error.path.length ? `/${error.path.join('/')}` : '', expression: error.expression };
  }
  if (error instanceof BraidError) {
    // e.g. the connection was removed or needs to be reconnected (ConnectionsError).
    return { code: error.code, message: error.message, stepId: step.id, path, retryable: false, ...(/RECONNECT/.test(error.code) ? { needsReconnect: true } : {}) };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'STEP_ERROR', message, stepId: step.id, path, retryable: false };
}

/** Replaces the values of `writeOnly` input properties (passwords, tokens) before the input is recorded. */
export function redactWriteOnly(schema: unknown, value: unknown): unknown {
  if (!schema || typeof schema !== 'object' || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const properties = (schema as { properties?: Record<string, unknown> }).properties;
  if (!properties) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [key, propertySchema] of Object.entries(properties)) {
    if (!(key in out)) continue;
    if (propertySchema && typeof propertySchema === 'object' && (propertySchema as { writeOnly?: boolean }).writeOnly) out[key] = '[redacted]';
    else out[key] = redactWriteOnly(propertySchema, out[key]);
  }
  return out;
}

export function backoffDelayMs(policy: RetryPolicy, failedAttempt: number, random: () => number): number {
  const base = policy.backoff === 'fixed' ? policy.delayMs : policy.delayMs * 2 ** (failedAttempt - 1);
  const capped = Math.min(base, policy.maxDelayMs ?? 30_000);
  // "equal jitter": at least half the delay, so retries spread out but never collapse to zero.
  return Math.round(capped / 2 + random() * (capped / 2));
}

function mergeSsrf(a: SsrfOptions, b: SsrfOptions | undefined): SsrfOptions {
  if (!b) return a;
  return {
    ...(a.allowPrivate || b.allowPrivate ? { allowPrivate: true } : {}),
    allowHosts: [...new Set([...(a.allowHosts ?? []), ...(b.allowHosts ?? [])])],
  };
}

/** Executes one run of `flow`; throws StepFailure / RunSuspended / RunInterrupted, returns the final output. */
export class RunWalker {
  private readonly recorded = new Map<string, RecordedStep>();
  private pending: Array<{ step: RecordedStep; seq: number; startedAt: Date; finishedAt: Date | null; dryRun: boolean }> = [];
  private seq = 0;
  private lastOutput: unknown = null;

  constructor(
    private readonly run: WalkRun,
    private readonly flow: FlowDefinition,
    private readonly deps: WalkDependencies,
    recorded: RecordedStep[],
  ) {
    for (const step of recorded) this.recorded.set(step.path, step);
    this.seq = recorded.length;
  }

  /** Runs the whole flow from the start (recorded steps are reused). */
  async walk(): Promise<unknown> {
    try {
      await this.walkChain(this.flow.start ?? undefined, { prefix: '', steps: {} });
    } catch (error) {
      if (error instanceof StopRun) return error.output;
      throw error;
    }
    return this.lastOutput;
  }

  /** "Test this step": runs one step with the given outputs of earlier steps. */
  async walkOne(stepId: string, steps: Record<string, unknown>, loop?: { item: unknown; index: number }): Promise<unknown> {
    const step = this.flow.steps[stepId];
    if (!step) throw new StepFailure({ code: 'UNKNOWN_STEP', message: `The flow has no step "${stepId}".`, stepId });
    try {
      return await this.runStep(step, { prefix: '', steps: { ...steps }, ...(loop ? { item: loop.item, index: loop.index } : {}) }, { single: true });
    } catch (error) {
      if (error instanceof StopRun) return error.output;
      throw error;
    }
  }

  private checkInterrupted(): void {
    const interruption = this.deps.interruption();
    if (interruption) throw interruption;
  }

  private bindings(scope: Scope): EvaluationBindings {
    return {
      trigger: this.run.triggerOutput,
      steps: scope.steps,
      ...(scope.index !== undefined ? { item: scope.item, index: scope.index } : {}),
      vars: this.run.vars ?? {},
    };
  }

  private async walkChain(startId: string | undefined, scope: Scope): Promise<void> {
    let id = startId;
    let guard = 0;
    while (id !== undefined) {
      if (++guard > 10_000) throw new StepFailure({ code: 'FLOW_TOO_LONG', message: 'The chain has more than 10 000 steps (a cycle?).' });
      this.checkInterrupted();
      const step = this.flow.steps[id];
      if (!step) throw new StepFailure({ code: 'UNKNOWN_STEP', message: `The flow refers to a step "${id}" that does not exist.`, stepId: id });
      const output = await this.runStep(step, scope);
      scope.steps[id] = output;
      this.lastOutput = output;
      id = step.next;
    }
  }

  private async runStep(step: Step, scope: Scope, options: { single?: boolean } = {}): Promise<unknown> {
    const path = `${scope.prefix}${step.id}`;
    const done = this.recorded.get(path);
    if (done && (done.status === 'succeeded' || done.status === 'skipped') && step.kind !== 'branch') return done.output;
    if (done && done.status === 'failed' && step.kind === 'action' && step.continueOnError) return done.output;
    switch (step.kind) {
      case 'upsertWithLink':
        return this.runUpsertStep(step, scope, path, done);
      case 'map':
        return this.runMap(step, scope, path);
      case 'branch':
        return this.runBranch(step, scope, path, done, options.single === true);
      case 'forEach':
        return this.runForEach(step, scope, path, done, options.single === true);
      case 'action':
        return this.runActionStep(step, scope, path, done);
    }
  }

  private async runMap(step: MapStep, scope: Scope, path: string): Promise<unknown> {
    const startedAt = new Date();
    try {
      const output = await evaluateInput(step.output, this.bindings(scope));
      await this.save({ path, stepId: step.id, status: 'succeeded', input: null, output: output ?? null, error: null, attempts: 1 }, startedAt, false, { defer: true });
      return output ?? null;
    } catch (error) {
      const info = toErrorInfo(error, step, path);
      await this.save({ path, stepId: step.id, status: 'failed', input: null, output: null, error: info, attempts: 1 }, startedAt);
      throw new StepFailure(info);
    }
  }

  private async runBranch(step: BranchStep, scope: Scope, path: string, done: RecordedStep | undefined, single: boolean): Promise<unknown> {
    let output: { branchId: string | null; label: string };
    if (done?.status === 'succeeded') {
      output = done.output as typeof output;
    } else {
      const startedAt = new Date();
      try {
        const choice = await chooseBranch(step, this.bindings(scope));
        const label = choice.branchId === null ? 'else' : (step.branches.find((b) => b.id === choice.branchId)?.label ?? choice.branchId);
        output = { branchId: choice.branchId, label };
      } catch (error) {
        const info = toErrorInfo(error, step, path);
        await this.save({ path, stepId: step.id, status: 'failed', input: null, output: null, error: info, attempts: 1 }, startedAt);
        throw new StepFailure(info);
      }
      await this.save({ path, stepId: step.id, status: 'succeeded', input: null, output, error: null, attempts: 1 }, startedAt, false, { defer: true });
    }
    if (single) return output;
    const start = output.branchId === null ? step.else?.start : step.branches.find((b) => b.id === output.branchId)?.start;
    // Steps inside the path may read the branch (it encloses them).
    scope.steps[step.id] = output;
    await this.walkChain(start, scope);
    return output;
  }

  private async runForEach(step: ForEachStep, scope: Scope, path: string, done: RecordedStep | undefined, single: boolean): Promise<unknown> {
    const startedAt = new Date();
    let items: unknown[];
    const stored = done?.status === 'running' ? (done.input as { items?: unknown[] } | null)?.items : undefined;
    if (Array.isArray(stored)) {
      items = stored;
    } else {
      try {
        items = await loopItems(step, this.bindings(scope));
      } catch (error) {
        const info = toErrorInfo(error, step, path);
        await this.save({ path, stepId: step.id, status: 'failed', input: null, output: null, error: info, attempts: 1 }, startedAt);
        throw new StepFailure(info);
      }
      // The list is fixed when the loop starts, so a resumed loop runs over the same elements.
      await this.save({ path, stepId: step.id, status: 'running', input: { items }, output: null, error: null, attempts: 1 }, startedAt, false, { defer: true });
    }
    if (single) return { count: items.length, items };
    const results: Array<Record<string, unknown>> = [];
    for (const [index, item] of items.entries()) {
      const iteration: Scope = { prefix: `${path}[${index}]/`, steps: { ...scope.steps }, item, index };
      await this.walkChain(step.bodyStart, iteration);
      const produced: Record<string, unknown> = {};
      for (const [id, value] of Object.entries(iteration.steps)) if (scope.steps[id] !== value) produced[id] = value;
      results.push(produced);
    }
    const output = { count: items.length, results };
    await this.save({ path, stepId: step.id, status: 'succeeded', input: { items }, output, error: null, attempts: 1 }, startedAt, false, { defer: true });
    return output;
  }

  private retryPolicy(step: ActionStep): RetryPolicy {
    return step.retry ?? this.deps.settings.defaultRetry;
  }

  /**
   * Whether a failed attempt is tried again. SDK rule: retryable AND (idempotent OR a 429, which the vendor
   * did not process). A retry policy set on the step is the user's statement that the target tolerates
   * repeats (e.g. it de-duplicates), so it also covers retryable errors of non-idempotent actions.
   */
  private shouldRetry(step: ActionStep, action: ActionDescriptor | undefined, error: unknown, attempt: number): boolean {
    if (!(error instanceof ConnectorError) || !error.retryable) return false;
    if (attempt >= this.retryPolicy(step).maxAttempts) return false;
    return error.code === 'RATE_LIMITED' || action?.idempotent === true || step.retry !== undefined;
  }

  private async runActionStep(step: ActionStep, scope: Scope, path: string, done: RecordedStep | undefined): Promise<unknown> {
    const startedAt = new Date();
    let attempt = done?.attempts ?? 0;
    let connector: ConnectorDefinition;
    let action: (ConnectorDefinition['actions'][number]) | undefined;
    let input: unknown;
    try {
      connector = this.deps.connectors.definition(step.connector);
      action = connector.actions.find((a) => a.key === step.action);
      if (!action) throw new ConnectorError('INVALID_INPUT', `Connector "${connector.title}" has no action "${step.action}".`, { retryable: false });
      input = await evaluateInput(step.input, this.bindings(scope));
    } catch (error) {
      const info = toErrorInfo(error, step, path);
      await this.save({ path, stepId: step.id, status: 'failed', input: null, output: null, error: info, attempts: Math.max(attempt, 1) }, startedAt);
      return this.afterFailure(step, info);
    }
    const recordedInput = redactWriteOnly(action.input, input);
    const descriptor = { idempotent: action.idempotent, classification: action.classification } as ActionDescriptor;

    // Dry-run: writes and deletes answer their sample output; reads run for real.
    if (this.run.mode === 'dry-run' && action.classification !== 'read') {
      const output = action.sampleOutput ?? null;
      await this.save({ path, stepId: step.id, status: 'succeeded', input: recordedInput, output, error: null, attempts: 1 }, startedAt, true);
      return output;
    }

    for (;;) {
      this.checkInterrupted();
      attempt += 1;
      if (this.run.mode === 'live' && !action.idempotent) {
        // Marks a step with side effects in flight: after a crash we know it may have run (and how many
        // attempts it had). Idempotent actions are simply run again.
        await this.save({ path, stepId: step.id, status: 'running', input: recordedInput, output: null, error: null, attempts: attempt }, startedAt);
      } else {
        // Nothing deferred waits across a call to the outside world.
        await this.flush();
      }
      const attemptStarted = performance.now();
      // A live run's result row waits for the next write (the next action's in-flight mark, the next call, or
      // the run's final state): one round trip fewer per step, and it is written before anything else happens.
      const deferResult = { defer: this.run.mode === 'live' };
      try {
        const output = (await this.callAction(step, connector, input)) ?? null;
        this.deps.metrics?.stepDuration(step.connector, step.action, (performance.now() - attemptStarted) / 1000);
        await this.save({ path, stepId: step.id, status: 'succeeded', input: recordedInput, output, error: null, attempts: attempt }, startedAt, false, deferResult);
        return output;
      } catch (error) {
        if (isStopRunSignal(error)) {
          const output = { stopped: true, message: error.message, ...error.output };
          await this.save({ path, stepId: step.id, status: 'succeeded', input: recordedInput, output, error: null, attempts: attempt }, startedAt, false, deferResult);
          throw new StopRun(output);
        }
        const interruption = this.deps.interruption();
        if (interruption) {
          const reason = interruption.reason === 'cancelled' ? 'the run was cancelled' : interruption.reason === 'timeout' ? 'the run took too long' : 'another worker took the run over';
          if (interruption.reason !== 'lease-lost') {
            await this.save({ path, stepId: step.id, status: 'failed', input: recordedInput, output: null, error: { code: 'INTERRUPTED', message: `The step was stopped: ${reason}.`, stepId: step.id, path }, attempts: attempt }, startedAt);
          }
          throw interruption;
        }
        const info = toErrorInfo(error, step, path);
        this.deps.metrics?.stepDuration(step.connector, step.action, (performance.now() - attemptStarted) / 1000);
        if (info.code === 'RATE_LIMITED') this.deps.metrics?.connector429(step.connector);
        if (this.shouldRetry(step, descriptor, error, attempt)) {
          const connectorError = error as ConnectorError;
          const waitMs = connectorError.retryAfterMs ?? backoffDelayMs(this.retryPolicy(step), attempt, this.deps.random ?? Math.random);
          if (waitMs > this.deps.settings.maxInProcessRetryWaitMs && this.run.mode === 'live') {
            await this.save({ path, stepId: step.id, status: 'running', input: recordedInput, output: null, error: info, attempts: attempt }, startedAt);
            throw new RunSuspended(new Date(Date.now() + waitMs));
          }
          await this.sleep(waitMs);
          continue;
        }
        if (info.needsReconnect && step.connectionRef) {
          await this.deps.connections.recordFailure(this.run.workspaceId, step.connectionRef, { message: info.message, needsReconnect: true });
        }
        await this.save({ path, stepId: step.id, status: 'failed', input: recordedInput, output: null, error: info, attempts: attempt }, startedAt);
        return this.afterFailure(step, info);
      }
    }
  }

  /**
   * An upsert-with-link step (engine/upsert-with-link.ts). "Skipped" (an echo of Braid's own write, or a conflict
   * the other side won) ends the run successfully with that message as its output.
   */
  private async runUpsertStep(step: UpsertWithLinkStep, scope: Scope, path: string, done: RecordedStep | undefined): Promise<unknown> {
    const skipped = (output: unknown) => (output as { path?: string } | null)?.path === 'skipped';
    if (done?.status === 'succeeded') {
      if (skipped(done.output)) throw new StopRun({ stopped: true, ...(done.output as object) });
      return done.output;
    }
    const startedAt = new Date();
    const attempts = (done?.attempts ?? 0) + 1;
    const input = { source: step.source, target: { app: step.target.app ?? step.connector, type: step.target.type } };
    let output: unknown;
    try {
      this.checkInterrupted();
      await this.flush();
      if (this.run.mode === 'dry-run') {
        output = { path: 'skipped', dryRun: true, sourceId: null, targetId: null, message: 'An upsert with link writes records and links: it does not run in a dry run.' };
      } else {
        const connector = this.deps.connectors.definition(step.connector);
        output = await executeUpsertWithLink(step, {
          db: this.deps.dataSource,
          run: { id: this.run.id, workspaceId: this.run.workspaceId, flowId: this.run.flowId },
          signal: this.deps.signal,
          evaluate: (value, target) => evaluateInput(value as never, { ...this.bindings(scope), ...(target ? { target } : {}) }),
          call: retryingCall(
            (action, actionInput) =>
              this.callAction({ kind: 'action', id: step.id, connector: step.connector, action, input: {}, ...(step.connectionRef ? { connectionRef: step.connectionRef } : {}) }, connector, actionInput),
            { ...(step.retry ?? this.deps.settings.defaultRetry), idempotent: (key) => connector.actions.find((a) => a.key === key)?.idempotent === true, sleep: (ms) => this.sleep(ms) },
          ),
        });
      }
    } catch (error) {
      const interruption = this.deps.interruption();
      if (interruption) throw interruption;
      const info: RunErrorInfo = error instanceof SyncError ? { code: error.code, message: error.message, stepId: step.id, path, retryable: false } : toErrorInfo(error, step, path);
      await this.save({ path, stepId: step.id, status: 'failed', input, output: null, error: info, attempts }, startedAt);
      throw new StepFailure(info);
    }
    await this.save({ path, stepId: step.id, status: 'succeeded', input, output, error: null, attempts }, startedAt);
    if (skipped(output)) throw new StopRun({ stopped: true, ...(output as object) });
    return output;
  }

  private afterFailure(step: ActionStep, info: RunErrorInfo): unknown {
    if (step.continueOnError) return { error: info };
    throw new StepFailure(info);
  }

  private async sleep(ms: number): Promise<void> {
    if (ms <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const signal = this.deps.signal;
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
    this.checkInterrupted();
  }

  private async callAction(step: ActionStep, connector: ConnectorDefinition, input: unknown): Promise<unknown> {
    let ssrf = this.deps.settings.ssrf();
    let connection = null;
    let credentials;
    if (step.connectionRef) {
      const context = await this.deps.connections.contextFor(this.run.workspaceId, step.connectionRef);
      connection = context.connection;
      credentials = context.credentials;
      ssrf = mergeSsrf(ssrf, context.ssrf);
    }
    const ctx = createConnectorContext({
      connector,
      connection,
      ...(credentials ? { credentials } : {}),
      ssrf,
      signal: this.deps.signal,
      links: new PgRecordLinkStore(this.deps.dataSource, { workspaceId: this.run.workspaceId, flowId: this.run.flowId, runId: this.run.id }),
      run: { workspaceId: this.run.workspaceId, flowId: this.run.flowId, runId: this.run.id, stepId: step.id },
    });
    const output = await runAction(connector, step.action, ctx, input);
    if (step.connectionRef) void this.deps.connections.markUsed(this.run.workspaceId, step.connectionRef);
    return output;
  }

  /**
   * Records a step. Rows of pure steps (map, branch, for-each bookkeeping) may be deferred: after a crash
   * they are recomputed identically from recorded outputs, so they are written together with the next
   * action's row or at the end of the run — one round trip instead of several. A live action's result is
   * deferred too, but never across another call to the outside (see runActionStep).
   */
  private async save(step: RecordedStep, startedAt: Date, dryRun = false, options: { defer?: boolean } = {}): Promise<void> {
    // A row still waiting to be written keeps its position (seq is only set on insert).
    const waiting = this.pending.find((row) => row.step.path === step.path);
    const seq = waiting ? waiting.seq : this.recorded.has(step.path) ? 0 : this.seq++;
    this.recorded.set(step.path, step);
    this.pending = this.pending.filter((row) => row.step.path !== step.path);
    this.pending.push({ step, seq, startedAt, finishedAt: step.status === 'running' ? null : new Date(), dryRun });
    if (!options.defer) await this.flush();
  }

  /**
   * Writes every deferred row (insert or update by (run, path)) in one statement. With `then`, that statement
   * also runs `then.sql` (its placeholders are `$1..$n` for `then.params`), e.g. the run's final state, and
   * answers its rows (`RETURNING`): a finished run costs one round trip.
   */
  async flush(then?: { sql: string; params: unknown[] }): Promise<unknown[]> {
    if (this.pending.length === 0) return then ? queryPrepared(this.deps.dataSource, then.sql, then.params) : [];
    const rows = this.pending.splice(0);
    const params: unknown[] = [...(then?.params ?? [])];
    const values = rows.map((row) => {
      const p = (value: unknown) => {
        params.push(value);
        return `$${params.length}`;
      };
      const { step } = row;
      return `(${p(this.run.id)}::uuid, ${p(this.run.workspaceId)}::uuid, ${p(step.stepId)}, ${p(step.path)}, ${p(row.seq)}::int, ${p(step.status)}, ${p(JSON.stringify(step.input ?? null))}::jsonb, ${p(JSON.stringify(step.output ?? null))}::jsonb, ${p(step.error ? JSON.stringify(step.error) : null)}::jsonb, ${p(step.attempts)}::int, ${p(row.dryRun)}::boolean, ${p(row.startedAt)}::timestamptz, ${p(row.finishedAt)}::timestamptz)`;
    });
    const upsert = `INSERT INTO run_steps (run_id, workspace_id, step_id, path, seq, status, input, output, error, attempts, dry_run, started_at, finished_at)
         VALUES ${values.join(', ')}
         ON CONFLICT (run_id, path) DO UPDATE SET status = EXCLUDED.status, input = EXCLUDED.input, output = EXCLUDED.output,
           error = EXCLUDED.error, attempts = EXCLUDED.attempts, dry_run = EXCLUDED.dry_run, finished_at = EXCLUDED.finished_at`;
    try {
      // A data-modifying WITH always runs, whatever the main statement does.
      // Prepared: the same number of rows gives the same text, planned once per connection.
      return await queryPrepared(this.deps.dataSource, then ? `WITH saved_steps AS (${upsert} RETURNING 1) ${then.sql}` : upsert, params);
    } catch (error) {
      this.pending.unshift(...rows);
      throw error;
    }
  }
}
