// Sync state kept in a record link's metadata (record_links.metadata), per app of the pair:
//   lastWrite[app]    = what Braid last wrote into that app's record: fingerprint of the written fields, their
//                       names, the app's modified time after the write, the run and when;
//   pendingWrite[app] = a write Braid is about to make (stored before the app is called, removed with the
//                       lastWrite that replaces it): an event of that record carrying these values is an echo even
//                       when the writer died before it could record lastWrite;
//   lastSync[app]     = the version of that app's record last synced to the other side (its modified time).
import type { DataSource } from 'typeorm';
import { metadataMergeSql, type MetadataPatch } from '../links/links.store.js';

export interface LastWrite {
  fingerprint: string;
  fields: string[];
  modifiedAt: string | null;
  runId: string;
  at: string;
}

export interface PendingWrite {
  fingerprint: string;
  fields: string[];
  runId: string;
  at: string;
}

export interface LastSync {
  modifiedAt: string | null;
  runId: string;
  at: string;
}

export interface LinkSyncState {
  lastWrite?: Record<string, LastWrite>;
  pendingWrite?: Record<string, PendingWrite>;
  lastSync?: Record<string, LastSync>;
}

/** A change of sync state: entries to set, and pending writes (by app) that are over. */
export interface LinkSyncUpdate extends LinkSyncState {
  clearPending?: string[];
}

export function readLinkSync(metadata: Record<string, unknown> | undefined): LinkSyncState {
  const m = metadata ?? {};
  const obj = (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined);
  return {
    ...(obj(m.lastWrite) ? { lastWrite: m.lastWrite as Record<string, LastWrite> } : {}),
    ...(obj(m.pendingWrite) ? { pendingWrite: m.pendingWrite as Record<string, PendingWrite> } : {}),
    ...(obj(m.lastSync) ? { lastSync: m.lastSync as Record<string, LastSync> } : {}),
  };
}

/** The sync update as a metadata patch (links.store merges it in the same statement that links). */
export function syncPatch(update: LinkSyncUpdate): MetadataPatch {
  const set: Record<string, Record<string, unknown>> = {};
  if (update.lastWrite) set.lastWrite = update.lastWrite;
  if (update.pendingWrite) set.pendingWrite = update.pendingWrite;
  if (update.lastSync) set.lastSync = update.lastSync;
  return { set, ...(update.clearPending?.length ? { remove: { pendingWrite: update.clearPending } } : {}) };
}

/**
 * Merges sync state into the link's metadata in one UPDATE (each direction sets only its own entries; other
 * metadata keys are kept).
 */
export async function writeLinkSync(
  db: DataSource,
  workspaceId: string,
  link: { appA: string; typeA: string; idA: string; appB: string; typeB: string; idB: string },
  update: LinkSyncUpdate,
): Promise<void> {
  const patch = syncPatch(update);
  await db.query(
    `UPDATE record_links SET updated_at = now(), metadata = ${metadataMergeSql('metadata', '$8', '$9')}
      WHERE workspace_id = $1 AND (
        (app_a = $2 AND type_a = $3 AND id_a = $4 AND app_b = $5 AND type_b = $6 AND id_b = $7) OR
        (app_b = $2 AND type_b = $3 AND id_b = $4 AND app_a = $5 AND type_a = $6 AND id_a = $7))`,
    [workspaceId, link.appA, link.typeA, link.idA, link.appB, link.typeB, link.idB, JSON.stringify(patch.set ?? {}), JSON.stringify(patch.remove ?? {})],
  );
}
