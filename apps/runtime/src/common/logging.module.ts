import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { BraidConfig } from '../config/config.service.js';
import { redactHeaders, redactSecrets, redactUrl } from './logging.redact.js';

type RequestWithBody = IncomingMessage & { id?: unknown; body?: unknown; originalUrl?: string };

const requestIdPattern = /^[A-Za-z0-9._-]{1,100}$/;

/** Reuses a caller's X-Request-Id when it looks sane, otherwise a new UUID; echoed in the response. */
function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * JSON logs (pino) with a request id on every line. Secrets are removed twice: pino's `redact` for the
 * well-known header paths, and a key-based deep redaction for anything else logged (bodies, errors).
 */
@Module({})
export class LoggingModule {
  static forRoot(config: BraidConfig, destination?: DestinationStream): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: [
            {
              level: config.logLevel,
              genReqId: requestIdOf,
              redact: {
                paths: [
                  'req.headers.authorization',
                  'req.headers.cookie',
                  'req.headers["x-csrf-token"]',
                ],
                censor: '[redacted]',
              },
              serializers: {
                req: (req: { id: unknown; method: string; url: string; headers: Record<string, unknown>; raw: RequestWithBody }) => ({
                  id: req.id,
                  method: req.method,
                  url: redactUrl(req.raw.originalUrl ?? req.url),
                  headers: redactHeaders(req.headers),
                }),
                // Response headers are left out (set-cookie never reaches the logs).
                res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
              },
              // Failed requests also log their (redacted) body: enough to debug bad input, never a secret.
              customProps: (req: RequestWithBody, res: ServerResponse) =>
                res.statusCode >= 400 && req.body !== undefined ? { body: redactSecrets(req.body) } : {},
              formatters: {
                log: (object: Record<string, unknown>) => redactSecrets(object) as Record<string, unknown>,
              },
              customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
                error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
              autoLogging: { ignore: (req: IncomingMessage) => req.url === '/healthz' || req.url === '/readyz' },
            },
            destination as DestinationStream,
          ],
        }),
      ],
    };
  }
}
