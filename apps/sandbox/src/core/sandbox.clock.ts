/**
 * The sandbox's notion of "now". Tests advance it instead of sleeping (code expiry, token expiry,
 * rate-limit windows, overdue invoices all read this clock).
 */
export class SandboxClock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('clock can only move forward by a finite number of ms');
    this.offsetMs += ms;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}
