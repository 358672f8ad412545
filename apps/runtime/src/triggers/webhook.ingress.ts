import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import querystring from 'node:querystring';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  ConnectorError,
  noopLogger,
  type AppWebhookTriggerDefinition,
  type TriggerEvent,
  type WebhookRequest,
  type WebhookTriggerDefinition,
} from '@braid/connector-sdk';
import type { TriggerNode } from '@braid/flow-model';
import { BRAID_CONFIG, type BraidConfig } from '../config/config.service.js';
import { ConnectorsService } from '../connectors/connectors.service.js';
import { DATABASE_CONNECTION, type DatabaseConnection } from '../database/database.module.js';
import { dataSourceOptions } from '../database/data-source.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { QueueService } from '../queue/queue.service.js';
import { resolveTrigger, webhookKinds, type ResolvedTrigger } from './trigger.resolve.js';
import { AcceptBatcher } from './accept.batcher.js';
import { TriggerSecrets } from './trigger.secrets.js';
import { TriggersError, TriggersErrorCode } from './triggers.errors.js';

/** Content types a webhook may have (anything else: 415). */
export const ACCEPTED_CONTENT_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'text/plain'];
const HOOK_METHODS = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);
const ENDPOINT_CACHE_MS = 1000;
const INGRESS_POOL_SIZE = 1;

/** Headers never stored with an event (credentials, signatures: the event records `signature_verified`). */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key)$|signature|token|secret/i;

const HOOKS_PREFIX = '/hooks/';

/** What the ingress needs of a delivery (read by WebhookEndpoint). */
export interface WebhookDelivery {
  method: string;
  headers: IncomingHttpHeaders;
  query: Record<string, string | string[]>;
  rawBody: Buffer;
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function sendError(response: ServerResponse, error: TriggersError): void {
  sendJson(response, error.status, { error: { code: error.code, message: error.message } });
}

/** The media type without parameters, lower-cased ('' when absent). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

export interface AcceptResult {
  eventId: string | null;
  eventIds: string[];
  duplicate: boolean;
}

interface EndpointRow {
  flow_id: string;
  workspace_id: string;
  secret_ciphertext: string | null;
  armed_version_id: string | null;
  registration_ciphertext: string | null;
  trigger: TriggerNode | null;
}

/** Token bucket per webhook URL (per process): a runaway sender cannot flood the queue. */
class TokenRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly perSecond: number) {}

  take(key: string): boolean {
    if (this.perSecond <= 0) return true;
    const now = Date.now();
    const burst = this.perSecond * 2;
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    if (this.buckets.size > 50_000) this.buckets.clear();
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

/**
 * Durable webhook accept: look the flow up by token, verify the signature (connector trigger's
 * `verifyRequest`), parse (`parseRequest`, possibly several events), then ONE transaction that stores every
 * event (raw body kept) and enqueues a run for each one that is not a duplicate.
 */
@Injectable()
export class WebhookIngress implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly resolvedByVersion = new Map<string, ResolvedTrigger>();
  private readonly limiter: TokenRateLimiter;
  private readonly batcher: AcceptBatcher;
  private readonly endpoints = new Map<string, { row: EndpointRow; at: number }>();

  /**
   * Accepts use a connection of their own (one batch at a time, see AcceptBatcher): run execution (many
   * concurrent runs on the main pool) never makes a webhook sender wait for a connection.
   */
  private readonly dataSource: DataSource;

  constructor(
    @Inject(DATABASE_CONNECTION) connection: DatabaseConnection,
    private readonly connectors: ConnectorsService,
    queue: QueueService,
    private readonly secrets: TriggerSecrets,
    private readonly metrics: MetricsService,
    @Inject(BRAID_CONFIG) private readonly config: BraidConfig,
  ) {
    this.limiter = new TokenRateLimiter(config.webhooks.rateLimitPerSecond);
    const options = dataSourceOptions(connection.url);
    this.dataSource = new DataSource({ ...options, extra: { max: INGRESS_POOL_SIZE, application_name: 'braid-webhooks' } } as typeof options);
    this.batcher = new AcceptBatcher(this.dataSource, queue, INGRESS_POOL_SIZE);
  }

  async onModuleInit(): Promise<void> {
    await this.dataSource.initialize();
  }

  /** After the HTTP server has finished its requests (Nest closes it before the shutdown hooks). */
  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy().catch(() => undefined);
  }

  /**
   * The endpoint behind a token with its armed trigger. Found endpoints are cached for a second: arm/disarm/
   * rotation in this process clear the cache at once; another replica's change is seen within that second.
   */
  private async endpoint(token: string): Promise<EndpointRow | undefined> {
    const cached = this.endpoints.get(token);
    if (cached && Date.now() - cached.at < ENDPOINT_CACHE_MS) return cached.row;
    const rows: EndpointRow[] = await this.dataSource.query(
      `SELECT e.flow_id, e.workspace_id, e.secret_ciphertext, s.armed_version_id, s.registration_ciphertext, v.definition->'trigger' AS trigger
         FROM trigger_endpoints e
         LEFT JOIN trigger_states s ON s.flow_id = e.flow_id
         LEFT JOIN flow_versions v ON v.id = s.armed_version_id
        WHERE e.token = $1`,
      [token],
    );
    const row = rows[0];
    if (row) {
      if (this.endpoints.size > 10_000) this.endpoints.clear();
      this.endpoints.set(token, { row, at: Date.now() });
    }
    return row;
  }

  /** Forgets cached endpoints (after arm, disarm, secret or token rotation). */
  invalidate(): void {
    this.endpoints.clear();
  }

  private resolved(versionId: string, node: TriggerNode): ResolvedTrigger {
    let resolved = this.resolvedByVersion.get(versionId); // versions are immutable
    if (!resolved) {
      resolved = resolveTrigger(this.connectors, node);
      if (this.resolvedByVersion.size > 5_000) this.resolvedByVersion.clear();
      this.resolvedByVersion.set(versionId, resolved);
    }
    return resolved;
  }

  async accept(token: string, request: WebhookDelivery): Promise<AcceptResult> {
    const started = process.hrtime.bigint();
    const observe = (outcome: 'accepted' | 'duplicate' | 'rejected') =>
      this.metrics.webhookAccepted(outcome, Number(process.hrtime.bigint() - started) / 1e9);
    try {
      const result = await this.acceptInner(token, request);
      observe(result.duplicate ? 'duplicate' : 'accepted');
      return result;
    } catch (error) {
      observe('rejected');
      throw error;
    }
  }

  private async acceptInner(token: string, request: WebhookDelivery): Promise<AcceptResult> {
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(token)) throw this.notFound();
    const endpoint = await this.endpoint(token);
    if (!endpoint) throw this.notFound();
    if (!endpoint.armed_version_id || !endpoint.trigger) {
      throw new TriggersError(TriggersErrorCode.WEBHOOK_DISABLED, 'This flow is disabled: it accepts events again once it is enabled.');
    }
    if (!this.limiter.take(token)) {
      throw new TriggersError(TriggersErrorCode.RATE_LIMITED, 'Too many deliveries to this webhook; slow down and retry.');
    }
    const resolved = this.resolved(endpoint.armed_version_id, endpoint.trigger);
    if (!webhookKinds.has(resolved.kind)) {
      throw new TriggersError(TriggersErrorCode.WEBHOOK_DISABLED, 'This flow no longer starts from a webhook.');
    }
    const trigger = resolved.trigger as WebhookTriggerDefinition | AppWebhookTriggerDefinition;
    const { flow_id: flowId, workspace_id: workspaceId } = endpoint;
    const { rawBody } = request;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    const webhookRequest: WebhookRequest = {
      method: request.method,
      headers,
      query: request.query,
      rawBody,
      contentType: headers['content-type'] ?? '',
    };
    const secret = endpoint.secret_ciphertext ? await this.secrets.decrypt<string>(workspaceId, flowId, endpoint.secret_ciphertext) : undefined;
    const state = endpoint.registration_ciphertext
      ? (await this.secrets.decrypt<{ state: unknown }>(workspaceId, flowId, endpoint.registration_ciphertext)).state
      : undefined;
    const now = () => new Date();

    let events: TriggerEvent[];
    try {
      if (trigger.verifyRequest) {
        await trigger.verifyRequest({ config: resolved.config, ...(secret ? { secret } : {}), ...(state !== undefined ? { state } : {}), request: webhookRequest, now });
      }
      ({ events } = await trigger.parseRequest({ config: resolved.config, ...(state !== undefined ? { state } : {}), logger: noopLogger, now }, webhookRequest));
    } catch (error) {
      throw this.connectorFailure(error);
    }

    const storedHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) if (!SECRET_HEADER.test(name)) storedHeaders[name] = value;
    const bodyHash = createHash('sha256').update(rawBody).digest('hex');
    const source = resolved.kind === 'app-webhook' ? 'app-webhook' : 'webhook';
    const versionId = endpoint.armed_version_id;

    const stored = events.length === 0 ? [] : await this.batcher.submit(
      events.map((event, index) => ({
        workspaceId,
        flowId,
        flowVersionId: versionId,
        source,
        payload: event.payload,
        ...(event.id ? { providerEventId: event.id, dedupeKey: `id:${event.id}` } : { bodyHash: events.length > 1 ? `${bodyHash}:${index}` : bodyHash }),
        dedupeWindowSeconds: this.config.webhooks.dedupeWindowSeconds,
        rawBody,
        contentType: webhookRequest.contentType,
        headers: storedHeaders,
        signatureVerified: Boolean(trigger.verifyRequest),
      })),
    );
    const ids = stored.map((ref) => ref.id);
    const duplicates = stored.filter((ref) => ref.duplicate).length;
    return { eventId: ids[0] ?? null, eventIds: ids, duplicate: ids.length > 0 && duplicates === ids.length };
  }

  private notFound(): TriggersError {
    return new TriggersError(TriggersErrorCode.WEBHOOK_NOT_FOUND, 'There is no webhook at this URL: copy the URL again from the flow\'s trigger.');
  }

  private connectorFailure(error: unknown): Error {
    if (!(error instanceof ConnectorError)) {
      this.logger.error(`A webhook trigger failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`);
      return new TriggersError(TriggersErrorCode.BAD_REQUEST, 'The webhook could not be read by its trigger.');
    }
    if (error.code === 'SIGNATURE_INVALID') return new TriggersError(TriggersErrorCode.SIGNATURE_INVALID, error.message);
    if (error.status === 405) return new TriggersError(TriggersErrorCode.METHOD_NOT_ALLOWED, error.message);
    return new TriggersError(TriggersErrorCode.BAD_REQUEST, error.message);
  }
}

/**
 * `POST|PUT|PATCH|DELETE /hooks/:token`, answered by the HTTP server before Express (see `serveWebhooksFirst`):
 * no middleware, session, CSRF or body parser runs for a delivery, and routing through Express cost more CPU than
 * the rest of the accept. The body is read raw (signatures are over the exact bytes); size limit → 413 and content
 * type → 415 are answered before reading when the headers tell. The unguessable token is the credential, the
 * connector's signature check comes on top.
 * Answers: 202 `{ eventId, eventIds, duplicate }` once stored with its run enqueued; 400 unreadable body,
 * 401 bad signature, 404 unknown URL, 405 method, 410 flow disabled, 413, 415, 429 too many deliveries.
 */
@Injectable()
export class WebhookEndpoint {
  private readonly logger = new Logger('Webhooks');
  private readonly maxBytes: number;

  constructor(@Inject(BRAID_CONFIG) config: BraidConfig, private readonly ingress: WebhookIngress) {
    this.maxBytes = config.webhooks.maxBytes;
  }

  /** Answers the request if it is a webhook delivery (`/hooks/<token>`); false leaves it to the rest of the app. */
  handle(request: IncomingMessage, response: ServerResponse): boolean {
    const url = request.url ?? '';
    if (!url.startsWith(HOOKS_PREFIX)) return false;
    const queryAt = url.indexOf('?');
    const match = /^([^/?]+)\/?$/.exec(queryAt < 0 ? url.slice(HOOKS_PREFIX.length) : url.slice(HOOKS_PREFIX.length, queryAt));
    if (!match) return false;
    let token: string;
    try {
      token = decodeURIComponent(match[1]!);
    } catch {
      token = '';
    }
    const method = request.method ?? '';
    if (!HOOK_METHODS.has(method)) {
      request.resume();
      response.setHeader('Allow', [...HOOK_METHODS].join(', '));
      sendError(response, new TriggersError(TriggersErrorCode.METHOD_NOT_ALLOWED, `Webhooks accept ${[...HOOK_METHODS].join(', ')}.`));
      return true;
    }
    const length = Number(request.headers['content-length'] ?? 0);
    const chunked = request.headers['transfer-encoding'] !== undefined;
    const type = mediaType(request.headers['content-type']);
    if ((length > 0 || chunked || type !== '') && !ACCEPTED_CONTENT_TYPES.includes(type)) {
      request.resume();
      sendError(
        response,
        new TriggersError(
          TriggersErrorCode.UNSUPPORTED_MEDIA_TYPE,
          `Webhooks accept ${ACCEPTED_CONTENT_TYPES.join(', ')}; this request is ${type === '' ? 'without a Content-Type' : type}.`,
        ),
      );
      return true;
    }
    const tooLarge = () =>
      new TriggersError(TriggersErrorCode.BODY_TOO_LARGE, `The webhook body is larger than ${this.maxBytes} bytes (BRAID_WEBHOOK_MAX_BYTES).`);
    if (length > this.maxBytes) {
      request.resume();
      sendError(response, tooLarge());
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    request.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > this.maxBytes) {
        failed = true;
        sendError(response, tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (failed) return;
      const delivery: WebhookDelivery = {
        method,
        headers: request.headers,
        query: queryAt < 0 ? {} : (querystring.parse(url.slice(queryAt + 1)) as Record<string, string | string[]>),
        rawBody: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
      };
      this.ingress.accept(token, delivery).then(
        (result) => sendJson(response, 202, result),
        (error: unknown) => {
          if (error instanceof TriggersError) return sendError(response, error);
          this.logger.error(`Webhook accept failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
          sendJson(response, 500, { error: { code: 'INTERNAL', message: 'The event could not be stored; retry the delivery.' } });
        },
      );
    });
    request.on('error', () => {
      failed = true;
    });
    return true;
  }
}

/**
 * Puts the webhook endpoint in front of the app's HTTP handler (Express): deliveries are answered without it,
 * everything else goes on to it unchanged.
 */
export function serveWebhooksFirst(server: Server, endpoint: WebhookEndpoint): void {
  const handlers = server.listeners('request') as Array<(request: IncomingMessage, response: ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (endpoint.handle(request, response)) return;
    for (const handler of handlers) handler.call(server, request, response);
  });
}
