// The shapes a connector author writes (definitions) and the shapes the runtime gets back (descriptors).
/* eslint-disable @typescript-eslint/no-explicit-any -- type parameters of definitions default to `any` so a
   connector can be written without spelling out every input type; inputs are validated with ajv at run time. */
import type { HttpClient } from './http/http.types.js';
import type { RecordLinkStore } from './links.types.js';

export type JsonSchema = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------------------
// Descriptors: plain JSON (CONTRACTS.md §1). flow-model declares the same shape.

export type AuthDescriptor =
  | { kind: 'none' }
  | { kind: 'oauth2'; provider: 'zoho'; scopes: string[] }
  | { kind: 'zoho-self-client'; scopes: string[] }
  | { kind: 'api-token'; headerName: string; scheme?: string };

export interface DynamicOptionsBinding {
  optionsKey: string;
  dependsOn: string[];
}

export interface ActionDescriptor {
  key: string;
  title: string;
  description: string;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
  sampleOutput: unknown;
  classification: ActionClassification;
  idempotent: boolean;
  requiresConnection: boolean;
  dynamicOptions?: Record<string, DynamicOptionsBinding>;
}

export type TriggerKind = 'webhook' | 'polling' | 'app-webhook' | 'schedule' | 'manual';

export interface TriggerDescriptor {
  key: string;
  title: string;
  description: string;
  kind: TriggerKind;
  configSchema: JsonSchema;
  outputSchema: JsonSchema;
  sampleOutput: unknown;
  requiresConnection: boolean;
  canListExisting: boolean;
}

export interface ConnectorDescriptor {
  key: string;
  title: string;
  description: string;
  icon: string;
  auth: AuthDescriptor;
  actions: ActionDescriptor[];
  triggers: TriggerDescriptor[];
  /**
   * Addition to CONTRACTS.md §1 (optional): JSON Schema of the connection's settings the user fills in
   * after authorising (e.g. the Books organisation). Absent when the connector needs none.
   */
  connectionSettingsSchema?: JsonSchema;
}

export type ActionClassification = 'read' | 'write' | 'delete';

// ---------------------------------------------------------------------------------------------------------------
// Runtime context handed to every connector function.

export interface ConnectorLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** What the runtime knows about a connection, before the SDK derives the API base URL. */
export interface ConnectionRecord {
  id: string;
  /** Human name shown in errors ("Zoho Books – Acme EU"). */
  name: string;
  /** Non-secret settings (organisation id, edition, environment ...). */
  settings: Record<string, unknown>;
  /** Zoho: `api_domain` from the token response; other auth kinds: undefined. */
  apiDomain?: string;
}

export interface ConnectionInfo {
  id: string;
  name: string;
  settings: Record<string, unknown>;
  /** Base URL every relative `path` is resolved against (from the connector's `http.baseUrl`). */
  apiBaseUrl: string;
}

export interface RunInfo {
  workspaceId?: string;
  flowId?: string;
  runId?: string;
  stepId?: string;
}

export interface ConnectorContext {
  http: HttpClient;
  /** null for actions that need no connection (core connector). */
  connection: ConnectionInfo | null;
  logger: ConnectorLogger;
  signal: AbortSignal;
  now(): Date;
  /** Abortable wait (injectable for tests). */
  sleep(ms: number): Promise<void>;
  /** Cross-app record links, implemented by the runtime (scoped to the workspace). */
  links?: RecordLinkStore;
  run?: RunInfo;
}

// ---------------------------------------------------------------------------------------------------------------
// Definitions.

export interface DynamicOption {
  value: string | number | boolean;
  label: string;
  description?: string;
}

export type DynamicOptionsLoader = (
  ctx: ConnectorContext,
  /** Current values of the fields listed in the binding's `dependsOn` (by property name). */
  dependsOnValues: Record<string, unknown>,
) => Promise<DynamicOption[]>;

export interface ActionDefinition<I = any, O = any> {
  key: string;
  title: string;
  description: string;
  input: JsonSchema;
  output: JsonSchema;
  sampleOutput: O;
  classification: ActionClassification;
  idempotent: boolean;
  /** Default: true unless the connector's auth kind is `none`. */
  requiresConnection?: boolean;
  /** JSON pointer into the input (e.g. `/tax_id`, `/line_items/items/tax_id`) → options binding. */
  dynamicOptions?: Record<string, { optionsKey: string; dependsOn?: string[] }>;
  run(ctx: ConnectorContext, input: I): Promise<O>;
}

/** An incoming HTTP request as the runtime received it (headers lower-cased). */
export interface WebhookRequest {
  method: string;
  headers: Record<string, string>;
  query: Record<string, string | string[]>;
  rawBody: Buffer;
  contentType: string;
}

export interface TriggerEvent {
  /** Provider event id used by the runtime to drop duplicates. */
  id?: string;
  payload: unknown;
}

export interface WebhookParseContext<C = any> {
  config: C;
  /** app-webhook: the state returned by `register`/`renew`. */
  state?: unknown;
  logger: ConnectorLogger;
  now(): Date;
}

export interface WebhookVerifyInput<C = any> {
  config: C;
  /** The secret the runtime generated for this trigger (generic webhooks) — undefined if none. */
  secret?: string;
  /** app-webhook: the state returned by `register`/`renew` (e.g. the CRM channel token). */
  state?: unknown;
  request: WebhookRequest;
  now(): Date;
}

export interface SetupInstructions {
  method: string;
  url: string;
  headers: Record<string, string>;
  notes: string[];
}

export interface PolledItem {
  id: string;
  payload: unknown;
  modifiedAt?: string;
}

export interface PollResult<Cursor = unknown> {
  items: PolledItem[];
  nextCursor: Cursor | null;
  hasMore: boolean;
}

export interface ConfigProblem {
  pointer: string;
  message: string;
}

interface TriggerBase<C> {
  key: string;
  title: string;
  description: string;
  configSchema: JsonSchema;
  outputSchema: JsonSchema;
  sampleOutput: unknown;
  /** Default: true unless the connector's auth kind is `none` (schedule/manual/webhook default false). */
  requiresConnection?: boolean;
  /** Semantic checks beyond the JSON Schema (e.g. cron syntax). Empty array = valid. */
  validateConfig?(config: C): ConfigProblem[];
}

/**
 * The secret the runtime generates for a webhook trigger (shown to the user once, handed to `verifyRequest` and
 * `register` as is). `opaque` (default): the runtime's own format (`whsec_` + 43 base64url characters).
 * `alphanumeric`: exactly `length` letters and digits, for apps that only accept such secrets (Zoho Books
 * workflow webhooks: 12–50).
 */
export type WebhookSecretSpec = { format: 'opaque' } | { format: 'alphanumeric'; length: number };

export interface WebhookTriggerDefinition<C = any> extends TriggerBase<C> {
  kind: 'webhook';
  /** Format of the secret the runtime generates for this trigger (default opaque). */
  secret?: WebhookSecretSpec;
  parseRequest(ctx: WebhookParseContext<C>, request: WebhookRequest): Promise<{ events: TriggerEvent[] }>;
  /** Throws ConnectorError SIGNATURE_INVALID when the request is not authentic. */
  verifyRequest?(input: WebhookVerifyInput<C>): void | Promise<void>;
  setupInstructions?(config: C, webhookUrl: string, secret: string | undefined): SetupInstructions;
}

export interface PollingTriggerDefinition<C = any, Cursor = any> extends TriggerBase<C> {
  kind: 'polling';
  /**
   * Suggested interval, used when the flow's config has no `intervalMinutes` (every polling trigger's config
   * schema gets that optional property from the SDK: `pollIntervalProperty`).
   */
  defaultIntervalMs?: number;
  poll(ctx: ConnectorContext, input: { cursor: Cursor | null; config: C }): Promise<PollResult<Cursor>>;
  /** Enumerate existing records (initial sync / backfill), page by page. */
  listExisting?(
    ctx: ConnectorContext,
    input: { cursor: Cursor | null; config: C; phase?: string },
  ): Promise<PollResult<Cursor>>;
}

export interface AppWebhookRegistration {
  externalId: string;
  /** JSON state the runtime stores and hands back to unregister/renew/verifyRequest/parseRequest. */
  state: unknown;
  /** When the vendor will drop the registration (ISO), if it expires. */
  expiresAt?: string;
}

export interface AppWebhookTriggerDefinition<C = any> extends TriggerBase<C> {
  kind: 'app-webhook';
  /** Format of the secret the runtime generates and hands to `register` (default opaque). */
  secret?: WebhookSecretSpec;
  register(
    ctx: ConnectorContext,
    input: { webhookUrl: string; config: C; secret: string },
  ): Promise<AppWebhookRegistration>;
  unregister(ctx: ConnectorContext, input: { state: unknown; config: C }): Promise<void>;
  renew?(
    ctx: ConnectorContext,
    input: { state: unknown; config: C; webhookUrl: string; secret: string },
  ): Promise<AppWebhookRegistration>;
  /** Renew this long before `expiresAt`. */
  renewBeforeMs?: number;
  parseRequest(ctx: WebhookParseContext<C>, request: WebhookRequest): Promise<{ events: TriggerEvent[] }>;
  verifyRequest?(input: WebhookVerifyInput<C>): void | Promise<void>;
  listExisting?(
    ctx: ConnectorContext,
    input: { cursor: unknown; config: C; phase?: string },
  ): Promise<PollResult>;
}

/** Runtime-native triggers: the runtime fires them (cron / a user's click); the connector only describes them. */
export interface ScheduleTriggerDefinition<C = any> extends TriggerBase<C> {
  kind: 'schedule';
}
export interface ManualTriggerDefinition<C = any> extends TriggerBase<C> {
  kind: 'manual';
}

export type TriggerDefinition =
  | WebhookTriggerDefinition
  | PollingTriggerDefinition
  | AppWebhookTriggerDefinition
  | ScheduleTriggerDefinition
  | ManualTriggerDefinition;

export type AuthDefinition = AuthDescriptor;

export interface RateLimitSpec {
  /** `requests` per `perMs` (token bucket; bursts up to `requests`). */
  requests: number;
  perMs: number;
}

export interface RetryPolicy {
  /** Total attempts including the first (default 4). */
  maxAttempts?: number;
  /** Backoff base (default 500 ms) and cap (default 30 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for in-step: RATE_LIMITED goes to the engine (default 60 s). */
  maxRetryAfterMs?: number;
  /** Retry POST/PATCH on 5xx/network errors too (only when the vendor dedupes them). Default false. */
  retryUnsafeMethods?: boolean;
}

export interface HttpResponseInfo {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface ConnectorHttpDefinition {
  /** Base URL for relative paths, from the connection (e.g. `${apiDomain}/books/v3`). */
  baseUrl(connection: ConnectionRecord): string;
  rateLimit?: RateLimitSpec | ((connection: ConnectionRecord) => RateLimitSpec | undefined);
  /** Max simultaneous requests per limiter key. */
  concurrency?: number | ((connection: ConnectionRecord) => number | undefined);
  /** Key shared by every connection hitting the same vendor quota (default `<connector>:<connection id>`). */
  limiterKey?(connection: ConnectionRecord): string;
  retry?: RetryPolicy;
  /** Default request timeout (default 30 s). */
  timeoutMs?: number;
  /** Headers added to every request to the API host (never secrets: auth is injected separately). */
  defaultHeaders?(connection: ConnectionRecord): Record<string, string>;
  /** Default query params (e.g. Books `organization_id`). */
  defaultQuery?(connection: ConnectionRecord): Record<string, string>;
  /** Override the auth header (default from the auth kind: Zoho → `Authorization: Zoho-oauthtoken <t>`). */
  authHeader?(token: string): Record<string, string>;
  /** Turn a vendor error response into a typed error; return undefined to use the default mapping. */
  mapError?(response: HttpResponseInfo, request: { method: string; url: string }): Error | undefined;
  /** Whether a response means "access token expired" (default: status 401). */
  isAuthExpired?(response: HttpResponseInfo): boolean;
}

export interface TestConnectionResult {
  ok: boolean;
  /** Shown next to the connection (e.g. the organisation's name). */
  accountLabel?: string;
  message?: string;
}

export interface ConnectorDefinition {
  key: string;
  title: string;
  description: string;
  /** A small SVG string. */
  icon: string;
  auth: AuthDefinition;
  actions: ActionDefinition[];
  triggers: TriggerDefinition[];
  http?: ConnectorHttpDefinition;
  dynamicOptions?: Record<string, DynamicOptionsLoader>;
  connectionSettingsSchema?: JsonSchema;
  testConnection?(ctx: ConnectorContext): Promise<TestConnectionResult>;
}
