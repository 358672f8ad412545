// Sync state kept in a record link's metadata (record_links.metadata), per app of the pair:
//   lastWrite[app] = what Braid last wrote into that app's record: fingerprint of the written fields, their
//                    names, the app's modified time after the write, the run and when;
//   lastSync[app]  = the version of that app's record last synced to the other side (its modified time).
import type { DataSource } from 'typeorm';

export interface LastWrite {
  fingerprint: string;
  fields: string[];
  modifiedAt: string | null;
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
  lastSync?: Record<string, LastSync>;
}

export function readLinkSync(metadata: Record<string, unknown> | undefined): LinkSyncState {
  const m = metadata ?? {};
  const obj = (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined);
  return {
    ...(obj(m.lastWrite) ? { lastWrite: m.lastWrite as Record<string, LastWrite> } : {}),
    ...(obj(m.lastSync) ? { lastSync: m.lastSync as Record<string, LastSync> } : {}),
  };
}

/**
 * Merges sync state into the link's metadata in one UPDATE (the row lock of the UPDATE serialises the two
 * directions of a sync writing the same link; other metadata keys are kept).
 */
export async function writeLinkSync(
  db: DataSource,
  workspaceId: string,
  link: { appA: string; typeA: string; idA: string; appB: string; typeB: string; idB: string },
  state: LinkSyncState,
): Promise<void> {
  await db.query(
    `UPDATE record_links SET updated_at = now(), metadata = COALESCE(metadata, '{}'::jsonb) || jsonb_build_object(
        'lastWrite', COALESCE(metadata->'lastWrite', '{}'::jsonb) || $8::jsonb,
        'lastSync', COALESCE(metadata->'lastSync', '{}'::jsonb) || $9::jsonb)
      WHERE workspace_id = $1 AND (
        (app_a = $2 AND type_a = $3 AND id_a = $4 AND app_b = $5 AND type_b = $6 AND id_b = $7) OR
        (app_b = $2 AND type_b = $3 AND id_b = $4 AND app_a = $5 AND type_a = $6 AND id_a = $7))`,
    [workspaceId, link.appA, link.typeA, link.idA, link.appB, link.typeB, link.idB, JSON.stringify(state.lastWrite ?? {}), JSON.stringify(state.lastSync ?? {})],
  );
}
