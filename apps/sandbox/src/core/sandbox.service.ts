import type { Express } from 'express';
import type { CallRecorder } from './sandbox.calls.js';
import type { SandboxClock } from './sandbox.clock.js';
import type { SandboxLimits } from './sandbox.config.js';
import type { FaultInjector } from './sandbox.faults.js';
import type { IdSequences } from './sandbox.ids.js';
import type { DataCentre, DataCentreKey, TenantRegistry } from './sandbox.tenants.js';
import type { WebhookDispatcher } from './sandbox.webhooks.js';

export type ServiceName = 'accounts' | 'books' | 'crm' | 'togai' | 'bin';

/** Result of checking a `Zoho-oauthtoken` access token presented to Books or CRM in a given DC. */
export type AccessTokenCheck =
  | {
      ok: true;
      userId: string;
      clientId: string;
      scopes: string[];
      /** orgs picked on the consent page / self-client code page, or the `soid` of a client_credentials token */
      orgIds?: { books?: string; crm?: string };
    }
  | { ok: false; reason: 'missing' | 'invalid' | 'expired' | 'wrong-dc' };

/** Implemented by the accounts (OAuth) service; Books and CRM call it for every request. */
export interface AccessTokenVerifier {
  verifyAccessToken(token: string, dc: DataCentreKey): AccessTokenCheck;
}

/** A named seed plus optional record counts, e.g. { name: 'demo' } or { name: 'empty', books: { customers: 450 } }. */
export interface SeedRequest {
  name: string;
  books?: { organizationId?: string; customers?: number; vendors?: number; invoices?: number; bills?: number };
  crm?: { orgId?: string; accounts?: number; contacts?: number };
  togai?: { customers?: number; invoices?: number };
  /** for bulk seeds: customers whose names overlap between apps (sync tests) */
  sharedNames?: number;
}

export interface SandboxContext {
  clock: SandboxClock;
  limits: SandboxLimits;
  ids: IdSequences;
  faults: FaultInjector;
  calls: CallRecorder;
  webhooks: WebhookDispatcher;
  tenants: TenantRegistry;
  dataCentres: readonly DataCentre[];
  /** set by the accounts service when it mounts */
  auth: AccessTokenVerifier;
  /** the sandbox's own base URL (known once listening), e.g. http://127.0.0.1:4010 */
  baseUrl(): string;
}

/** One input of a console action form. */
export interface ConsoleActionField {
  name: string;
  label: string;
  type: 'text' | 'number' | 'email' | 'date' | 'select' | 'textarea' | 'checkbox';
  /** for type "select" */
  options?: Array<{ value: string; label: string }>;
  required?: boolean;
  placeholder?: string;
  defaultValue?: string;
}

/**
 * A button on the console page ("Create customer", "Mark invoice paid" ...), executed through
 * `POST /_admin/console/:service/:action` with the form values (all strings; checkboxes "true"/"false").
 * `run` should change records the same way the service's API would (so webhooks/watches fire) and
 * returns something to show the person; throw an Error with a clear message for bad input.
 */
export interface ConsoleAction {
  key: string;
  title: string;
  fields: ConsoleActionField[];
  run(ctx: SandboxContext, values: Record<string, string>): unknown | Promise<unknown>;
}

/**
 * One simulated service. The server mounts every registered service; admin/console use the rest.
 * Zoho services mount themselves once per data centre (`${dc.prefix}/books/v3`).
 */
export interface SandboxService {
  name: ServiceName;
  title: string;
  mount(app: Express, ctx: SandboxContext): void;
  /** forget every record (tenants are reset separately) */
  reset(): void;
  /** add the records of a named seed; tenants already exist */
  seed(request: SeedRequest, ctx: SandboxContext): void;
  snapshot(): unknown;
  restore(data: unknown): void;
  /** records for the console and /_admin/state: { collectionName: records[] } */
  inspect(): Record<string, unknown[]>;
  /** optional buttons for the console page */
  consoleActions?: ConsoleAction[];
}
