import type { SandboxClock } from './sandbox.clock.js';
import type { ServiceName } from './sandbox.service.js';

export interface OutboundDelivery {
  service: ServiceName;
  /** what caused it, e.g. "books:invoice.created" */
  event: string;
  url: string;
  method: 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  headers: Record<string, string>;
  body?: string;
  /** total attempts before giving up (Books without a retry policy: 1) */
  attempts?: number;
  timeoutMs?: number;
}

export interface DeliveryRecord {
  id: number;
  service: ServiceName;
  event: string;
  url: string;
  method: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  attempts: Array<{ at: number; status?: number; responseBody?: string; error?: string; durationMs: number }>;
  succeeded: boolean;
}

const MAX_DELIVERIES = 2_000;

/**
 * Makes the real outbound HTTP calls of every service (Books workflow webhooks, CRM watch callbacks,
 * Togai events) and keeps a log of them for the console and for tests. Deliveries run in the background;
 * `idle()` lets a test wait until everything queued so far has finished.
 */
export class WebhookDispatcher {
  private log: DeliveryRecord[] = [];
  private nextId = 1;
  private inFlight = new Set<Promise<void>>();

  constructor(private readonly clock: SandboxClock) {}

  deliver(delivery: OutboundDelivery): DeliveryRecord {
    const record: DeliveryRecord = {
      id: this.nextId++,
      service: delivery.service,
      event: delivery.event,
      url: delivery.url,
      method: delivery.method,
      requestHeaders: delivery.headers,
      requestBody: delivery.body,
      attempts: [],
      succeeded: false,
    };
    this.log.push(record);
    if (this.log.length > MAX_DELIVERIES) this.log.splice(0, this.log.length - MAX_DELIVERIES);
    const run = this.attempt(delivery, record).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
    return record;
  }

  private async attempt(delivery: OutboundDelivery, record: DeliveryRecord): Promise<void> {
    const maxAttempts = Math.max(1, delivery.attempts ?? 1);
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const started = Date.now();
      try {
        const response = await fetch(delivery.url, {
          method: delivery.method,
          headers: delivery.headers,
          body: delivery.method === 'DELETE' && !delivery.body ? undefined : delivery.body,
          signal: AbortSignal.timeout(delivery.timeoutMs ?? 15_000),
        });
        const responseBody = (await response.text()).slice(0, 4000);
        record.attempts.push({ at: this.clock.now(), status: response.status, responseBody, durationMs: Date.now() - started });
        if (response.ok) {
          record.succeeded = true;
          return;
        }
      } catch (error) {
        record.attempts.push({ at: this.clock.now(), error: (error as Error).message, durationMs: Date.now() - started });
      }
      if (attempt < maxAttempts) await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
    }
  }

  /** Resolves when every delivery started so far has finished (or given up). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  list(filter?: { service?: ServiceName }): DeliveryRecord[] {
    return this.log.filter((d) => !filter?.service || d.service === filter.service);
  }

  reset(): void {
    this.log = [];
  }
}
