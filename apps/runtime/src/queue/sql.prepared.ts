import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

const names = new Map<string, string>();

function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `braid_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    if (names.size < 500) names.set(text, name);
  }
  return name;
}

/**
 * Runs `text` as a named prepared statement: PostgreSQL parses and plans it once per connection instead of on
 * every call (planning was about a quarter of the statement time of the webhook → run path). For the few hot
 * statements of the engine and the webhook ingress; answers the rows (also for UPDATE … RETURNING).
 * With an EntityManager of an open transaction, the statement runs on that transaction's connection.
 */
export function queryPrepared<T>(db: DataSource | EntityManager, text: string, values: unknown[]): Promise<T[]> {
  return queryRows<T>(db, { name: statementName(text), text, values });
}

/**
 * Runs `text` planned for these very values: for statements whose best plan depends on the data (a generic
 * plan chosen while a table is small can keep scanning it as it grows). Answers the rows, like queryPrepared.
 */
export function queryPlanned<T>(db: DataSource | EntityManager, text: string, values: unknown[]): Promise<T[]> {
  return queryRows<T>(db, { text, values });
}

async function queryRows<T>(db: DataSource | EntityManager, query: pg.QueryConfig): Promise<T[]> {
  // A DataSource has a driver; an EntityManager has its data source (and, in a transaction, a query runner).
  const manager = 'driver' in db ? undefined : (db as EntityManager);
  if (manager?.queryRunner) {
    const client = (await manager.queryRunner.connect()) as pg.PoolClient;
    return (await client.query(query)).rows as T[];
  }
  const dataSource = manager ? manager.dataSource : (db as DataSource);
  const pool = (dataSource.driver as unknown as { master: pg.Pool }).master;
  return (await pool.query(query)).rows as T[];
}
