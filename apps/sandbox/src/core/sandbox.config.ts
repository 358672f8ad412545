/**
 * Every limit the sandbox enforces. apis.md marks several of these as uncertain or disputed between
 * vendor pages, so they are configuration (overridable per test through startSandbox or /_admin/config).
 */
export interface SandboxLimits {
  oauth: {
    webCodeTtlMs: number;
    selfClientCodeTtlMs: number;
    accessTokenTtlSeconds: number;
    /** access-token requests allowed per refresh token inside the window */
    refreshesPerWindow: number;
    refreshWindowMs: number;
    /** active access tokens per refresh token; the oldest is invalidated beyond this */
    activeAccessTokensPerRefreshToken: number;
    refreshTokensPerUserClient: number;
    /** HTTP status of Zoho's "too many requests continuously" refusal (apis.md A4: 400 or 200, not stated) */
    throttleHttpStatus: number;
  };
  books: {
    requestsPerMinutePerOrg: number;
    dailyRequestsByPlan: Record<string, number>;
    concurrentRequestsPerOrg: number;
    maxPerPage: number;
    webhookTimeoutMs: number;
  };
  crm: {
    creditsPer24hByEdition: Record<string, number>;
    concurrencyByEdition: Record<string, number>;
    maxRecordsPerWrite: number;
    maxPerPage: number;
    maxPageReach: number;
    pageTokenTtlMs: number;
    watchDefaultExpiryMs: number;
    watchMaxExpiryMs: number;
  };
  togai: {
    requestsPerSecond: number;
    ingestRequestsPerSecond: number;
    maxBatchEvents: number;
    eventDedupeWindowMs: number;
  };
}

export const defaultSandboxLimits = (): SandboxLimits => ({
  oauth: {
    webCodeTtlMs: 2 * 60_000,
    selfClientCodeTtlMs: 3 * 60_000,
    accessTokenTtlSeconds: 3600,
    refreshesPerWindow: 10,
    refreshWindowMs: 10 * 60_000,
    activeAccessTokensPerRefreshToken: 10,
    refreshTokensPerUserClient: 20,
    throttleHttpStatus: 400,
  },
  books: {
    requestsPerMinutePerOrg: 100,
    dailyRequestsByPlan: { free: 1000, standard: 2000, professional: 5000, premium: 10000, elite: 10000, ultimate: 10000 },
    concurrentRequestsPerOrg: 10,
    maxPerPage: 200,
    webhookTimeoutMs: 15_000,
  },
  crm: {
    creditsPer24hByEdition: { free: 5000, standard: 100_000, professional: 3_000_000, enterprise: 5_000_000, ultimate: Number.MAX_SAFE_INTEGER },
    concurrencyByEdition: { free: 5, standard: 10, professional: 15, enterprise: 20, ultimate: 25 },
    maxRecordsPerWrite: 100,
    maxPerPage: 200,
    maxPageReach: 2000,
    pageTokenTtlMs: 24 * 3600_000,
    watchDefaultExpiryMs: 3600_000,
    watchMaxExpiryMs: 24 * 3600_000,
  },
  togai: {
    requestsPerSecond: 10,
    ingestRequestsPerSecond: 50,
    maxBatchEvents: 500,
    eventDedupeWindowMs: 45 * 24 * 3600_000,
  },
});

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export function mergeLimits(base: SandboxLimits, patch: DeepPartial<SandboxLimits> | undefined): SandboxLimits {
  if (!patch) return base;
  const out = structuredClone(base) as unknown as Record<string, Record<string, unknown>>;
  for (const [section, values] of Object.entries(patch)) {
    if (!values || !(section in out)) continue;
    out[section] = { ...out[section], ...(values as Record<string, unknown>) };
  }
  return out as unknown as SandboxLimits;
}
