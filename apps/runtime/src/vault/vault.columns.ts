/**
 * Every database column that holds vault envelopes, so `pnpm braid rotate-keys` can re-encrypt them all.
 * A feature that stores secrets with VaultService adds one line here. The associated data of a row is
 * `braid:v1:<workspaceIdColumn>:<ownerIdColumn>` (VaultBinding: workspaceId, connectionId = the owner row id).
 */
export interface SecretColumn {
  table: string;
  column: string;
  /** Primary key column (also the batch order). */
  idColumn: string;
  workspaceIdColumn: string;
  ownerIdColumn: string;
}

export const secretColumns: SecretColumn[] = [
  { table: 'connections', column: 'secrets', idColumn: 'id', workspaceIdColumn: 'workspace_id', ownerIdColumn: 'id' },
  // Triggers (src/triggers/trigger.secrets.ts): webhook secrets and app-webhook registration state, bound to the flow.
  { table: 'trigger_endpoints', column: 'secret_ciphertext', idColumn: 'flow_id', workspaceIdColumn: 'workspace_id', ownerIdColumn: 'flow_id' },
  { table: 'trigger_states', column: 'registration_ciphertext', idColumn: 'flow_id', workspaceIdColumn: 'workspace_id', ownerIdColumn: 'flow_id' },
];
