// Executes an `upsertWithLink` step: linked record → update; else match by the find keys in order → link +
// update; else create + link. After every write the link remembers a fingerprint of the written fields, so the
// reverse flow recognises its own write coming back (echo) and a change on both sides since the last sync
// (conflict) is resolved by the step's rule.
//
// Both directions of a sync serialise on the same lease lock: the linked PAIR (not each run's own source id), so
// an event of the target arriving while Braid writes into it waits for that write's fingerprint. Without a link,
// runs take turns per source record; a match is written under the pair lock, and a create under a create intent
// (a lock whose key names the target app/type and the fingerprint being created): the reverse run of a record
// that has no link yet and carries an intent's values waits for that create to be linked — its own echo.
import { ConnectorError } from '@braid/connector-sdk';
import type { UpsertActionCall, UpsertWithLinkStep } from '@braid/flow-model';
import { mergeAtPath } from '@braid/flow-model';
import type { DataSource } from 'typeorm';
import { PgRecordLinkStore } from '../links/links.store.js';
import { fingerprintFields, pickFields, readPath, isLater } from '../sync/sync.fingerprint.js';
import { SyncError, SyncErrorCode } from '../sync/sync.errors.js';
import { acquireSyncLock, type HeldSyncLock, syncLockKey, syncLockKeyParts, tryAcquireSyncLock, waitForSyncLockRelease } from '../sync/sync.lock.js';
import { prefetchIndex, rememberCreated } from '../sync/sync.prefetch.js';
import { readLinkSync, syncPatch, writeLinkSync, type LinkSyncUpdate } from '../sync/sync.links.js';

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

/**
 * Test hook: called after a write call of the step answered, before its link and fingerprint are stored — the
 * moment an instant trigger of the target may already deliver the event of that write.
 */
export const upsertTestHooks: {
  afterTargetWrite?: (info: { runId: string; action: string; targetApp: string; targetType: string; targetId: string | null; sourceId: string }) => Promise<void>;
} = {};

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
  const ws = ctx.run.workspaceId;
  const key = { appA: step.source.app, typeA: step.source.type, idA: sourceId, appB: targetApp, typeB: step.target.type };
  const links = new PgRecordLinkStore(ctx.db, { workspaceId: ws, flowId: ctx.run.flowId, runId: ctx.run.id });

  const mapped: Record<string, unknown> = {};
  if (step.mapping) {
    // Evaluated as an object keyed by index: a pair whose source yields nothing is left out (not mapped), where a
    // list element would come back as null and be written.
    const values = asRecord(await ctx.evaluate(Object.fromEntries(step.mapping.pairs.map((p, i) => [i, p.source]))));
    step.mapping.pairs.forEach((pair, i) => {
      if (values[i] !== undefined) mapped[pair.target] = values[i];
    });
  }
  const mappedFields = Object.keys(mapped).sort();
  const mappedFingerprint = fingerprintFields(mapped);
  const skipEchoes = step.sync?.skipEchoes !== false;

  const write = async (call: UpsertActionCall, targetId: string | null) => {
    const input = asRecord(await ctx.evaluate(call.input, targetId === null ? undefined : { id: targetId }));
    const output = await ctx.call(call.action, mergeAtPath(input, call.mapInto, mapped));
    await upsertTestHooks.afterTargetWrite?.({ runId: ctx.run.id, action: call.action, targetApp, targetType: step.target.type, targetId: targetId ?? idAt(output, call.idPath), sourceId });
    return output;
  };
  /** The sync state after a write of the mapped fields into the target (its pending write is over). */
  const written = (output: unknown, call: UpsertActionCall | undefined): LinkSyncUpdate => {
    const now = new Date().toISOString();
    return {
      lastWrite: { [targetApp]: { fingerprint: mappedFingerprint, fields: mappedFields, modifiedAt: timeAt(output, call?.modifiedAtPath), runId: ctx.run.id, at: now } },
      lastSync: { [step.source.app]: { modifiedAt: sourceModifiedAt, runId: ctx.run.id, at: now } },
      clearPending: [targetApp],
    };
  };
  /** Recorded before the target is called: the event of this write is an echo whenever it arrives. */
  const pending = (): LinkSyncUpdate => ({ pendingWrite: { [targetApp]: { fingerprint: mappedFingerprint, fields: mappedFields, runId: ctx.run.id, at: new Date().toISOString() } } });

  const side = (app: string, type: string, id: string) => [app, type, id];
  const pairKey = (targetId: string) => {
    const sides = [side(key.appA, key.typeA, sourceId), side(key.appB, key.typeB, targetId)].map((s) => syncLockKey(...s)).sort();
    return `${syncLockKey('pair', ws)}:${sides[0]}:${sides[1]}`;
  };
  const recordKey = syncLockKey('record', ws, key.appA, key.typeA, sourceId, key.appB, key.typeB);
  // Creates in flight INTO this run's source app/type FROM its target app/type (the reverse direction's writes).
  const intentsIntoSource = `${syncLockKey('create', ws, key.appA, key.typeA, key.appB, key.typeB)}:`;
  const createIntentKey = (id: string) => syncLockKey('create', ws, key.appB, key.typeB, key.appA, key.typeA, mappedFingerprint, JSON.stringify(mappedFields), id);
  const label = `${key.appA} ${key.typeA} ${sourceId} ↔ ${key.appB} ${key.typeB}`;

  const timeoutMs = ctx.lockTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  const remaining = () => Math.max(0, deadline - Date.now());

  /** One attempt under the lock of what is known; 'retry' when the link changed or a lock is busy. */
  type Attempt = UpsertOutput | { retry: true; waitFor?: string };
  const attemptOnce = async (locks: HeldSyncLock[], expectedTargetId: string | null): Promise<Attempt> => {
    const snapshot = await links.findWithLocks(key, intentsIntoSource);
    const link = snapshot.link;
    if ((link?.idB ?? null) !== expectedTargetId) return { retry: true };

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
      // Echo: the source record carries exactly what Braid last wrote into it (or was writing when it stopped).
      if (skipEchoes && sourceRecord !== null) {
        for (const w of [sync.lastWrite?.[step.source.app], sync.pendingWrite?.[step.source.app]]) {
          if (w && fingerprintFields(pickFields(sourceRecord, w.fields)) === w.fingerprint) {
            return { path: 'skipped', reason: 'echo', sourceId, targetId, echoOfRunId: w.runId, message: `skipped: echo of run ${w.runId}` };
          }
        }
      }
      let conflict: UpsertOutput['conflict'];
      if (step.read && mappedFields.length > 0) {
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
          const losing = winner === 'source' ? pickFields(targetRecord, mappedFields) : { ...mapped };
          conflict = { rule, winner, sourceModifiedAt, targetModifiedAt, losing };
          if (winner === 'target') {
            return { path: 'skipped', reason: 'conflict', sourceId, targetId, conflict, message: `skipped: conflict — the ${targetApp} record changed later and wins (${rule}); this change is kept in the run` };
          }
        }
      }
      let result: unknown = null;
      if (step.update) {
        await writeLinkSync(ctx.db, ws, { ...key, idB: targetId }, pending());
        result = await write(step.update, targetId);
        await writeLinkSync(ctx.db, ws, { ...key, idB: targetId }, written(result, step.update));
      }
      return { path: 'linked', sourceId, targetId, ...(conflict ? { conflict } : {}), result };
    }

    // No link. Is this record the target of a create the other direction is making right now (its echo)? Then wait
    // for that create to be linked and look again.
    if (skipEchoes && sourceRecord !== null) {
      for (const intent of snapshot.locks) {
        const [fingerprint, fieldsJson] = syncLockKeyParts(intent).slice(6, 8);
        const fields = JSON.parse(fieldsJson ?? '[]') as string[];
        if (fingerprintFields(pickFields(sourceRecord, fields)) === fingerprint) return { retry: true, waitFor: intent };
      }
    }

    // The match keys in order.
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
      // The pair lock too, and the matched record's own record lock (a reverse run of it without a link may be
      // searching or creating right now). Never waited for while holding ours: busy → let go of all, start again.
      for (const lockKey of [pairKey(match.id), syncLockKey('record', ws, key.appB, key.typeB, match.id, key.appA, key.typeA)]) {
        const lock = await tryAcquireSyncLock(ctx.db, lockKey);
        if (!lock) return { retry: true };
        locks.push(lock);
      }
      // Link and pending fingerprint in one statement, before the target is called.
      await links.upsertMerging({ ...key, idB: match.id }, syncPatch(step.update ? pending() : {}));
      const result = step.update ? await write(step.update, match.id) : null;
      await writeLinkSync(ctx.db, ws, { ...key, idB: match.id }, written(result, step.update));
      return { path: 'matched', matchedBy: match.key, sourceId, targetId: match.id, result };
    }
    // Create under an intent the reverse direction can see; link and sync state in one statement before letting go.
    const intent = await tryAcquireSyncLock(ctx.db, createIntentKey(sourceId));
    if (!intent) return { retry: true };
    locks.push(intent);
    const result = await write(step.create, null);
    const createdId = idAt(result, step.create.idPath);
    if (!createdId) {
      throw new SyncError(SyncErrorCode.CREATE_RETURNED_NO_ID, `Step "${step.title ?? step.id}": "${step.create.action}" answered without an id at "${step.create.idPath}"; fix "create.idPath".`);
    }
    await links.upsertMerging({ ...key, idB: createdId }, syncPatch(written(result, step.create)));
    rememberCreated(step, ctx.run, searched, createdId);
    return { path: 'created', sourceId, targetId: createdId, result };
  };

  for (let attempt = 0; ; attempt += 1) {
    if (attempt > 0) {
      if (remaining() === 0 || ctx.signal.aborted) throw new SyncError(SyncErrorCode.LOCK_TIMEOUT, `Another run has been syncing the same record for over ${Math.round(timeoutMs / 1000)} s (${label}). The run can be retried; if this repeats, look for a stuck run of the flow.`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(100, 5 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random() / 2)));
    }
    const known = await links.find(key);
    const locks: HeldSyncLock[] = [await acquireSyncLock(ctx.db, known ? pairKey(known.idB) : recordKey, { timeoutMs: remaining(), signal: ctx.signal, label })];
    let outcome: Attempt;
    try {
      outcome = await attemptOnce(locks, known?.idB ?? null);
    } finally {
      for (const lock of locks.reverse()) await lock.release();
    }
    if (!('retry' in outcome)) return outcome;
    // The other direction is creating this very record: its link (and fingerprint) is stored before it lets go.
    if (outcome.waitFor) await waitForSyncLockRelease(ctx.db, outcome.waitFor, { timeoutMs: remaining(), signal: ctx.signal });
  }
}
