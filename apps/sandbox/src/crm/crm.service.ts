/**
 * The Zoho CRM v8 simulator: `${dc.prefix}/crm/v8` per data centre (v2…v7 prefixes share the v8 handlers).
 * Order per call: call recorder → fault injection → OAuth token → concurrency slot → JSON body → credits → route.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { ConsoleAction, SandboxContext, SandboxService, SeedRequest } from '../core/sandbox.service.js';
import type { DataCentre } from '../core/sandbox.tenants.js';
import { callerOf, crmAuthMiddleware, requireScope } from './crm.auth.js';
import { runCoql } from './crm.coql.js';
import { crmConsoleActions } from './crm.console.js';
import { CrmError, crmErrorBody, CrmErrorCode } from './crm.errors.js';
import { crmModules, findModule, moduleFieldsMetadata, moduleMetadata } from './crm.fields.js';
import { creditCost, CrmLimiter } from './crm.limits.js';
import { CrmRecords } from './crm.records.js';
import { recordCallKind, registerRecordRoutes } from './crm.records.routes.js';
import { seedCrm } from './crm.seed.js';
import { CrmStore } from './crm.store.js';
import { CrmWatch } from './crm.watch.js';

export const crmApiVersions = ['v8', 'v7', 'v6', 'v5', 'v4', 'v3', 'v2.1', 'v2'];

const fixedPaths = ['/coql', '/actions/watch', '/settings/fields', '/settings/modules', '/users', '/org'];

/** A path the CRM serves, reached with a method it does not serve there (→ INVALID_REQUEST_METHOD). */
function knownPathWithOtherMethod(path: string): boolean {
  if (fixedPaths.includes(path)) return true;
  const [module, ...rest] = path.split('/').filter(Boolean);
  if (!module || !findModule(module)) return false;
  const tail = rest.join('/');
  return rest.length === 0 || ['search', 'upsert', 'deleted', 'actions/count'].includes(tail) || /^\d+(\/\w+)?$/.test(tail);
}

interface CrmParts {
  store: CrmStore;
  limiter: CrmLimiter;
  watch: CrmWatch;
  records: CrmRecords;
}

export class CrmService implements SandboxService {
  readonly name = 'crm' as const;
  readonly title = 'Zoho CRM v8';
  private parts?: CrmParts;
  readonly consoleActions: ConsoleAction[] = crmConsoleActions(() => this.need().store, () => this.need().records);

  /** The store, for tests that seed thousands of records directly. */
  get store(): CrmStore {
    return this.need().store;
  }

  get records(): CrmRecords {
    return this.need().records;
  }

  private need(): CrmParts {
    if (!this.parts) throw new Error('the CRM service is not mounted yet');
    return this.parts;
  }

  mount(app: express.Express, ctx: SandboxContext): void {
    const store = new CrmStore(ctx.tenants);
    const watch = new CrmWatch(store, ctx);
    const records = new CrmRecords(store, watch, () => ctx.ids.crmId('record'));
    const limiter = new CrmLimiter(store, ctx.clock, () => ctx.limits.crm);
    this.parts = { store, limiter, watch, records };
    for (const dc of ctx.dataCentres) {
      app.use(crmApiVersions.map((v) => `${dc.prefix}/crm/${v}`), this.router(ctx, dc, this.parts));
    }
  }

  private router(ctx: SandboxContext, dc: DataCentre, parts: CrmParts): Router {
    const { store, limiter, watch, records } = parts;
    const router = express.Router();
    router.use(ctx.calls.middleware('crm', () => ctx.clock.now()));
    router.use(
      ctx.faults.middleware('crm', (status) =>
        status === 429
          ? crmErrorBody(CrmErrorCode.TooManyRequests, 'You have reached the API limit; try again later', {})
          : crmErrorBody(CrmErrorCode.InternalError, 'Internal Server Error', {}),
      ),
    );
    router.use(crmAuthMiddleware(ctx, store, dc));
    router.use((req: Request, res: Response, next: NextFunction) => {
      const caller = callerOf(res);
      const release = limiter.acquire(caller.orgId, caller.clientId);
      if (!release) {
        next(new CrmError(429, CrmErrorCode.TooManyRequests, 'the number of concurrent requests of your organisation exceeds the limit of your edition; retry when earlier calls have finished', {}));
        return;
      }
      res.once('finish', release);
      res.once('close', release);
      next();
    });
    // Zoho reads bodies as JSON whatever the Content-Type; the official SDK sends none on record writes.
    router.use(express.json({ limit: '10mb', type: () => true }));
    router.use((req: Request, res: Response, next: NextFunction) => {
      const caller = callerOf(res);
      const body = req.body as { data?: unknown; select_query?: unknown } | undefined;
      let cost: number;
      if (req.path === '/coql') {
        const limit = /limit\s+(?:\d+\s*,\s*)?(\d+)/i.exec(String(body?.select_query ?? ''))?.[1];
        cost = creditCost('coql', 0, limit ? Number(limit) : 200);
      } else if (req.method === 'GET' || req.path.startsWith('/settings') || req.path.startsWith('/actions')) {
        cost = creditCost(req.method === 'GET' ? recordCallKind(req) : 'read');
      } else {
        const n = Array.isArray(body?.data)
          ? body.data.length
          : String(req.query.ids ?? '').split(',').filter(Boolean).length || 1;
        cost = creditCost('write', n);
      }
      const spent = limiter.spend(caller.orgId, cost);
      if (!spent.ok) {
        next(new CrmError(429, CrmErrorCode.TooManyRequests, `the API credits of your organisation for the last 24 hours (${spent.limit}) are used up; retry later`, {}));
        return;
      }
      if (spent.limit - spent.remaining >= spent.limit / 2) res.setHeader('X-API-CREDITS-REMAINING', String(spent.remaining));
      next();
    });

    // --- metadata
    router.get('/settings/modules', (req, res) => {
      requireScope(callerOf(res), 'settings', ['modules'], 'READ');
      res.json({ modules: Object.values(crmModules).map(moduleMetadata) });
    });
    router.get('/settings/modules/:module', (req, res) => {
      requireScope(callerOf(res), 'settings', ['modules'], 'READ');
      const module = findModule(String(req.params.module));
      if (!module) throw new CrmError(400, CrmErrorCode.InvalidModule, 'the module name given seems to be invalid', { module: req.params.module });
      res.json({ modules: [{ ...moduleMetadata(module), fields: moduleFieldsMetadata(module) }] });
    });
    router.get('/settings/fields', (req, res) => {
      requireScope(callerOf(res), 'settings', ['fields'], 'READ');
      if (req.query.module === undefined) {
        throw new CrmError(400, CrmErrorCode.RequiredParamMissing, 'One of the expected parameter is missing: pass module=<module API name>', { param_name: 'module' });
      }
      const module = findModule(String(req.query.module));
      if (!module) throw new CrmError(400, CrmErrorCode.InvalidModule, 'the module name given seems to be invalid', { param_name: 'module' });
      res.json({ fields: moduleFieldsMetadata(module) });
    });
    router.get('/settings/fields/:id', (req, res) => {
      requireScope(callerOf(res), 'settings', ['fields'], 'READ');
      const module = findModule(String(req.query.module ?? ''));
      if (!module) throw new CrmError(400, CrmErrorCode.RequiredParamMissing, 'pass module=<module API name>', { param_name: 'module' });
      const field = moduleFieldsMetadata(module).find((f) => f.id === req.params.id);
      if (!field) throw new CrmError(400, CrmErrorCode.InvalidData, 'the field id given seems to be invalid', { id: req.params.id });
      res.json({ fields: [field] });
    });

    // --- users and org
    const userJson = (zohoUserId: string, orgId: string) => {
      const ref = store.userRef(zohoUserId);
      const [first, ...rest] = ref.name.split(' ');
      return {
        id: ref.id, full_name: ref.name, first_name: first ?? '', last_name: rest.join(' '), email: ref.email,
        zuid: ref.id, status: 'active', confirm: true, time_format: 'HH:mm', locale: 'en_US',
        role: { name: 'CEO', id: `${orgId}0000000001` }, profile: { name: 'Administrator', id: `${orgId}0000000002` },
      };
    };
    router.get('/users', (req, res) => {
      const caller = callerOf(res);
      requireScope(caller, 'users', undefined, 'READ');
      const type = String(req.query.type ?? 'AllUsers');
      const ids = type === 'CurrentUser' ? [caller.zohoUserId] : (store.org(caller.orgId)?.userIds ?? []);
      res.json({
        users: ids.map((u) => userJson(u, caller.orgId)),
        info: { per_page: 200, count: ids.length, page: 1, more_records: false },
      });
    });
    router.get('/org', (req, res) => {
      const caller = callerOf(res);
      requireScope(caller, 'org', undefined, 'READ');
      const org = store.org(caller.orgId)!;
      const offset = store.time(caller.orgId, 0).slice(19);
      res.json({
        org: [{
          id: org.id, company_name: org.name, zgid: org.id, domain_name: `org${org.id}`, primary_email: store.userRef(org.userIds[0] ?? '').email,
          currency: org.dc === 'eu' ? 'Euro - EUR' : 'US Dollar - USD', iso_code: org.dc === 'eu' ? 'EUR' : 'USD',
          currency_symbol: org.dc === 'eu' ? '€' : '$', time_zone: offset === '+01:00' ? 'Europe/Berlin' : 'America/New_York',
          country_code: org.dc === 'eu' ? 'DE' : 'US', mc_status: true, type: 'production',
          license_details: { paid: org.edition !== 'free', paid_type: org.edition, users_license_purchased: org.userIds.length },
        }],
      });
    });

    // --- notifications (watch)
    router.get('/actions/watch', (req, res) => {
      const caller = callerOf(res);
      requireScope(caller, 'notifications', undefined, 'READ');
      const list = watch.list(caller.orgId, caller.apiBase, {
        channelId: req.query.channel_id === undefined ? undefined : String(req.query.channel_id),
        module: req.query.module === undefined ? undefined : String(req.query.module),
      });
      if (list.length === 0) {
        res.status(204).end();
        return;
      }
      res.json({ watch: list, info: { per_page: 200, count: list.length, page: 1, more_records: false } });
    });
    for (const method of ['post', 'put', 'patch'] as const) {
      router[method]('/actions/watch', (req, res) => {
        const caller = callerOf(res);
        requireScope(caller, 'notifications', undefined, method === 'post' ? 'CREATE' : 'UPDATE');
        const out = watch.write(method.toUpperCase() as 'POST' | 'PUT' | 'PATCH', caller.orgId, caller.crmUserId, caller.apiBase, req.body);
        res.status(out.httpStatus).json(out.body);
      });
    }
    router.delete('/actions/watch', (req, res) => {
      const caller = callerOf(res);
      requireScope(caller, 'notifications', undefined, 'DELETE');
      const ids = String(req.query.channel_ids ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      if (ids.length === 0) {
        throw new CrmError(400, CrmErrorCode.RequiredParamMissing, 'One of the expected parameter is missing: pass channel_ids=<id>,<id>', { param_name: 'channel_ids' });
      }
      const out = watch.remove(caller.orgId, caller.apiBase, ids);
      res.status(out.httpStatus).json(out.body);
    });

    // --- COQL
    router.post('/coql', (req, res) => {
      const caller = callerOf(res);
      const result = runCoql(store, caller, req.body, ctx.limits.crm.maxPageReach);
      if (!result) {
        res.status(204).end();
        return;
      }
      res.json(result);
    });

    registerRecordRoutes(router, { ctx, store, records });

    router.use((req: Request, res: Response) => {
      if (knownPathWithOtherMethod(req.path)) {
        res.status(400).json(crmErrorBody(CrmErrorCode.InvalidRequestMethod, `The http request method type is not a valid one: ${req.method} is not served on ${req.baseUrl}${req.path}`, {}));
        return;
      }
      res.status(404).json(crmErrorBody(CrmErrorCode.InvalidUrlPattern, `Please check if the URL trying to access is a correct one: ${req.method} ${req.baseUrl}${req.path}`, {}));
    });
    router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      if (error instanceof CrmError) {
        res.status(error.httpStatus).json(error.responseBody());
        return;
      }
      const e = error as { type?: string; status?: number };
      if (e.type === 'entity.parse.failed') {
        res.status(400).json(crmErrorBody(CrmErrorCode.InvalidData, 'the request body is not valid JSON', { expected_data_type: 'jsonobject' }));
        return;
      }
      if (e.type === 'entity.too.large') {
        res.status(413).json(crmErrorBody(CrmErrorCode.LimitExceeded, 'the request body is too large', {}));
        return;
      }
      res.status(500).json(crmErrorBody(CrmErrorCode.InternalError, 'Internal Server Error', {}));
    });
    return router;
  }

  reset(): void {
    this.parts?.store.reset();
    this.parts?.limiter.reset();
  }

  seed(request: SeedRequest, ctx: SandboxContext): void {
    const parts = this.need();
    seedCrm(request, ctx, parts.store, parts.records);
  }

  snapshot(): unknown {
    return this.parts?.store.snapshot() ?? {};
  }

  restore(data: unknown): void {
    this.need().store.restore(data);
  }

  inspect(): Record<string, unknown[]> {
    const store = this.need().store;
    const rows = (module: keyof typeof crmModules) =>
      [...store.records.values()].filter((r) => r.module === module).map((r) => ({ orgId: r.orgId, ...store.render(r) }));
    return {
      Accounts: rows('Accounts'),
      Contacts: rows('Contacts'),
      Addresses: rows('Addresses'),
      watchChannels: this.need().watch.active().map((c) => ({
        orgId: c.orgId, channel_id: c.channelId, events: c.events.map((e) => `${e.module}.${e.operation}`),
        channel_expiry: store.time(c.orgId, c.expiresAt), notify_url: c.notifyUrl, has_token: c.token !== undefined,
      })),
    };
  }
}
