import { Router } from 'express';
import { badRequest, notFound } from './togai.errors.js';
import { orgIdOf, param } from './togai.http.js';
import { parseInvoiceInput } from './togai.invoices.routes.js';
import type { TogaiModel } from './togai.model.js';
import { generateWebhookSecret, webhookSecretKey } from './togai.signature.js';
import {
  invoiceClasses,
  invoiceStatuses,
  invoiceTypes,
  type TogaiWebhookSubscription,
  type WebhookEventType,
  webhookEventTypes,
} from './togai.store.js';
import { optionalEnum, optionalString, requireArray, requireEnum, requireObject, requireString } from './togai.validate.js';

/** What GET shows of a subscription: never the secret (it is shown once, on creation). */
function subscriptionView(s: TogaiWebhookSubscription): Omit<TogaiWebhookSubscription, 'secret'> {
  const { secret: _secret, ...view } = s;
  return view;
}

/**
 * Sandbox-only routes under `/togai/_sandbox` (authenticated with the org's Togai token, not rate
 * limited): event-feed subscriptions, and driving invoices through their lifecycle the way Togai's
 * billing cycle would (there is no public API for "the cycle closed").
 */
export function togaiSandboxRoutes(model: TogaiModel): Router {
  const router = Router();

  router.post('/webhooks', (req, res) => {
    const body = requireObject(req.body, 'body');
    const url = requireString(body.url, 'url', 1, 2000);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw badRequest(`url: "${url.slice(0, 100)}" is not an absolute URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw badRequest('url: must use http or https');
    const events =
      body.events === undefined || body.events === null
        ? [...webhookEventTypes]
        : requireArray(body.events, 'events', 1, webhookEventTypes.length).map((e, i) =>
            requireEnum<WebhookEventType>(e, `events[${i}]`, webhookEventTypes),
          );
    const given = optionalString(body.secret, 'secret', 1, 200);
    if (given !== undefined && !webhookSecretKey(given)) {
      throw badRequest('secret: must be "whsec_" followed by 24 to 64 base64-encoded bytes');
    }
    const description = optionalString(body.description, 'description', 0, 500);
    const subscription: TogaiWebhookSubscription = {
      id: model.newId('webhook'),
      url,
      events: [...new Set(events)],
      secret: given ?? generateWebhookSecret(),
      ...(description !== undefined ? { description } : {}),
      createdAt: model.nowIso(),
    };
    model.store.org(orgIdOf(res)).subscriptions.set(subscription.id, subscription);
    res.status(201).json({ ...subscriptionView(subscription), secret: subscription.secret });
  });

  router.get('/webhooks', (_req, res) => {
    res.json({ data: [...model.store.org(orgIdOf(res)).subscriptions.values()].map(subscriptionView) });
  });

  router.delete('/webhooks/:webhook_id', (req, res) => {
    const id = param(req.params.webhook_id);
    if (!model.store.org(orgIdOf(res)).subscriptions.delete(id)) throw notFound(`Webhook subscription "${id}" not found`);
    res.json({ success: true });
  });

  /** A billing-cycle invoice (STANDARD by default) as Togai's cycle would make it; lines may carry `type`. */
  router.post('/invoices', (req, res) => {
    const orgId = orgIdOf(res);
    const body = requireObject(req.body, 'body');
    const input = parseInvoiceInput(body, { allowType: true });
    input.invoiceType = optionalEnum(body.invoiceType, 'invoiceType', invoiceTypes) ?? 'STANDARD';
    input.invoiceClass = optionalEnum(body.invoiceClass, 'invoiceClass', invoiceClasses) ?? 'INVOICE';
    const { invoice } = model.createInvoice(orgId, input);
    res.status(201).json(model.invoiceView(orgId, invoice));
  });

  /** Any status, e.g. DRAFT → DUE fires "invoice.generated"; PAID here settles the invoice in full. */
  router.post('/invoices/:invoice_id/status', (req, res) => {
    const orgId = orgIdOf(res);
    const id = param(req.params.invoice_id);
    const invoice = model.store.org(orgId).invoices.get(id);
    if (!invoice) throw notFound(`Invoice with id "${id}" not found`);
    const status = requireEnum(requireObject(req.body, 'body').status, 'status', invoiceStatuses);
    model.transitionInvoice(orgId, invoice, status, { settle: true });
    res.json(model.invoiceView(orgId, invoice));
  });

  return router;
}
