import type { MigrationInterface, QueryRunner } from 'typeorm';

/** One live run per stored event: a second enqueue of the same event (a redelivery) finds the first run. */
export class RunsEventUnique1763720000001 implements MigrationInterface {
  name = 'RunsEventUnique1763720000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE UNIQUE INDEX runs_event_key ON runs (event_id) WHERE event_id IS NOT NULL AND replay_of_run_id IS NULL AND mode = 'live'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX runs_event_key');
  }
}
