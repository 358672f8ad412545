import { BraidError } from '../common/braid.error.js';

export enum ConnectionsErrorCode {
  NOT_FOUND = 'CONNECTION_NOT_FOUND',
  NEEDS_RECONNECT = 'CONNECTION_NEEDS_RECONNECT',
  IN_USE = 'CONNECTION_IN_USE',
  NO_AUTH = 'CONNECTION_NOT_NEEDED',
  WRONG_AUTH_KIND = 'CONNECTION_WRONG_AUTH_KIND',
  INVALID_SETTINGS = 'CONNECTION_INVALID_SETTINGS',
  UNKNOWN_DATA_CENTRE = 'CONNECTION_UNKNOWN_DATA_CENTRE',
  SANDBOX_UNAVAILABLE = 'CONNECTION_SANDBOX_UNAVAILABLE',
  OAUTH_NOT_CONFIGURED = 'CONNECTION_OAUTH_NOT_CONFIGURED',
  OAUTH_STATE_INVALID = 'CONNECTION_OAUTH_STATE_INVALID',
  OAUTH_DENIED = 'CONNECTION_OAUTH_DENIED',
  CODE_INVALID = 'CONNECTION_CODE_INVALID',
  CREDENTIALS_REJECTED = 'CONNECTION_CREDENTIALS_REJECTED',
  PROVIDER_FAILED = 'CONNECTION_PROVIDER_FAILED',
  RATE_LIMITED = 'CONNECTION_RATE_LIMITED',
  NOT_TESTABLE = 'CONNECTION_NOT_TESTABLE',
  OPTIONS_FAILED = 'CONNECTION_OPTIONS_FAILED',
}

const connectionsStatus: Record<ConnectionsErrorCode, number> = {
  CONNECTION_NOT_FOUND: 404,
  CONNECTION_NEEDS_RECONNECT: 409,
  CONNECTION_IN_USE: 409,
  CONNECTION_NOT_NEEDED: 400,
  CONNECTION_WRONG_AUTH_KIND: 400,
  CONNECTION_INVALID_SETTINGS: 400,
  CONNECTION_UNKNOWN_DATA_CENTRE: 400,
  CONNECTION_SANDBOX_UNAVAILABLE: 400,
  CONNECTION_OAUTH_NOT_CONFIGURED: 400,
  CONNECTION_OAUTH_STATE_INVALID: 400,
  CONNECTION_OAUTH_DENIED: 400,
  CONNECTION_CODE_INVALID: 400,
  CONNECTION_CREDENTIALS_REJECTED: 400,
  CONNECTION_PROVIDER_FAILED: 502,
  CONNECTION_RATE_LIMITED: 429,
  CONNECTION_NOT_TESTABLE: 422,
  CONNECTION_OPTIONS_FAILED: 502,
};

/** Connection errors. Messages name the connection and say what to do; they never contain a secret. */
export class ConnectionsError extends BraidError<ConnectionsErrorCode> {
  get status(): number {
    return connectionsStatus[this.code];
  }

  /** For the engine (same meaning as on ConnectorError): the user must reconnect; retrying does not help. */
  get needsReconnect(): boolean {
    return this.code === ConnectionsErrorCode.NEEDS_RECONNECT;
  }

  get retryable(): boolean {
    return this.code === ConnectionsErrorCode.RATE_LIMITED;
  }

  static notFound(): ConnectionsError {
    return new ConnectionsError(
      ConnectionsErrorCode.NOT_FOUND,
      'No such connection in this workspace. GET /api/v1/workspaces/:workspaceId/connections lists them.',
    );
  }

  static needsReconnect(name: string, reason: string | null): ConnectionsError {
    return new ConnectionsError(
      ConnectionsErrorCode.NEEDS_RECONNECT,
      `The connection "${name}" needs to be reconnected${reason ? ` (${reason})` : ''}. Reconnect it on the Connections page; flows using it keep working afterwards.`,
    );
  }
}
