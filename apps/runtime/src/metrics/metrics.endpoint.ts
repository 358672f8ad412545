import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Request, Response } from 'express';
import { MetricsService } from './metrics.service.js';

/**
 * `GET /metrics` (Prometheus text format), mounted on the Express app when this provider is created — before
 * the editor's catch-all that answers index.html for unknown paths. 404 unless BRAID_METRICS=on; when on it
 * is public, so keep it off the open internet (bind to an internal interface or filter at the proxy).
 */
@Injectable()
export class MetricsEndpoint {
  constructor(adapterHost: HttpAdapterHost, metrics: MetricsService) {
    const app = adapterHost.httpAdapter?.getInstance?.() as { get?: (path: string, handler: unknown) => void } | undefined;
    if (!app?.get) return; // application context without HTTP (CLI)
    app.get('/metrics', (_request: Request, response: Response) => {
      if (!metrics.enabled) {
        response.status(404).json({ error: { code: 'NOT_FOUND', message: 'Metrics are off: set BRAID_METRICS=on to serve /metrics.' } });
        return;
      }
      metrics.render().then(
        ({ contentType, body }) => {
          response.setHeader('Content-Type', contentType);
          response.send(body);
        },
        (error: Error) => {
          response.status(500).json({ error: { code: 'INTERNAL', message: `Metrics could not be collected: ${error.message}` } });
        },
      );
    });
  }
}
