import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ServiceName } from './sandbox.service.js';

/** What the next matching call(s) of a service should suffer instead of being served. */
export type FaultKind = 'rate-limit' | 'server-error' | 'unavailable' | 'timeout' | 'slow';

export interface FaultSpec {
  service: ServiceName;
  kind: FaultKind;
  /** how many matching calls are affected (default 1) */
  count?: number;
  /** only calls whose path contains this text */
  pathContains?: string;
  /** only calls with this HTTP method */
  method?: string;
  /** rate-limit: Retry-After seconds to send; omitted → no header (Zoho and Togai send none) */
  retryAfterSeconds?: number;
  /** slow: added latency before the real answer; timeout: how long to hold before dropping the socket */
  delayMs?: number;
}

interface ArmedFault extends Required<Pick<FaultSpec, 'service' | 'kind' | 'count'>> {
  spec: FaultSpec;
  id: number;
}

/**
 * Fault injection for tests and demos: "make the next N calls of Books fail with 429", etc.
 * Each service router installs `middleware(service)` first, so a fault replaces the real answer
 * (slow faults delay it) in the service's own error envelope, supplied by `errorBody`.
 */
export class FaultInjector {
  private armed: ArmedFault[] = [];
  private nextId = 1;

  arm(spec: FaultSpec): number {
    const id = this.nextId++;
    this.armed.push({ id, spec, service: spec.service, kind: spec.kind, count: spec.count ?? 1 });
    return id;
  }

  list(): Array<FaultSpec & { id: number; remaining: number }> {
    return this.armed.map((f) => ({ ...f.spec, id: f.id, remaining: f.count }));
  }

  clear(): void {
    this.armed = [];
  }

  /** Takes (consumes one use of) the first fault matching this call, if any. */
  take(service: ServiceName, method: string, path: string): FaultSpec | undefined {
    const fault = this.armed.find(
      (f) =>
        f.service === service &&
        f.count > 0 &&
        (!f.spec.method || f.spec.method.toUpperCase() === method.toUpperCase()) &&
        (!f.spec.pathContains || path.includes(f.spec.pathContains)),
    );
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) this.armed = this.armed.filter((f) => f !== fault);
    return fault.spec;
  }

  middleware(
    service: ServiceName,
    errorBody: (status: 429 | 500 | 503) => unknown,
  ): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const fault = this.take(service, req.method, req.originalUrl);
      if (!fault) return next();
      switch (fault.kind) {
        case 'slow':
          setTimeout(next, fault.delayMs ?? 2000);
          return;
        case 'timeout':
          // Hold the request, then drop the connection without an answer, like a dead upstream.
          setTimeout(() => req.socket.destroy(), fault.delayMs ?? 30_000);
          return;
        case 'rate-limit':
          if (fault.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(fault.retryAfterSeconds));
          res.status(429).json(errorBody(429));
          return;
        case 'server-error':
          res.status(500).json(errorBody(500));
          return;
        case 'unavailable':
          res.status(503).json(errorBody(503));
          return;
      }
    };
  }
}
