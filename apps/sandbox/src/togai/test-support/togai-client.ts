import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SandboxClock } from '../../core/sandbox.clock.js';
import type { DeepPartial, SandboxLimits } from '../../core/sandbox.config.js';
import { type RunningSandbox, startSandbox } from '../../core/sandbox.server.js';
import type { SeedRequest } from '../../core/sandbox.service.js';
import { wellKnown } from '../../core/sandbox.tenants.js';

export const TOKEN = wellKnown.togai.apiToken;

/** Quotas high enough that functional tests never meet them (the rate-limit test uses the defaults). */
export const relaxedLimits: DeepPartial<SandboxLimits> = { togai: { requestsPerSecond: 100_000, ingestRequestsPerSecond: 100_000 } };

/** Parsed JSON of a response; tests assert on its shape, so it is deliberately untyped. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonBody = any;

export interface TogaiHarness {
  running: RunningSandbox;
  clock: SandboxClock;
  base: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: JsonBody; headers: Headers }>;
}

/** A sandbox clock that stands still unless advanced, so quota tests do not depend on machine speed. */
export class FrozenClock extends SandboxClock {
  private readonly base = Date.now();

  override now(): number {
    return this.base + (super.now() - Date.now());
  }
}

export async function startTogai(
  options: { seed?: string | SeedRequest; limits?: DeepPartial<SandboxLimits>; clock?: SandboxClock } = {},
): Promise<TogaiHarness> {
  const clock = options.clock ?? new SandboxClock();
  const running = await startSandbox({ port: 0, seed: options.seed ?? 'empty', clock, limits: options.limits ?? relaxedLimits });
  const base = `${running.url}/togai`;
  return {
    running,
    clock,
    base,
    async call(method, path, body, headers = { authorization: `Bearer ${TOKEN}` }) {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
    },
  };
}

export const customerBody = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: `Customer ${id}`,
  primaryEmail: `${id}@example.com`,
  address: { line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' },
  account: { id: `${id}-acct`, name: `Account ${id}`, invoiceCurrency: 'EUR' },
  ...extra,
});

export interface ReceivedRequest {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A local HTTP endpoint that records what it receives and answers with the queued statuses (then 200). */
export async function startReceiver(statuses: number[] = []): Promise<{ url: string; received: ReceivedRequest[]; close(): Promise<void> }> {
  const received: ReceivedRequest[] = [];
  const queue = [...statuses];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = queue.shift() ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/togai`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
