import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Connections (one authorised account of one app, secrets in a vault envelope) and the single-use OAuth
 * `state` nonces of connection attempts.
 */
export class Connections1763710000000 implements MigrationInterface {
  name = 'Connections1763710000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE connections (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        name text NOT NULL,
        connector_key text NOT NULL,
        auth_kind text NOT NULL CHECK (auth_kind IN ('oauth2', 'zoho-self-client', 'api-token')),
        target text NOT NULL CHECK (target IN ('sandbox', 'production')),
        base_url text NOT NULL,
        data_centre text,
        accounts_server text,
        api_domain text,
        scopes text[] NOT NULL DEFAULT '{}',
        settings jsonb NOT NULL DEFAULT '{}'::jsonb,
        secrets text NOT NULL,
        status text NOT NULL DEFAULT 'connected' CHECK (status IN ('connected', 'needs_reconnect', 'error')),
        last_error text,
        last_error_at timestamptz,
        last_used_at timestamptz,
        last_refreshed_at timestamptz,
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX connections_workspace_idx ON connections (workspace_id, created_at)`);
    await db.query(`
      CREATE TABLE oauth_states (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        connector_key text NOT NULL,
        connection_id uuid REFERENCES connections (id) ON DELETE CASCADE,
        name text NOT NULL,
        data_centre text NOT NULL,
        target text NOT NULL,
        accounts_server text NOT NULL,
        redirect_uri text NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX oauth_states_expires_idx ON oauth_states (expires_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE oauth_states');
    await db.query('DROP TABLE connections');
  }
}
