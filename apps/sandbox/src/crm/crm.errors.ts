/**
 * Zoho CRM's error envelope: `{ code, status: 'error', message, details }`, top level for request errors and
 * inside `data[]` for per-record errors (apis.md C10).
 */
export enum CrmErrorCode {
  InvalidToken = 'INVALID_TOKEN',
  AuthenticationFailure = 'AUTHENTICATION_FAILURE',
  OauthScopeMismatch = 'OAUTH_SCOPE_MISMATCH',
  NoPermission = 'NO_PERMISSION',
  InvalidData = 'INVALID_DATA',
  MandatoryNotFound = 'MANDATORY_NOT_FOUND',
  DuplicateData = 'DUPLICATE_DATA',
  RequiredParamMissing = 'REQUIRED_PARAM_MISSING',
  InvalidModule = 'INVALID_MODULE',
  InvalidQuery = 'INVALID_QUERY',
  SyntaxError = 'SYNTAX_ERROR',
  LimitExceeded = 'LIMIT_EXCEEDED',
  DiscretePaginationLimitExceeded = 'DISCRETE_PAGINATION_LIMIT_EXCEEDED',
  PaginationLimitExceeded = 'PAGINATION_LIMIT_EXCEEDED',
  TokenBoundDataMismatch = 'TOKEN_BOUND_DATA_MISMATCH',
  ExpiredValue = 'EXPIRED_VALUE',
  AmbiguityDuringProcessing = 'AMBIGUITY_DURING_PROCESSING',
  AlreadyModified = 'ALREADY_MODIFIED',
  InvalidUrlPattern = 'INVALID_URL_PATTERN',
  NotSupported = 'NOT_SUPPORTED',
  InvalidRequestMethod = 'INVALID_REQUEST_METHOD',
  TooManyRequests = 'TOO_MANY_REQUESTS',
  InternalError = 'INTERNAL_ERROR',
}

export interface CrmErrorBody {
  code: CrmErrorCode;
  status: 'error';
  message: string;
  details: Record<string, unknown>;
}

/** A request-level failure; routes throw it and the router's error handler answers with the envelope. */
export class CrmError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: CrmErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** Zoho answers some request-level errors as a one-item `data` array (e.g. more than 100 records) */
    readonly inDataArray = false,
  ) {
    super(message);
  }

  toBody(): CrmErrorBody {
    return crmErrorBody(this.code, this.message, this.details);
  }

  /** The HTTP response body: the envelope, or `{ data: [envelope] }` where Zoho wraps it. */
  responseBody(): CrmErrorBody | { data: CrmErrorBody[] } {
    return this.inDataArray ? { data: [this.toBody()] } : this.toBody();
  }
}

export function crmErrorBody(code: CrmErrorCode, message: string, details: Record<string, unknown> = {}): CrmErrorBody {
  return { code, status: 'error', message, details };
}
