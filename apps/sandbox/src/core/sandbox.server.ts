import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express, { type Express } from 'express';
import { createSandboxPlugins, createSandboxServices } from '../services.js';
import { CallRecorder } from './sandbox.calls.js';
import { SandboxClock } from './sandbox.clock.js';
import { type DeepPartial, defaultSandboxLimits, mergeLimits, type SandboxLimits } from './sandbox.config.js';
import { FaultInjector } from './sandbox.faults.js';
import { IdSequences } from './sandbox.ids.js';
import type { SandboxContext, SandboxService, SeedRequest } from './sandbox.service.js';
import { dataCentres, seedTenants, TenantRegistry } from './sandbox.tenants.js';
import { WebhookDispatcher } from './sandbox.webhooks.js';

export interface SandboxOptions {
  port?: number;
  host?: string;
  /** named seed ("demo", "empty") or a full seed request; default "demo" */
  seed?: string | SeedRequest;
  /** load state from this file at start (if it exists) and save it on close and on /_admin/snapshot */
  snapshotFile?: string;
  clock?: SandboxClock;
  limits?: DeepPartial<SandboxLimits>;
}

/** Everything one running sandbox holds; admin and console plugins work on it. */
export class Sandbox {
  readonly context: SandboxContext;
  readonly services: SandboxService[];
  readonly app: Express;
  private url = '';

  constructor(readonly options: SandboxOptions = {}) {
    const clock = options.clock ?? new SandboxClock();
    this.context = {
      clock,
      limits: mergeLimits(defaultSandboxLimits(), options.limits),
      ids: new IdSequences(),
      faults: new FaultInjector(),
      calls: new CallRecorder(),
      webhooks: new WebhookDispatcher(clock),
      tenants: new TenantRegistry(),
      dataCentres,
      auth: { verifyAccessToken: () => ({ ok: false, reason: 'invalid' }) },
      baseUrl: () => this.url,
    };
    this.services = createSandboxServices();
    this.app = express();
    this.app.disable('x-powered-by');
    this.app.set('query parser', 'extended');
    for (const service of this.services) service.mount(this.app, this.context);
    for (const plugin of createSandboxPlugins()) plugin(this.app, this);
    this.app.use((req, res) => {
      res.status(404).json({ code: 404, message: `No sandbox route for ${req.method} ${req.path}` });
    });
  }

  setBaseUrl(url: string): void {
    this.url = url;
  }

  service(name: SandboxService['name']): SandboxService | undefined {
    return this.services.find((s) => s.name === name);
  }

  /** Forget everything and load a seed: tenants first, then each service's records. */
  resetAndSeed(seed: string | SeedRequest = 'demo'): void {
    const request: SeedRequest = typeof seed === 'string' ? { name: seed } : seed;
    this.context.ids.reset();
    this.context.faults.clear();
    this.context.calls.reset();
    this.context.webhooks.reset();
    this.context.clock.reset();
    seedTenants(this.context.tenants);
    for (const service of this.services) service.reset();
    for (const service of this.services) service.seed(request, this.context);
  }

  snapshot(): unknown {
    return {
      version: 1,
      ids: this.context.ids.snapshot(),
      tenants: this.context.tenants.snapshot(),
      services: Object.fromEntries(this.services.map((s) => [s.name, s.snapshot()])),
    };
  }

  restore(data: unknown): void {
    const d = data as { ids: Record<string, number>; tenants: unknown; services: Record<string, unknown> };
    this.context.ids.restore(d.ids);
    this.context.tenants.restore(d.tenants);
    for (const service of this.services) {
      service.reset();
      if (d.services[service.name] !== undefined) service.restore(d.services[service.name]);
    }
  }

  saveSnapshot(file = this.options.snapshotFile): void {
    if (!file) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.snapshot()));
    fs.renameSync(tmp, file);
  }
}

export interface RunningSandbox {
  url: string;
  port: number;
  sandbox: Sandbox;
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const sandbox = new Sandbox(options);
  const snapshotFile = options.snapshotFile;
  if (snapshotFile && fs.existsSync(snapshotFile)) {
    sandbox.restore(JSON.parse(fs.readFileSync(snapshotFile, 'utf8')));
  } else {
    sandbox.resetAndSeed(options.seed ?? 'demo');
  }
  const host = options.host ?? '127.0.0.1';
  const server = sandbox.app.listen(options.port ?? 4010, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  sandbox.setBaseUrl(url);
  return {
    url,
    port,
    sandbox,
    close: async () => {
      await sandbox.context.webhooks.idle();
      sandbox.saveSnapshot();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
