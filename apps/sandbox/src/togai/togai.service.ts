import { createHmac, randomBytes } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response, Router } from 'express';
import type { ConsoleAction, SandboxContext, SandboxService, SeedRequest } from '../core/sandbox.service.js';
import { togaiConsoleActions } from './togai.console.js';
import { togaiCustomerRoutes } from './togai.customers.routes.js';
import { TogaiError, TogaiErrorCode, togaiErrorBody, togaiErrorHandler } from './togai.errors.js';
import { TogaiEventPublisher } from './togai.events.js';
import { togaiIngestRoutes } from './togai.ingest.routes.js';
import { togaiInvoiceRoutes } from './togai.invoices.routes.js';
import { TogaiModel } from './togai.model.js';
import { togaiPaymentRoutes } from './togai.payments.routes.js';
import { type TogaiRateBucket, TogaiRateLimiter } from './togai.rate-limit.js';
import { togaiSandboxRoutes } from './togai.sandbox.routes.js';
import { seedTogai } from './togai.seed.js';
import { TogaiStore } from './togai.store.js';

const JWT_TTL_MS = 24 * 3600_000;
const faultMessages = { 429: 'Request throttled', 500: 'Internal server error', 503: 'Service unavailable' } as const;

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * Togai at `{url}/togai`: customers, accounts, invoices, payments, usage-event ingestion, with Togai's
 * auth, errors, pagination and quotas, plus a signed outbound event feed (sandbox convention).
 */
export class TogaiService implements SandboxService {
  readonly name = 'togai' as const;
  readonly title = 'Togai';
  readonly store = new TogaiStore();
  readonly model: TogaiModel;
  private ctx?: SandboxContext;
  private limiter?: TogaiRateLimiter;
  /** signs the JWTs of POST /authenticate; issued tokens are also remembered in the store */
  private readonly jwtKey = randomBytes(32);

  constructor() {
    const publisher = new TogaiEventPublisher(this.store, () => this.ctx);
    this.model = new TogaiModel(this.store, publisher, () => this.ctx);
  }

  mount(app: Express, ctx: SandboxContext): void {
    this.ctx = ctx;
    this.limiter = new TogaiRateLimiter(ctx.clock, (bucket) =>
      bucket === 'api' ? ctx.limits.togai.requestsPerSecond : ctx.limits.togai.ingestRequestsPerSecond,
    );
    const router = Router();
    router.use(ctx.calls.middleware('togai', () => ctx.clock.now()));
    router.use(ctx.faults.middleware('togai', (status) => togaiErrorBody(faultMessages[status])));
    router.use(express.json({ limit: '2mb' }));
    router.use('/_sandbox', this.authenticate(ctx), togaiSandboxRoutes(this.model));
    router.use(this.authenticate(ctx), this.rateLimit());
    router.post('/authenticate', (req, res) => res.json({ token: this.issueToken(ctx, res) }));
    router.use(togaiCustomerRoutes(this.model));
    router.use(togaiInvoiceRoutes(this.model));
    router.use(togaiPaymentRoutes(this.model));
    router.use(togaiIngestRoutes(this.model));
    router.use((req, res) => {
      res.status(404).json(togaiErrorBody(`No Togai route for ${req.method} ${req.baseUrl}${req.path}`));
    });
    router.use(togaiErrorHandler);
    app.use('/togai', router);
  }

  /** `Authorization: Bearer <API token or JWT>`, or `X-API-Key: <API token>`. */
  private authenticate(ctx: SandboxContext) {
    return (req: Request, res: Response, next: NextFunction) => {
      const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
      const token = bearer ?? req.get('x-api-key')?.trim();
      if (!token) {
        throw new TogaiError(TogaiErrorCode.Unauthorized, 'Missing credential: send "Authorization: Bearer <API token>"');
      }
      const org = ctx.tenants.togaiOrgForToken(token);
      if (org) {
        res.locals.togaiOrgId = org.id;
        return next();
      }
      const issued = this.store.issuedTokens.get(token);
      if (issued && issued.expiresAtMs > ctx.clock.now() && ctx.tenants.togaiOrgs.has(issued.orgId)) {
        res.locals.togaiOrgId = issued.orgId;
        res.locals.togaiJwt = token;
        return next();
      }
      throw new TogaiError(TogaiErrorCode.Unauthorized, 'Invalid credential: the API token or bearer token is unknown, revoked or expired');
    };
  }

  private rateLimit() {
    return (req: Request, res: Response, next: NextFunction) => {
      const bucket: TogaiRateBucket = req.path === '/ingest' ? 'ingest' : req.path === '/ingestBatch' ? 'ingestBatch' : 'api';
      if (!this.limiter!.admit(res.locals.togaiOrgId as string, bucket)) {
        throw new TogaiError(TogaiErrorCode.Throttled, 'Request throttled');
      }
      next();
    };
  }

  /** POST /authenticate: an API key gets a 24 h JWT; a JWT gets itself back. */
  private issueToken(ctx: SandboxContext, res: Response): string {
    const current = res.locals.togaiJwt as string | undefined;
    if (current) return current;
    const orgId = res.locals.togaiOrgId as string;
    const issuedAt = ctx.clock.now();
    const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = base64url(
      JSON.stringify({ iss: 'togai-sandbox', sub: orgId, iat: Math.floor(issuedAt / 1000), exp: Math.floor((issuedAt + JWT_TTL_MS) / 1000), jti: randomBytes(8).toString('hex') }),
    );
    const signature = createHmac('sha256', this.jwtKey).update(`${header}.${payload}`).digest('base64url');
    const token = `${header}.${payload}.${signature}`;
    this.store.issuedTokens.set(token, { orgId, expiresAtMs: issuedAt + JWT_TTL_MS });
    return token;
  }

  /** Console buttons (rebuilt on each read so the dropdowns list current records). */
  get consoleActions(): ConsoleAction[] {
    return togaiConsoleActions(this.model);
  }

  reset(): void {
    this.store.reset();
    this.limiter?.reset();
  }

  seed(request: SeedRequest, ctx: SandboxContext): void {
    this.ctx ??= ctx;
    seedTogai(this.model, request);
  }

  snapshot(): unknown {
    return this.store.snapshot();
  }

  restore(data: unknown): void {
    this.store.restore(data);
  }

  inspect(): Record<string, unknown[]> {
    const out: Record<string, unknown[]> = { customers: [], accounts: [], contacts: [], invoices: [], payments: [], events: [], subscriptions: [] };
    for (const [orgId, org] of this.store.orgs) {
      out.customers!.push(...[...org.customers.values()].map((c) => ({ orgId, ...this.model.customerView(c) })));
      out.accounts!.push(...[...org.accounts.values()].map((a) => ({ orgId, ...a })));
      out.contacts!.push(...[...org.contacts.values()].map((c) => ({ orgId, ...c })));
      if (this.ctx) out.invoices!.push(...[...org.invoices.values()].map((i) => ({ orgId, ...this.model.invoiceView(orgId, i) })));
      out.payments!.push(...[...org.payments.values()].map((p) => ({ orgId, ...p })));
      out.events!.push(...[...org.events.values()].map((e) => ({ orgId, ...this.model.eventView(e) })));
      out.subscriptions!.push(...[...org.subscriptions.values()].map(({ secret: _secret, ...s }) => ({ orgId, ...s })));
    }
    return out;
  }
}

export function createTogaiService(): TogaiService {
  return new TogaiService();
}
