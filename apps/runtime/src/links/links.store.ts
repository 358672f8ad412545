import type { RecordLink, RecordLinkInput, RecordLinkKey, RecordLinkStore } from '@braid/connector-sdk';
import type { DataSource, EntityManager } from 'typeorm';
import { rowsOf } from '../queue/sql.rows.js';

interface LinkRow {
  id: string;
  app_a: string;
  type_a: string;
  id_a: string;
  app_b: string;
  type_b: string;
  id_b: string;
  flow_id: string | null;
  run_id: string | null;
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  created?: boolean;
}

/** A link as the API shows it, oriented from the record that was asked about. */
export interface RecordLinkView extends RecordLink {
  id: string;
  flowId: string | null;
  runId: string | null;
}

/**
 * Links are stored with the lexically smaller (app, type) as side A, so a link made from either side is
 * one row and both sides find it. `swapped` says the caller's A side is the stored B side.
 */
function isSwapped(appA: string, typeA: string, appB: string, typeB: string): boolean {
  return appA > appB || (appA === appB && typeA > typeB);
}

export function orientLink(row: LinkRow, fromApp: string, fromType: string, fromId?: string): RecordLinkView {
  const fromIsB = row.app_b === fromApp && row.type_b === fromType && (fromId === undefined || row.id_b === fromId) && !(row.app_a === fromApp && row.type_a === fromType && (fromId === undefined || row.id_a === fromId));
  const base = { id: row.id, flowId: row.flow_id, runId: row.run_id, metadata: row.metadata ?? {}, createdAt: new Date(row.created_at).toISOString(), updatedAt: new Date(row.updated_at).toISOString() };
  return fromIsB
    ? { ...base, appA: row.app_b, typeA: row.type_b, idA: row.id_b, appB: row.app_a, typeB: row.type_a, idB: row.id_a }
    : { ...base, appA: row.app_a, typeA: row.type_a, idA: row.id_a, appB: row.app_b, typeB: row.type_b, idB: row.id_b };
}

function stripView(view: RecordLinkView): RecordLink {
  const { appA, typeA, idA, appB, typeB, idB, metadata, createdAt, updatedAt } = view;
  return { appA, typeA, idA, appB, typeB, idB, metadata, createdAt, updatedAt };
}

/**
 * A two-level merge of a link's metadata as SQL: for every top-level key K of `$set` or `$remove`,
 * metadata[K] = (metadata[K] minus the names listed in $remove[K]) merged with $set[K]; other keys are kept.
 * Lets both directions of a sync update their own entries (e.g. `lastWrite.togai`) without overwriting the other's.
 */
export function metadataMergeSql(column: string, setParam: string, removeParam: string): string {
  return `COALESCE(${column}, '{}'::jsonb) || COALESCE((
    SELECT jsonb_object_agg(k, (COALESCE(${column}->k, '{}'::jsonb) - COALESCE(ARRAY(SELECT jsonb_array_elements_text(${removeParam}::jsonb->k)), '{}'::text[]))
                              || COALESCE(${setParam}::jsonb->k, '{}'::jsonb))
    FROM (SELECT jsonb_object_keys(${setParam}::jsonb) AS k UNION SELECT jsonb_object_keys(${removeParam}::jsonb)) AS merged_keys), '{}'::jsonb)`;
}

export interface MetadataPatch {
  /** Entries to set per top-level key: `{ lastWrite: { togai: {...} } }`. */
  set?: Record<string, Record<string, unknown>>;
  /** Entries to remove per top-level key: `{ pendingWrite: ['togai'] }`. */
  remove?: Record<string, string[]>;
}

/** The key in stored orientation: [app_a, type_a, id_a, app_b, type_b] for the A record's side. */
export function storedLookup(key: RecordLinkKey): { where: string; params: string[] } {
  if (isSwapped(key.appA, key.typeA, key.appB, key.typeB)) {
    return { where: 'app_b = $2 AND type_b = $3 AND id_b = $4 AND app_a = $5 AND type_a = $6', params: [key.appA, key.typeA, key.idA, key.appB, key.typeB] };
  }
  return { where: 'app_a = $2 AND type_a = $3 AND id_a = $4 AND app_b = $5 AND type_b = $6', params: [key.appA, key.typeA, key.idA, key.appB, key.typeB] };
}

/** PostgreSQL record links of one workspace; `flowId`/`runId` are written on the links it makes. */
export class PgRecordLinkStore implements RecordLinkStore {
  constructor(
    private readonly db: DataSource,
    private readonly scope: { workspaceId: string; flowId?: string | null; runId?: string | null },
  ) {}

  async find(key: RecordLinkKey): Promise<RecordLink | null> {
    const { where, params } = storedLookup(key);
    const rows: LinkRow[] = await this.db.query(`SELECT * FROM record_links WHERE workspace_id = $1 AND ${where}`, [this.scope.workspaceId, ...params]);
    return rows[0] ? stripView(orientLink(rows[0], key.appA, key.typeA, key.idA)) : null;
  }

  async upsert(link: RecordLinkInput): Promise<{ link: RecordLink; created: boolean }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.upsertOnce(link);
      } catch (error) {
        // Two runs linking the same record at once: the loser retries against the winner's row.
        if ((error as { code?: string }).code === '23505' && attempt < 3) continue;
        throw error;
      }
    }
  }

  private async upsertOnce(link: RecordLinkInput): Promise<{ link: RecordLink; created: boolean }> {
    const swapped = isSwapped(link.appA, link.typeA, link.appB, link.typeB);
    const [a, b] = swapped
      ? [{ app: link.appB, type: link.typeB, id: link.idB }, { app: link.appA, type: link.typeA, id: link.idA }]
      : [{ app: link.appA, type: link.typeA, id: link.idA }, { app: link.appB, type: link.typeB, id: link.idB }];
    const run = async (db: EntityManager): Promise<LinkRow> => {
      // One record links to at most one record of a given (app, type): drop older links of either side.
      await db.query(
        `DELETE FROM record_links WHERE workspace_id = $1 AND (
           (app_a = $2 AND type_a = $3 AND id_a = $4 AND app_b = $5 AND type_b = $6 AND id_b <> $7) OR
           (app_b = $5 AND type_b = $6 AND id_b = $7 AND app_a = $2 AND type_a = $3 AND id_a <> $4))`,
        [this.scope.workspaceId, a.app, a.type, a.id, b.app, b.type, b.id],
      );
      const rows: LinkRow[] = await db.query(
        `INSERT INTO record_links (workspace_id, app_a, type_a, id_a, app_b, type_b, id_b, flow_id, run_id, metadata)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, COALESCE($10::jsonb, '{}'::jsonb))
         ON CONFLICT (workspace_id, app_a, type_a, id_a, app_b, type_b) DO UPDATE SET
           id_b = EXCLUDED.id_b, flow_id = COALESCE(EXCLUDED.flow_id, record_links.flow_id), run_id = COALESCE(EXCLUDED.run_id, record_links.run_id),
           metadata = COALESCE($10::jsonb, record_links.metadata), updated_at = now()
         RETURNING *, (xmax = 0) AS created`,
        [this.scope.workspaceId, a.app, a.type, a.id, b.app, b.type, b.id, this.scope.flowId ?? null, this.scope.runId ?? null, link.metadata === undefined ? null : JSON.stringify(link.metadata)],
      );
      return rows[0]!;
    };
    const row = await this.db.transaction(run);
    return { link: stripView(orientLink(row, link.appA, link.typeA, link.idA)), created: row.created === true };
  }

  /**
   * The link of `key` and the keys of the sync locks starting with `lockPrefix`, read in ONE statement (one
   * snapshot): a writer that stores its link before releasing its lock is seen either way, never neither.
   */
  async findWithLocks(key: RecordLinkKey, lockPrefix: string): Promise<{ link: RecordLink | null; locks: string[] }> {
    const { where, params } = storedLookup(key);
    const rows: Array<{ link: LinkRow | null; locks: string[] }> = await this.db.query(
      `SELECT (SELECT to_jsonb(l) FROM record_links l WHERE workspace_id = $1 AND ${where}) AS link,
              (SELECT COALESCE(jsonb_agg(s.key), '[]'::jsonb) FROM sync_locks s WHERE starts_with(s.key, $7) AND s.expires_at >= now()) AS locks`,
      [this.scope.workspaceId, ...params, lockPrefix],
    );
    const row = rows[0];
    return { link: row?.link ? stripView(orientLink(row.link, key.appA, key.typeA, key.idA)) : null, locks: row?.locks ?? [] };
  }

  /**
   * Links two records and merges `patch` into the link's metadata in one statement (an older link of the B
   * record to another A record is dropped first, in the same transaction, only when there is one).
   */
  async upsertMerging(link: RecordLinkInput, patch: MetadataPatch): Promise<{ link: RecordLink; created: boolean }> {
    const swapped = isSwapped(link.appA, link.typeA, link.appB, link.typeB);
    const [a, b] = swapped
      ? [{ app: link.appB, type: link.typeB, id: link.idB }, { app: link.appA, type: link.typeA, id: link.idA }]
      : [{ app: link.appA, type: link.typeA, id: link.idA }, { app: link.appB, type: link.typeB, id: link.idB }];
    const params = [this.scope.workspaceId, a.app, a.type, a.id, b.app, b.type, b.id, this.scope.flowId ?? null, this.scope.runId ?? null, JSON.stringify(patch.set ?? {}), JSON.stringify(patch.remove ?? {})];
    const insert = `INSERT INTO record_links (workspace_id, app_a, type_a, id_a, app_b, type_b, id_b, flow_id, run_id, metadata)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, ${metadataMergeSql(`'{}'::jsonb`, '$10', '$11')})
         ON CONFLICT (workspace_id, app_a, type_a, id_a, app_b, type_b) DO UPDATE SET
           id_b = EXCLUDED.id_b, flow_id = COALESCE(EXCLUDED.flow_id, record_links.flow_id), run_id = COALESCE(EXCLUDED.run_id, record_links.run_id),
           metadata = ${metadataMergeSql('CASE WHEN record_links.id_b = EXCLUDED.id_b THEN record_links.metadata END', '$10', '$11')}, updated_at = now()
         RETURNING *, (xmax = 0) AS created`;
    let row: LinkRow;
    try {
      row = ((await this.db.query(insert, params)) as LinkRow[])[0]!;
    } catch (error) {
      if ((error as { code?: string }).code !== '23505') throw error;
      // The B record is linked to another A record (or a concurrent insert won): drop that link, then link.
      row = await this.db.transaction(async (m) => {
        await m.query(
          `DELETE FROM record_links WHERE workspace_id = $1 AND app_b = $5 AND type_b = $6 AND id_b = $7 AND app_a = $2 AND type_a = $3 AND id_a <> $4`,
          params.slice(0, 7),
        );
        return ((await m.query(insert, params)) as LinkRow[])[0]!;
      });
    }
    return { link: stripView(orientLink(row, link.appA, link.typeA, link.idA)), created: row.created === true };
  }

  async delete(key: RecordLinkKey): Promise<{ deleted: number }> {
    const { where, params } = storedLookup(key);
    const rows = rowsOf<{ id: string }>(await this.db.query(`DELETE FROM record_links WHERE workspace_id = $1 AND ${where} RETURNING id`, [this.scope.workspaceId, ...params]));
    return { deleted: rows.length };
  }
}

/** Every link of one record, from either side (the API's "what is linked to Togai account X?"). */
export async function linksOfRecord(db: DataSource, workspaceId: string, record: { app: string; type: string; id: string }): Promise<RecordLinkView[]> {
  const rows: LinkRow[] = await db.query(
    `SELECT * FROM record_links WHERE workspace_id = $1 AND ((app_a = $2 AND type_a = $3 AND id_a = $4) OR (app_b = $2 AND type_b = $3 AND id_b = $4))
     ORDER BY updated_at DESC LIMIT 500`,
    [workspaceId, record.app, record.type, record.id],
  );
  return rows.map((row) => orientLink(row, record.app, record.type, record.id));
}

/** Links made by one run (shown on the run). */
export async function linksOfRun(db: DataSource, workspaceId: string, runId: string): Promise<RecordLinkView[]> {
  const rows: LinkRow[] = await db.query(`SELECT * FROM record_links WHERE workspace_id = $1 AND run_id = $2 ORDER BY created_at LIMIT 500`, [workspaceId, runId]);
  return rows.map((row) => orientLink(row, row.app_a, row.type_a, row.id_a));
}
