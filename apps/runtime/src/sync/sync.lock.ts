// A lease lock per key in `sync_locks`: taken with one INSERT … ON CONFLICT (or taken over when the holder's
// lease ran out, e.g. it crashed), renewed while held, released by its holder. No database connection is held
// while the step calls the apps (a session advisory lock would pin one pool connection per waiting run).
//
// Keys are made of URI-encoded parts joined by ':' (`syncLockKey`), so a key can be parsed back and found by
// prefix: the create intents of upsert-with-link are locks whose key says what is being created.
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { SyncError, SyncErrorCode } from './sync.errors.js';

// Short enough that a run resumed after a crash does not wait long for the dead holder's locks; renewed every 5 s.
const LEASE_SECONDS = 15;

export interface HeldSyncLock {
  key: string;
  release(): Promise<void>;
}

/** A lock key from its parts (each URI-encoded, joined by ':'). */
export function syncLockKey(...parts: string[]): string {
  return parts.map((p) => encodeURIComponent(p)).join(':');
}

/** The parts of a key made by `syncLockKey`. */
export function syncLockKeyParts(key: string): string[] {
  return key.split(':').map((p) => decodeURIComponent(p));
}

function lockTimeout(label: string, timeoutMs: number): SyncError {
  return new SyncError(
    SyncErrorCode.LOCK_TIMEOUT,
    `Another run has been syncing the same record for over ${Math.round(timeoutMs / 1000)} s (${label}). The run can be retried; if this repeats, look for a stuck run of the flow.`,
  );
}

async function takeOnce(db: DataSource, key: string, holder: string): Promise<boolean> {
  const rows: Array<{ holder: string }> = await db.query(
    `INSERT INTO sync_locks (key, holder, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))
     ON CONFLICT (key) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at, acquired_at = now()
       WHERE sync_locks.expires_at < now()
     RETURNING holder`,
    [key, holder, LEASE_SECONDS],
  );
  return rows[0]?.holder === holder;
}

function held(db: DataSource, key: string, holder: string): HeldSyncLock {
  const renew = setInterval(() => {
    void db
      .query(`UPDATE sync_locks SET expires_at = now() + make_interval(secs => $3) WHERE key = $1 AND holder = $2`, [key, holder, LEASE_SECONDS])
      .catch(() => undefined);
  }, (LEASE_SECONDS * 1000) / 3);
  renew.unref();
  let released = false;
  return {
    key,
    async release() {
      if (released) return;
      released = true;
      clearInterval(renew);
      await db.query(`DELETE FROM sync_locks WHERE key = $1 AND holder = $2`, [key, holder]);
    },
  };
}

export async function acquireSyncLock(
  db: DataSource,
  key: string,
  options: { timeoutMs: number; signal?: AbortSignal; label?: string },
): Promise<HeldSyncLock> {
  const holder = randomUUID();
  const deadline = Date.now() + options.timeoutMs;
  let waitMs = 5;
  for (;;) {
    if (await takeOnce(db, key, holder)) return held(db, key, holder);
    if (Date.now() > deadline || options.signal?.aborted) throw lockTimeout(options.label ?? `lock "${key}"`, options.timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    waitMs = Math.min(100, waitMs * 2);
  }
}

/** The lock if it is free now, else null (never waits: for a second lock taken while holding one). */
export async function tryAcquireSyncLock(db: DataSource, key: string): Promise<HeldSyncLock | null> {
  const holder = randomUUID();
  return (await takeOnce(db, key, holder)) ? held(db, key, holder) : null;
}

/** Waits until nobody holds `key` (released or lease run out); false when `timeoutMs` passed first. */
export async function waitForSyncLockRelease(db: DataSource, key: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  let waitMs = 5;
  for (;;) {
    const rows: unknown[] = await db.query(`SELECT 1 FROM sync_locks WHERE key = $1 AND expires_at >= now()`, [key]);
    if (rows.length === 0) return true;
    if (Date.now() > deadline || options.signal?.aborted) return false;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    waitMs = Math.min(100, waitMs * 2);
  }
}
