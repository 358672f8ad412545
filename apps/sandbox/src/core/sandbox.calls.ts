import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ServiceName } from './sandbox.service.js';

export interface RecordedCall {
  service: ServiceName;
  method: string;
  /** route pattern, e.g. /books/v3/contacts/:contact_id (ids folded so counts group) */
  route: string;
  path: string;
  status: number;
  at: number;
}

const MAX_RECORDED = 20_000;

/**
 * Counts calls per service and route so tests can assert "no more than 51 calls" against what the
 * sandbox actually served, not what the client believes it sent.
 */
export class CallRecorder {
  private calls: RecordedCall[] = [];

  middleware(service: ServiceName, now: () => number): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const path = req.originalUrl.split('?')[0] ?? req.originalUrl;
      res.on('finish', () => {
        const routePattern = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : path;
        this.record({ service, method: req.method, route: routePattern, path, status: res.statusCode, at: now() });
      });
      next();
    };
  }

  record(call: RecordedCall): void {
    this.calls.push(call);
    if (this.calls.length > MAX_RECORDED) this.calls.splice(0, this.calls.length - MAX_RECORDED);
  }

  list(filter?: { service?: ServiceName; since?: number }): RecordedCall[] {
    return this.calls.filter(
      (c) => (!filter?.service || c.service === filter.service) && (filter?.since === undefined || c.at >= filter.since),
    );
  }

  /** "GET /books/v3/contacts" → count */
  counts(filter?: { service?: ServiceName }): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.list(filter)) {
      const key = `${c.method} ${c.route}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  }

  reset(): void {
    this.calls = [];
  }
}
