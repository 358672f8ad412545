import express, { type Express, type Request, type Response } from 'express';
import type { ConsoleAction, SandboxContext, SandboxService, SeedRequest } from '../core/sandbox.service.js';

export interface BinRequest {
  id: number;
  bin: string;
  method: string;
  /** path below the bin, "/" for the bin itself, e.g. "/api/orders" for /bin/erp/api/orders */
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: string;
  /** the body parsed as JSON when it was JSON */
  json?: unknown;
  at: number;
}

interface Bin {
  name: string;
  /** HTTP status the bin answers with (tests of failing targets) */
  status: number;
  requests: BinRequest[];
}

const MAX_REQUESTS_PER_BIN = 1_000;
const MAX_BODY_CHARS = 1_000_000;
export const binNamePattern = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * Request bin: `/bin/:name` and `/bin/:name/*` accept any method and record it. It stands in for "any HTTP
 * endpoint" — an ERP's API, a webhook receiver — in tests and demos.
 */
export class RequestBinService implements SandboxService {
  readonly name = 'bin' as const;
  readonly title = 'Request bin';
  private bins = new Map<string, Bin>();
  private nextId = 1;
  private now: () => number = () => Date.now();

  readonly consoleActions: ConsoleAction[] = [
    {
      key: 'set-status',
      title: 'Set the status a bin answers with',
      fields: [
        { name: 'name', label: 'Bin name', type: 'text', required: true, placeholder: 'erp' },
        { name: 'status', label: 'HTTP status', type: 'number', required: true, defaultValue: '200' },
      ],
      run: (_ctx, values) => {
        const status = Number(values.status);
        if (!binNamePattern.test(values.name ?? '')) throw new Error('bin names are 1-100 letters, digits, ".", "_" or "-"');
        if (!Number.isInteger(status) || status < 100 || status > 599) throw new Error('status must be 100-599');
        this.configure(values.name!, { status });
        return { name: values.name, status };
      },
    },
    {
      key: 'clear',
      title: 'Clear a bin',
      fields: [{ name: 'name', label: 'Bin name', type: 'text', required: true }],
      run: (_ctx, values) => {
        this.clear(values.name ?? '');
        return { cleared: values.name };
      },
    },
  ];

  mount(app: Express, ctx: SandboxContext): void {
    this.now = () => ctx.clock.now();
    app.use(
      '/bin',
      ctx.calls.middleware('bin', this.now),
      ctx.faults.middleware('bin', (status) => ({ received: false, error: `injected fault ${status}` })),
      express.raw({ type: () => true, limit: '5mb' }),
      (req, res) => this.receive(req, res),
    );
  }

  private receive(req: Request, res: Response): void {
    const match = /^\/([^/]+)(\/.*)?$/.exec(req.path);
    const name = match?.[1] ? decodeURIComponent(match[1]) : '';
    if (!binNamePattern.test(name)) {
      res.status(400).json({ received: false, error: 'Bin names are 1-100 letters, digits, ".", "_" or "-": /bin/<name>[/<path>]' });
      return;
    }
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8').slice(0, MAX_BODY_CHARS) : '';
    let json: unknown;
    if (/json/i.test(req.headers['content-type'] ?? '') && body) {
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of new URL(req.originalUrl, 'http://x').searchParams) {
      const prev = query[k];
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    const bin = this.bin(name);
    const record: BinRequest = {
      id: this.nextId++, bin: name, method: req.method, path: match?.[2] ?? '/', query, headers, body, json, at: this.now(),
    };
    bin.requests.push(record);
    if (bin.requests.length > MAX_REQUESTS_PER_BIN) bin.requests.splice(0, bin.requests.length - MAX_REQUESTS_PER_BIN);
    res.status(bin.status).json({ received: true, id: record.id });
  }

  private bin(name: string): Bin {
    let bin = this.bins.get(name);
    if (!bin) {
      bin = { name, status: 200, requests: [] };
      this.bins.set(name, bin);
    }
    return bin;
  }

  list(name: string): BinRequest[] {
    return [...(this.bins.get(name)?.requests ?? [])];
  }

  configure(name: string, options: { status: number }): void {
    this.bin(name).status = options.status;
  }

  clear(name: string): void {
    this.bins.delete(name);
  }

  summary(): Array<{ name: string; status: number; requests: number }> {
    return [...this.bins.values()].map((b) => ({ name: b.name, status: b.status, requests: b.requests.length }));
  }

  reset(): void {
    this.bins.clear();
    this.nextId = 1;
  }

  seed(_request: SeedRequest, _ctx: SandboxContext): void {
    // bins start empty and are created by their first request
  }

  snapshot(): unknown {
    return { nextId: this.nextId, bins: [...this.bins.values()] };
  }

  restore(data: unknown): void {
    const d = data as { nextId?: number; bins?: Bin[] };
    this.reset();
    this.nextId = d.nextId ?? 1;
    for (const b of d.bins ?? []) this.bins.set(b.name, b);
  }

  inspect(): Record<string, unknown[]> {
    const requests = [...this.bins.values()]
      .flatMap((b) => b.requests)
      .sort((a, b) => b.id - a.id)
      .slice(0, 200)
      .map((r) => ({ id: r.id, bin: r.bin, method: r.method, path: r.path, at: new Date(r.at).toISOString(), body: r.body.slice(0, 500) }));
    return { bins: this.summary(), requests };
  }
}
