/**
 * Books error envelope `{ code, message }` (apis.md B8). Codes 0/57/1000/1002/1038 are documented or widely
 * reported; 2, 4, 5, 37, 44, 1001, 3062 and the state-transition codes are the sandbox's best guesses
 * (apis.md marks them inferred) — a connector must key on the HTTP status, not on these numbers.
 */
export enum BooksErrorCode {
  /** a required field or parameter is missing */
  RequiredMissing = 2,
  /** "Invalid value passed for <field>" */
  InvalidValue = 4,
  /** unknown URL under /books/v3 */
  InvalidUrl = 5,
  /** method not supported on a known URL */
  MethodNotAllowed = 37,
  /** per-minute, daily or concurrency limit exceeded (HTTP 429) */
  RateLimited = 44,
  /** token missing/invalid/expired, scope missing, or organisation not reachable with this token */
  NotAuthorized = 57,
  InternalError = 1000,
  /** duplicate number / unique custom field value */
  AlreadyExists = 1001,
  /** "<Entity> does not exist." */
  NotFound = 1002,
  /** body is not JSON (form-encoded without JSONString, or broken JSON) */
  JsonNotWellFormed = 1038,
  /** the record's state does not allow the operation (void an invoice with payments, delete a sent invoice …) */
  InvalidState = 1040,
  /** a contact with this name exists already */
  ContactNameExists = 3062,
}

const defaultStatus: Partial<Record<BooksErrorCode, number>> = {
  [BooksErrorCode.NotAuthorized]: 401,
  [BooksErrorCode.NotFound]: 404,
  [BooksErrorCode.InvalidUrl]: 404,
  [BooksErrorCode.MethodNotAllowed]: 405,
  [BooksErrorCode.RateLimited]: 429,
  [BooksErrorCode.InternalError]: 500,
};

export class BooksError extends Error {
  readonly httpStatus: number;

  constructor(readonly code: BooksErrorCode, message: string, httpStatus?: number) {
    super(message);
    this.name = 'BooksError';
    this.httpStatus = httpStatus ?? defaultStatus[code] ?? 400;
  }

  toBody(): { code: number; message: string } {
    return { code: this.code, message: this.message };
  }

  static notAuthorized(): BooksError {
    return new BooksError(BooksErrorCode.NotAuthorized, 'You are not authorized to perform this operation');
  }

  static notFound(entity: string): BooksError {
    return new BooksError(BooksErrorCode.NotFound, `${entity} does not exist.`);
  }

  static invalid(field: string, why?: string): BooksError {
    return new BooksError(BooksErrorCode.InvalidValue, `Invalid value passed for ${field}${why ? ` (${why})` : ''}`);
  }

  static required(field: string): BooksError {
    return new BooksError(BooksErrorCode.RequiredMissing, `${field} is required. Pass "${field}" in the request.`);
  }

  static state(message: string): BooksError {
    return new BooksError(BooksErrorCode.InvalidState, message);
  }
}
