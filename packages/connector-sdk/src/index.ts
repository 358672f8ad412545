// @braid/connector-sdk — how a Braid connector is written and run. See README.md.
export * from './connector.types.js';
export * from './connector.errors.js';
export { defineConnector, defineAction, defineTrigger } from './connector.define.js';
export { describeConnector, describeAction, describeTrigger, canListExisting } from './connector.describe.js';
export { ConnectorRegistry, validateConnectorDefinition, schemaAtPointer } from './connector.registry.js';
export { createConnectorContext, authHeaderFor, noopLogger, type CreateContextOptions } from './connector.context.js';
export { runAction, loadDynamicOptions, validateTriggerConfig } from './action.run.js';
export {
  POLL_INTERVAL_KEY,
  MIN_POLL_INTERVAL_MINUTES,
  MAX_POLL_INTERVAL_MINUTES,
  pollIntervalProperty,
  withPollInterval,
  splitPollInterval,
  triggerConfigSchema,
  webhookSecretSpec,
  secretMatchesSpec,
  describeSecretSpec,
  MIN_ALPHANUMERIC_SECRET,
  MAX_ALPHANUMERIC_SECRET,
} from './trigger.settings.js';
export {
  validateInput,
  validateOutput,
  checkAgainstSchema,
  compileSchema,
  toIssues,
  type SchemaCheck,
} from './schema.validate.js';
export type { RecordLink, RecordLinkInput, RecordLinkKey, RecordLinkStore } from './links.types.js';
export { InMemoryRecordLinkStore } from './links.memory.js';
export type {
  HttpClient,
  HttpMethod,
  HttpRequest,
  HttpResponse,
  QueryValue,
  PageResult,
  CredentialProvider,
} from './http/http.types.js';
export { createHttpClient, extractVendorError, type HttpClientOptions } from './http/http.client.js';
export { collectRows, paginate, takeAtMost, type PaginateOptions } from './http/paginate.js';
export { listOutput } from './list.output.js';
export { TokenBucket, Semaphore, LimiterRegistry, defaultLimiterRegistry, type LimiterClock } from './http/rate-limit.js';
export { computeBackoffMs, parseRetryAfter, isRetrySafeMethod, type BackoffOptions } from './http/retry.js';
export { assertPublicUrl, isNonPublicAddress, guardedLookup, type SsrfOptions } from './http/ssrf.guard.js';
export { realSleep, type Sleep } from './http/clock.js';
export {
  OAuthError,
  OAuthErrorCode,
  ZOHO_DATA_CENTERS,
  ZOHO_ACCOUNTS_SERVERS,
  zohoSandboxDataCenters,
  assertAllowedAccountsServer,
  assertTrustedApiDomain,
  buildZohoAuthorizeUrl,
  parseZohoAuthorizationRedirect,
  exchangeZohoCode,
  exchangeZohoSelfClientCode,
  refreshZohoAccessToken,
  requestZohoClientCredentialsToken,
  revokeZohoToken,
  isAccessTokenExpiring,
  type ZohoDataCenter,
  type ZohoTokenSet,
  type AccountsServerPolicy,
  type ZohoAuthorizeUrlInput,
  type ZohoAuthorizationRedirect,
  type ExchangeZohoCodeInput,
  type RefreshZohoTokenInput,
  type ZohoClientCredentialsInput,
} from './auth/zoho.oauth.js';
export {
  createRefreshingCredentialProvider,
  type AccessTokenState,
  type RefreshingCredentialOptions,
} from './auth/credentials.provider.js';
