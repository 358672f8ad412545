// A tiny scriptable API on 127.0.0.1 for the SDK's tests and the `echo` test connector.
// Default routes: POST /echo (echoes the JSON body), GET /items (cursor pages), GET /items/:id,
// GET /colors?palette=. Scripted responses (per "METHOD /path") are served first, in order.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  at: number;
}

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Hold the response this long (concurrency tests). */
  delayMs?: number;
  /** Destroy the socket instead of answering (network error). */
  destroy?: boolean;
}

export interface EchoServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Queue responses for `METHOD /path` (path without query). */
  script(route: string, ...responses: ScriptedResponse[]): void;
  /** Items served by GET /items (ids item-1..item-n). */
  setItemCount(count: number): void;
  /** Bearer token the server accepts (any other → 401); undefined = accept all. */
  setValidToken(token: string | undefined): void;
  /** Highest number of requests in flight at once. */
  maxInFlight(): number;
  close(): Promise<void>;
}

export async function startEchoServer(): Promise<EchoServer> {
  const requests: RecordedRequest[] = [];
  const scripts = new Map<string, ScriptedResponse[]>();
  let itemCount = 5;
  let validToken: string | undefined;
  let inFlight = 0;
  let peak = 0;

  const server = http.createServer((req, res) => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    res.on('close', () => {
      inFlight -= 1;
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const body = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
        at: Date.now(),
      };
      requests.push(recorded);
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
        const text = payload === undefined ? '' : typeof payload === 'string' ? payload : JSON.stringify(payload);
        res.writeHead(status, {
          ...(payload !== undefined && typeof payload !== 'string' ? { 'content-type': 'application/json' } : {}),
          ...headers,
        });
        res.end(text);
      };
      const scripted = scripts.get(`${recorded.method} ${recorded.path}`)?.shift();
      if (scripted) {
        setTimeout(() => {
          if (scripted.destroy) {
            req.socket.destroy();
            return;
          }
          send(scripted.status, scripted.body, scripted.headers);
        }, scripted.delayMs ?? 0);
        return;
      }
      if (validToken !== undefined && req.headers.authorization !== `Bearer ${validToken}`) {
        send(401, { message: 'invalid token' });
        return;
      }
      if (recorded.method === 'POST' && recorded.path === '/echo') {
        send(200, { received: body ? JSON.parse(body) : null, contentType: req.headers['content-type'] ?? null });
        return;
      }
      if (recorded.method === 'GET' && recorded.path === '/items') {
        const pageSize = Number(url.searchParams.get('page_size') ?? '2');
        const start = Number(url.searchParams.get('cursor') ?? '0');
        const items = [];
        for (let i = start; i < Math.min(itemCount, start + pageSize); i += 1) {
          items.push({ id: `item-${i + 1}`, name: `Item ${i + 1}`, modified_at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString() });
        }
        const next = start + pageSize < itemCount ? String(start + pageSize) : null;
        send(200, { data: items, next_cursor: next });
        return;
      }
      const itemMatch = /^\/items\/([^/]+)$/.exec(recorded.path);
      if (recorded.method === 'GET' && itemMatch) {
        const n = Number(itemMatch[1]!.replace('item-', ''));
        if (Number.isInteger(n) && n >= 1 && n <= itemCount) send(200, { id: itemMatch[1], name: `Item ${n}` });
        else send(404, { code: 'NOT_FOUND', message: `Item ${itemMatch[1]} does not exist.` });
        return;
      }
      if (recorded.method === 'GET' && recorded.path === '/colors') {
        const palette = url.searchParams.get('palette') ?? 'warm';
        const colors = palette === 'cool' ? ['blue', 'green'] : ['red', 'orange', 'yellow'];
        send(200, { data: colors.map((c) => ({ id: c, name: c.toUpperCase() })) });
        return;
      }
      send(404, { code: 'NO_ROUTE', message: `No route ${recorded.method} ${recorded.path}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    script(route, ...responses) {
      scripts.set(route, [...(scripts.get(route) ?? []), ...responses]);
    },
    setItemCount(count) {
      itemCount = count;
    },
    setValidToken(token) {
      validToken = token;
    },
    maxInFlight: () => peak,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
