import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { pino, type DestinationStream, type Logger } from 'pino';
import pg from 'pg';
import { AppModule } from './app.module.js';
import { BootstrapLogger } from './common/bootstrap.logger.js';
import { renderError } from './common/error.filter.js';
import type { BraidConfig } from './config/config.service.js';
import type { DatabaseConnection } from './database/database.module.js';
import { startEmbeddedPostgres } from './database/embedded-postgres.js';
import { buildOpenApiDocument } from './openapi/openapi.document.js';
import { serveWebhooksFirst, WebhookEndpoint } from './triggers/webhook.ingress.js';

export interface BraidApp {
  app: NestExpressApplication;
  database: DatabaseConnection;
  /** Closes the app (HTTP server, pool, sandbox) and stops the embedded PostgreSQL. */
  close(): Promise<void>;
}

export interface CreateBraidAppOptions {
  logDestination?: DestinationStream;
  /** main.ts sets it: SIGTERM/SIGINT close the app gracefully. Tests leave it off. */
  enableShutdownHooks?: boolean;
}

const EMBEDDED_DATABASE = 'braid';

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

/** The configured PostgreSQL: `DATABASE_URL`, or an embedded server started here (and stopped on close). */
export async function connectDatabase(config: BraidConfig, log: Logger): Promise<DatabaseConnection> {
  if (config.databaseUrl) {
    const url = new URL(config.databaseUrl);
    log.info(`Database: external PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname} (DATABASE_URL).`);
    return { url: config.databaseUrl, kind: 'external' };
  }
  const dataDir = path.join(config.dataDir, 'postgres');
  const pgLog = log.child({ component: 'EmbeddedPostgres' });
  const running = await startEmbeddedPostgres({
    dataDir,
    port: config.embeddedPgPort,
    onLog: (line) => pgLog.debug(line),
    onNotice: (line) => pgLog.info(line),
  });
  try {
    await ensureDatabase(running.adminUrl, EMBEDDED_DATABASE);
  } catch (error) {
    await running.stop();
    throw error;
  }
  const via = running.socketDir ? ', connected through its unix socket' : '';
  log.info(`Database: embedded PostgreSQL on 127.0.0.1:${config.embeddedPgPort}${via}, data in ${dataDir} (set DATABASE_URL to use another PostgreSQL).`);
  return { url: running.urlFor(EMBEDDED_DATABASE), kind: 'embedded', stop: () => running.stop() };
}

/** Body parsing with a size limit; parser errors (413, bad JSON) answer in the API's error shape. */
function useJsonBodies(app: NestExpressApplication, config: BraidConfig, log: Logger): void {
  app.use(express.json({ limit: config.bodyLimit }));
  app.use((error: unknown, request: Request, response: Response, next: NextFunction) => {
    if (response.headersSent) return next(error);
    const { status, body } = renderError(error, request);
    log.warn({ req: { method: request.method, url: request.originalUrl }, res: { statusCode: status }, code: body.error.code }, 'request body rejected');
    response.status(status).json(body);
  });
}

/** The built editor at `/`, with index.html for any other non-API path (client-side routing). */
function serveEditor(app: NestExpressApplication, config: BraidConfig, log: Logger): void {
  const indexFile = path.join(config.editorDir, 'index.html');
  if (!existsSync(indexFile)) {
    log.warn(`The editor is not built (${indexFile} is missing): run pnpm build. The API still works.`);
    return;
  }
  app.use('/assets', express.static(path.join(config.editorDir, 'assets'), { immutable: true, maxAge: '1y', fallthrough: false }));
  app.use(express.static(config.editorDir, { index: false }));
  const apiPaths = /^\/(api|healthz|readyz)(\/|$)/;
  app.use((request: Request, response: Response, next: NextFunction) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || apiPaths.test(request.path) || !request.accepts('html')) return next();
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile(indexFile);
  });
}

/** Creates and configures the whole runtime (used by main.ts and by the tests); the caller listens. */
export async function createBraidApp(config: BraidConfig, options: CreateBraidAppOptions = {}): Promise<BraidApp> {
  const logOptions = { level: config.logLevel };
  const rootLog = options.logDestination ? pino(logOptions, options.logDestination) : pino(logOptions);
  const log = rootLog.child({ context: 'Bootstrap' });
  const database = await connectDatabase(config, log);
  let app: NestExpressApplication;
  try {
    app = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot({ config, database, logDestination: options.logDestination }),
      { bufferLogs: true, logger: new BootstrapLogger(rootLog), bodyParser: false, abortOnError: false },
    );
  } catch (error) {
    await database.stop?.();
    throw error;
  }
  app.useLogger(app.get(PinoNestLogger));
  serveWebhooksFirst(app.getHttpServer() as Server, app.get(WebhookEndpoint));
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          'script-src': ["'self'"],
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:'],
          'connect-src': ["'self'"],
          'upgrade-insecure-requests': null,
        },
      },
      // The editor opens the OAuth consent page in a popup and needs the callback page's message back.
      crossOriginOpenerPolicy: { policy: 'same-origin-allow-popups' },
    }),
  );
  app.use(cookieParser());
  // API answers are per user (and /me carries the CSRF token): never stored by browsers or proxies.
  app.use('/api/v1', (_request: Request, response: Response, next: NextFunction) => {
    response.setHeader('Cache-Control', 'no-store');
    next();
  });
  useJsonBodies(app, config, log);
  serveEditor(app, config, log);
  SwaggerModule.setup('api/docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'api/docs/openapi.json' });
  if (options.enableShutdownHooks) app.enableShutdownHooks();
  let closed = false;
  return {
    app,
    database,
    async close() {
      if (closed) return;
      closed = true;
      await app.close(); // the DatabaseModule stops the embedded PostgreSQL after the pool
    },
  };
}
