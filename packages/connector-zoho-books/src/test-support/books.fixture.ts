/* eslint-disable @typescript-eslint/no-explicit-any -- action outputs and sandbox records are read loosely in
   tests and checked field by field (and against the output schemas with expectValidOutput). */
// Test helpers: a sandbox on a random port, a Books connection obtained through the real OAuth code flow,
// and a ConnectorContext wired the way the runtime wires it (refreshing credentials, loopback allowed).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createConnectorContext,
  createRefreshingCredentialProvider,
  LimiterRegistry,
  refreshZohoAccessToken,
  realSleep,
  runAction,
  zohoSandboxDataCenters,
  type ConnectorContext,
  type LimiterClock,
  type Sleep,
  validateOutput,
} from '@braid/connector-sdk';
import { SandboxClock, startSandbox, wellKnown, type RunningSandbox, type SeedRequest } from '@braid/sandbox';
import { obtainZohoTokens, sandboxAdmin, type SandboxAdmin, type ZohoTokens } from '@braid/sandbox/test-support';
import { zohoBooksConnector } from '../zoho-books.connector.js';

export interface BooksSandbox {
  running: RunningSandbox;
  url: string;
  admin: SandboxAdmin;
  /** Books records as the sandbox holds them (`inspect()`), not as an API answer says. */
  state(): Record<string, unknown[]>;
  close(): Promise<void>;
}

export async function startBooksSandbox(seed: string | SeedRequest = 'demo', clock?: SandboxClock): Promise<BooksSandbox> {
  const running = await startSandbox({ port: 0, seed, ...(clock ? { clock } : {}) });
  return {
    running,
    url: running.url,
    admin: sandboxAdmin(running.url),
    state: () => running.sandbox.service('books')!.inspect(),
    close: () => running.close(),
  };
}

export interface ConnectOptions {
  dc?: 'com' | 'eu';
  /** null: a connection whose organisation is not chosen yet (the connection form's state). */
  organizationId?: string | null;
  scopes?: string[];
  name?: string;
  /**
   * Limiters of this "process". Default: a fresh registry on the sandbox's clock, so waiting for quota moves
   * sandbox time (the sandbox's per-minute window sees exactly what the limiter allowed) instead of real time.
   */
  limiters?: LimiterRegistry;
  sleep?: Sleep;
}

export interface BooksConnection {
  ctx: ConnectorContext;
  tokens: ZohoTokens;
  name: string;
  refreshes: number;
  run(actionKey: string, input: unknown): Promise<any>;
}

/** Authorises through the consent page, then builds the context a flow step would get. */
export async function connectBooks(sandbox: BooksSandbox, options: ConnectOptions = {}): Promise<BooksConnection> {
  const dc = options.dc ?? 'com';
  const organizationId =
    options.organizationId === null ? undefined : (options.organizationId ?? (dc === 'eu' ? wellKnown.booksOrgs.acmeEu : wellKnown.booksOrgs.acmeUs));
  const tokens = await obtainZohoTokens(sandbox.url, {
    scopes: options.scopes ?? ['ZohoBooks.fullaccess.all'],
    dc,
    ...(organizationId ? { booksOrgId: organizationId } : {}),
  });
  const name = options.name ?? `Zoho Books – ${organizationId ?? 'no organisation'}`;
  let current = { accessToken: tokens.accessToken, expiresAt: Date.now() + tokens.expiresIn * 1000 };
  const connection: BooksConnection = {
    ctx: undefined as unknown as ConnectorContext,
    tokens,
    name,
    refreshes: 0,
    run: (actionKey, input) => runAction(zohoBooksConnector, actionKey, connection.ctx, input),
  };
  const credentials = createRefreshingCredentialProvider({
    load: async () => current,
    refresh: async () => {
      connection.refreshes += 1;
      const fresh = await refreshZohoAccessToken({
        accountsServer: tokens.accountsServer,
        clientId: wellKnown.webClient.clientId,
        clientSecret: wellKnown.webClient.clientSecret,
        refreshToken: tokens.refreshToken,
        allowedAccountsServers: zohoSandboxDataCenters(sandbox.url).map((d) => d.accountsServer),
      });
      current = { accessToken: fresh.accessToken, expiresAt: fresh.expiresAt };
      return current;
    },
  });
  connection.ctx = createConnectorContext({
    connector: zohoBooksConnector,
    connection: {
      id: `conn-${organizationId ?? 'none'}-${dc}`,
      name,
      settings: organizationId ? { organizationId } : {},
      apiDomain: tokens.apiDomain,
    },
    credentials,
    limiters: options.limiters ?? new LimiterRegistry(sandboxLimiterClock(sandbox)),
    ssrf: { allowHosts: ['127.0.0.1'] },
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
  return connection;
}

/** A limiter clock that is the sandbox's clock: waiting moves sandbox time instead of real time. */
export function sandboxLimiterClock(sandbox: BooksSandbox): LimiterClock & { waitedMs: number } {
  const clock = {
    waitedMs: 0,
    now: () => sandbox.running.sandbox.context.clock.now(),
    sleep: async (ms: number) => {
      clock.waitedMs += ms;
      sandbox.running.sandbox.context.clock.advance(ms);
    },
  };
  return clock;
}

/**
 * A sandbox clock that can run faster than real time (one real second = `factor` seconds), with a limiter
 * clock on the same time line: a burst that the limiter spreads over minutes takes seconds, and the sandbox's
 * per-minute window sees each request at the (accelerated) moment it really arrives.
 */
export class AcceleratedClock extends SandboxClock {
  private extraMs = 0;
  private since: number | undefined;
  private factor = 1;

  override now(): number {
    const running = this.since === undefined ? 0 : (Date.now() - this.since) * (this.factor - 1);
    return super.now() + this.extraMs + running;
  }

  accelerate(factor: number): void {
    this.normal();
    this.factor = factor;
    this.since = Date.now();
  }

  normal(): void {
    if (this.since !== undefined) this.extraMs += (Date.now() - this.since) * (this.factor - 1);
    this.since = undefined;
    this.factor = 1;
  }

  limiterClock(): LimiterClock {
    return {
      now: () => this.now(),
      sleep: (ms, signal) => realSleep(Math.max(1, Math.ceil(ms / this.factor)), signal),
    };
  }
}

export interface ReceivedCall {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  rawBody: Buffer;
  contentType: string;
}

/** A local HTTP receiver standing in for the runtime's webhook ingress. */
export async function startReceiver(): Promise<{ url: string; received: ReceivedCall[]; close(): Promise<void> }> {
  const received: ReceivedCall[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://receiver');
      const query: Record<string, string | string[]> = {};
      for (const [k, v] of url.searchParams.entries()) {
        const prior = query[k];
        query[k] = prior === undefined ? v : Array.isArray(prior) ? [...prior, v] : [prior, v];
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
      received.push({
        method: req.method ?? 'GET',
        path: url.pathname,
        query,
        headers,
        rawBody: Buffer.concat(chunks),
        contentType: headers['content-type'] ?? '',
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Waits (bounded) until `check` holds. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Fails the test with the schema problems when an action's real output does not match its output schema. */
export function expectValidOutput(actionKey: string, value: unknown): void {
  const action = zohoBooksConnector.actions.find((a) => a.key === actionKey);
  if (!action) throw new Error(`no action ${actionKey}`);
  const check = validateOutput(action.output, value);
  if (!check.valid) throw new Error(`${actionKey} output does not match its schema: ${JSON.stringify(check.issues)}`);
}

/** Sandbox records of one collection in one organisation. */
export function records(sandbox: BooksSandbox, collection: string, organizationId: string = wellKnown.booksOrgs.acmeUs): Array<Record<string, any>> {
  return (sandbox.state()[collection] as Array<Record<string, any>>).filter((r) => r.organization_id === organizationId);
}
