/**
 * Zoho OAuth scopes: grammar `Service.scope[.subscope].OPERATION` (apis.md A8), e.g. `ZohoBooks.fullaccess.all`,
 * `ZohoBooks.invoices.READ`, `ZohoCRM.modules.ALL`, `ZohoCRM.modules.accounts.READ`, `ZohoCRM.settings.fields.READ`.
 */

export type ZohoScopeService = 'ZohoBooks' | 'ZohoCRM';
export type ScopeOperation = 'ALL' | 'READ' | 'CREATE' | 'UPDATE' | 'DELETE' | 'WRITE';

const operations = new Set<string>(['ALL', 'READ', 'CREATE', 'UPDATE', 'DELETE', 'WRITE']);

/** Top-level scope names each service accepts (apis.md A8); anything else is refused like Zoho's "Invalid OAuth Scope". */
const knownScopeNames: Record<string, Set<string>> = {
  zohobooks: new Set([
    'fullaccess', 'contacts', 'invoices', 'bills', 'customerpayments', 'vendorpayments', 'creditnotes', 'debitnotes',
    'estimates', 'salesorders', 'purchaseorders', 'expenses', 'projects', 'banking', 'accountants', 'settings',
    'custommodules', 'fixedasset', 'items', 'retainerinvoices', 'recurringinvoices', 'reports', 'users',
  ]),
  zohocrm: new Set([
    'modules', 'settings', 'users', 'org', 'coql', 'notifications', 'bulk', 'files', 'functions', 'mass_convert',
    'mass_update', 'territory', 'change_owner', 'templates', 'share',
  ]),
  aaaserver: new Set(['profile']),
};

export interface ParsedScope {
  /** as written */
  raw: string;
  service: string;
  /** lower-cased dotted path between service and operation, e.g. ["modules", "accounts"] */
  path: string[];
  operation: ScopeOperation;
}

/** Parses one scope; returns undefined when it does not follow Zoho's grammar or names an unknown scope. */
export function parseScope(raw: string): ParsedScope | undefined {
  const parts = raw.trim().split('.');
  if (parts.length < 3 || parts.some((p) => !/^[A-Za-z0-9_]+$/.test(p))) return undefined;
  const service = parts[0]!;
  const operation = parts[parts.length - 1]!.toUpperCase();
  const path = parts.slice(1, -1).map((p) => p.toLowerCase());
  const known = knownScopeNames[service.toLowerCase()];
  if (!known || !known.has(path[0]!) || !operations.has(operation)) return undefined;
  if (path[0] === 'fullaccess' && (path.length !== 1 || operation !== 'ALL')) return undefined;
  return { raw: raw.trim(), service, path, operation: operation as ScopeOperation };
}

/**
 * Splits a `scope` parameter (comma-separated per Zoho; spaces tolerated) and validates each scope.
 * Returns the scopes or the first invalid one.
 */
export function parseScopeList(param: string | undefined): { ok: true; scopes: string[] } | { ok: false; invalid: string } {
  const items = (param ?? '').split(/[,\s]+/).filter(Boolean);
  if (items.length === 0) return { ok: false, invalid: '' };
  const scopes: string[] = [];
  for (const item of items) {
    const parsed = parseScope(item);
    if (!parsed) return { ok: false, invalid: item };
    if (!scopes.includes(parsed.raw)) scopes.push(parsed.raw);
  }
  return { ok: true, scopes };
}

/** Does a granted operation cover the required one? ALL covers all; WRITE covers CREATE and UPDATE. */
function operationCovers(granted: ScopeOperation, required: ScopeOperation): boolean {
  if (granted === 'ALL') return true;
  if (granted === required) return true;
  return granted === 'WRITE' && (required === 'CREATE' || required === 'UPDATE');
}

/**
 * Whether the granted scopes allow an operation. `module` is the dotted scope path the endpoint needs, e.g.
 * Books `contacts`, `invoices`, `settings`, `accountants`; CRM `modules.accounts`, `settings.fields`, `users`, `coql`,
 * `notifications`. A granted scope covers it when its path is a prefix of the required path (so `ZohoCRM.modules.ALL`
 * covers `modules.accounts`) and its operation covers the required one; `ZohoBooks.fullaccess.all` covers all of Books.
 * Case-insensitive, like Zoho.
 */
export function hasScope(
  granted: readonly string[],
  required: { service: ZohoScopeService; module: string; operation: ScopeOperation },
): boolean {
  const requiredPath = required.module.toLowerCase().split('.').filter(Boolean);
  const requiredOp = required.operation.toUpperCase() as ScopeOperation;
  for (const raw of granted) {
    const scope = parseScope(raw);
    if (!scope || scope.service.toLowerCase() !== required.service.toLowerCase()) continue;
    if (scope.service.toLowerCase() === 'zohobooks' && scope.path[0] === 'fullaccess') return true;
    const isPrefix = scope.path.length <= requiredPath.length && scope.path.every((p, i) => p === requiredPath[i]);
    if (isPrefix && operationCovers(scope.operation, requiredOp)) return true;
  }
  return false;
}
