import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export type Answer = { status?: number; body?: unknown };

/**
 * A real HTTP server on loopback for the API modules' tests: `routes` answers by "METHOD /path?query" (exact)
 * or "METHOD /path" (any query); every request is recorded.
 */
export async function startApiServer(routes: Record<string, Answer | ((request: RecordedRequest) => Answer)>): Promise<{
  baseUrl: string;
  received: RecordedRequest[];
  close(): Promise<void>;
}> {
  const received: RecordedRequest[] = [];
  const server: Server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => (raw += chunk));
    request.on('end', () => {
      const recorded: RecordedRequest = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: raw ? JSON.parse(raw) : undefined };
      received.push(recorded);
      const route = routes[`${recorded.method} ${recorded.url}`] ?? routes[`${recorded.method} ${recorded.url.split('?')[0]}`];
      const answer = typeof route === 'function' ? route(recorded) : (route ?? { status: 404, body: { error: { code: 'NOT_FOUND', message: `no route ${recorded.method} ${recorded.url}` } } });
      response.statusCode = answer.status ?? 200;
      if (answer.body === undefined) return void response.end();
      response.setHeader('Content-Type', 'application/json');
      response.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
