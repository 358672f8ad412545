import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, ApiError } from './client';

/** A real HTTP server on loopback that answers like the runtime's sign-in and records what it received. */
describe('ApiClient', () => {
  let server: Server;
  let baseUrl: string;
  const received: { method?: string; url?: string; headers: IncomingMessage['headers']; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ method: request.method, url: request.url, headers: request.headers, body });
        response.setHeader('Content-Type', 'application/json');
        if (request.url === '/api/v1/auth/login') {
          const { password } = JSON.parse(body) as { password: string };
          if (password !== 'right') {
            response.statusCode = 401;
            response.end(JSON.stringify({ error: { code: 'INVALID_CREDENTIALS', message: 'Wrong email or password.' } }));
            return;
          }
          response.end(JSON.stringify({ user: { id: 'u1', email: 'a@example.com' }, workspaces: [], csrfToken: 'csrf-1' }));
          return;
        }
        if (request.url === '/api/v1/auth/logout') {
          response.statusCode = 204;
          response.end();
          return;
        }
        response.statusCode = 400;
        response.end(JSON.stringify({ error: { code: 'VALIDATION_FAILED', message: '/email is required.', pointer: '/email' } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('turns error responses into ApiError with code, message and pointer', async () => {
    const client = new ApiClient(baseUrl);
    const failure = await client.signIn('a@example.com', 'wrong').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS', message: 'Wrong email or password.' });
    const invalid = await client.request('POST', '/api/v1/setup', {}).catch((error: unknown) => error);
    expect(invalid).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', pointer: '/email' });
  });

  it('sends the CSRF token learnt at sign-in on state-changing requests only', async () => {
    const client = new ApiClient(baseUrl);
    await client.signIn('a@example.com', 'right');
    expect(received.at(-1)?.headers['x-csrf-token']).toBeUndefined();
    await client.signOut();
    const logout = received.at(-1);
    expect(logout?.url).toBe('/api/v1/auth/logout');
    expect(logout?.headers['x-csrf-token']).toBe('csrf-1');
  });
});
