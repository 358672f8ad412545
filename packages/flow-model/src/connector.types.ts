// The connector descriptor shape agreed in CONTRACTS.md §1. Declared here (not imported from
// @braid/connector-sdk) so that the editor can bundle flow-model without pulling in HTTP code.

/** A JSON Schema 2020-12 document (validated with ajv). */
export type JsonSchema = Record<string, unknown>;

export interface ConnectorDescriptor {
  key: string;
  title: string;
  description: string;
  /** A small SVG string the editor renders. */
  icon: string;
  auth: AuthDescriptor;
  actions: ActionDescriptor[];
  triggers: TriggerDescriptor[];
  /** Settings a connection of this app carries (e.g. data centre, organisation id); not used by flow-model. */
  connectionSettingsSchema?: JsonSchema;
}

export type AuthDescriptor =
  | { kind: 'none' }
  | { kind: 'oauth2'; provider: 'zoho'; scopes: string[] }
  | { kind: 'zoho-self-client'; scopes: string[] }
  | { kind: 'api-token'; headerName: string; scheme?: string };

export interface ActionDescriptor {
  key: string;
  title: string;
  description: string;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
  sampleOutput: unknown;
  classification: 'read' | 'write' | 'delete';
  idempotent: boolean;
  requiresConnection: boolean;
  /** Input property path (JSON pointer) -> where its choices come from in the connected account. */
  dynamicOptions?: Record<string, { optionsKey: string; dependsOn: string[] }>;
}

export interface TriggerDescriptor {
  key: string;
  title: string;
  description: string;
  kind: 'webhook' | 'polling' | 'app-webhook' | 'schedule' | 'manual';
  configSchema: JsonSchema;
  outputSchema: JsonSchema;
  sampleOutput: unknown;
  requiresConnection: boolean;
  canListExisting: boolean;
}

/** Input-schema keywords flow-model understands (connectors put them on an input property). */
export const FIELD_MAPPER_WIDGET = 'field-mapper';
export const WIDGET_KEYWORD = 'x-braid-widget';
export const MANDATORY_TARGETS_KEYWORD = 'x-braid-mandatory-targets';
