// One HTTP exchange over node:http/https (no retries, no auth): timeouts, abort, response size cap, and
// sockets whose DNS answers pass the SSRF policy. Redirects are not followed here.
import http from 'node:http';
import https from 'node:https';
import { ConnectorError } from '../connector.errors.js';
import { abortError } from './clock.js';
import { guardedLookup, type SsrfOptions } from './ssrf.guard.js';

// Keep-alive agents per SSRF policy: a pooled socket skips DNS, so sockets are only shared between clients
// with the same policy, and every socket of a pool was opened through that policy's guarded lookup.
const agents = new Map<string, http.Agent>();

function agentFor(protocol: string, policy: SsrfOptions): http.Agent {
  const key = JSON.stringify([
    protocol,
    policy.allowPrivate === true,
    [...(policy.allowHosts ?? [])].map((h) => h.toLowerCase()).sort(),
  ]);
  let agent = agents.get(key);
  if (!agent) {
    const options = { keepAlive: true, maxSockets: 50, lookup: guardedLookup(policy) };
    agent = protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
    agents.set(key, agent);
  }
  return agent;
}

export interface RawRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: Buffer;
  signal?: AbortSignal;
  timeoutMs: number;
  maxResponseBytes: number;
  ssrf: SsrfOptions;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Thrown for failures before a response arrived (connection refused, reset, DNS). */
export class NetworkFailure extends Error {
  override readonly name = 'NetworkFailure';
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export function sendRaw(request: RawRequest): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => {
    if (request.signal?.aborted) {
      reject(abortError(request.signal));
      return;
    }
    const transport = request.url.protocol === 'https:' ? https : http;
    let settled = false;
    const finish = (error: unknown, response?: RawResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(response!);
    };
    const headers: Record<string, string> = { ...request.headers };
    if (request.body) headers['content-length'] = String(request.body.length);
    const req = transport.request(
      request.url,
      {
        method: request.method,
        headers,
        // A custom resolver (tests) has no socket-level equivalent: those requests get a fresh socket.
        ...(request.ssrf.resolve ? { agent: false, lookup: guardedLookup(request.ssrf) } : { agent: agentFor(request.url.protocol, request.ssrf) }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > request.maxResponseBytes) {
            res.destroy();
            finish(
              new ConnectorError(
                'VENDOR',
                `The response from ${request.url.host} is larger than ${request.maxResponseBytes} bytes.`,
                { retryable: false },
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          finish(undefined, {
            status: res.statusCode ?? 0,
            headers: flattenHeaders(res.headers),
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', (error) => finish(new NetworkFailure(error.message, { cause: error })));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish(
        new ConnectorError('TIMEOUT', `${request.method} ${request.url.host} took longer than ${request.timeoutMs} ms.`),
      );
    }, request.timeoutMs);
    const onAbort = (): void => {
      req.destroy();
      finish(abortError(request.signal));
    };
    request.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error) => {
      if (error instanceof ConnectorError) finish(error);
      else finish(new NetworkFailure(error.message, { cause: error }));
    });
    if (request.body) req.end(request.body);
    else req.end();
  });
}
