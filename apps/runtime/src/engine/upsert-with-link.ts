// Executes an `upsertWithLink` step: linked record → update; else match by the find keys in order → link +
// update; else create + link. A lease lock per source record makes concurrent runs for the same record take
// turns (the second one finds the first one's link). After every write the link remembers a fingerprint of the
// written fields, so the reverse flow recognises its own write coming back (echo) and a change on both sides
// since the last sync (conflict) is resolved by the step's rule.
import { ConnectorError } from '@braid/connector-sdk';
import type { UpsertActionCall, UpsertWithLinkStep } from '@braid/flow-model';
import { mergeAtPath } from '@braid/flow-model';
import type { DataSource } from 'typeorm';
import { PgRecordLinkStore } from '../links/links.store.js';
import { fingerprintFields, pickFields, readPath, isLater } from '../sync/sync.fingerprint.js';
import { SyncError, SyncErrorCode } from '../sync/sync.errors.js';
import { acquireSyncLock } from '../sync/sync.lock.js';
import { prefetchIndex, rememberCreated } from '../sync/sync.prefetch.js';
import { readLinkSync, writeLinkSync, type LinkSyncState } from '../sync/sync.links.js';

export type UpsertPath = 'linked' | 'matched' | 'created' | 'deleted' | 'skipped';

export interface UpsertOutput {
  path: UpsertPath;
  sourceId: string;
  targetId: string | null;
  matchedBy?: string;
  /** Why a run was skipped: its own write coming back, or the other side won a conflict. */
  reason?: 'echo' | 'conflict' | 'deleted';
  echoOfRunId?: string;
  message?: string;
  conflict?: { rule: string; winner: 'source' | 'target'; sourceModifiedAt: string | null; targetModifiedAt: string | null; losing: Record<string, unknown> };
  result?: unknown;
}

export interface UpsertContext {
  db: DataSource;
  run: { id: string; workspaceId: string; flowId: string };
  /** Evaluates an input value with the run's bindings (plus `$target` when given). */
  evaluate(value: unknown, target?: { id: string }): Promise<unknown>;
  /** Runs one action of the step's target connector through the step's connection. */
  call(action: string, input: unknown): Promise<unknown>;
  signal: AbortSignal;
  lockTimeoutMs?: number;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function idAt(output: unknown, path: string | undefined): string | null {
  if (!path) return null;
  const value = readPath(output, path);
  if (value === undefined || value === null || value === '') return null;
  return typeof value === 'object' ? null : String(value);
}

function timeAt(output: unknown, path: string | undefined): string | null {
  if (!path) return null;
  const value = readPath(output, path);
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? new Date(value).toISOString() : null;
}

/**
 * Wraps the step's action calls with retries: a 429 always (the app did not process it), other retryable errors
 * only for idempotent actions. The whole step is safe to repeat anyway (link first, lock per record).
 */
export function retryingCall(
  call: (action: string, input: unknown) => Promise<unknown>,
  options: { maxAttempts: number; delayMs: number; maxDelayMs?: number; idempotent: (action: string) => boolean; sleep: (ms: number) => Promise<void> },
): (action: string, input: unknown) => Promise<unknown> {
  return async (action, input) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call(action, input);
      } catch (error) {
        const retry =
          error instanceof ConnectorError && error.retryable && attempt < options.maxAttempts && (error.code === 'RATE_LIMITED' || options.idempotent(action));
        if (!retry) throw error;
        const backoff = Math.min(options.delayMs * 2 ** (attempt - 1), options.maxDelayMs ?? 30_000);
        await options.sleep((error as ConnectorError).retryAfterMs ?? Math.round(backoff / 2 + Math.random() * (backoff / 2)));
      }
    }
  };
}

export async function executeUpsertWithLink(step: UpsertWithLinkStep, ctx: UpsertContext): Promise<UpsertOutput> {
  const source = asRecord(
    await ctx.evaluate({ id: step.source.id, modifiedAt: step.source.modifiedAt ?? null, record: step.source.record ?? null, deleted: step.source.deleted ?? false }),
  );
  const sourceId = source.id === undefined || source.id === null ? '' : String(source.id).trim();
  if (sourceId === '') {
    throw new SyncError(SyncErrorCode.SOURCE_ID_MISSING, `Step "${step.title ?? step.id}": the source record id ("source.id") is empty for this event; check its expression.`);
  }
  const sourceModifiedAt = typeof source.modifiedAt === 'string' && source.modifiedAt !== '' ? source.modifiedAt : null;
  const sourceRecord = source.record ?? null;
  const targetApp = step.target.app ?? step.connector;
  const key = { appA: step.source.app, typeA: step.source.type, idA: sourceId, appB: targetApp, typeB: step.target.type };
  const links = new PgRecordLinkStore(ctx.db, { workspaceId: ctx.run.workspaceId, flowId: ctx.run.flowId, runId: ctx.run.id });

  const mapped: Record<string, unknown> = {};
  if (step.mapping) {
    const values = (await ctx.evaluate(step.mapping.pairs.map((p) => p.source))) as unknown[];
    step.mapping.pairs.forEach((pair, i) => {
      if (values[i] !== undefined) mapped[pair.target] = values[i];
    });
  }
  const write = async (call: UpsertActionCall, target?: { id: string }) => {
    const input = asRecord(await ctx.evaluate(call.input, target));
    return ctx.call(call.action, mergeAtPath(input, call.mapInto, mapped));
  };
  const remember = async (targetId: string, output: unknown, call: UpsertActionCall | undefined) => {
    const now = new Date().toISOString();
    const state: LinkSyncState = {
      lastWrite: {
        [targetApp]: { fingerprint: fingerprintFields(mapped), fields: Object.keys(mapped).sort(), modifiedAt: timeAt(output, call?.modifiedAtPath), runId: ctx.run.id, at: now },
      },
      lastSync: { [step.source.app]: { modifiedAt: sourceModifiedAt, runId: ctx.run.id, at: now } },
    };
    await writeLinkSync(ctx.db, ctx.run.workspaceId, { ...key, idB: targetId }, state);
  };

  const lockKey = `${ctx.run.workspaceId}:${key.appA}:${key.typeA}:${sourceId}:${key.appB}:${key.typeB}`;
  const lock = await acquireSyncLock(ctx.db, lockKey, { timeoutMs: ctx.lockTimeoutMs ?? 60_000, signal: ctx.signal });
  try {
    const link = await links.find(key);
    if (source.deleted === true) {
      // The source record is gone: act on its linked record (e.g. archive it) and drop the link; never create.
      if (!link) return { path: 'skipped', reason: 'deleted', sourceId, targetId: null, message: 'skipped: the source record was deleted and has no linked record' };
      if (!step.delete) {
        return { path: 'skipped', reason: 'deleted', sourceId, targetId: link.idB, message: 'skipped: the source record was deleted; the step has no delete action, so the linked record is kept' };
      }
      const result = await ctx.call(step.delete.action, await ctx.evaluate(step.delete.input, { id: link.idB }));
      await links.delete(key);
      return { path: 'deleted', sourceId, targetId: link.idB, result };
    }
    if (link) {
      const targetId = link.idB;
      const sync = readLinkSync(link.metadata);
      // Echo: the source record still carries exactly what Braid last wrote into it.
      const written = sync.lastWrite?.[step.source.app];
      if (step.sync?.skipEchoes !== false && written && sourceRecord !== null && fingerprintFields(pickFields(sourceRecord, written.fields)) === written.fingerprint) {
        return { path: 'skipped', reason: 'echo', sourceId, targetId, echoOfRunId: written.runId, message: `skipped: echo of run ${written.runId}` };
      }
      let conflict: UpsertOutput['conflict'];
      if (step.read && Object.keys(mapped).length > 0) {
        const readOutput = await ctx.call(step.read.action, await ctx.evaluate(step.read.input, { id: targetId }));
        const targetRecord = step.read.recordPath ? readPath(readOutput, step.read.recordPath) : readOutput;
        const targetModifiedAt = timeAt(readOutput, step.read.modifiedAtPath);
        const ourWrite = sync.lastWrite?.[targetApp];
        const seen = sync.lastSync?.[targetApp];
        const targetChanged = ourWrite
          ? fingerprintFields(pickFields(targetRecord, ourWrite.fields)) !== ourWrite.fingerprint
          : seen?.modifiedAt && targetModifiedAt
            ? isLater(targetModifiedAt, seen.modifiedAt)
            : false;
        if (targetChanged) {
          const rule = step.sync?.conflict ?? 'last-writer-wins';
          const winner: 'source' | 'target' =
            rule === 'source-wins' ? 'source' : rule === 'target-wins' ? 'target' : targetModifiedAt && sourceModifiedAt && isLater(targetModifiedAt, sourceModifiedAt) ? 'target' : 'source';
          const losing = winner === 'source' ? pickFields(targetRecord, Object.keys(mapped)) : { ...mapped };
          conflict = { rule, winner, sourceModifiedAt, targetModifiedAt, losing };
          if (winner === 'target') {
            return { path: 'skipped', reason: 'conflict', sourceId, targetId, conflict, message: `skipped: conflict — the ${targetApp} record changed later and wins (${rule}); this change is kept in the run` };
          }
        }
      }
      let result: unknown = null;
      if (step.update) result = await write(step.update, { id: targetId });
      if (step.update) await remember(targetId, result, step.update);
      return { path: 'linked', sourceId, targetId, ...(conflict ? { conflict } : {}), result };
    }

    // No link yet: the match keys in order.
    let match: { id: string; key: string } | undefined;
    const searched: Array<{ key: string; value: string }> = [];
    for (const rule of step.find ?? []) {
      const input = asRecord(await ctx.evaluate(rule.input));
      const value = rule.value !== undefined ? await ctx.evaluate(rule.value) : Object.values(input).find((v) => typeof v === 'string' && v.trim() !== '');
      const text = typeof value === 'string' || typeof value === 'number' ? String(value) : '';
      const index = step.prefetch && step.prefetch.keys[rule.key] ? await prefetchIndex(ctx.db, step, ctx.run, (action, input) => ctx.call(action, input), (v) => ctx.evaluate(v)) : undefined;
      let id: string | null;
      if (index) {
        id = text === '' ? null : (index.lookup(rule.key, text) ?? null);
      } else {
        if (Object.values(input).every((v) => v === undefined || v === null || v === '')) continue;
        id = idAt(await ctx.call(rule.action, input), rule.idPath);
      }
      if (text !== '') searched.push({ key: rule.key, value: text });
      if (id) {
        match = { id, key: rule.key };
        break;
      }
    }
    if (match) {
      await links.upsert({ ...key, idB: match.id });
      const result = step.update ? await write(step.update, { id: match.id }) : null;
      await remember(match.id, result, step.update);
      return { path: 'matched', matchedBy: match.key, sourceId, targetId: match.id, result };
    }
    const result = await write(step.create);
    const createdId = idAt(result, step.create.idPath);
    if (!createdId) {
      throw new SyncError(SyncErrorCode.CREATE_RETURNED_NO_ID, `Step "${step.title ?? step.id}": "${step.create.action}" answered without an id at "${step.create.idPath}"; fix "create.idPath".`);
    }
    await links.upsert({ ...key, idB: createdId });
    await remember(createdId, result, step.create);
    rememberCreated(step, ctx.run, searched, createdId);
    return { path: 'created', sourceId, targetId: createdId, result };
  } finally {
    await lock.release();
  }
}
