// Instant triggers: `record_events` registers Books webhooks + workflow rules when a flow is published and
// removes them when it is unpublished; `workflow_webhook` is a plain URL for rules or custom functions a Books
// user sets up by hand.
import { createHash } from 'node:crypto';
import { ConnectorError, defineTrigger, type ConnectorContext } from '@braid/connector-sdk';
import { booksCall, pick } from '../books.http.js';
import {
  BOOKS_SECRET,
  booksWebhookSecret,
  eventOutputSchema,
  parseBooksEvent,
  sampleEvent,
  verifyQueryToken,
  verifySignature,
  type BooksEntity,
  type RecordEvent,
} from './books.webhook.js';
import { listExistingPage } from './modified-records.trigger.js';

type RegisteredEntity = 'contact' | 'invoice' | 'bill' | 'customerpayment';

export interface RecordEventsConfig {
  entities: RegisteredEntity[];
  events: RecordEvent[];
  contactTypes: Array<'customer' | 'vendor'>;
  /** One rule per event instead of created + updated sharing one. */
  exactEvents?: boolean;
}

/** `created_or_updated`: one rule for both (the payload's timestamps tell them apart). */
type HookEvent = RecordEvent | 'created_or_updated';

interface RegisteredHook {
  entity: RegisteredEntity;
  event: HookEvent;
  webhook_id: string;
  workflow_id?: string;
}

export interface RecordEventsState {
  hooks: RegisteredHook[];
  signed: boolean;
}

/** Workflow rule trigger of each event (apis.md E1). */
const RULE_EVENT: Record<HookEvent, string> = {
  created: 'on_create',
  updated: 'on_edit',
  created_or_updated: 'on_create_or_edit',
  deleted: 'on_delete',
};

/**
 * Books allows only 10 workflow rules per module (shared with the user's own rules): created + updated share
 * one rule, so a module costs at most two.
 */
function hookEvents(events: RecordEvent[], exact: boolean): HookEvent[] {
  const out: HookEvent[] = [];
  if (!exact && events.includes('created') && events.includes('updated')) out.push('created_or_updated');
  else {
    if (events.includes('created')) out.push('created');
    if (events.includes('updated')) out.push('updated');
  }
  if (events.includes('deleted')) out.push('deleted');
  return out;
}
const ENTITY_TITLE: Record<RegisteredEntity, string> = {
  contact: 'Contacts', invoice: 'Invoices', bill: 'Bills', customerpayment: 'Payments',
};

async function removeHooks(ctx: ConnectorContext, hooks: RegisteredHook[]): Promise<void> {
  // Rules first: Books refuses to delete a webhook that a rule still uses. Already gone counts as removed.
  const ignoreMissing = (error: unknown) => {
    if (!(error instanceof ConnectorError && error.code === 'NOT_FOUND')) throw error;
  };
  for (const hook of hooks) {
    if (hook.workflow_id) {
      await booksCall(ctx, 'DELETE', `/settings/workflows/${encodeURIComponent(hook.workflow_id)}`).catch(ignoreMissing);
    }
  }
  for (const hook of hooks) {
    await booksCall(ctx, 'DELETE', `/settings/webhooks/${encodeURIComponent(hook.webhook_id)}`).catch(ignoreMissing);
  }
}

export const recordEventsTrigger = defineTrigger<RecordEventsConfig>({
  key: 'record_events',
  kind: 'app-webhook',
  title: 'Record created, updated or deleted (instant)',
  description:
    'Fires when a contact, invoice, bill or customer payment is created, edited or deleted in Books. Publishing the ' +
    'flow creates a signed webhook and a workflow rule per module and event in Books (Settings → Automation); ' +
    'unpublishing removes them. Needs a Books plan with workflow rules (Professional or higher).',
  configSchema: {
    type: 'object',
    properties: {
      entities: {
        type: 'array',
        title: 'Modules',
        items: { type: 'string', enum: ['contact', 'invoice', 'bill', 'customerpayment'] },
        minItems: 1,
        uniqueItems: true,
        default: ['invoice'],
      },
      events: {
        type: 'array',
        title: 'Events',
        items: { type: 'string', enum: ['created', 'updated', 'deleted'] },
        minItems: 1,
        uniqueItems: true,
        default: ['created', 'updated', 'deleted'],
      },
      contactTypes: {
        type: 'array',
        title: 'Contact types',
        description: 'For contacts: customers, vendors or both.',
        items: { type: 'string', enum: ['customer', 'vendor'] },
        minItems: 1,
        uniqueItems: true,
        default: ['customer', 'vendor'],
      },
      exactEvents: {
        type: 'boolean',
        title: 'Separate rules for created and updated',
        description:
          'Books allows 10 workflow rules per module. By default "created" and "updated" share one rule and are told ' +
          'apart by the record\'s created/modified times (an edit in the same second as the creation counts as ' +
          'created). On: one rule per event, exact, but three of the module\'s ten rules.',
        default: false,
      },
    },
    additionalProperties: false,
  },
  outputSchema: eventOutputSchema,
  sampleOutput: sampleEvent,
  secret: BOOKS_SECRET,
  register: async (ctx, { webhookUrl, config, secret }) => {
    const booksSecret = booksWebhookSecret(secret);
    // Names are shown in Books and may have to be unique: a short tag of the URL tells flows apart.
    const tag = createHash('sha256').update(webhookUrl).digest('hex').slice(0, 6);
    const hooks: RegisteredHook[] = [];
    try {
      for (const entity of config.entities ?? ['invoice']) {
        for (const event of hookEvents(config.events ?? ['created', 'updated', 'deleted'], config.exactEvents === true)) {
          // One webhook per (module, event): the query parameters tell the receiver which event fired.
          const { body } = await booksCall(ctx, 'POST', '/settings/webhooks', {
            body: {
              webhook_name: `Braid ${ENTITY_TITLE[entity]} ${event.replace(/_/g, ' ')} ${tag}`.slice(0, 50),
              description: 'Created by Braid when a flow was published; removed when it is unpublished.',
              entity,
              method: 'POST',
              url: webhookUrl,
              body_type: 'default',
              query_parameters: [
                { param_name: 'braid_entity', param_value: entity },
                { param_name: 'braid_event', param_value: event },
              ],
              secret: booksSecret,
            },
          });
          const webhook = pick(body, 'webhook', 'created webhook');
          const hook: RegisteredHook = { entity, event, webhook_id: String(webhook.webhook_id) };
          hooks.push(hook);
          const rule = await booksCall(ctx, 'POST', '/settings/workflows', {
            body: {
              workflow_name: `Braid: ${ENTITY_TITLE[entity]} ${event.replace(/_/g, ' ')} (${tag})`.slice(0, 100),
              entity,
              event: RULE_EVENT[event],
              webhook_id: hook.webhook_id,
              is_active: true,
            },
          });
          hook.workflow_id = String(pick(rule.body, 'workflow', 'created workflow rule').workflow_id);
        }
      }
    } catch (error) {
      // Leave nothing half-registered behind.
      await removeHooks(ctx, hooks).catch(() => undefined);
      throw error;
    }
    const state: RecordEventsState = { hooks, signed: true };
    return { externalId: hooks.map((h) => h.webhook_id).join(','), state };
  },
  unregister: async (ctx, { state }) => {
    const hooks = (state as RecordEventsState | undefined)?.hooks ?? [];
    await removeHooks(ctx, hooks);
  },
  verifyRequest: ({ secret, request }) => {
    if (!secret) {
      throw new ConnectorError('SIGNATURE_INVALID', 'This trigger has no secret to check the Books signature with; publish the flow again.', {
        retryable: false,
      });
    }
    verifySignature(booksWebhookSecret(secret), request);
  },
  parseRequest: async (ctx, request) => {
    const payload = parseBooksEvent(request);
    const config = ctx.config as RecordEventsConfig;
    // Defaults as in the config schema, in case the runtime hands over the config as stored.
    const wanted =
      (config.entities ?? ['invoice']).includes(payload.entity as RegisteredEntity) &&
      (config.events ?? ['created', 'updated', 'deleted']).includes(payload.event) &&
      (payload.entity !== 'contact' || !payload.contact_type || (config.contactTypes ?? ['customer', 'vendor']).includes(payload.contact_type as 'customer'));
    // No provider event id: the runtime dedupes deliveries by body hash.
    return { events: wanted ? [{ payload }] : [] };
  },
  // Backfill: the chosen modules one after another, 200 records per call, oldest first (phases as polling).
  listExisting: async (ctx, { cursor, config, phase }) => {
    const at = (cursor as { entity?: number; page?: number } | null) ?? {};
    const index = at.entity ?? 0;
    const entity = config.entities[index];
    if (!entity) return { items: [], nextCursor: null, hasMore: false };
    const types = config.contactTypes ?? ['customer', 'vendor'];
    const page = at.page ?? 1;
    const result = await listExistingPage(ctx, {
      entity,
      ...(entity === 'contact' && types.length === 1 ? { contactType: types[0]! } : {}),
      page,
      phase,
      recentMonths: 12,
      includeDetails: false,
    });
    const next = result.hasMore ? { entity: index, page: page + 1 } : index + 1 < config.entities.length ? { entity: index + 1, page: 1 } : null;
    return { items: result.items, nextCursor: next, hasMore: next !== null };
  },
});

export interface WorkflowWebhookConfig {
  entity: 'auto' | BooksEntity;
  event: 'auto' | RecordEvent;
  verification: 'signature' | 'query_token' | 'none';
  tokenParam: string;
}

export const workflowWebhookTrigger = defineTrigger<WorkflowWebhookConfig>({
  key: 'workflow_webhook',
  kind: 'webhook',
  title: 'Books workflow rule or custom function calls Braid',
  description:
    'A URL to paste into a Books workflow webhook (or a custom function\'s invokeurl). Accepts the default JSON ' +
    'payload ({"invoice": {…}}), raw JSON, form fields, a record with "exist": false (deleted) and HTTP DELETE ' +
    'with the id in the query.',
  configSchema: {
    type: 'object',
    properties: {
      entity: {
        type: 'string',
        title: 'Module',
        description: '"auto" reads it from the payload (its top-level key or id field).',
        enum: ['auto', 'contact', 'invoice', 'bill', 'customerpayment', 'item'],
        default: 'auto',
      },
      event: {
        type: 'string',
        title: 'Event',
        description: '"auto": deleted for DELETE or exist=false, created when created and modified times are equal, else updated.',
        enum: ['auto', 'created', 'updated', 'deleted'],
        default: 'auto',
      },
      verification: {
        type: 'string',
        title: 'Verification',
        description:
          'signature: the webhook\'s secret in Books signs each call (X-Zoho-Webhook-Signature). query_token: the ' +
          'secret travels as a query parameter (for custom functions). none: anyone with the URL can call it.',
        enum: ['signature', 'query_token', 'none'],
        default: 'signature',
      },
      tokenParam: {
        type: 'string',
        title: 'Token parameter name',
        pattern: '^[A-Za-z0-9_]{1,40}$',
        default: 'braid_token',
      },
    },
    additionalProperties: false,
  },
  outputSchema: eventOutputSchema,
  sampleOutput: sampleEvent,
  requiresConnection: false,
  // The user pastes this secret into Books: it must be what Books accepts, and exactly what is verified.
  secret: BOOKS_SECRET,
  verifyRequest: ({ config, secret, request }) => {
    if (config.verification === 'none') return;
    if (!secret) {
      throw new ConnectorError('SIGNATURE_INVALID', 'This trigger checks calls but has no secret; regenerate the trigger secret.', {
        retryable: false,
      });
    }
    if (config.verification === 'query_token') verifyQueryToken(secret, request, config.tokenParam || 'braid_token');
    else verifySignature(secret, request);
  },
  parseRequest: async (ctx, request) => {
    const config = ctx.config as WorkflowWebhookConfig;
    const payload = parseBooksEvent(request, {
      ...(config.entity && config.entity !== 'auto' ? { entity: config.entity } : {}),
      ...(config.event && config.event !== 'auto' ? { event: config.event } : {}),
    });
    return { events: [{ payload }] };
  },
  setupInstructions: (config, webhookUrl) => {
    const module = config.entity === 'auto' ? 'Contacts, Invoices, Bills or Customer Payments' : config.entity;
    const tokenParam = config.tokenParam || 'braid_token';
    const notes = [
      'In Zoho Books: Settings → Automation → Workflow Actions → Webhooks → New Webhook.',
      `Module: ${module}. URL: the URL above. Method: POST (or DELETE for a delete-only rule; the id can go in the query, e.g. ?invoice_id=\${invoice.invoice_id}).`,
      'Body: "Default payload" (the whole record as JSON). Form fields (x-www-form-urlencoded) with placeholders also work; include the record id field (e.g. invoice_id).',
    ];
    if (config.verification === 'signature') {
      notes.push(
        'Secret: paste this trigger\'s secret exactly as Braid shows it next to the URL when you create it (32 letters and digits, as Books requires). Books then signs every call with X-Zoho-Webhook-Signature.',
      );
    } else if (config.verification === 'query_token') {
      notes.push(`Add the query parameter "${tokenParam}" with this trigger's secret (shown by Braid next to the URL) as its value.`);
    } else {
      notes.push('No verification is configured: anyone who knows the URL can send events. Prefer "signature".');
    }
    notes.push(
      'Then create a Workflow Rule on the same module (Settings → Automation → Workflow Rules) for "Created", "Edited" ' +
        'or "Deleted" and choose this webhook as its action. Deleted records arrive with "exist": false.',
      'Custom function alternative (Deluge): invokeurl [ url: "<the URL>" type: POST parameters: invoice.toString() content-type: "application/json" ];',
    );
    return { method: 'POST', url: webhookUrl, headers: { 'Content-Type': 'application/json' }, notes };
  },
});
