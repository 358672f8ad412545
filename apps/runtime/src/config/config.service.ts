import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAjv } from '../common/ajv.js';
import { ConfigError } from './config.errors.js';
import { configVariables } from './config.schema.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The validated configuration; created once at start-up by `loadConfig`. */
export interface BraidConfig {
  port: number;
  host: string;
  /** Set: external PostgreSQL. Unset: embedded PostgreSQL in `dataDir/postgres`. */
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPgPort: number;
  logLevel: LogLevel;
  bodyLimit: string;
  sessionTtlHours: number;
  /** Webhook ingress (`/hooks/:token`): body limit and duplicate window for deliveries without an event id. */
  webhooks: { maxBytes: number; dedupeWindowSeconds: number; rateLimitPerSecond: number };
  /** `/metrics` served (Prometheus) when true. */
  metrics: boolean;
  trustProxy: boolean;
  publicUrl: string | undefined;
  loginMaxAttempts: number;
  loginWindowSeconds: number;
  owner: { email: string; password: string; workspaceName: string } | undefined;
  sandbox: { enabled: boolean; port: number };
  editorDir: string;
  /** Run engine and queue tunables. */
  engine: {
    workerConcurrency: number;
    runLeaseSeconds: number;
    runRetentionDays: number;
    allowedPrivateHosts: string[];
    runJobExpireSeconds: number;
    queueMaintenanceSeconds: number;
  };
  /** Integration templates (one folder each). */
  templatesDir: string;
  /** An external sandbox (BRAID_SANDBOX_URL) used by sandbox connections instead of the embedded one. */
  sandboxUrl: string | undefined;
  /** Raw key material (validated shape); the vault parses it (src/vault/vault.keys.ts). */
  encryption: { key: string | undefined; keys: string | undefined };
  /** Zoho web client for production OAuth; `secretsByDc` holds ZOHO_CLIENT_SECRET_<DC> overrides (lower-case dc). */
  zoho: { clientId: string | undefined; clientSecret: string | undefined; secretsByDc: Record<string, string> };
}

const zohoDataCentreCodes = ['us', 'eu', 'in', 'au', 'jp', 'ca', 'cn', 'sa', 'uk', 'ae'];

// apps/runtime/{src,dist}/config/ → the repository root is four levels up.
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

const ajv = createAjv();

/** `envName` reads another variable with `name`'s rules (ZOHO_CLIENT_SECRET_EU → ZOHO_CLIENT_SECRET_<DC>). */
function readVariable(env: Record<string, string | undefined>, name: string, envName = name): unknown {
  const variable = configVariables.find((v) => v.name === name);
  if (!variable) throw new Error(`Unknown configuration variable ${name}`);
  const raw = env[envName]?.trim();
  const value = raw === undefined || raw === '' ? variable.default : raw;
  if (value === undefined) return undefined;
  const type = variable.schema.type;
  let coerced: unknown = value;
  if (type === 'integer') coerced = /^-?\d+$/.test(value) ? Number(value) : value;
  if (type === 'boolean') coerced = ['true', '1', 'yes'].includes(value) ? true : ['false', '0', 'no'].includes(value) ? false : value;
  if (!ajv.validate(variable.schema, coerced)) throw new ConfigError(envName, variable.expected, raw, variable.secret);
  return coerced;
}

/** Reads and validates every variable; throws `ConfigError` naming the first bad one. */
export function loadConfig(env: Record<string, string | undefined> = process.env): BraidConfig {
  const str = (name: string) => readVariable(env, name) as string | undefined;
  const num = (name: string) => readVariable(env, name) as number;
  const ownerEmail = str('BRAID_OWNER_EMAIL');
  const ownerPassword = str('BRAID_OWNER_PASSWORD');
  if (ownerEmail && !ownerPassword) {
    throw new ConfigError('BRAID_OWNER_PASSWORD', 'must be set when BRAID_OWNER_EMAIL is set', undefined);
  }
  if (ownerPassword && !ownerEmail) {
    throw new ConfigError('BRAID_OWNER_EMAIL', 'must be set when BRAID_OWNER_PASSWORD is set', undefined);
  }
  const dataDir = str('BRAID_DATA_DIR');
  const editorDir = str('BRAID_EDITOR_DIR');
  const templatesDir = str('BRAID_TEMPLATES_DIR');
  return {
    port: num('PORT'),
    host: str('HOST') as string,
    databaseUrl: str('DATABASE_URL'),
    dataDir: path.resolve(dataDir && dataDir !== '<repo>/.data' ? dataDir : path.join(repoRoot, '.data')),
    embeddedPgPort: num('BRAID_EMBEDDED_PG_PORT'),
    logLevel: str('BRAID_LOG_LEVEL') as LogLevel,
    bodyLimit: str('BRAID_BODY_LIMIT') as string,
    sessionTtlHours: num('BRAID_SESSION_TTL_HOURS'),
    webhooks: { maxBytes: num('BRAID_WEBHOOK_MAX_BYTES'), dedupeWindowSeconds: num('BRAID_WEBHOOK_DEDUPE_WINDOW_SECONDS'), rateLimitPerSecond: num('BRAID_WEBHOOK_RATE_LIMIT') },
    metrics: str('BRAID_METRICS') === 'on',
    trustProxy: readVariable(env, 'BRAID_TRUST_PROXY') as boolean,
    publicUrl: str('BRAID_PUBLIC_URL')?.replace(/\/+$/, ''),
    loginMaxAttempts: num('BRAID_LOGIN_MAX_ATTEMPTS'),
    loginWindowSeconds: num('BRAID_LOGIN_WINDOW_SECONDS'),
    owner:
      ownerEmail && ownerPassword
        ? { email: ownerEmail, password: ownerPassword, workspaceName: str('BRAID_OWNER_WORKSPACE') as string }
        : undefined,
    sandbox: { enabled: str('BRAID_SANDBOX') === 'on', port: num('BRAID_SANDBOX_PORT') },
    editorDir: path.resolve(
      editorDir && editorDir !== '<repo>/apps/editor/dist' ? editorDir : path.join(repoRoot, 'apps/editor/dist'),
    ),
    engine: {
      workerConcurrency: num('BRAID_WORKER_CONCURRENCY'),
      runLeaseSeconds: num('BRAID_RUN_LEASE_SECONDS'),
      runRetentionDays: num('BRAID_RUN_RETENTION_DAYS'),
      allowedPrivateHosts: (str('BRAID_ALLOWED_PRIVATE_HOSTS') ?? '').split(',').map((h) => h.trim()).filter(Boolean),
      runJobExpireSeconds: num('BRAID_RUN_JOB_EXPIRE_SECONDS'),
      queueMaintenanceSeconds: num('BRAID_QUEUE_MAINTENANCE_SECONDS'),
    },
    templatesDir: path.resolve(
      templatesDir && templatesDir !== '<repo>/templates' ? templatesDir : path.join(repoRoot, 'templates'),
    ),
    sandboxUrl: str('BRAID_SANDBOX_URL')?.replace(/\/+$/, ''),
    encryption: { key: str('BRAID_ENCRYPTION_KEY'), keys: str('BRAID_ENCRYPTION_KEYS') },
    zoho: {
      clientId: str('ZOHO_CLIENT_ID'),
      clientSecret: str('ZOHO_CLIENT_SECRET'),
      secretsByDc: Object.fromEntries(
        zohoDataCentreCodes
          .map((dc) => [dc, readVariable(env, 'ZOHO_CLIENT_SECRET_<DC>', `ZOHO_CLIENT_SECRET_${dc.toUpperCase()}`) as string | undefined])
          .filter((entry): entry is [string, string] => entry[1] !== undefined),
      ),
    },
  };
}

/** Injection token of the `BraidConfig` object. */
export const BRAID_CONFIG = Symbol('BRAID_CONFIG');
