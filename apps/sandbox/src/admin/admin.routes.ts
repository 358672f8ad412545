import express, { type Express, type NextFunction, type Request, type Response, Router } from 'express';
import { AccountsInputError } from '../accounts/accounts.errors.js';
import { AccountsService } from '../accounts/accounts.service.js';
import { binNamePattern, RequestBinService } from '../bin/bin.service.js';
import type { Sandbox } from '../core/sandbox.server.js';
import type { FaultKind, FaultSpec } from '../core/sandbox.faults.js';
import type { SandboxService, SeedRequest, ServiceName } from '../core/sandbox.service.js';
import { AdminError, AdminErrorCode } from './admin.errors.js';

const faultKinds: readonly FaultKind[] = ['rate-limit', 'server-error', 'unavailable', 'timeout', 'slow'];

type Body = Record<string, unknown>;

function objectBody(req: Request): Body {
  const body: unknown = req.body ?? {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AdminError(AdminErrorCode.InvalidBody, 'The body must be a JSON object (Content-Type: application/json).');
  }
  return body as Body;
}

function optionalString(body: Body, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new AdminError(AdminErrorCode.InvalidBody, `"${key}" must be a string.`);
  return value;
}

function optionalInt(body: Body, key: string, min: number, max: number): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new AdminError(AdminErrorCode.InvalidBody, `"${key}" must be a whole number from ${min} to ${max}.`);
  }
  return value;
}

function parseSeed(value: unknown): string | SeedRequest {
  if (typeof value === 'string' && value) return value;
  if (value && typeof value === 'object' && !Array.isArray(value) && typeof (value as Body).name === 'string') {
    const seed = value as Body;
    for (const key of ['books', 'crm', 'togai']) {
      const section = seed[key];
      if (section === undefined) continue;
      if (!section || typeof section !== 'object' || Array.isArray(section)) {
        throw new AdminError(AdminErrorCode.InvalidBody, `seed.${key} must be an object of record counts.`);
      }
      for (const [k, v] of Object.entries(section as Body)) {
        const isId = k.endsWith('Id') && typeof v === 'string';
        if (!isId && !(typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 100_000)) {
          throw new AdminError(AdminErrorCode.InvalidBody, `seed.${key}.${k} must be a count from 0 to 100000.`);
        }
      }
    }
    return seed as unknown as SeedRequest;
  }
  throw new AdminError(AdminErrorCode.InvalidBody, 'seed must be a seed name ("demo", "empty") or { name, books?, crm?, togai?, sharedNames? }.');
}

function parseFault(body: Body, services: SandboxService[]): FaultSpec {
  const service = optionalString(body, 'service');
  if (!service || !services.some((s) => s.name === service)) {
    throw new AdminError(AdminErrorCode.InvalidBody, `"service" must be one of ${services.map((s) => s.name).join(', ')}.`);
  }
  const kind = optionalString(body, 'kind');
  if (!kind || !faultKinds.includes(kind as FaultKind)) {
    throw new AdminError(AdminErrorCode.InvalidBody, `"kind" must be one of ${faultKinds.join(', ')}.`);
  }
  const spec: FaultSpec = { service: service as ServiceName, kind: kind as FaultKind };
  spec.count = optionalInt(body, 'count', 1, 100_000) ?? 1;
  const pathContains = optionalString(body, 'pathContains');
  if (pathContains) spec.pathContains = pathContains;
  const method = optionalString(body, 'method');
  if (method) spec.method = method.toUpperCase();
  const retryAfter = optionalInt(body, 'retryAfterSeconds', 0, 86_400);
  if (retryAfter !== undefined) spec.retryAfterSeconds = retryAfter;
  const delayMs = optionalInt(body, 'delayMs', 0, 600_000);
  if (delayMs !== undefined) spec.delayMs = delayMs;
  return spec;
}

/** PATCH /_admin/limits: validates the whole patch, then deep-merges it in place (services may hold the limits object). */
function validateLimitsPatch(target: object, patch: Body, path: string): void {
  const t = target as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    const where = path ? `${path}.${key}` : key;
    if (!(key in t)) throw new AdminError(AdminErrorCode.InvalidBody, `Unknown limit "${where}". Known: ${Object.keys(t).join(', ')}.`);
    const current = t[key];
    if (typeof current === 'number') {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new AdminError(AdminErrorCode.InvalidBody, `Limit "${where}" must be a non-negative number.`);
      }
      continue;
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      throw new AdminError(AdminErrorCode.InvalidBody, `Limit "${where}" must be an object.`);
    }
    if (!path) {
      validateLimitsPatch(current as object, value as Body, key);
      continue;
    }
    // a record such as books.dailyRequestsByPlan: new keys are allowed, values must be numbers
    for (const [k, v] of Object.entries(value as Body)) {
      if (typeof v !== 'number' || v < 0) throw new AdminError(AdminErrorCode.InvalidBody, `Limit "${where}.${k}" must be a non-negative number.`);
    }
  }
}

function applyLimitsPatch(target: object, patch: Body): void {
  const t = target as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    const current = t[key];
    if (current && typeof current === 'object') applyLimitsPatch(current, value as Body);
    else t[key] = value;
  }
}

function accountsOf(sandbox: Sandbox): AccountsService {
  const service = sandbox.service('accounts');
  if (!(service instanceof AccountsService)) throw new AdminError(AdminErrorCode.UnknownService, 'The accounts service is not registered.');
  return service;
}

function binOf(sandbox: Sandbox): RequestBinService {
  const service = sandbox.service('bin');
  if (!(service instanceof RequestBinService)) throw new AdminError(AdminErrorCode.UnknownService, 'The request bin is not registered.');
  return service;
}

function binName(req: Request): string {
  const name = String(req.params.name ?? '');
  if (!binNamePattern.test(name)) throw new AdminError(AdminErrorCode.InvalidBody, 'Bin names are 1-100 letters, digits, ".", "_" or "-".');
  return name;
}

function serviceFilter(sandbox: Sandbox, value: unknown): ServiceName | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !sandbox.service(value as ServiceName)) {
    throw new AdminError(AdminErrorCode.UnknownService, `Unknown service "${String(value)}". Known: ${sandbox.services.map((s) => s.name).join(', ')}.`);
  }
  return value as ServiceName;
}

/** `/_admin`: JSON API for tests and demos — reset, seed, state, faults, OAuth tricks, call counts, clock, limits. */
export function mountAdminApi(app: Express, sandbox: Sandbox): void {
  const ctx = sandbox.context;
  const router = Router();
  router.use(express.json({ limit: '5mb' }));

  router.get('/', (_req, res) => {
    res.json({
      services: sandbox.services.map((s) => ({ name: s.name, title: s.title, consoleActions: (s.consoleActions ?? []).map((a) => a.key) })),
      endpoints: [
        'POST /_admin/reset {seed?}', 'POST /_admin/seed {name, books?, crm?, togai?, sharedNames?}', 'GET /_admin/state?service=',
        'POST|GET|DELETE /_admin/faults', 'POST /_admin/oauth/revoke {refreshToken|userEmail}',
        'POST /_admin/oauth/expire-access-tokens {userEmail?}', 'POST /_admin/oauth/web-clients {redirectUris}',
        'POST /_admin/oauth/self-clients {userEmail?}',
        'POST /_admin/oauth/self-clients/:clientId/codes {scopes, ttlMinutes?, userEmail?, orgId?}',
        'GET|DELETE /_admin/calls?service=', 'GET /_admin/deliveries?service=', 'POST /_admin/clock/advance {ms|minutes}',
        'GET|PATCH /_admin/limits', 'POST /_admin/snapshot', 'GET /_admin/bins', 'GET|PUT|DELETE /_admin/bins/:name',
        'POST /_admin/console/:service/:action {values}',
      ],
    });
  });

  router.post('/reset', (req, res) => {
    const body = objectBody(req);
    const seed = body.seed === undefined ? 'demo' : parseSeed(body.seed);
    sandbox.resetAndSeed(seed);
    res.json({ reset: true, seed: typeof seed === 'string' ? seed : seed.name });
  });

  router.post('/seed', (req, res) => {
    const seed = parseSeed(objectBody(req));
    const request: SeedRequest = typeof seed === 'string' ? { name: seed } : seed;
    // Services' seeds assume an empty store (fixed ids), so seeding replaces everything, like /reset.
    sandbox.resetAndSeed(request);
    res.json({ seeded: true, seed: request.name });
  });

  router.get('/state', (req, res) => {
    const name = serviceFilter(sandbox, req.query.service);
    if (name) {
      res.json(sandbox.service(name)!.inspect());
      return;
    }
    res.json({
      tenants: {
        zohoUsers: [...ctx.tenants.zohoUsers.values()],
        booksOrgs: [...ctx.tenants.booksOrgs.values()],
        crmOrgs: [...ctx.tenants.crmOrgs.values()],
        togaiOrgs: [...ctx.tenants.togaiOrgs.values()].map((o) => ({ id: o.id, name: o.name })),
      },
      services: Object.fromEntries(sandbox.services.map((s) => [s.name, s.inspect()])),
      clock: { now: ctx.clock.now(), iso: new Date(ctx.clock.now()).toISOString() },
    });
  });

  router.post('/faults', (req, res) => {
    const spec = parseFault(objectBody(req), sandbox.services);
    const id = ctx.faults.arm(spec);
    res.status(201).json({ id, ...spec });
  });
  router.get('/faults', (_req, res) => {
    res.json({ faults: ctx.faults.list() });
  });
  router.delete('/faults', (_req, res) => {
    ctx.faults.clear();
    res.json({ cleared: true });
  });

  router.post('/oauth/revoke', (req, res) => {
    const body = objectBody(req);
    const revoked = accountsOf(sandbox).adminRevoke({ refreshToken: optionalString(body, 'refreshToken'), userEmail: optionalString(body, 'userEmail') });
    res.json({ revoked });
  });

  router.post('/oauth/expire-access-tokens', (req, res) => {
    const body = objectBody(req);
    const accounts = accountsOf(sandbox);
    const email = optionalString(body, 'userEmail');
    const user = email ? accounts.userByEmail(email) : undefined;
    if (email && !user) throw new AdminError(AdminErrorCode.InvalidBody, `No sandbox user "${email}".`);
    res.json({ expired: accounts.store.expireAccessTokens({ userId: user?.id }) });
  });

  router.post('/oauth/web-clients', (req, res) => {
    const uris = objectBody(req).redirectUris;
    if (!Array.isArray(uris) || !uris.every((u) => typeof u === 'string')) {
      throw new AdminError(AdminErrorCode.InvalidBody, '"redirectUris" must be an array of absolute http(s) URLs.');
    }
    const client = accountsOf(sandbox).createWebClient(uris as string[]);
    res.status(201).json({ clientId: client.clientId, clientSecret: client.clientSecret, redirectUris: client.redirectUris });
  });

  router.post('/oauth/self-clients', (req, res) => {
    const client = accountsOf(sandbox).createSelfClient(optionalString(objectBody(req), 'userEmail'));
    // the one place a secret is returned: like Zoho's console, the caller must be able to use the client
    res.status(201).json({ clientId: client.clientId, clientSecret: client.clientSecret });
  });

  router.post('/oauth/self-clients/:clientId/codes', (req, res) => {
    const body = objectBody(req);
    const scopes = body.scopes;
    if (typeof scopes !== 'string' && !(Array.isArray(scopes) && scopes.every((s) => typeof s === 'string'))) {
      throw new AdminError(AdminErrorCode.InvalidBody, '"scopes" must be a comma-separated string or an array of scopes.');
    }
    const result = accountsOf(sandbox).generateSelfClientCode({
      clientId: String(req.params.clientId),
      scopes,
      ttlMinutes: optionalInt(body, 'ttlMinutes', 1, 10),
      userEmail: optionalString(body, 'userEmail'),
      orgId: optionalString(body, 'orgId'),
    });
    res.status(201).json(result);
  });

  router.get('/calls', (req, res) => {
    const service = serviceFilter(sandbox, req.query.service);
    const calls = ctx.calls.list({ service });
    res.json({ total: calls.length, counts: ctx.calls.counts({ service }), calls });
  });
  router.delete('/calls', (_req, res) => {
    ctx.calls.reset();
    res.json({ cleared: true });
  });

  router.get('/deliveries', (req, res) => {
    const service = serviceFilter(sandbox, req.query.service);
    res.json({ deliveries: ctx.webhooks.list({ service }) });
  });

  router.post('/clock/advance', (req, res) => {
    const body = objectBody(req);
    const ms = typeof body.minutes === 'number' && body.ms === undefined ? body.minutes * 60_000 : body.ms;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw new AdminError(AdminErrorCode.InvalidBody, 'Give "ms" (or "minutes"): a non-negative number.');
    }
    ctx.clock.advance(ms);
    res.json({ now: ctx.clock.now(), iso: new Date(ctx.clock.now()).toISOString() });
  });

  router.get('/limits', (_req, res) => {
    res.json(ctx.limits);
  });
  router.patch('/limits', (req, res) => {
    const patch = objectBody(req);
    validateLimitsPatch(ctx.limits, patch, '');
    applyLimitsPatch(ctx.limits, patch);
    res.json(ctx.limits);
  });

  router.post('/snapshot', (_req, res) => {
    const file = sandbox.options.snapshotFile;
    sandbox.saveSnapshot();
    res.json({ saved: Boolean(file), file: file ?? null });
  });

  router.get('/bins', (_req, res) => {
    res.json({ bins: binOf(sandbox).summary() });
  });
  router.get('/bins/:name', (req, res) => {
    res.json({ requests: binOf(sandbox).list(binName(req)) });
  });
  router.put('/bins/:name', (req, res) => {
    const status = optionalInt(objectBody(req), 'status', 100, 599);
    if (status === undefined) throw new AdminError(AdminErrorCode.InvalidBody, '"status" (100-599) is required.');
    const name = binName(req);
    binOf(sandbox).configure(name, { status });
    res.json({ name, status });
  });
  router.delete('/bins/:name', (req, res) => {
    binOf(sandbox).clear(binName(req));
    res.json({ cleared: true });
  });

  router.post('/console/:service/:action', async (req, res) => {
    const service = sandbox.service(serviceFilter(sandbox, req.params.service)!)!;
    const action = (service.consoleActions ?? []).find((a) => a.key === req.params.action);
    if (!action) throw new AdminError(AdminErrorCode.UnknownAction, `Service ${service.name} has no console action "${String(req.params.action)}".`);
    const body = objectBody(req);
    const source = body.values && typeof body.values === 'object' && !Array.isArray(body.values) ? (body.values as Body) : body;
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(source)) values[k] = typeof v === 'string' ? v : JSON.stringify(v);
    for (const field of action.fields) {
      if (field.required && !values[field.name]) throw new AdminError(AdminErrorCode.InvalidBody, `"${field.label}" (${field.name}) is required.`);
    }
    let result: unknown;
    try {
      result = await action.run(ctx, values);
    } catch (error) {
      throw new AdminError(AdminErrorCode.ActionFailed, `${action.title} failed: ${(error as Error).message}`);
    }
    res.json({ ok: true, result: result ?? null });
  });

  router.use((req, _res, next) => next(new AdminError(AdminErrorCode.NotFound, `No admin route ${req.method} /_admin${req.path}. GET /_admin lists them.`)));

  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof AdminError) {
      res.status(error.status).json({ error: error.code, message: error.message });
      return;
    }
    if (error instanceof AccountsInputError) {
      res.status(400).json({ error: AdminErrorCode.InvalidBody, message: error.message });
      return;
    }
    const e = error as { type?: string; message?: string; status?: number };
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({ error: AdminErrorCode.InvalidBody, message: `The body is not valid JSON: ${e.message ?? ''}` });
      return;
    }
    res.status(500).json({ error: 'internal', message: e.message ?? 'unexpected error' });
  });

  app.use('/_admin', router);
}
