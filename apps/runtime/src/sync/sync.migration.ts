import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two-way sync: lease locks per source record (upsert with link), initial syncs (backfills) with their
 * listing position and the items they listed (one per source record: a resumed chunk never enqueues twice).
 */
export class Sync1763740000000 implements MigrationInterface {
  name = 'Sync1763740000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE sync_locks (
        key text PRIMARY KEY,
        holder uuid NOT NULL,
        acquired_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await db.query(`
      CREATE TABLE backfills (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        flow_id uuid NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
        flow_version_id uuid NOT NULL REFERENCES flow_versions (id) ON DELETE CASCADE,
        status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled')),
        phases jsonb NOT NULL DEFAULT '[]'::jsonb,
        phase_index integer NOT NULL DEFAULT 0,
        cursor jsonb,
        start_cursor jsonb,
        listing_done boolean NOT NULL DEFAULT false,
        listed integer NOT NULL DEFAULT 0,
        chunks integer NOT NULL DEFAULT 0,
        error text,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        heartbeat_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX backfills_flow_idx ON backfills (workspace_id, flow_id, started_at DESC)`);
    await db.query(`CREATE UNIQUE INDEX backfills_one_running ON backfills (flow_id) WHERE status = 'running'`);
    await db.query(`
      CREATE TABLE backfill_items (
        backfill_id uuid NOT NULL REFERENCES backfills (id) ON DELETE CASCADE,
        item_id text NOT NULL,
        phase text,
        event_id uuid,
        run_id uuid,
        PRIMARY KEY (backfill_id, item_id)
      )`);
    await db.query(`CREATE INDEX backfill_items_run_idx ON backfill_items (run_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE backfill_items');
    await db.query('DROP TABLE backfills');
    await db.query('DROP TABLE sync_locks');
  }
}
