export { createTogaiService, TogaiService } from './togai.service.js';
export { signTogaiWebhook, verifyTogaiWebhookSignature } from './togai.signature.js';
export { webhookEventTypes, type WebhookEventType } from './togai.store.js';
