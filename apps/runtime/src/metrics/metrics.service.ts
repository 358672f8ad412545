import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { BRAID_CONFIG, type BraidConfig } from '../config/config.service.js';

export type RunOutcome = 'succeeded' | 'failed' | 'cancelled';
export type WebhookOutcome = 'accepted' | 'duplicate' | 'rejected';

/**
 * Prometheus metrics of this process (prom-client, own registry so several apps can live in one process).
 * Recording is cheap and always safe to call; `/metrics` serves them only when `BRAID_METRICS=on`.
 * Queue depth and the oldest waiting job are read from pg-boss's tables at scrape time (all replicas).
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly enabled: boolean;

  private readonly runsStarted = new Counter({ name: 'braid_runs_started_total', help: 'Runs started, per flow', labelNames: ['flow_id'], registers: [this.registry] });
  private readonly runsFinished = new Counter({ name: 'braid_runs_finished_total', help: 'Runs finished, per flow and outcome (succeeded, failed, cancelled)', labelNames: ['flow_id', 'status'], registers: [this.registry] });
  private readonly stepSeconds = new Histogram({
    name: 'braid_step_duration_seconds',
    help: 'Duration of executed steps, per connector and action',
    labelNames: ['connector', 'action'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly webhookAcceptSeconds = new Histogram({
    name: 'braid_webhook_accept_seconds',
    help: 'Time from receiving a webhook delivery to answering it (stored + run enqueued)',
    labelNames: ['outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  private readonly connectorRateLimited = new Counter({ name: 'braid_connector_rate_limited_total', help: 'HTTP 429 answers received from apps, per connector', labelNames: ['connector'], registers: [this.registry] });
  private readonly tokenRefreshFailures = new Counter({ name: 'braid_token_refresh_failures_total', help: 'Failed access-token refreshes, per connector', labelNames: ['connector'], registers: [this.registry] });
  private readonly pollsTotal = new Counter({ name: 'braid_trigger_polls_total', help: 'Polls of polling triggers, per outcome', labelNames: ['outcome'], registers: [this.registry] });

  constructor(
    @Inject(BRAID_CONFIG) config: BraidConfig,
    private readonly dataSource: DataSource,
  ) {
    this.enabled = config.metrics;
    if (this.enabled) collectDefaultMetrics({ register: this.registry, prefix: 'braid_process_' });
    // Both queue gauges are filled by one query per scrape.
    let pending: Promise<void> | undefined;
    const collect = async () => {
      pending ??= this.readQueues(queueDepth, oldestWaiting).finally(() => {
        pending = undefined;
      });
      await pending;
    };
    const queueDepth: Gauge = new Gauge({ name: 'braid_queue_depth', help: 'Jobs waiting (created or retry) that are due, per queue (not later retries, nor the fallback jobs of runs handed straight to a worker)', labelNames: ['queue'], registers: [this.registry], collect });
    const oldestWaiting: Gauge = new Gauge({ name: 'braid_queue_oldest_waiting_seconds', help: 'Age of the oldest waiting job that is due, per queue', labelNames: ['queue'], registers: [this.registry], collect });
  }

  private async readQueues(depth: Gauge, oldest: Gauge): Promise<void> {
    let rows: Array<{ name: string; waiting: string; oldest_seconds: number | null }> = [];
    try {
      rows = await this.dataSource.query(
        `SELECT q.name, coalesce(w.waiting, 0) AS waiting, w.oldest_seconds
           FROM pgboss.queue q
           LEFT JOIN (SELECT name, count(*) FILTER (WHERE start_after <= now()) AS waiting,
                             extract(epoch FROM now() - min(start_after) FILTER (WHERE start_after <= now()))::float8 AS oldest_seconds
                        FROM pgboss.job WHERE state < 'active' GROUP BY name) w ON w.name = q.name`,
      );
    } catch {
      return; // pg-boss not installed yet (first start): no queue figures
    }
    depth.reset();
    oldest.reset();
    for (const row of rows) {
      depth.set({ queue: row.name }, Number(row.waiting));
      oldest.set({ queue: row.name }, Math.max(0, row.oldest_seconds ?? 0));
    }
  }

  runStarted(flowId: string): void {
    this.runsStarted.inc({ flow_id: flowId });
  }

  runFinished(flowId: string, status: RunOutcome): void {
    this.runsFinished.inc({ flow_id: flowId, status });
  }

  stepDuration(connector: string, action: string, seconds: number): void {
    this.stepSeconds.observe({ connector, action }, seconds);
  }

  webhookAccepted(outcome: WebhookOutcome, seconds: number): void {
    this.webhookAcceptSeconds.observe({ outcome }, seconds);
  }

  connector429(connector: string): void {
    this.connectorRateLimited.inc({ connector });
  }

  tokenRefreshFailed(connector: string): void {
    this.tokenRefreshFailures.inc({ connector });
  }

  pollFinished(outcome: 'ok' | 'failed'): void {
    this.pollsTotal.inc({ outcome });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
