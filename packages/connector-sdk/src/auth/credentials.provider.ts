// A CredentialProvider for refreshable tokens: caches the access token, refreshes shortly before expiry, and
// collapses concurrent refreshes into one (Zoho allows only ~10 token requests per 10 minutes per refresh
// token). Across runtime replicas, `refresh` itself must serialise (e.g. a PostgreSQL advisory lock + re-read).
import type { CredentialProvider } from '../http/http.types.js';

export interface AccessTokenState {
  accessToken: string;
  /** Epoch ms; undefined = unknown (refresh only when the API rejects the token). */
  expiresAt?: number;
}

export interface RefreshingCredentialOptions {
  /** Reads the stored token (e.g. decrypts it from the connection row). */
  load(): Promise<AccessTokenState>;
  /**
   * Mints and stores a new access token (e.g. refreshZohoAccessToken + save). Never called twice at once by
   * this provider. `staleToken` is the token that was rejected or expired.
   */
  refresh(staleToken: string | undefined): Promise<AccessTokenState>;
  /** Refresh this long before expiry (default 60 s). */
  skewMs?: number;
  now?: () => number;
}

export function createRefreshingCredentialProvider(options: RefreshingCredentialOptions): CredentialProvider {
  const skewMs = options.skewMs ?? 60_000;
  const now = options.now ?? Date.now;
  let current: AccessTokenState | undefined;
  let inFlight: Promise<string> | undefined;

  const fresh = (state: AccessTokenState | undefined): boolean =>
    state !== undefined && (state.expiresAt === undefined || state.expiresAt - skewMs > now());

  function refreshOnce(staleToken: string | undefined): Promise<string> {
    inFlight ??= options
      .refresh(staleToken)
      .then((state) => {
        current = state;
        return state.accessToken;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  }

  return {
    async getAccessToken() {
      if (current && fresh(current)) return current.accessToken;
      if (inFlight) return inFlight;
      const stored = await options.load();
      if (fresh(stored)) {
        current = stored;
        return stored.accessToken;
      }
      return refreshOnce(stored.accessToken);
    },
    async refreshAccessToken(staleToken: string) {
      // Someone already replaced the rejected token: use theirs instead of refreshing again.
      if (current && current.accessToken !== staleToken && fresh(current)) return current.accessToken;
      return refreshOnce(staleToken);
    },
  };
}
