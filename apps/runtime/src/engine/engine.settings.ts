import { Inject, Injectable } from '@nestjs/common';
import type { SsrfOptions } from '@braid/connector-sdk';
import { BRAID_CONFIG, type BraidConfig } from '../config/config.service.js';

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/**
 * Tunables of the run engine, from the validated configuration (`config.engine`); tests adjust the instance
 * (`app.get(EngineSettings)`) before starting runs.
 */
@Injectable()
export class EngineSettings {
  workerConcurrency: number;
  leaseMs: number;
  /** How often the sweeper looks for runs whose lease expired (crashed process). */
  sweepIntervalMs: number;
  retentionDays: number;
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
    this.workerConcurrency = config.engine.workerConcurrency;
    this.leaseMs = config.engine.runLeaseSeconds * 1000;
    this.sweepIntervalMs = Math.min(5_000, Math.max(500, Math.floor(this.leaseMs / 2)));
    this.retentionDays = config.engine.runRetentionDays;
    const extra = config.engine.allowedPrivateHosts;
    const sandboxHost = hostOf(config.sandboxUrl) ?? (config.sandbox.enabled ? '127.0.0.1' : undefined);
    this.allowedPrivateHosts = [...new Set([...(sandboxHost ? [sandboxHost] : []), ...extra])];
  }

  ssrf(): SsrfOptions {
    return this.allowPrivateAddresses ? { allowPrivate: true } : { allowHosts: this.allowedPrivateHosts };
  }
}
