/**
 * Every environment variable the runtime reads. `expected` is used in error messages and the README table;
 * keep both in sync when adding one.
 */
export interface ConfigVariable {
  name: string;
  /** JSON Schema for the coerced value. */
  schema: Record<string, unknown>;
  expected: string;
  default?: string;
  description: string;
  /** The value is never repeated in error messages (it may hold a password). */
  secret?: boolean;
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export const configVariables: ConfigVariable[] = [
  { name: 'PORT', schema: { type: 'integer', minimum: 0, maximum: 65535 }, expected: 'must be a port number (0-65535)', default: '3000', description: 'HTTP port of the API and the editor.' },
  { name: 'HOST', schema: { type: 'string', minLength: 1 }, expected: 'must be a host name or IP address to listen on', default: '127.0.0.1', description: 'Interface to listen on. Use `0.0.0.0` in containers.' },
  { name: 'DATABASE_URL', schema: { type: 'string', pattern: '^postgres(ql)?://' }, expected: 'must be a PostgreSQL URL like postgres://user:password@host:5432/braid', description: 'External PostgreSQL (≥ 15). Unset: an embedded PostgreSQL is started with data in `BRAID_DATA_DIR/postgres`.', secret: true },
  { name: 'BRAID_DATA_DIR', schema: { type: 'string', minLength: 1 }, expected: 'must be a directory path', default: '<repo>/.data', description: 'Where local state lives: the embedded PostgreSQL (`postgres/`) and the sandbox snapshot.' },
  { name: 'BRAID_EMBEDDED_PG_PORT', schema: { type: 'integer', minimum: 1, maximum: 65535 }, expected: 'must be a port number (1-65535)', default: '5499', description: 'Port of the embedded PostgreSQL (listens on 127.0.0.1 only).' },
  { name: 'BRAID_LOG_LEVEL', schema: { type: 'string', enum: logLevels }, expected: `must be one of ${logLevels.join(', ')}`, default: 'info', description: 'Minimum level of the JSON logs (stdout).' },
  { name: 'BRAID_BODY_LIMIT', schema: { type: 'string', pattern: '^[0-9]+(b|kb|mb)$' }, expected: 'must be a size like 512kb or 1mb', default: '1mb', description: 'Largest accepted JSON request body; larger bodies get 413.' },
  { name: 'BRAID_WEBHOOK_MAX_BYTES', schema: { type: 'integer', minimum: 1, maximum: 52428800 }, expected: 'must be a number of bytes (1-52428800)', default: '1048576', description: 'Largest accepted webhook body at `/hooks/:token`; larger deliveries get 413.' },
  { name: 'BRAID_WEBHOOK_DEDUPE_WINDOW_SECONDS', schema: { type: 'integer', minimum: 1, maximum: 604800 }, expected: 'must be a whole number of seconds (1-604800)', default: '300', description: 'A webhook delivery without a provider event id whose body equals one received within this window is acknowledged but not run again.' },
  { name: 'BRAID_WEBHOOK_RATE_LIMIT', schema: { type: 'integer', minimum: 0, maximum: 1000000 }, expected: 'must be a whole number of requests per second (0 = no limit)', default: '200', description: 'Deliveries per second accepted per webhook URL and process (bursts up to twice that); more get 429. 0 turns the limit off.' },
  { name: 'BRAID_METRICS', schema: { type: 'string', enum: ['on', 'off'] }, expected: 'must be on or off', default: 'off', description: 'Serve Prometheus metrics at `/metrics` (runs, step durations, queue depth, webhook accept latency, connector 429s, token refresh failures).' },
  { name: 'BRAID_SESSION_TTL_HOURS', schema: { type: 'integer', minimum: 1, maximum: 8760 }, expected: 'must be a whole number of hours (1-8760)', default: '168', description: 'How long a browser session lasts after sign-in.' },
  { name: 'BRAID_TRUST_PROXY', schema: { type: 'boolean' }, expected: 'must be true or false', default: 'false', description: 'Trust `X-Forwarded-*` headers (set when behind a reverse proxy that terminates https; session cookies then get `Secure`).' },
  { name: 'BRAID_PUBLIC_URL', schema: { type: 'string', pattern: '^https?://[^/]+' }, expected: 'must be an http(s) URL like https://braid.example.com', description: 'The address users open. Its origin is accepted for state-changing browser requests; https here also makes cookies `Secure`.' },
  { name: 'BRAID_LOGIN_MAX_ATTEMPTS', schema: { type: 'integer', minimum: 1, maximum: 1000 }, expected: 'must be a whole number (1-1000)', default: '10', description: 'Failed sign-ins allowed per IP address and email within the window before 429.' },
  { name: 'BRAID_LOGIN_WINDOW_SECONDS', schema: { type: 'integer', minimum: 1, maximum: 86400 }, expected: 'must be a whole number of seconds (1-86400)', default: '900', description: 'Window of the sign-in rate limit.' },
  { name: 'BRAID_OWNER_EMAIL', schema: { type: 'string', format: 'email' }, expected: 'must be an email address', description: 'With `BRAID_OWNER_PASSWORD`: create the owner account at start-up when no user exists (scripted set-ups).' },
  { name: 'BRAID_OWNER_PASSWORD', schema: { type: 'string', minLength: 8, maxLength: 256 }, expected: 'must be 8 to 256 characters', description: 'Password of the owner created from `BRAID_OWNER_EMAIL`.', secret: true },
  { name: 'BRAID_OWNER_WORKSPACE', schema: { type: 'string', minLength: 1, maxLength: 100 }, expected: 'must be 1 to 100 characters', default: 'My workspace', description: 'Name of the first workspace created with the scripted owner.' },
  { name: 'BRAID_SANDBOX', schema: { type: 'string', enum: ['on', 'off'] }, expected: 'must be on or off', default: 'on', description: 'Start the local sandbox (stand-ins for Zoho and Togai) with the runtime.' },
  { name: 'BRAID_SANDBOX_PORT', schema: { type: 'integer', minimum: 0, maximum: 65535 }, expected: 'must be a port number (0-65535)', default: '4010', description: 'Port of the sandbox when `BRAID_SANDBOX=on`.' },
  { name: 'BRAID_SANDBOX_URL', schema: { type: 'string', pattern: '^https?://[^/]+' }, expected: 'must be an http(s) URL like http://sandbox:4010', description: 'A sandbox running elsewhere (e.g. its own container). Sandbox connections use it instead of the one started with the runtime.' },
  { name: 'BRAID_ENCRYPTION_KEY', schema: { type: 'string', pattern: '^[A-Za-z0-9+/_-]{43}=?$' }, expected: 'must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`)', description: 'Key that encrypts connection secrets (AES-256-GCM). Required with `DATABASE_URL`; with the embedded database one is generated into `BRAID_DATA_DIR/encryption-key` on first start.', secret: true },
  { name: 'BRAID_ENCRYPTION_KEYS', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/_-]{43}=?(,[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/_-]{43}=?)*$' }, expected: 'must be a list like new:<base64 key>,old:<base64 key> (newest first)', description: 'Several keys for rotation, newest first; a `BRAID_ENCRYPTION_KEY` set next to it (or the generated key file of the embedded database) counts as the oldest. New secrets use the first; `pnpm braid rotate-keys` re-encrypts everything with it, after which older keys can be removed.', secret: true },
  { name: 'ZOHO_CLIENT_ID', schema: { type: 'string', minLength: 1 }, expected: 'must be the client id of your Zoho API console web client', description: 'Zoho web client for production OAuth connections (redirect URI `<public URL>/api/v1/oauth/callback`). Not needed for sandbox connections.' },
  { name: 'ZOHO_CLIENT_SECRET', schema: { type: 'string', minLength: 1 }, expected: 'must be the client secret of your Zoho API console web client', description: 'Secret of `ZOHO_CLIENT_ID`.', secret: true },
  { name: 'ZOHO_CLIENT_SECRET_<DC>', schema: { type: 'string', minLength: 1 }, expected: 'must be the client secret for that data centre', description: 'Optional per data centre secret when multi-DC gives a different one (e.g. `ZOHO_CLIENT_SECRET_EU`, `_IN`, `_AU`, `_JP`, `_CA`, `_CN`, `_SA`, `_UK`, `_AE`).', secret: true },
  { name: 'BRAID_WORKER_CONCURRENCY', schema: { type: 'integer', minimum: 1, maximum: 256 }, expected: 'must be a whole number from 1 to 256', default: '64', description: 'Runs executed at the same time by one runtime process (every replica takes its share of the queue; runs mostly wait on PostgreSQL and connector calls: 64 sustained 300 runs/s on 2 cores where 16 did not).' },
  { name: 'BRAID_RUN_LEASE_SECONDS', schema: { type: 'integer', minimum: 1, maximum: 3600 }, expected: 'must be a whole number of seconds from 1 to 3600', default: '30', description: 'A run whose process stops renewing its lease this long (crash, kill) is resumed by another worker from its last recorded step.' },
  { name: 'BRAID_RUN_RETENTION_DAYS', schema: { type: 'integer', minimum: 1, maximum: 3650 }, expected: 'must be a whole number of days from 1 to 3650', default: '30', description: 'Runs (with their steps) finished longer ago are deleted by the daily housekeeping job.' },
  { name: 'BRAID_ALLOWED_PRIVATE_HOSTS', schema: { type: 'string', pattern: '^\\s*[^\\s,]+(\\s*,\\s*[^\\s,]+)*\\s*$' }, expected: 'must be a comma-separated list of host names, like erp.internal,10.0.0.5', description: 'Comma-separated hosts on private addresses that HTTP steps may call (the local sandbox is always allowed; everything else private is refused).' },
  { name: 'BRAID_RUN_JOB_EXPIRE_SECONDS', schema: { type: 'integer', minimum: 2, maximum: 86400 }, expected: 'must be a whole number of seconds from 2 to 86400', default: '900', description: 'A run job or initial-sync chunk job held this long by a worker that died is handed out again (chunks: at most 600 s; a live run is protected by its lease).' },
  { name: 'BRAID_QUEUE_MAINTENANCE_SECONDS', schema: { type: 'integer', minimum: 1, maximum: 3600 }, expected: 'must be a whole number of seconds from 1 to 3600', default: '60', description: 'How often pg-boss maintenance runs (expiry of abandoned jobs, archiving).' },
  { name: 'BRAID_TEMPLATES_DIR', schema: { type: 'string', minLength: 1 }, expected: 'must be a directory path', default: '<repo>/templates', description: 'Integration templates offered in the gallery (one folder per template, see templates/README.md).' },
  { name: 'BRAID_EDITOR_DIR', schema: { type: 'string', minLength: 1 }, expected: 'must be a directory path', default: '<repo>/apps/editor/dist', description: 'Built editor files served at `/`.' },
];
