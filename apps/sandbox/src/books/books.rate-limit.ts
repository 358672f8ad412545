import type { NextFunction, Request, Response } from 'express';
import type { SandboxContext } from '../core/sandbox.service.js';
import type { BooksOrganization } from '../core/sandbox.tenants.js';
import { BooksError, BooksErrorCode } from './books.errors.js';
import { offsetMinutes } from './books.time.js';

const DAY_MS = 24 * 3600_000;
const MINUTE_MS = 60_000;

/**
 * Books API limits per organisation (apis.md B7), read from `ctx.limits.books` on every call so tests and the
 * admin API can change them at runtime:
 * - a sliding one-minute window (100 calls by default),
 * - a daily quota by plan, counted per organisation-local calendar day,
 * - a cap on simultaneous in-flight calls.
 * Refused calls get 429 `{code: 44}` without Retry-After and are not counted. Every counted or refused call
 * carries X-Rate-Limit-Limit (daily quota), X-Rate-Limit-Remaining and X-Rate-Limit-Reset (seconds to the
 * next daily reset).
 */
export class BooksRateLimiter {
  private minute = new Map<string, number[]>();
  private daily = new Map<string, { dayStart: number; count: number }>();
  private inFlight = new Map<string, number>();

  constructor(private readonly ctx: SandboxContext) {}

  reset(): void {
    this.minute.clear();
    this.daily.clear();
    this.inFlight.clear();
  }

  dailyLimit(org: BooksOrganization): number {
    const byPlan = this.ctx.limits.books.dailyRequestsByPlan;
    return byPlan[org.plan] ?? byPlan.free ?? 1000;
  }

  /** Current counters, for tests and the console. */
  usage(organizationId: string): { lastMinute: number; today: number; inFlight: number } {
    const now = this.ctx.clock.now();
    return {
      lastMinute: (this.minute.get(organizationId) ?? []).filter((t) => t > now - MINUTE_MS).length,
      today: this.daily.get(organizationId)?.count ?? 0,
      inFlight: this.inFlight.get(organizationId) ?? 0,
    };
  }

  /** Counts the call against `org` or throws a 429 BooksError; releases the concurrency slot when the response ends. */
  admit(org: BooksOrganization, req: Request, res: Response): void {
    const limits = this.ctx.limits.books;
    const id = org.organization_id;
    const now = this.ctx.clock.now();
    const offsetMs = offsetMinutes(org.utcOffset) * 60_000;
    const dayStart = Math.floor((now + offsetMs) / DAY_MS) * DAY_MS - offsetMs;
    let day = this.daily.get(id);
    if (!day || day.dayStart !== dayStart) {
      day = { dayStart, count: 0 };
      this.daily.set(id, day);
    }
    const dailyLimit = this.dailyLimit(org);
    const setHeaders = () => {
      res.setHeader('X-Rate-Limit-Limit', String(dailyLimit));
      res.setHeader('X-Rate-Limit-Remaining', String(Math.max(0, dailyLimit - day.count)));
      res.setHeader('X-Rate-Limit-Reset', String(Math.max(0, Math.ceil((dayStart + DAY_MS - now) / 1000))));
    };
    setHeaders();

    if (day.count >= dailyLimit) {
      throw new BooksError(
        BooksErrorCode.RateLimited,
        `You have reached the maximum number of API calls allowed per day (${dailyLimit} on the ${org.plan} plan) for this organization. API usage limit exceeded.`,
      );
    }
    const window = (this.minute.get(id) ?? []).filter((t) => t > now - MINUTE_MS);
    this.minute.set(id, window);
    if (window.length >= limits.requestsPerMinutePerOrg) {
      throw new BooksError(
        BooksErrorCode.RateLimited,
        `You have made too many requests: at most ${limits.requestsPerMinutePerOrg} API calls per minute are allowed per organization. API usage limit exceeded.`,
      );
    }
    const running = this.inFlight.get(id) ?? 0;
    if (running >= limits.concurrentRequestsPerOrg) {
      throw new BooksError(
        BooksErrorCode.RateLimited,
        `Too many simultaneous API calls (at most ${limits.concurrentRequestsPerOrg} at a time per organization). API usage limit exceeded.`,
      );
    }

    window.push(now);
    day.count += 1;
    this.inFlight.set(id, running + 1);
    setHeaders();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.inFlight.set(id, Math.max(0, (this.inFlight.get(id) ?? 1) - 1));
    };
    res.once('finish', release);
    res.once('close', release);
    req.once('aborted', release);
  }

  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const org = (res.locals as { booksOrg?: BooksOrganization }).booksOrg;
      if (org) this.admit(org, req, res);
      next();
    };
  }
}
