import { BraidError } from '../common/braid.error.js';

export enum AuthErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  LOGIN_RATE_LIMITED = 'LOGIN_RATE_LIMITED',
  CSRF_TOKEN_INVALID = 'CSRF_TOKEN_INVALID',
  ORIGIN_NOT_ALLOWED = 'ORIGIN_NOT_ALLOWED',
  TOKEN_NOT_FOUND = 'TOKEN_NOT_FOUND',
  SESSION_REQUIRED = 'SESSION_REQUIRED',
}

const authStatus: Record<AuthErrorCode, number> = {
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  LOGIN_RATE_LIMITED: 429,
  CSRF_TOKEN_INVALID: 403,
  ORIGIN_NOT_ALLOWED: 403,
  TOKEN_NOT_FOUND: 404,
  SESSION_REQUIRED: 400,
};

export class AuthError extends BraidError<AuthErrorCode> {
  get status(): number {
    return authStatus[this.code];
  }
}
