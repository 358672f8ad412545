import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { hasScope, type ScopeOperation } from '../accounts/accounts.scopes.js';
import type { SandboxContext } from '../core/sandbox.service.js';
import type { BooksOrganization, DataCentre } from '../core/sandbox.tenants.js';
import { BooksError, BooksErrorCode } from './books.errors.js';
import type { BooksStore, OrgBooks } from './books.store.js';
import { booksDate, formatBooksTime, isBooksDate, parseBooksTime } from './books.time.js';

/** What the auth middleware leaves in `res.locals` for the routes. */
export interface BooksLocals {
  booksUserId?: string;
  booksScopes?: string[];
  booksOrg?: BooksOrganization;
  booksBody?: Record<string, unknown>;
}

const locals = (res: Response) => res.locals as BooksLocals;

/** Routes that work without `organization_id` (the caller is finding out which organisations it has). */
const ORGLESS_PATH = /^\/organizations(?:\/[^/]+)?\/?$/;

/**
 * `Authorization: Zoho-oauthtoken …` (apis.md A7; `Bearer` is refused) checked by the accounts service for this
 * data centre, then `organization_id` (required on every call except the organisations list, apis.md B1): the
 * organisation must live in this data centre and the token's user must belong to it. Failures are 401 code 57
 * (Zoho answers invalid/expired tokens, missing scopes and foreign organisations alike).
 */
export function authenticate(ctx: SandboxContext, dc: DataCentre) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = (req.get('authorization') ?? '').trim();
    const match = /^Zoho-oauthtoken\s+(\S+)$/i.exec(header);
    if (!match) throw BooksError.notAuthorized();
    const check = ctx.auth.verifyAccessToken(match[1]!, dc.key);
    if (!check.ok) throw BooksError.notAuthorized();
    locals(res).booksUserId = check.userId;
    locals(res).booksScopes = check.scopes;

    const raw = req.query.organization_id;
    const organizationId = typeof raw === 'string' ? raw.trim() : undefined;
    if (!organizationId) {
      if (req.method === 'GET' && ORGLESS_PATH.test(req.path)) return next();
      throw new BooksError(
        BooksErrorCode.RequiredMissing,
        'organization_id is required. Pass the query parameter organization_id (see GET /organizations).',
      );
    }
    const org = ctx.tenants.booksOrgs.get(organizationId);
    if (!org || org.dc !== dc.key || !org.userIds.includes(check.userId)) throw BooksError.notAuthorized();
    locals(res).booksOrg = org;
    next();
  };
}

/**
 * Request bodies: JSON (`Content-Type: application/json` or none), or the legacy form field `JSONString`
 * (x-www-form-urlencoded, multipart, or the query string). A form body without JSONString or broken JSON gets
 * 1038 "JSON is not well formed" (apis.md B1). Runs after the rate limiter so a slow upload holds its slot.
 */
export function parseBody() {
  const readText = express.text({ type: () => true, limit: '5mb' });
  return [
    readText,
    (req: Request, res: Response, next: NextFunction): void => {
      const text = typeof req.body === 'string' ? req.body : '';
      const type = (req.get('content-type') ?? '').toLowerCase();
      const notWellFormed = () => new BooksError(BooksErrorCode.JsonNotWellFormed, 'JSON is not well formed');
      const parseJson = (source: string): Record<string, unknown> => {
        let value: unknown;
        try {
          value = JSON.parse(source);
        } catch {
          throw notWellFormed();
        }
        if (!value || typeof value !== 'object' || Array.isArray(value)) throw notWellFormed();
        return value as Record<string, unknown>;
      };
      let body: Record<string, unknown> = {};
      if (type.startsWith('application/x-www-form-urlencoded')) {
        const form = new URLSearchParams(text);
        const json = form.get('JSONString');
        if (json !== null) body = parseJson(json);
        else if (text.trim() !== '') throw notWellFormed();
      } else if (type.startsWith('multipart/form-data')) {
        const part = /name="JSONString"\r?\n(?:[^\r\n]+\r?\n)*\r?\n([\s\S]*?)\r?\n--/.exec(text);
        if (!part) throw notWellFormed();
        body = parseJson(part[1]!);
      } else if (text.trim() !== '') {
        body = parseJson(text);
      } else if (typeof req.query.JSONString === 'string') {
        body = parseJson(req.query.JSONString);
      }
      locals(res).booksBody = body;
      next();
    },
  ];
}

/** Formats for one organisation at the time of the call. */
export interface BooksFormat {
  offset: string;
  time(ms: number): string;
  /** the organisation's date today (drives "overdue") */
  today: string;
}

export function booksFormat(org: BooksOrganization, now: number): BooksFormat {
  return { offset: org.utcOffset, time: (ms) => formatBooksTime(ms, org.utcOffset), today: booksDate(now, org.utcOffset) };
}

export interface BooksCall {
  req: Request;
  res: Response;
  org: BooksOrganization;
  books: OrgBooks;
  body: Record<string, unknown>;
  now: number;
  fmt: BooksFormat;
  userId: string;
  query(name: string): string | undefined;
  param(name: string): string;
}

export interface BooksReply {
  status?: number;
  message?: string;
  data?: Record<string, unknown>;
}

export type BooksHandler = (call: BooksCall) => BooksReply;

type Method = 'get' | 'post' | 'put' | 'delete';
const operationOf: Record<Method, ScopeOperation> = { get: 'READ', post: 'CREATE', put: 'UPDATE', delete: 'DELETE' };

/** Registers Books resources on a router: scope check per method, envelope, 405 for other methods. */
export type BooksEntity = 'contact' | 'invoice' | 'bill' | 'customerpayment' | 'item';
export type BooksRecordEvent = 'created' | 'updated' | 'deleted';
/** Tells the webhook engine a record changed; `record` is its full API shape at that moment. */
export type BooksEmit = (call: BooksCall, entity: BooksEntity, event: BooksRecordEvent, record: Record<string, unknown>) => void;

export class BooksRouteKit {
  constructor(
    readonly router: Router,
    readonly ctx: SandboxContext,
    readonly store: BooksStore,
    readonly emit: BooksEmit,
    readonly dc: DataCentre,
  ) {}

  resource(
    path: string,
    module: string,
    handlers: Partial<Record<Method, BooksHandler>>,
    options: { orgless?: boolean; scopes?: Partial<Record<Method, ScopeOperation>> } = {},
  ): void {
    const route = this.router.route(path);
    for (const method of Object.keys(handlers) as Method[]) {
      const handler = handlers[method]!;
      route[method]((req: Request, res: Response) => {
        const l = locals(res);
        const operation = options.scopes?.[method] ?? operationOf[method];
        if (!hasScope(l.booksScopes ?? [], { service: 'ZohoBooks', module, operation })) throw BooksError.notAuthorized();
        const org = l.booksOrg;
        if (!org && !options.orgless) throw BooksError.required('organization_id');
        const now = this.ctx.clock.now();
        const call: BooksCall = {
          req,
          res,
          org: org as BooksOrganization,
          books: org ? this.store.org(org.organization_id) : (undefined as unknown as OrgBooks),
          body: l.booksBody ?? {},
          now,
          fmt: org ? booksFormat(org, now) : booksFormat({ utcOffset: '+0000' } as BooksOrganization, now),
          userId: l.booksUserId ?? '',
          query: (name) => {
            const v = req.query[name];
            return typeof v === 'string' ? v : undefined;
          },
          param: (name) => String(req.params[name] ?? ''),
        };
        const reply = handler(call);
        res.status(reply.status ?? 200).json({ code: 0, message: reply.message ?? 'success', ...reply.data });
      });
    }
    route.all((req: Request) => {
      throw new BooksError(
        BooksErrorCode.MethodNotAllowed,
        `The HTTP method ${req.method} is not allowed for the requested resource`,
      );
    });
  }
}

/** Unknown URL under /books/v3, and the error envelope for everything thrown by the Books routes. */
export function notFoundRoute() {
  return (): void => {
    throw new BooksError(BooksErrorCode.InvalidUrl, 'Invalid URL Passed');
  };
}

export function errorEnvelope() {
  return (error: unknown, _req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(error);
    if (error instanceof BooksError) {
      res.status(error.httpStatus).json(error.toBody());
      return;
    }
    const e = error as { type?: string; status?: number };
    if (e.type === 'entity.too.large') {
      res.status(400).json({ code: BooksErrorCode.InvalidValue, message: 'The request body is too large (limit 5 MB).' });
      return;
    }
    res.status(500).json({ code: BooksErrorCode.InternalError, message: 'Internal error' });
  };
}

// ---------- list helpers (apis.md B3) ----------

export interface PageContext {
  page: number;
  per_page: number;
  has_more_page: boolean;
  report_name: string;
  applied_filter: string;
  sort_column: string;
  sort_order: 'A' | 'D';
  search_criteria: Array<{ column_name: string; search_text: string; comparator: string }>;
}

/**
 * `page` (default 1) and `per_page` (default and maximum 200 — larger values are clamped to the maximum, the
 * documented cap; non-numbers are refused with code 4).
 */
export function paginate<T>(
  call: BooksCall,
  rows: T[],
  maxPerPage: number,
  info: { report_name: string; applied_filter?: string; sort_column: string; sort_order: 'A' | 'D'; search_criteria?: PageContext['search_criteria'] },
): { rows: T[]; page_context: PageContext } {
  const pageRaw = call.query('page');
  const perPageRaw = call.query('per_page');
  const page = pageRaw === undefined ? 1 : Number(pageRaw);
  if (!Number.isInteger(page) || page < 1) throw BooksError.invalid('page');
  let perPage = perPageRaw === undefined ? maxPerPage : Number(perPageRaw);
  if (!Number.isInteger(perPage) || perPage < 1) throw BooksError.invalid('per_page');
  perPage = Math.min(perPage, maxPerPage);
  const start = (page - 1) * perPage;
  return {
    rows: rows.slice(start, start + perPage),
    page_context: {
      page,
      per_page: perPage,
      has_more_page: rows.length > start + perPage,
      report_name: info.report_name,
      applied_filter: info.applied_filter ?? 'Status.All',
      sort_column: info.sort_column,
      sort_order: info.sort_order,
      search_criteria: info.search_criteria ?? [],
    },
  };
}

/** `sort_column` (whitelisted) and `sort_order` A|D; ties keep creation order. */
export function sortRows<T>(
  call: BooksCall,
  rows: T[],
  columns: Record<string, (row: T) => string | number>,
  defaults: { column: string; order: 'A' | 'D' },
): { rows: T[]; sort_column: string; sort_order: 'A' | 'D' } {
  const column = call.query('sort_column') ?? defaults.column;
  const getter = columns[column];
  if (!getter) throw BooksError.invalid('sort_column', `allowed: ${Object.keys(columns).join(', ')}`);
  const orderRaw = call.query('sort_order') ?? defaults.order;
  if (orderRaw !== 'A' && orderRaw !== 'D') throw BooksError.invalid('sort_order', 'A or D');
  const dir = orderRaw === 'A' ? 1 : -1;
  const indexed = rows.map((row, i) => ({ row, i, key: getter(row) }));
  indexed.sort((a, b) => {
    const ka = typeof a.key === 'string' ? a.key.toLowerCase() : a.key;
    const kb = typeof b.key === 'string' ? b.key.toLowerCase() : b.key;
    if (ka < kb) return -dir;
    if (ka > kb) return dir;
    return a.i - b.i;
  });
  return { rows: indexed.map((x) => x.row), sort_column: column, sort_order: orderRaw };
}

/** `<field>`, `<field>_startswith`, `<field>_contains` (unless `exactOnly`): case-insensitive. */
export function textFilter<T>(
  call: BooksCall,
  rows: T[],
  field: string,
  value: (row: T) => string | string[],
  exactOnly = false,
): T[] {
  const exact = call.query(field);
  const starts = exactOnly ? undefined : call.query(`${field}_startswith`);
  const contains = exactOnly ? undefined : call.query(`${field}_contains`);
  if (exact === undefined && starts === undefined && contains === undefined) return rows;
  return rows.filter((row) => {
    const raw = value(row);
    const values = (Array.isArray(raw) ? raw : [raw]).map((v) => v.toLowerCase());
    return values.some(
      (v) =>
        (exact === undefined || v === exact.toLowerCase()) &&
        (starts === undefined || v.startsWith(starts.toLowerCase())) &&
        (contains === undefined || v.includes(contains.toLowerCase())),
    );
  });
}

/** `<field>`, `<field>_start`, `<field>_end`, `<field>_before`, `<field>_after` with yyyy-mm-dd values. */
export function dateFilter<T>(call: BooksCall, rows: T[], field: string, value: (row: T) => string): T[] {
  const read = (suffix: string) => {
    const v = call.query(`${field}${suffix}`);
    if (v !== undefined && !isBooksDate(v)) throw BooksError.invalid(`${field}${suffix}`, 'expected yyyy-mm-dd');
    return v;
  };
  const exact = read('');
  const start = read('_start');
  const end = read('_end');
  const before = read('_before');
  const after = read('_after');
  return rows.filter((row) => {
    const v = value(row);
    return (
      (exact === undefined || v === exact) &&
      (start === undefined || v >= start) &&
      (end === undefined || v <= end) &&
      (before === undefined || v < before) &&
      (after === undefined || v > after)
    );
  });
}

/** `last_modified_time=YYYY-MM-DDTHH:MM:SS±HHMM`: records modified at or after it (second precision). */
export function lastModifiedFilter<T extends { modified_ms: number }>(call: BooksCall, rows: T[]): T[] {
  const raw = call.query('last_modified_time');
  if (raw === undefined) return rows;
  const since = parseBooksTime(raw);
  if (since === undefined) throw BooksError.invalid('last_modified_time', 'expected YYYY-MM-DDTHH:MM:SS+HHMM');
  return rows.filter((r) => Math.floor(r.modified_ms / 1000) * 1000 >= since);
}

/** `<field>=<number>`: rows whose amount equals it. */
export function amountFilter<T>(call: BooksCall, rows: T[], field: string, value: (row: T) => number): T[] {
  const raw = call.query(field);
  if (raw === undefined) return rows;
  const wanted = Number(raw);
  if (!Number.isFinite(wanted)) throw BooksError.invalid(field);
  return rows.filter((r) => Math.abs(value(r) - wanted) < 0.005);
}

/** Narrow a list to rows whose `key` equals the query parameter, when given. */
export function equalsFilter<T>(call: BooksCall, rows: T[], param: string, value: (row: T) => string): T[] {
  const wanted = call.query(param);
  return wanted === undefined ? rows : rows.filter((r) => value(r) === wanted);
}
