import { Inject, Injectable } from '@nestjs/common';
import { BRAID_CONFIG, type BraidConfig } from '../config/config.service.js';

interface Window {
  failures: number;
  resetsAt: number;
}

/**
 * Counts failed sign-ins per IP address + email in a fixed window (in memory, per replica). At the limit,
 * further attempts are refused with 429 until the window ends, whether or not the password is right.
 */
@Injectable()
export class LoginThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(@Inject(BRAID_CONFIG) private readonly config: BraidConfig) {}

  private key(ip: string, email: string): string {
    return `${ip}\u0000${email.trim().toLowerCase()}`;
  }

  /** Seconds until the next attempt is allowed, or 0 when allowed now. */
  retryAfterSeconds(ip: string, email: string, now = Date.now()): number {
    const window = this.windows.get(this.key(ip, email));
    if (!window || window.resetsAt <= now) return 0;
    return window.failures >= this.config.loginMaxAttempts ? Math.ceil((window.resetsAt - now) / 1000) : 0;
  }

  recordFailure(ip: string, email: string, now = Date.now()): void {
    const key = this.key(ip, email);
    const window = this.windows.get(key);
    if (!window || window.resetsAt <= now) {
      this.windows.set(key, { failures: 1, resetsAt: now + this.config.loginWindowSeconds * 1000 });
    } else {
      window.failures += 1;
    }
    if (this.windows.size > 10_000) this.forgetExpired(now);
  }

  recordSuccess(ip: string, email: string): void {
    this.windows.delete(this.key(ip, email));
  }

  private forgetExpired(now: number): void {
    for (const [key, window] of this.windows) if (window.resetsAt <= now) this.windows.delete(key);
  }
}
