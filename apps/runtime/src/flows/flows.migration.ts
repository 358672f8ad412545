import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Flows (editable draft + immutable published versions), runs with one row per executed step (or loop
 * iteration), and record links ("Togai account A-17 is Books contact 46000…").
 */
export class Flows1763720000000 implements MigrationInterface {
  name = 'Flows1763720000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE flows (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        name text NOT NULL,
        direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
        draft jsonb NOT NULL,
        draft_revision integer NOT NULL DEFAULT 1,
        enabled boolean NOT NULL DEFAULT false,
        published_version_id uuid,
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX flows_workspace_idx ON flows (workspace_id, created_at)`);
    await db.query(`
      CREATE TABLE flow_versions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        flow_id uuid NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        version integer NOT NULL,
        definition jsonb NOT NULL,
        published_by uuid REFERENCES users (id) ON DELETE SET NULL,
        published_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT flow_versions_flow_version_key UNIQUE (flow_id, version)
      )`);
    await db.query(`ALTER TABLE flows ADD CONSTRAINT flows_published_version_fk FOREIGN KEY (published_version_id) REFERENCES flow_versions (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED`);
    await db.query(`
      CREATE TABLE runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        flow_id uuid NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
        flow_version_id uuid REFERENCES flow_versions (id) ON DELETE CASCADE,
        preview_definition jsonb,
        event_id uuid,
        source text NOT NULL,
        status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
        mode text NOT NULL DEFAULT 'live' CHECK (mode IN ('live', 'preview', 'dry-run')),
        replay_of_run_id uuid REFERENCES runs (id) ON DELETE SET NULL,
        trigger_output jsonb,
        output jsonb,
        error jsonb,
        attempt integer NOT NULL DEFAULT 0,
        lease_owner text,
        lease_expires_at timestamptz,
        resume_at timestamptz,
        queued_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      )`);
    await db.query(`CREATE INDEX runs_workspace_idx ON runs (workspace_id, queued_at DESC, id DESC)`);
    await db.query(`CREATE INDEX runs_flow_idx ON runs (workspace_id, flow_id, queued_at DESC, id DESC)`);
    await db.query(`CREATE INDEX runs_status_idx ON runs (workspace_id, status, queued_at DESC)`);
    await db.query(`CREATE INDEX runs_lease_idx ON runs (lease_expires_at) WHERE status = 'running'`);
    await db.query(`CREATE INDEX runs_finished_idx ON runs (finished_at)`);
    await db.query(`
      CREATE TABLE run_steps (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        step_id text NOT NULL,
        path text NOT NULL,
        seq integer NOT NULL,
        status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
        input jsonb,
        output jsonb,
        error jsonb,
        attempts integer NOT NULL DEFAULT 1,
        dry_run boolean NOT NULL DEFAULT false,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        CONSTRAINT run_steps_run_path_key UNIQUE (run_id, path)
      )`);
    await db.query(`
      CREATE TABLE record_links (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        app_a text NOT NULL,
        type_a text NOT NULL,
        id_a text NOT NULL,
        app_b text NOT NULL,
        type_b text NOT NULL,
        id_b text NOT NULL,
        flow_id uuid REFERENCES flows (id) ON DELETE SET NULL,
        run_id uuid REFERENCES runs (id) ON DELETE SET NULL,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT record_links_a_key UNIQUE (workspace_id, app_a, type_a, id_a, app_b, type_b),
        CONSTRAINT record_links_b_key UNIQUE (workspace_id, app_b, type_b, id_b, app_a, type_a)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE record_links');
    await db.query('DROP TABLE run_steps');
    await db.query('DROP TABLE runs');
    await db.query('ALTER TABLE flows DROP CONSTRAINT flows_published_version_fk');
    await db.query('DROP TABLE flow_versions');
    await db.query('DROP TABLE flows');
  }
}
