/** Zoho's token-endpoint error codes (apis.md A4), sent as HTTP 200 `{"error": code}`. */
export enum OAuthErrorCode {
  InvalidCode = 'invalid_code',
  InvalidClient = 'invalid_client',
  InvalidClientSecret = 'invalid_client_secret',
  InvalidRedirectUri = 'invalid_redirect_uri',
  MissingOrgInfo = 'missing_org_info',
  AccessDenied = 'access_denied',
  UnsupportedGrantType = 'unsupported_grant_type',
  InvalidScope = 'invalid_scope',
  InvalidRequest = 'invalid_request',
  /** the refresh throttle; rendered in Zoho's odd `{"error":"Access Denied","status":"failure"}` shape */
  TooManyRequests = 'too_many_requests',
}

export class OAuthError extends Error {
  constructor(
    readonly code: OAuthErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'OAuthError';
  }
}

/** Bad input to a Self Client page or admin call (unknown user, client, org, scope); shown as a 400. */
export class AccountsInputError extends Error {
  override name = 'AccountsInputError';
}
