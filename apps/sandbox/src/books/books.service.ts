import express, { type Express } from 'express';
import type { ConsoleAction, SandboxContext, SandboxService, SeedRequest } from '../core/sandbox.service.js';
import { booksConsoleActions } from './books.console.js';
import { registerBillRoutes } from './books.bills.routes.js';
import { registerContactRoutes } from './books.contacts.routes.js';
import { registerExpenseRoutes } from './books.expenses.routes.js';
import { BooksErrorCode } from './books.errors.js';
import { authenticate, booksFormat, BooksRouteKit, errorEnvelope, notFoundRoute, parseBody } from './books.http.js';
import { registerInvoiceRoutes } from './books.invoices.routes.js';
import { registerPaymentRoutes } from './books.payments.routes.js';
import { BooksRateLimiter } from './books.rate-limit.js';
import { registerReferenceRoutes } from './books.reference.routes.js';
import { seedBooks } from './books.seed.js';
import {
  bankTransactionOut, billDetail, contactDetail, expenseOut, invoiceDetail, itemOut, paymentDetail, webhookOut, workflowOut,
} from './books.serialize.js';
import { BooksStore } from './books.store.js';
import { BooksWebhookEngine, registerWebhookRoutes } from './books.webhooks.js';

/**
 * Zoho Books v3 simulator, mounted per data centre at `${dc.prefix}/books/v3` (CONTRACTS.md §3). Middleware order:
 * call recorder → fault injection → token/scope/organisation check → rate limits → body → routes → 404/405 →
 * `{code, message}` error envelope.
 */
export class BooksService implements SandboxService {
  readonly name = 'books' as const;
  readonly title = 'Zoho Books v3';
  readonly store = new BooksStore();
  private ctx?: SandboxContext;
  private limiterInstance?: BooksRateLimiter;
  private engine?: BooksWebhookEngine;

  get limiter(): BooksRateLimiter {
    if (!this.limiterInstance) throw new Error('Books service is not mounted yet');
    return this.limiterInstance;
  }

  mount(app: Express, ctx: SandboxContext): void {
    this.ctx = ctx;
    this.limiterInstance = new BooksRateLimiter(ctx);
    const engine = new BooksWebhookEngine(ctx);
    this.engine = engine;
    for (const dc of ctx.dataCentres) {
      const router = express.Router();
      router.use(ctx.calls.middleware('books', () => ctx.clock.now()));
      router.use(
        ctx.faults.middleware('books', (status) =>
          status === 429
            ? { code: BooksErrorCode.RateLimited, message: 'You have made too many requests. API usage limit exceeded.' }
            : status === 503
              ? { code: BooksErrorCode.InternalError, message: 'Service temporarily unavailable. Please try again later.' }
              : { code: BooksErrorCode.InternalError, message: 'Internal error' },
        ),
      );
      router.use(authenticate(ctx, dc));
      router.use(this.limiter.middleware());
      router.use(parseBody());
      const kit = new BooksRouteKit(router, ctx, this.store, (call, entity, event, record) => engine.fire(call.books, call.org, entity, event, record), dc);
      registerContactRoutes(kit);
      registerInvoiceRoutes(kit);
      registerBillRoutes(kit);
      registerPaymentRoutes(kit);
      registerReferenceRoutes(kit);
      registerExpenseRoutes(kit);
      registerWebhookRoutes(kit);
      router.use(notFoundRoute());
      router.use(errorEnvelope());
      app.use(`${dc.prefix}/books/v3`, router);
    }
  }

  /** Console buttons (rebuilt on each read so the dropdowns list current records). */
  get consoleActions(): ConsoleAction[] {
    if (!this.ctx || !this.engine) return [];
    return booksConsoleActions(this.ctx, this.store, this.engine);
  }

  reset(): void {
    this.store.reset();
    this.limiterInstance?.reset();
  }

  seed(request: SeedRequest, ctx: SandboxContext): void {
    seedBooks(this.store, ctx, request);
  }

  snapshot(): unknown {
    return this.store.snapshot();
  }

  restore(data: unknown): void {
    this.store.restore(data);
  }

  inspect(): Record<string, unknown[]> {
    const ctx = this.ctx;
    const out: Record<string, unknown[]> = {
      organizations: [], contacts: [], invoices: [], bills: [], customerpayments: [], items: [], banktransactions: [], expenses: [],
      webhooks: [], workflows: [],
    };
    if (!ctx) return out;
    const now = ctx.clock.now();
    for (const books of this.store.all()) {
      const org = ctx.tenants.booksOrgs.get(books.organizationId);
      if (!org) continue;
      const fmt = booksFormat(org, now);
      const tag = <T extends object>(r: T) => ({ organization_id: org.organization_id, ...r });
      out.organizations!.push({ organization_id: org.organization_id, name: org.name, dc: org.dc, plan: org.plan, currency_code: org.currency_code, usage: this.limiterInstance?.usage(org.organization_id) });
      for (const c of books.contacts.values()) out.contacts!.push(tag(contactDetail(books, c, fmt)));
      for (const i of books.invoices.values()) out.invoices!.push(tag(invoiceDetail(books, i, fmt)));
      for (const b of books.bills.values()) out.bills!.push(tag(billDetail(books, b, fmt)));
      for (const p of books.payments.values()) out.customerpayments!.push(tag(paymentDetail(books, p, fmt)));
      for (const i of books.items.values()) out.items!.push(tag(itemOut(books, i, fmt)));
      for (const t of books.bankTransactions.values()) out.banktransactions!.push(tag(bankTransactionOut(books, t, fmt)));
      for (const e of books.expenses.values()) out.expenses!.push(tag(expenseOut(books, e, fmt)));
      for (const w of books.webhooks.values()) out.webhooks!.push(tag(webhookOut(w, fmt)));
      for (const w of books.workflows.values()) out.workflows!.push(tag(workflowOut(w, fmt)));
    }
    return out;
  }
}

export function createBooksService(): BooksService {
  return new BooksService();
}
