import type { SandboxContext } from '../core/sandbox.service.js';
import type { BooksOrganization } from '../core/sandbox.tenants.js';
import { BooksError } from './books.errors.js';
import { type BooksCall, type BooksEntity, type BooksRecordEvent, type BooksRouteKit, paginate } from './books.http.js';
import { oneOf, optArray, optBool, optString, reqString } from './books.input.js';
import { webhookOut, workflowOut } from './books.serialize.js';
import { signBooksWebhook } from './books.signature.js';
import type { KeyValue, OrgBooks, Webhook, WorkflowRule } from './books.store.js';

/**
 * Books workflow webhooks (apis.md E1–E3): a webhook (URL, method, headers, query parameters, body type, secret,
 * events) fires when a record of its entity is created, edited or deleted — either because the webhook lists the
 * event (`invoice.created`) or because an active workflow rule (entity + on_create/on_edit/on_create_or_edit/
 * on_delete) points at it. Deliveries are real HTTP calls through the sandbox's dispatcher, at most once (no
 * retry policy), signed with the secret when one is set.
 */

const entityAliases: Record<string, BooksEntity> = {
  contact: 'contact', contacts: 'contact', customer: 'contact', vendor: 'contact',
  invoice: 'invoice', invoices: 'invoice',
  bill: 'bill', bills: 'bill',
  customerpayment: 'customerpayment', customerpayments: 'customerpayment', customer_payment: 'customerpayment', payment: 'customerpayment',
  item: 'item', items: 'item',
};

/** The key of the record in the default payload: the singular object name of the API (`payment` for payments). */
const payloadKey: Record<BooksEntity, string> = {
  contact: 'contact', invoice: 'invoice', bill: 'bill', customerpayment: 'payment', item: 'item',
};

const recordEvents: readonly BooksRecordEvent[] = ['created', 'updated', 'deleted'];
const workflowEvents = ['on_create', 'on_edit', 'on_create_or_edit', 'on_delete'] as const;

function normalizeEntity(raw: string | undefined, field = 'entity'): BooksEntity {
  const entity = raw === undefined ? undefined : entityAliases[raw.toLowerCase()];
  if (!entity) throw BooksError.invalid(field, `one of ${[...new Set(Object.values(entityAliases))].join(', ')}`);
  return entity;
}

function readPairs(body: Record<string, unknown>, field: string): KeyValue[] | undefined {
  const list = optArray(body, field);
  if (!list) return undefined;
  return list.map((p) => {
    const name = p.param_name ?? p.key ?? p.name;
    const value = p.param_value ?? p.value ?? '';
    if (typeof name !== 'string' || name === '') throw BooksError.invalid(`${field}.param_name`);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw BooksError.invalid(`${field}.param_value`);
    return { param_name: name, param_value: String(value) };
  });
}

function readBodyType(raw: string | undefined): Webhook['body_type'] | undefined {
  if (raw === undefined) return undefined;
  const v = raw.toLowerCase();
  if (['default', 'default_payload', 'application/json', 'json'].includes(v)) return 'default';
  if (['form', 'form_data', 'x-www-form-urlencoded', 'application/x-www-form-urlencoded'].includes(v)) return 'form';
  if (['raw', 'user_defined', 'text/plain', 'custom'].includes(v)) return 'raw';
  throw BooksError.invalid('body_type', 'default, form or raw');
}

function applyWebhookBody(body: Record<string, unknown>, target: Webhook, creating: boolean): void {
  const entity = optString(body, 'entity');
  if (entity !== undefined || creating) target.entity = normalizeEntity(entity);
  const url = creating ? reqString(body, 'url', 5000) : optString(body, 'url', 5000);
  if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url.replace(/\$\{[^}]*\}/g, 'x'));
    } catch {
      throw BooksError.invalid('url', 'an absolute http(s) URL');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw BooksError.invalid('url', 'an absolute http(s) URL');
    target.url = url;
  }
  const name = optString(body, 'webhook_name', 50);
  if (name !== undefined) target.webhook_name = name;
  const description = optString(body, 'description', 100);
  if (description !== undefined) target.description = description;
  const method = oneOf(optString(body, 'method')?.toUpperCase(), 'method', ['POST', 'PUT', 'DELETE'] as const);
  if (method) target.method = method;
  target.headers = readPairs(body, 'headers') ?? target.headers;
  target.query_parameters = readPairs(body, 'query_parameters') ?? target.query_parameters;
  target.form_data = readPairs(body, 'form_data') ?? readPairs(body, 'entity_parameters') ?? target.form_data;
  target.body_type = readBodyType(optString(body, 'body_type')) ?? target.body_type;
  const raw = optString(body, 'raw_data', 100_000);
  if (raw !== undefined) target.raw_data = raw;
  const secret = optString(body, 'secret', 50);
  if (secret !== undefined) {
    if (secret !== '' && !/^[A-Za-z0-9]{12,50}$/.test(secret)) throw BooksError.invalid('secret', '12 to 50 letters and digits');
    target.secret = secret;
  }
  const events = body.events;
  if (events !== undefined) {
    if (!Array.isArray(events)) throw BooksError.invalid('events');
    target.events = events.map((e) => {
      const m = typeof e === 'string' ? /^([a-z_]+)\.([a-z]+)$/i.exec(e) : null;
      if (!m || !recordEvents.includes(m[2]!.toLowerCase() as BooksRecordEvent)) {
        throw BooksError.invalid('events', 'like invoice.created, invoice.updated, invoice.deleted');
      }
      const entityOfEvent = normalizeEntity(m[1], 'events');
      if (entityOfEvent !== target.entity) throw BooksError.invalid('events', `events must belong to the webhook's entity ${target.entity}`);
      return `${entityOfEvent}.${m[2]!.toLowerCase()}`;
    });
  }
}

function lookup(record: Record<string, unknown>, entity: BooksEntity, path: string): string {
  const parts = path.split('.');
  if (parts.length > 1 && (parts[0] === entity || parts[0] === payloadKey[entity])) parts.shift();
  let value: unknown = record;
  for (const part of parts) {
    if (value === null || typeof value !== 'object') return '';
    value = (value as Record<string, unknown>)[part];
  }
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Replaces `${field}` / `${entity.field}` placeholders with the record's values. */
function substitute(text: string, record: Record<string, unknown>, entity: BooksEntity, encode: (s: string) => string = (s) => s): string {
  return text.replace(/\$\{([^}]+)\}/g, (_m, path: string) => encode(lookup(record, entity, path.trim())));
}

export class BooksWebhookEngine {
  constructor(private readonly ctx: SandboxContext) {}

  /** Fires every webhook subscribed to this change (directly or through a workflow rule). */
  fire(books: OrgBooks, org: BooksOrganization, entity: BooksEntity, event: BooksRecordEvent, record: Record<string, unknown>): void {
    const ruleEvent = { created: ['on_create', 'on_create_or_edit'], updated: ['on_edit', 'on_create_or_edit'], deleted: ['on_delete'] }[event];
    const targets = new Set<string>();
    for (const w of books.webhooks.values()) if (w.entity === entity && w.events.includes(`${entity}.${event}`)) targets.add(w.webhook_id);
    for (const rule of books.workflows.values()) {
      if (rule.is_active && rule.entity === entity && ruleEvent.includes(rule.event)) targets.add(rule.webhook_id);
    }
    for (const id of targets) {
      const webhook = books.webhooks.get(id);
      if (webhook && webhook.entity === entity) this.deliver(org, webhook, entity, event, record);
    }
  }

  private deliver(org: BooksOrganization, w: Webhook, entity: BooksEntity, event: BooksRecordEvent, record: Record<string, unknown>): void {
    const data = event === 'deleted' ? { ...record, exist: false } : record;
    let url: URL;
    try {
      url = new URL(substitute(w.url, data, entity, encodeURIComponent));
    } catch {
      return;
    }
    for (const q of w.query_parameters) url.searchParams.append(q.param_name, substitute(q.param_value, data, entity));
    const headers: Record<string, string> = { 'User-Agent': 'ZohoBooks-Webhook (Braid sandbox)' };
    for (const h of w.headers) headers[h.param_name] = substitute(h.param_value, data, entity);
    let body: string;
    let form: Array<[string, string]> = [];
    let rawBody = '';
    if (w.body_type === 'form') {
      form = w.form_data.map((p) => [p.param_name, substitute(p.param_value, data, entity)]);
      body = new URLSearchParams(form).toString();
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    } else if (w.body_type === 'raw') {
      body = substitute(w.raw_data, data, entity);
      rawBody = body;
      let isJson = true;
      try {
        JSON.parse(body);
      } catch {
        isJson = false;
      }
      headers['Content-Type'] = isJson ? 'application/json' : 'text/plain';
    } else {
      body = JSON.stringify({ [payloadKey[entity]]: data });
      rawBody = body;
      headers['Content-Type'] = 'application/json';
    }
    if (w.secret) headers['X-Zoho-Webhook-Signature'] = signBooksWebhook(w.secret, { query: url.searchParams, form, rawBody });
    headers['X-Books-Organization-Id'] = org.organization_id;
    this.ctx.webhooks.deliver({
      service: 'books',
      event: `books:${entity}.${event}`,
      url: url.toString(),
      method: w.method,
      headers,
      body,
      attempts: 1,
      timeoutMs: this.ctx.limits.books.webhookTimeoutMs,
    });
  }
}

/** Plans with workflow automation (apis.md E4: Professional, Premium in some regions, Elite, Ultimate). */
const automationPlans = new Set(['professional', 'premium', 'elite', 'ultimate']);
const MAX_RULES_PER_MODULE = 10;
const MAX_RULES_PER_ORG = 200;

function requireAutomationPlan(call: BooksCall): void {
  if (!automationPlans.has(call.org.plan)) {
    throw BooksError.state(`Workflow rules and webhooks are not available on the ${call.org.plan} plan of this organization; upgrade to Professional or higher.`);
  }
}

export function registerWebhookRoutes(kit: BooksRouteKit): void {
  const maxPerPage = () => kit.ctx.limits.books.maxPerPage;
  const stamp = (call: BooksCall) => ({ created_ms: call.now, modified_ms: call.now });
  const findWebhook = (call: BooksCall) => {
    const w = call.books.webhooks.get(call.param('webhook_id'));
    if (!w) throw BooksError.notFound('Webhook');
    return w;
  };
  const findRule = (call: BooksCall) => {
    const w = call.books.workflows.get(call.param('workflow_id'));
    if (!w) throw BooksError.notFound('Workflow');
    return w;
  };

  kit.resource('/settings/webhooks', 'settings', {
    post: (call) => {
      requireAutomationPlan(call);
      const w: Webhook = {
        webhook_id: kit.ctx.ids.booksId('record'), webhook_name: 'Webhook', description: '', entity: 'invoice',
        method: 'POST', url: '', headers: [], query_parameters: [], body_type: 'default', form_data: [], raw_data: '',
        secret: '', events: [], ...stamp(call),
      };
      applyWebhookBody(call.body, w, true);
      call.books.webhooks.set(w.webhook_id, w);
      return { status: 201, message: 'The webhook has been created.', data: { webhook: webhookOut(w, call.fmt) } };
    },
    get: (call) => {
      let rows = [...call.books.webhooks.values()];
      const entity = call.query('entity');
      if (entity) rows = rows.filter((w) => w.entity === normalizeEntity(entity));
      const page = paginate(call, rows, maxPerPage(), { report_name: 'Webhooks', sort_column: 'created_time', sort_order: 'A' });
      return { data: { webhooks: page.rows.map((w) => webhookOut(w, call.fmt)), page_context: page.page_context } };
    },
  });
  kit.resource('/settings/webhooks/:webhook_id', 'settings', {
    get: (call) => ({ data: { webhook: webhookOut(findWebhook(call), call.fmt) } }),
    put: (call) => {
      const w = findWebhook(call);
      const draft = structuredClone(w);
      applyWebhookBody(call.body, draft, false);
      Object.assign(w, draft, { modified_ms: call.now });
      return { message: 'The webhook has been updated.', data: { webhook: webhookOut(w, call.fmt) } };
    },
    delete: (call) => {
      const w = findWebhook(call);
      const rule = [...call.books.workflows.values()].find((r) => r.webhook_id === w.webhook_id);
      if (rule) throw BooksError.state(`The webhook is used by the workflow rule "${rule.workflow_name}" (${rule.workflow_id}); delete the rule first.`);
      call.books.webhooks.delete(w.webhook_id);
      return { message: 'The webhook has been deleted.' };
    },
  });

  const applyRule = (call: BooksCall, rule: WorkflowRule, creating: boolean) => {
    const name = creating ? reqString(call.body, 'workflow_name', 100) : optString(call.body, 'workflow_name', 100);
    if (name !== undefined) rule.workflow_name = name;
    const entity = optString(call.body, 'entity');
    if (entity !== undefined || creating) rule.entity = normalizeEntity(entity);
    const event = oneOf(creating ? reqString(call.body, 'event') : optString(call.body, 'event'), 'event', workflowEvents);
    if (event) rule.event = event;
    const webhookId = creating ? reqString(call.body, 'webhook_id') : optString(call.body, 'webhook_id');
    if (webhookId !== undefined) rule.webhook_id = webhookId;
    const active = optBool(call.body, 'is_active');
    if (active !== undefined) rule.is_active = active;
    const webhook = call.books.webhooks.get(rule.webhook_id);
    if (!webhook) throw BooksError.invalid('webhook_id', 'no such webhook in this organization');
    if (webhook.entity !== rule.entity) throw BooksError.invalid('webhook_id', `the webhook is for ${webhook.entity}, the rule for ${rule.entity}`);
  };
  kit.resource('/settings/workflows', 'settings', {
    post: (call) => {
      requireAutomationPlan(call);
      const rule: WorkflowRule = {
        workflow_id: kit.ctx.ids.booksId('record'), workflow_name: '', entity: 'invoice', event: 'on_create',
        webhook_id: '', is_active: true, ...stamp(call),
      };
      applyRule(call, rule, true);
      const rules = [...call.books.workflows.values()];
      if (rules.length >= MAX_RULES_PER_ORG) throw BooksError.state(`An organization can have at most ${MAX_RULES_PER_ORG} workflow rules.`);
      if (rules.filter((r) => r.entity === rule.entity).length >= MAX_RULES_PER_MODULE) {
        throw BooksError.state(`A module can have at most ${MAX_RULES_PER_MODULE} workflow rules; ${rule.entity} has reached it.`);
      }
      call.books.workflows.set(rule.workflow_id, rule);
      return { status: 201, message: 'The workflow rule has been created.', data: { workflow: workflowOut(rule, call.fmt) } };
    },
    get: (call) => {
      const page = paginate(call, [...call.books.workflows.values()], maxPerPage(), { report_name: 'Workflows', sort_column: 'created_time', sort_order: 'A' });
      return { data: { workflows: page.rows.map((w) => workflowOut(w, call.fmt)), page_context: page.page_context } };
    },
  });
  kit.resource('/settings/workflows/:workflow_id', 'settings', {
    get: (call) => ({ data: { workflow: workflowOut(findRule(call), call.fmt) } }),
    put: (call) => {
      const rule = findRule(call);
      const draft = structuredClone(rule);
      applyRule(call, draft, false);
      Object.assign(rule, draft, { modified_ms: call.now });
      return { message: 'The workflow rule has been updated.', data: { workflow: workflowOut(rule, call.fmt) } };
    },
    delete: (call) => {
      const rule = findRule(call);
      call.books.workflows.delete(rule.workflow_id);
      return { message: 'The workflow rule has been deleted.' };
    },
  });
}
