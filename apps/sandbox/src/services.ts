import type { Express } from 'express';
import type { Sandbox } from './core/sandbox.server.js';
import type { SandboxService } from './core/sandbox.service.js';
import { AccountsService } from './accounts/accounts.service.js';
import { createBooksService } from './books/books.service.js';
import { mountAdminApi } from './admin/admin.routes.js';
import { RequestBinService } from './bin/bin.service.js';
import { mountConsole } from './console/console.routes.js';
import { CrmService } from './crm/crm.service.js';
import { createTogaiService } from './togai/togai.service.js';

/**
 * The simulated services, one factory call per sandbox instance (several sandboxes can run in one test
 * process). Each service team adds its own line here.
 */
export function createSandboxServices(): SandboxService[] {
  return [
    new AccountsService(), // first: sets ctx.auth, which the Zoho services use
    createTogaiService(),
    new RequestBinService(),
    new CrmService(),
    createBooksService(),
  ];
}

/** Routes that work across services: admin API, request bin, console page. */
export type SandboxPlugin = (app: Express, sandbox: Sandbox) => void;

export function createSandboxPlugins(): SandboxPlugin[] {
  return [mountAdminApi, mountConsole];
}
