import { Inject, Injectable } from '@nestjs/common';
import type { SsrfOptions } from '@braid/connector-sdk';
import { BRAID_CONFIG, type BraidConfig } from '../config/config.service.js';

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`Configuration: ${name} must be a whole number from ${min} to ${max} (got "${raw}").`);
  }
  return value;
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/**
 * Tunables of the run engine. Read once from the environment; tests adjust the instance
 * (`app.get(EngineSettings)`) before starting runs.
 *   BRAID_WORKER_CONCURRENCY   runs executed at the same time per process (default 16)
 *   BRAID_RUN_LEASE_SECONDS    a run whose process stops renewing its lease this long is resumed elsewhere (30)
 *   BRAID_RUN_RETENTION_DAYS   runs finished longer ago are deleted by the daily housekeeping (30)
 *   BRAID_ALLOWED_PRIVATE_HOSTS extra hosts on private addresses steps may call (comma list; the local sandbox is always allowed)
 */
@Injectable()
export class EngineSettings {
  workerConcurrency = intFromEnv('BRAID_WORKER_CONCURRENCY', 16, 1, 256);
  leaseMs = intFromEnv('BRAID_RUN_LEASE_SECONDS', 30, 1, 3600) * 1000;
  /** How often the sweeper looks for runs whose lease expired (crashed process). */
  sweepIntervalMs = Math.min(5_000, Math.max(500, Math.floor(this.leaseMs / 2)));
  retentionDays = intFromEnv('BRAID_RUN_RETENTION_DAYS', 30, 1, 3650);
  /** Retry waits up to this long happen inside the job; longer ones re-schedule the job. */
  maxInProcessRetryWaitMs = 5_000;
  /** Default per-step policy for retryable errors of idempotent actions (and 429s of any action). */
  defaultRetry = { maxAttempts: 3, backoff: 'exponential' as const, delayMs: 500, maxDelayMs: 30_000 };
  /** Preview runs (inline, not queued) stop after this long. */
  previewTimeoutMs = 60_000;
  /** Hosts on private addresses that steps may call (the local sandbox, operator-configured hosts). */
  allowedPrivateHosts: string[];
  /** Skip the private-address check entirely (tests with loopback servers). */
  allowPrivateAddresses = false;

  constructor(@Inject(BRAID_CONFIG) config: BraidConfig) {
    const extra = (process.env.BRAID_ALLOWED_PRIVATE_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean);
    const sandboxHost = hostOf(config.sandboxUrl) ?? (config.sandbox.enabled ? '127.0.0.1' : undefined);
    this.allowedPrivateHosts = [...new Set([...(sandboxHost ? [sandboxHost] : []), ...extra])];
  }

  ssrf(): SsrfOptions {
    return this.allowPrivateAddresses ? { allowPrivate: true } : { allowHosts: this.allowedPrivateHosts };
  }
}
