// Builds the ConnectorContext the runtime hands to actions and triggers: derives the API base URL from the
// connection, wires credentials, the shared limiters and the SSRF policy into one HttpClient.
import { ConnectorError } from './connector.errors.js';
import type {
  AuthDefinition,
  ConnectionRecord,
  ConnectorContext,
  ConnectorDefinition,
  ConnectorLogger,
  RunInfo,
} from './connector.types.js';
import { realSleep, type Sleep } from './http/clock.js';
import { createHttpClient } from './http/http.client.js';
import type { CredentialProvider } from './http/http.types.js';
import { defaultLimiterRegistry, type LimiterRegistry } from './http/rate-limit.js';
import type { SsrfOptions } from './http/ssrf.guard.js';
import type { RecordLinkStore } from './links.types.js';

export const noopLogger: ConnectorLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Headers carrying a token for an auth kind (Zoho: `Authorization: Zoho-oauthtoken <token>`). */
export function authHeaderFor(auth: AuthDefinition, token: string): Record<string, string> {
  switch (auth.kind) {
    case 'oauth2':
    case 'zoho-self-client':
      return { authorization: `Zoho-oauthtoken ${token}` };
    case 'api-token':
      return { [auth.headerName.toLowerCase()]: auth.scheme ? `${auth.scheme} ${token}` : token };
    case 'none':
      return {};
  }
}

export interface CreateContextOptions {
  connector: ConnectorDefinition;
  /** Required when the action/trigger needs a connection. */
  connection?: ConnectionRecord | null;
  credentials?: CredentialProvider;
  limiters?: LimiterRegistry;
  /** SSRF policy for URLs outside the connection's API origin (runtime config: allow loopback in tests). */
  ssrf?: SsrfOptions;
  logger?: ConnectorLogger;
  signal?: AbortSignal;
  now?: () => Date;
  sleep?: Sleep;
  random?: () => number;
  links?: RecordLinkStore;
  run?: RunInfo;
  userAgent?: string;
}

export function createConnectorContext(options: CreateContextOptions): ConnectorContext {
  const { connector } = options;
  const signal = options.signal ?? new AbortController().signal;
  const sleepWith = options.sleep ?? realSleep;
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? noopLogger;
  const connection = options.connection ?? null;
  const http = connector.http;

  let client;
  let connectionInfo: ConnectorContext['connection'] = null;
  if (connection) {
    if (!http) {
      throw new ConnectorError('INVALID_INPUT', `Connector "${connector.key}" does not take a connection.`, {
        retryable: false,
      });
    }
    if (connector.auth.kind !== 'none' && !options.credentials) {
      throw new ConnectorError('AUTH', `The connection "${connection.name}" has no credentials; reconnect it.`, {
        retryable: false,
        needsReconnect: true,
      });
    }
    const apiBaseUrl = http.baseUrl(connection);
    connectionInfo = { id: connection.id, name: connection.name, settings: connection.settings, apiBaseUrl };
    const limiters = options.limiters ?? defaultLimiterRegistry;
    const limiterKey = http.limiterKey?.(connection) ?? `${connector.key}:${connection.id}`;
    const rateLimit = typeof http.rateLimit === 'function' ? http.rateLimit(connection) : http.rateLimit;
    const concurrency = typeof http.concurrency === 'function' ? http.concurrency(connection) : http.concurrency;
    const auth = connector.auth;
    client = createHttpClient({
      baseUrl: apiBaseUrl,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      authHeader: http.authHeader ?? ((token: string) => authHeaderFor(auth, token)),
      connectionName: connection.name,
      ...(http.defaultHeaders ? { defaultHeaders: http.defaultHeaders(connection) } : {}),
      ...(http.defaultQuery ? { defaultQuery: http.defaultQuery(connection) } : {}),
      ...(rateLimit ? { bucket: limiters.bucket(limiterKey, rateLimit) } : {}),
      ...(concurrency ? { semaphore: limiters.semaphore(limiterKey, concurrency) } : {}),
      ...(http.retry ? { retry: http.retry } : {}),
      ...(http.timeoutMs ? { timeoutMs: http.timeoutMs } : {}),
      ...(http.mapError ? { mapError: http.mapError } : {}),
      ...(http.isAuthExpired ? { isAuthExpired: http.isAuthExpired } : {}),
      ...(options.ssrf ? { ssrf: options.ssrf } : {}),
      ...(options.random ? { random: options.random } : {}),
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
      sleep: sleepWith,
      now: () => now().getTime(),
      signal,
      logger,
    });
  } else {
    // No connection: only absolute, SSRF-checked URLs, never credentials.
    client = createHttpClient({
      ...(options.ssrf ? { ssrf: options.ssrf } : {}),
      ...(http?.retry ? { retry: http.retry } : {}),
      ...(options.random ? { random: options.random } : {}),
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
      sleep: sleepWith,
      now: () => now().getTime(),
      signal,
      logger,
    });
  }

  const context: ConnectorContext = {
    http: client,
    connection: connectionInfo,
    logger,
    signal,
    now,
    sleep: (ms: number) => sleepWith(ms, signal),
  };
  if (options.links) context.links = options.links;
  if (options.run) context.run = options.run;
  return context;
}
