export { Sandbox, startSandbox, type RunningSandbox, type SandboxOptions } from './core/sandbox.server.js';
export { SandboxClock } from './core/sandbox.clock.js';
export { defaultSandboxLimits, type SandboxLimits } from './core/sandbox.config.js';
export type { FaultKind, FaultSpec } from './core/sandbox.faults.js';
export type { SandboxContext, SandboxService, SeedRequest, ServiceName } from './core/sandbox.service.js';
export { dataCentres, wellKnown, type DataCentreKey } from './core/sandbox.tenants.js';
export { signTogaiWebhook, verifyTogaiWebhookSignature, webhookEventTypes, type WebhookEventType } from './togai/index.js';
export { BOOKS_SIGNATURE_HEADER, booksSignatureBase, signBooksWebhook, verifyBooksWebhookSignature } from './books/index.js';
