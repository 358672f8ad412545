import { randomUUID } from 'node:crypto';
import type { SandboxContext } from '../core/sandbox.service.js';
import { signTogaiWebhook } from './togai.signature.js';
import type { TogaiStore, WebhookEventType } from './togai.store.js';

/** Attempts per delivery (first try + 2 retries on non-2xx or network error), like Lago's 3 (apis.md D9). */
export const WEBHOOK_ATTEMPTS = 3;

/**
 * Outbound event feed so Braid can react at once instead of polling. Our own convention (Togai has no
 * signed feed): POST `{type, timestamp, data}` with Standard Webhooks headers to every subscription of
 * the organisation that asked for the event type. `data` is the object as the API would return it.
 */
export class TogaiEventPublisher {
  constructor(
    private readonly store: TogaiStore,
    private readonly ctx: () => SandboxContext | undefined,
  ) {}

  publish(orgId: string, type: WebhookEventType, data: unknown): number {
    const ctx = this.ctx();
    const org = this.store.orgs.get(orgId);
    if (!ctx || !org) return 0;
    let sent = 0;
    for (const subscription of org.subscriptions.values()) {
      if (!subscription.events.includes(type)) continue;
      const body = JSON.stringify({ type, timestamp: new Date(ctx.clock.now()).toISOString(), data });
      const messageId = `msg_${randomUUID().replaceAll('-', '')}`;
      // Wall-clock seconds, not the sandbox clock: receivers compare it with their own clock.
      const timestamp = Math.floor(Date.now() / 1000);
      ctx.webhooks.deliver({
        service: 'togai',
        event: `togai:${type}`,
        url: subscription.url,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Braid-Sandbox-Togai-Events/1.0',
          'webhook-id': messageId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signTogaiWebhook(subscription.secret, messageId, timestamp, body),
        },
        body,
        attempts: WEBHOOK_ATTEMPTS,
        timeoutMs: 10_000,
      });
      sent += 1;
    }
    return sent;
  }
}
