// Typed errors thrown by connectors and by the SDK's HTTP client. The engine acts on `code` and
// `retryable`; messages are for people and never contain secrets (tokens, passwords, signatures).

export const ConnectorErrorCode = {
  /** Transient failure (5xx, network, timeout of an unsafe request): the engine may retry the step later. */
  RETRYABLE: 'RETRYABLE',
  /** The vendor throttled us and our own retries are exhausted; `retryAfterMs` says when to try again. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** Credentials rejected or missing a permission. `needsReconnect` tells whether the user must reconnect. */
  AUTH: 'AUTH',
  /** The vendor rejected the data (`field`, `vendorCode`, `vendorMessage` when known). */
  VALIDATION: 'VALIDATION',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  /** A request tried to send the connection's credentials to a host other than the connection's API host. */
  HOST_NOT_ALLOWED: 'HOST_NOT_ALLOWED',
  /** A user-supplied URL points at a private, loopback, link-local or metadata address. */
  SSRF_BLOCKED: 'SSRF_BLOCKED',
  TIMEOUT: 'TIMEOUT',
  /** The step input does not match the action's input schema (`issues` carry JSON pointers). */
  INVALID_INPUT: 'INVALID_INPUT',
  /** An incoming webhook request failed its signature / token check. */
  SIGNATURE_INVALID: 'SIGNATURE_INVALID',
  /** A webhook request could not be parsed into events (bad JSON, wrong content type ...). */
  BAD_REQUEST: 'BAD_REQUEST',
  /** The flow asked to fail (core `fail` action). */
  FLOW_FAILED: 'FLOW_FAILED',
  /** The run was cancelled (AbortSignal fired). */
  ABORTED: 'ABORTED',
  /** Any other vendor error the connector could not classify. Not retried. */
  VENDOR: 'VENDOR',
} as const;
export type ConnectorErrorCode = (typeof ConnectorErrorCode)[keyof typeof ConnectorErrorCode];

const RETRYABLE_CODES: ReadonlySet<ConnectorErrorCode> = new Set<ConnectorErrorCode>([
  'RETRYABLE',
  'RATE_LIMITED',
  'TIMEOUT',
]);

/** One problem in a validated value; `pointer` is a JSON pointer into the validated document ('' = root). */
export interface ValidationIssue {
  pointer: string;
  message: string;
  keyword?: string;
}

export interface ConnectorErrorOptions {
  retryable?: boolean;
  retryAfterMs?: number;
  needsReconnect?: boolean;
  field?: string;
  vendorCode?: string | number;
  vendorMessage?: string;
  status?: number;
  issues?: ValidationIssue[];
  /** Safe, non-secret extra data for the run record (e.g. the vendor's error details). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class ConnectorError extends Error {
  override readonly name = 'ConnectorError';
  readonly code: ConnectorErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly needsReconnect?: boolean;
  readonly field?: string;
  readonly vendorCode?: string | number;
  readonly vendorMessage?: string;
  readonly status?: number;
  readonly issues?: ValidationIssue[];
  readonly details?: Record<string, unknown>;

  constructor(code: ConnectorErrorCode, message: string, options: ConnectorErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_CODES.has(code);
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.needsReconnect !== undefined) this.needsReconnect = options.needsReconnect;
    if (options.field !== undefined) this.field = options.field;
    if (options.vendorCode !== undefined) this.vendorCode = options.vendorCode;
    if (options.vendorMessage !== undefined) this.vendorMessage = options.vendorMessage;
    if (options.status !== undefined) this.status = options.status;
    if (options.issues !== undefined) this.issues = options.issues;
    if (options.details !== undefined) this.details = options.details;
  }

  /** Plain JSON for run records and API responses. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { code: this.code, message: this.message, retryable: this.retryable };
    for (const key of [
      'retryAfterMs',
      'needsReconnect',
      'field',
      'vendorCode',
      'vendorMessage',
      'status',
      'issues',
      'details',
    ] as const) {
      if (this[key] !== undefined) out[key] = this[key];
    }
    return out;
  }
}

export function isConnectorError(value: unknown): value is ConnectorError {
  return value instanceof ConnectorError;
}

/**
 * Thrown by an action to end the run successfully right now (core `stop`). Not an error for the engine:
 * the run is marked succeeded with `message`, and later steps are skipped.
 */
export class StopRunSignal extends Error {
  override readonly name = 'StopRunSignal';
  readonly output: Record<string, unknown>;
  constructor(message: string, output: Record<string, unknown> = {}) {
    super(message);
    this.output = output;
  }
}

export function isStopRunSignal(value: unknown): value is StopRunSignal {
  return value instanceof StopRunSignal;
}

/** Problems found in a connector definition at registration time. */
export interface DefinitionProblem {
  /** Where in the definition, e.g. `actions.create_contact.sampleOutput/contact_id`. */
  path: string;
  message: string;
}

export class ConnectorDefinitionError extends Error {
  override readonly name = 'ConnectorDefinitionError';
  readonly connectorKey: string;
  readonly problems: DefinitionProblem[];
  constructor(connectorKey: string, problems: DefinitionProblem[]) {
    super(
      `Connector "${connectorKey}" is invalid: ` +
        problems.map((p) => `${p.path}: ${p.message}`).join('; '),
    );
    this.connectorKey = connectorKey;
    this.problems = problems;
  }
}
