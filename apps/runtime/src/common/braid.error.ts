/**
 * Base of every coded feature error. A feature declares an enum of codes and a code → HTTP status map,
 * then `class XError extends BraidError<XErrorCode>`; the global filter renders
 * `{ error: { code, message, details?, pointer? } }`.
 */
export abstract class BraidError<Code extends string = string> extends Error {
  abstract readonly status: number;

  constructor(
    readonly code: Code,
    message: string,
    readonly extra: { details?: unknown; pointer?: string } = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export enum CommonErrorCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  INVALID_JSON = 'INVALID_JSON',
  BODY_TOO_LARGE = 'BODY_TOO_LARGE',
  NOT_FOUND = 'NOT_FOUND',
  INTERNAL = 'INTERNAL',
}

const commonStatus: Record<CommonErrorCode, number> = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  BODY_TOO_LARGE: 413,
  NOT_FOUND: 404,
  INTERNAL: 500,
};

/** Errors that belong to no feature: bad request bodies, unknown routes, unexpected failures. */
export class CommonError extends BraidError<CommonErrorCode> {
  get status(): number {
    return commonStatus[this.code];
  }
}

/** The JSON shape of every error response (also used in OpenAPI). */
export const errorResponseSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', example: 'VALIDATION_FAILED' },
        message: { type: 'string' },
        details: {},
        pointer: { type: 'string', description: 'JSON pointer into the request body', example: '/email' },
      },
    },
  },
};
