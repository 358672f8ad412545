export enum AdminErrorCode {
  InvalidBody = 'invalid_body',
  UnknownService = 'unknown_service',
  UnknownAction = 'unknown_action',
  NotFound = 'not_found',
  ActionFailed = 'action_failed',
}

const statusOf: Record<AdminErrorCode, number> = {
  [AdminErrorCode.InvalidBody]: 400,
  [AdminErrorCode.UnknownService]: 404,
  [AdminErrorCode.UnknownAction]: 404,
  [AdminErrorCode.NotFound]: 404,
  [AdminErrorCode.ActionFailed]: 400,
};

/** An admin API request that cannot be served; answered as `{ error: code, message }` with a 4xx status. */
export class AdminError extends Error {
  constructor(
    readonly code: AdminErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AdminError';
  }

  get status(): number {
    return statusOf[this.code];
  }
}
