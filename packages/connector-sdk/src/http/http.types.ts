// The HTTP client every action and trigger receives as `ctx.http`.

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

export type QueryValue = string | number | boolean | null | undefined | Array<string | number | boolean>;

export interface HttpRequest {
  method?: HttpMethod;
  /** Relative to the connection's API base URL (`/contacts`). Exactly one of `path` / `url`. */
  path?: string;
  /** Absolute URL. Different origin than the API → no credentials, SSRF-checked. */
  url?: string;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  /** JSON body (serialised, `content-type: application/json`). */
  body?: unknown;
  /** `application/x-www-form-urlencoded` body. */
  form?: Record<string, string | number | boolean>;
  /** Raw body with the caller's content-type header. */
  rawBody?: string | Buffer;
  /**
   * Statuses treated as success. Default: any 2xx. `'any'` returns every response without throwing
   * (the core HTTP request action). 401-refresh and 429/5xx retries still apply unless `'any'`.
   */
  expect?: number[] | 'any';
  /** Attach the connection's credentials (default true when the client has credentials). */
  auth?: boolean;
  /** Mark a POST/PATCH as safe to repeat (e.g. an upsert by external id). GET/HEAD/PUT/DELETE/OPTIONS are. */
  retrySafe?: boolean;
  /** Per-request timeout; default from the connector (30 s). */
  timeoutMs?: number;
  /** How to decode the body. Default 'auto': JSON when it looks like JSON, else text. */
  responseType?: 'auto' | 'json' | 'text' | 'buffer';
  /** Follow up to N redirects (default 0). Credentials are dropped when the origin changes. */
  followRedirects?: number;
  /** Caller-set headers dropped when a redirect changes origin (default authorization, proxy-authorization, cookie). */
  sensitiveHeaders?: string[];
  /** Refuse bodies larger than this (default 10 MiB). */
  maxResponseBytes?: number;
}

export interface HttpResponse<T = unknown> {
  status: number;
  /** Lower-cased header names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  body: T;
  /** Final URL (after redirects). */
  url: string;
}

export interface PageResult<T, C> {
  items: T[];
  /** Cursor of the next page; null/undefined when this was the last page. */
  next?: C | null;
}

export interface HttpClient {
  request<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>>;
  get<T = unknown>(path: string, query?: Record<string, QueryValue>, options?: Partial<HttpRequest>): Promise<HttpResponse<T>>;
  post<T = unknown>(path: string, body?: unknown, options?: Partial<HttpRequest>): Promise<HttpResponse<T>>;
  put<T = unknown>(path: string, body?: unknown, options?: Partial<HttpRequest>): Promise<HttpResponse<T>>;
  patch<T = unknown>(path: string, body?: unknown, options?: Partial<HttpRequest>): Promise<HttpResponse<T>>;
  delete<T = unknown>(path: string, query?: Record<string, QueryValue>, options?: Partial<HttpRequest>): Promise<HttpResponse<T>>;
}

/** Implemented by the runtime per connection. The connector never sees refresh tokens. */
export interface CredentialProvider {
  /** A currently valid access token (or the API token). */
  getAccessToken(): Promise<string>;
  /**
   * Called once after the API answered "expired" for `staleToken`. Must return a fresh token (single-flight:
   * concurrent callers with the same stale token share one refresh). Absent for API-token auth.
   * Throw ConnectorError AUTH (needsReconnect) when the refresh token is revoked.
   */
  refreshAccessToken?(staleToken: string): Promise<string>;
}
