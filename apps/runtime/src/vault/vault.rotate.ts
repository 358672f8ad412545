import type { DataSource } from 'typeorm';
import { type SecretColumn, secretColumns } from './vault.columns.js';
import { VaultError } from './vault.errors.js';
import type { VaultService } from './vault.service.js';

export interface RotationReport {
  /** Re-encrypted with the newest key. */
  rotated: number;
  /** Already on the newest key. */
  current: number;
  /** Rows whose secret could not be decrypted with any configured key (left untouched). */
  failed: Array<{ table: string; id: string; reason: string }>;
}

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

/**
 * Re-encrypts every secret (see vault.columns.ts) with the newest key, in batches, each batch in its own
 * transaction with its rows locked (`FOR UPDATE SKIP LOCKED`: a token renewal holding a row is not waited for;
 * the next pass takes it). Safe to run while runtimes are up, and to run again.
 */
export async function rotateSecrets(
  dataSource: DataSource,
  vault: VaultService,
  options: { batchSize?: number; progress?: (line: string) => void; columns?: SecretColumn[] } = {},
): Promise<RotationReport> {
  const batchSize = options.batchSize ?? 100;
  const progress = options.progress ?? (() => undefined);
  const report: RotationReport = { rotated: 0, current: 0, failed: [] };
  const currentPrefix = `v1.${vault.currentKeyId}.`;
  for (const target of options.columns ?? secretColumns) {
    const [table, column, id, workspaceId, ownerId] = [target.table, target.column, target.idColumn, target.workspaceIdColumn, target.ownerIdColumn].map(quote);
    const [{ count: current }] = (await dataSource.query(
      `SELECT count(*)::int AS count FROM ${table} WHERE starts_with(${column}, $1)`,
      [currentPrefix],
    )) as [{ count: number }];
    report.current += current;
    const skipped: string[] = [];
    let tableRotated = 0;
    for (;;) {
      const done = await dataSource.transaction(async (manager) => {
        const rows = (await manager.query(
          `SELECT ${id}::text AS id, ${workspaceId}::text AS workspace_id, ${ownerId}::text AS owner_id, ${column} AS secret
             FROM ${table}
            WHERE ${column} IS NOT NULL AND NOT starts_with(${column}, $1) AND NOT (${id}::text = ANY($2::text[]))
            ORDER BY ${id} LIMIT $3 FOR UPDATE SKIP LOCKED`,
          [currentPrefix, skipped, batchSize],
        )) as Array<{ id: string; workspace_id: string; owner_id: string; secret: string }>;
        for (const row of rows) {
          try {
            const next = vault.reencrypt(row.secret, { workspaceId: row.workspace_id, connectionId: row.owner_id });
            if (next) await manager.query(`UPDATE ${table} SET ${column} = $1 WHERE ${id}::text = $2`, [next, row.id]);
            tableRotated += 1;
          } catch (error) {
            if (!(error instanceof VaultError)) throw error;
            skipped.push(row.id);
            report.failed.push({ table: target.table, id: row.id, reason: error.message });
          }
        }
        return rows.length < batchSize;
      });
      progress(`${target.table}.${target.column}: ${tableRotated} re-encrypted so far`);
      if (done) break;
    }
    report.rotated += tableRotated;
  }
  return report;
}
