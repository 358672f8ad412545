import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Integrations: instances of a template (its flows, connections, settings, module switches, initial sync). */
export class Integrations1763750000000 implements MigrationInterface {
  name = 'Integrations1763750000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE integrations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        template_id text NOT NULL,
        name text NOT NULL,
        connections jsonb NOT NULL,
        settings jsonb NOT NULL,
        modules jsonb NOT NULL,
        flows jsonb NOT NULL,
        initial_sync jsonb,
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX integrations_workspace_idx ON integrations (workspace_id, created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE integrations`);
  }
}
