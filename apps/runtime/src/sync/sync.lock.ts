// A lease lock per key in `sync_locks`: taken with one INSERT … ON CONFLICT (or taken over when the holder's
// lease ran out, e.g. it crashed), renewed while held, released by its holder. No database connection is held
// while the step calls the apps (a session advisory lock would pin one pool connection per waiting run).
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { SyncError, SyncErrorCode } from './sync.errors.js';

const LEASE_SECONDS = 60;

export interface HeldSyncLock {
  release(): Promise<void>;
}

export async function acquireSyncLock(db: DataSource, key: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<HeldSyncLock> {
  const holder = randomUUID();
  const deadline = Date.now() + options.timeoutMs;
  let waitMs = 10;
  for (;;) {
    const rows: Array<{ holder: string }> = await db.query(
      `INSERT INTO sync_locks (key, holder, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))
       ON CONFLICT (key) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at, acquired_at = now()
         WHERE sync_locks.expires_at < now()
       RETURNING holder`,
      [key, holder, LEASE_SECONDS],
    );
    if (rows[0]?.holder === holder) break;
    if (Date.now() > deadline || options.signal?.aborted) {
      throw new SyncError(
        SyncErrorCode.LOCK_TIMEOUT,
        `Another run has been syncing the same record for over ${Math.round(options.timeoutMs / 1000)} s (lock "${key.split(':').slice(1).join(':')}"). The run can be retried; if this repeats, look for a stuck run of the flow.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    waitMs = Math.min(250, waitMs * 2);
  }
  const renew = setInterval(() => {
    void db
      .query(`UPDATE sync_locks SET expires_at = now() + make_interval(secs => $3) WHERE key = $1 AND holder = $2`, [key, holder, LEASE_SECONDS])
      .catch(() => undefined);
  }, (LEASE_SECONDS * 1000) / 3);
  renew.unref();
  return {
    async release() {
      clearInterval(renew);
      await db.query(`DELETE FROM sync_locks WHERE key = $1 AND holder = $2`, [key, holder]);
    },
  };
}
