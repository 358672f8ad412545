/**
 * Test helper: a running sandbox plus a Books access token obtained through the real OAuth flow, and a tiny client
 * that sends Books calls the way a connector would (Zoho-oauthtoken header, organization_id query, JSON body).
 */
import type { DeepPartial, SandboxLimits } from '../../core/sandbox.config.js';
import { type RunningSandbox, startSandbox } from '../../core/sandbox.server.js';
import type { SeedRequest } from '../../core/sandbox.service.js';
import { wellKnown } from '../../core/sandbox.tenants.js';
import { obtainZohoTokens } from '../../test-support/oauth.js';
import type { BooksService } from '../books.service.js';

/** JSON bodies in tests are read loosely (deep property access on API answers). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export interface BooksResponse<T = Loose> {
  status: number;
  body: T;
  headers: Headers;
}

export interface BooksCallOptions {
  query?: Record<string, string | number | boolean>;
  body?: unknown;
  headers?: Record<string, string>;
  token?: string;
  /** default the harness organisation; null sends no organization_id */
  orgId?: string | null;
  dc?: 'com' | 'eu';
}

export interface BooksHarness {
  running: RunningSandbox;
  url: string;
  token: string;
  orgId: string;
  service: BooksService;
  call<T = Loose>(method: string, path: string, options?: BooksCallOptions): Promise<BooksResponse<T>>;
  /** a new token for the demo user with other scopes (real OAuth flow) */
  tokenFor(scopes: string[], dc?: 'com' | 'eu'): Promise<string>;
  close(): Promise<void>;
}

export const FULL_ACCESS = ['ZohoBooks.fullaccess.all'];

export async function startBooksHarness(options: {
  seed?: string | SeedRequest;
  scopes?: string[];
  limits?: DeepPartial<SandboxLimits>;
} = {}): Promise<BooksHarness> {
  const running = await startSandbox({ port: 0, seed: options.seed ?? 'demo', limits: options.limits });
  const tokenFor = async (scopes: string[], dc: 'com' | 'eu' = 'com') =>
    (await obtainZohoTokens(running.url, { scopes, dc })).accessToken;
  const token = await tokenFor(options.scopes ?? FULL_ACCESS);
  const harness: BooksHarness = {
    running,
    url: running.url,
    token,
    orgId: wellKnown.booksOrgs.acmeUs,
    service: running.sandbox.service('books') as BooksService,
    tokenFor,
    async call(method, path, opts = {}) {
      const prefix = opts.dc === 'eu' ? '/dc/eu' : '';
      const url = new URL(`${running.url}${prefix}/books/v3${path}`);
      const orgId = opts.orgId === undefined ? harness.orgId : opts.orgId;
      if (orgId !== null) url.searchParams.set('organization_id', orgId);
      for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, String(v));
      const headers: Record<string, string> = { Authorization: `Zoho-oauthtoken ${opts.token ?? harness.token}`, ...opts.headers };
      let body: string | undefined;
      if (opts.body !== undefined) {
        body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
        if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
      }
      const response = await fetch(url, { method, headers, body });
      const text = await response.text();
      let parsed: Loose;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = { raw: text };
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
    close: () => running.close(),
  };
  return harness;
}
