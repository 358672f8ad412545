import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Trigger side of flows: per-flow webhook endpoints (unguessable token, encrypted secret), the armed state of
 * every flow's trigger (polling cursor, app-webhook registration, next schedule tick) and the stored events
 * (raw body kept for replay; dedupe keys so a redelivered event is acknowledged but not run twice).
 */
export class Triggers1763730000000 implements MigrationInterface {
  name = 'Triggers1763730000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE trigger_endpoints (
        flow_id uuid PRIMARY KEY REFERENCES flows (id) ON DELETE CASCADE,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        token text NOT NULL UNIQUE,
        secret_ciphertext text,
        secret_set_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX trigger_endpoints_workspace_idx ON trigger_endpoints (workspace_id)`);
    await db.query(`
      CREATE TABLE trigger_states (
        flow_id uuid PRIMARY KEY REFERENCES flows (id) ON DELETE CASCADE,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('webhook', 'polling', 'app-webhook', 'schedule', 'manual')),
        connector_key text NOT NULL,
        trigger_key text NOT NULL,
        armed_version_id uuid REFERENCES flow_versions (id) ON DELETE SET NULL,
        cursor jsonb,
        registration_ciphertext text,
        registration_external_id text,
        registration_expires_at timestamptz,
        next_run_at timestamptz,
        last_run_at timestamptz,
        last_error text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX trigger_states_due_idx ON trigger_states (kind, next_run_at) WHERE armed_version_id IS NOT NULL`);
    await db.query(`
      CREATE TABLE trigger_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        flow_id uuid NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
        flow_version_id uuid REFERENCES flow_versions (id) ON DELETE SET NULL,
        source text NOT NULL CHECK (source IN ('webhook', 'poll', 'app-webhook', 'schedule', 'manual')),
        provider_event_id text,
        dedupe_key text,
        body_hash text,
        payload jsonb,
        raw_body bytea,
        content_type text,
        headers jsonb,
        signature_verified boolean NOT NULL DEFAULT false,
        received_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    // Provider event ids (and polled item versions) are unique per flow for good.
    await db.query(`CREATE UNIQUE INDEX trigger_events_dedupe_key ON trigger_events (flow_id, dedupe_key) WHERE dedupe_key IS NOT NULL`);
    // Deliveries without an id: same body within the window (checked under an advisory lock).
    await db.query(`CREATE INDEX trigger_events_body_hash_idx ON trigger_events (flow_id, body_hash, received_at) WHERE body_hash IS NOT NULL`);
    await db.query(`CREATE INDEX trigger_events_flow_idx ON trigger_events (workspace_id, flow_id, received_at DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE trigger_events');
    await db.query('DROP TABLE trigger_states');
    await db.query('DROP TABLE trigger_endpoints');
  }
}

/** Retention: old events are deleted by received time. */
export class TriggerEventsRetention1763730000001 implements MigrationInterface {
  name = 'TriggerEventsRetention1763730000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX trigger_events_received_idx ON trigger_events (received_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX trigger_events_received_idx');
  }
}

/**
 * Resync generations: "resync from date" increments `poll_generation`, and polled items are deduplicated within
 * a generation, so the records a resync rewinds over run again once while overlapping polls still dedupe.
 */
export class TriggerPollGeneration1763760000000 implements MigrationInterface {
  name = 'TriggerPollGeneration1763760000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE trigger_states ADD COLUMN poll_generation integer NOT NULL DEFAULT 0`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE trigger_states DROP COLUMN poll_generation');
  }
}
