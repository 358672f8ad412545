import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { BraidError, CommonErrorCode } from './braid.error.js';

interface ErrorBody {
  error: { code: string; message: string; details?: unknown; pointer?: string };
}

const httpCodes: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: CommonErrorCode.NOT_FOUND,
  405: 'METHOD_NOT_ALLOWED',
  413: CommonErrorCode.BODY_TOO_LARGE,
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
};

/** Maps any thrown value to a status and the `{ error: {...} }` body. Exported for the body-parser handler. */
export function renderError(exception: unknown, request?: Request): { status: number; body: ErrorBody } {
  if (exception instanceof BraidError) {
    const { details, pointer } = exception.extra;
    return {
      status: exception.status,
      body: {
        error: {
          code: exception.code,
          message: exception.message,
          ...(details !== undefined ? { details } : {}),
          ...(pointer !== undefined ? { pointer } : {}),
        },
      },
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const message =
      status === 404 && request
        ? `No route ${request.method} ${request.path}. See /api/docs for the API.`
        : exception.message;
    return { status, body: { error: { code: httpCodes[status] ?? `HTTP_${status}`, message } } };
  }
  // body-parser errors carry `type` and `status`.
  const parserError = exception as { type?: string; status?: number; message?: string };
  if (parserError?.type === 'entity.too.large') {
    return {
      status: 413,
      body: { error: { code: CommonErrorCode.BODY_TOO_LARGE, message: 'The request body is larger than the limit (BRAID_BODY_LIMIT).' } },
    };
  }
  if (parserError?.type === 'entity.parse.failed') {
    return {
      status: 400,
      body: { error: { code: CommonErrorCode.INVALID_JSON, message: 'The request body is not valid JSON.' } },
    };
  }
  if (typeof parserError?.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
    return {
      status: parserError.status,
      body: { error: { code: httpCodes[parserError.status] ?? `HTTP_${parserError.status}`, message: parserError.message ?? 'Bad request' } },
    };
  }
  return {
    status: 500,
    body: { error: { code: CommonErrorCode.INTERNAL, message: 'Unexpected error. The runtime log has the details (search for the request id).' } },
  };
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const { status, body } = renderError(exception, request);
    if (status >= 500) this.logger.error(exception instanceof Error ? exception : String(exception));
    if (response.headersSent) return;
    response.status(status).json(body);
  }
}
