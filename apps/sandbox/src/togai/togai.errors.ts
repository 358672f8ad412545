import type { NextFunction, Request, Response } from 'express';

/** Why a Togai call failed; each code maps to the HTTP status Togai answers with. */
export enum TogaiErrorCode {
  BadRequest = 'BAD_REQUEST',
  Unauthorized = 'UNAUTHORIZED',
  NotFound = 'NOT_FOUND',
  Conflict = 'CONFLICT',
  Unprocessable = 'UNPROCESSABLE',
  Throttled = 'THROTTLED',
}

const statusByCode: Record<TogaiErrorCode, number> = {
  [TogaiErrorCode.BadRequest]: 400,
  [TogaiErrorCode.Unauthorized]: 401,
  [TogaiErrorCode.NotFound]: 404,
  [TogaiErrorCode.Conflict]: 409,
  [TogaiErrorCode.Unprocessable]: 422,
  [TogaiErrorCode.Throttled]: 429,
};

/** Togai's reasons are at most 500 characters (apis.md D7). */
export const MAX_MESSAGE_LENGTH = 500;

export class TogaiError extends Error {
  constructor(
    readonly code: TogaiErrorCode,
    message: string,
    /** extra members of the body, e.g. `errors` of a rejected batch */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'TogaiError';
  }

  get status(): number {
    return statusByCode[this.code];
  }
}

export const badRequest = (message: string) => new TogaiError(TogaiErrorCode.BadRequest, message);
export const notFound = (message: string) => new TogaiError(TogaiErrorCode.NotFound, message);
export const conflict = (message: string) => new TogaiError(TogaiErrorCode.Conflict, message);

/** Togai's error envelope: `{"message": "<reason>"}`. */
export function togaiErrorBody(message: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { message: message.slice(0, MAX_MESSAGE_LENGTH), ...extra };
}

/** Last handler of the Togai router: coded errors, body-parser failures, and anything unexpected. */
export function togaiErrorHandler(error: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(error);
  if (error instanceof TogaiError) {
    res.status(error.status).json(togaiErrorBody(error.message, error.extra));
    return;
  }
  const parserError = error as { type?: string; status?: number };
  if (parserError.type === 'entity.too.large') {
    res.status(422).json(togaiErrorBody('Payload too large: the request body exceeds the size Togai accepts'));
    return;
  }
  if (parserError.type === 'entity.parse.failed') {
    res.status(400).json(togaiErrorBody('Malformed JSON in request body'));
    return;
  }
  res.status(500).json(togaiErrorBody(`Internal error: ${(error as Error).message ?? 'unknown'}`));
}
