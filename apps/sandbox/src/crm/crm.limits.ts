/**
 * CRM API limits (apis.md C9): credits per rolling 24 h per org by edition, and concurrent in-flight calls per
 * org by edition; both → 429 TOO_MANY_REQUESTS. Values are read from `ctx.limits.crm` on every call, so tests and
 * /_admin/config can change them at runtime.
 */
import type { SandboxClock } from '../core/sandbox.clock.js';
import type { SandboxLimits } from '../core/sandbox.config.js';
import type { CrmStore } from './crm.store.js';

const DAY_MS = 24 * 3600_000;

/** What one call costs, by apis.md C9. */
export function creditCost(kind: 'read' | 'write' | 'cvid' | 'deleted' | 'coql', records = 0, coqlLimit = 200): number {
  switch (kind) {
    case 'write': return Math.min(10, Math.max(1, Math.ceil(records / 10)));
    case 'cvid': return 3;
    case 'deleted': return 2;
    case 'coql': return coqlLimit <= 200 ? 1 : coqlLimit <= 1000 ? 2 : 3;
    default: return 1;
  }
}

export class CrmLimiter {
  private inFlight = new Map<string, number>();

  constructor(
    private readonly store: CrmStore,
    private readonly clock: SandboxClock,
    private readonly limits: () => SandboxLimits['crm'],
  ) {}

  private edition(orgId: string): string {
    return this.store.org(orgId)?.edition ?? 'free';
  }

  creditLimit(orgId: string): number {
    const table = this.limits().creditsPer24hByEdition;
    return table[this.edition(orgId)] ?? table.free ?? 5000;
  }

  creditsUsed(orgId: string): number {
    const since = this.clock.now() - DAY_MS;
    const entries = (this.store.credits.get(orgId) ?? []).filter(([at]) => at > since);
    this.store.credits.set(orgId, entries);
    return entries.reduce((sum, [, cost]) => sum + cost, 0);
  }

  /** Spends credits; false (nothing spent) when the rolling window has not enough left. */
  spend(orgId: string, cost: number): { ok: boolean; remaining: number; limit: number } {
    const limit = this.creditLimit(orgId);
    const used = this.creditsUsed(orgId);
    if (used + cost > limit) return { ok: false, remaining: Math.max(0, limit - used), limit };
    this.store.credits.get(orgId)!.push([this.clock.now(), cost]);
    return { ok: true, remaining: limit - used - cost, limit };
  }

  /**
   * Takes a concurrency slot of (org, app) — Zoho counts simultaneous calls per org per client id; returns a
   * release function, or undefined when that pair is at its edition's limit.
   */
  acquire(orgId: string, clientId: string): (() => void) | undefined {
    const table = this.limits().concurrencyByEdition;
    const limit = table[this.edition(orgId)] ?? table.free ?? 5;
    const key = `${orgId}\u0000${clientId}`;
    const current = this.inFlight.get(key) ?? 0;
    if (current >= limit) return undefined;
    this.inFlight.set(key, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight.set(key, Math.max(0, (this.inFlight.get(key) ?? 1) - 1));
    };
  }

  reset(): void {
    this.inFlight.clear();
  }
}
