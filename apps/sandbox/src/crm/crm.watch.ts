/**
 * Notifications (watch) API (apis.md C8): channels subscribe to `Module.create|edit|delete|all` events with a
 * notify_url and an optional token; every record change in a watched module POSTs a callback through the
 * sandbox's webhook dispatcher. Channels expire (sandbox clock) and then neither fire nor list.
 * The callback carries the channel token, no signature, as Zoho's does.
 */
import type { SandboxContext } from '../core/sandbox.service.js';
import { CrmError, CrmErrorCode } from './crm.errors.js';
import { type CrmModuleName, findModule } from './crm.fields.js';
import type { CrmStore, WatchChannel, WatchOperation } from './crm.store.js';

const operations: WatchOperation[] = ['create', 'edit', 'delete'];
const callbackOperation: Record<WatchOperation, 'insert' | 'update' | 'delete'> = {
  create: 'insert', edit: 'update', delete: 'delete',
};

interface WatchItemResult {
  code: string;
  status: 'success' | 'error';
  message: string;
  details: Record<string, unknown>;
}

export class CrmWatch {
  constructor(
    private readonly store: CrmStore,
    private readonly ctx: SandboxContext,
  ) {}

  /** Channels of an org that have not expired (expired ones are dropped). */
  active(orgId?: string): WatchChannel[] {
    const now = this.ctx.clock.now();
    this.store.channels = this.store.channels.filter((c) => c.expiresAt > now);
    return this.store.channels.filter((c) => !orgId || c.orgId === orgId);
  }

  private resourceUri(apiBase: string, module: CrmModuleName): string {
    return `${apiBase}/${module}`;
  }

  private eventsDetail(channel: WatchChannel, apiBase: string, modules?: CrmModuleName[]): Record<string, unknown>[] {
    const byModule = [...new Set(channel.events.map((e) => e.module))].filter((m) => !modules || modules.includes(m));
    return byModule.map((module) => ({
      channel_expiry: this.store.time(channel.orgId, channel.expiresAt),
      resource_uri: this.resourceUri(apiBase, module),
      resource_id: findModule(module)!.moduleId,
      resource_name: module,
      channel_id: channel.channelId,
    }));
  }

  /** POST (subscribe/extend), PUT (replace), PATCH (add or, with _delete_events, remove events). */
  write(
    method: 'POST' | 'PUT' | 'PATCH',
    orgId: string,
    crmUserId: string,
    apiBase: string,
    body: unknown,
  ): { httpStatus: number; body: unknown } {
    const items = (body as { watch?: unknown } | undefined)?.watch;
    if (!Array.isArray(items) || items.length === 0) {
      throw new CrmError(400, CrmErrorCode.RequiredParamMissing, 'the body needs a non-empty "watch" array', { param_name: 'watch' });
    }
    const results: WatchItemResult[] = items.map((item, index) => {
      try {
        return this.writeOne(method, orgId, crmUserId, apiBase, item as Record<string, unknown>, index);
      } catch (error) {
        if (error instanceof CrmError) return error.toBody() as WatchItemResult;
        throw error;
      }
    });
    const ok = results.filter((r) => r.status === 'success').length;
    const httpStatus = ok === results.length ? (method === 'POST' ? 201 : 200) : ok === 0 ? 400 : 207;
    return { httpStatus, body: { watch: results } };
  }

  private writeOne(
    method: 'POST' | 'PUT' | 'PATCH',
    orgId: string,
    crmUserId: string,
    apiBase: string,
    item: Record<string, unknown>,
    index: number,
  ): WatchItemResult {
    const path = `$.watch[${index}]`;
    const channelId = item.channel_id;
    if (channelId === undefined || channelId === null || channelId === '') {
      throw new CrmError(400, CrmErrorCode.MandatoryNotFound, 'required field not found', {
        api_name: 'channel_id', json_path: `${path}.channel_id`,
      });
    }
    if (!/^\d{1,19}$/.test(String(channelId))) {
      throw new CrmError(400, CrmErrorCode.InvalidData, 'invalid data', {
        api_name: 'channel_id', json_path: `${path}.channel_id`, expected_data_type: 'long',
      });
    }
    const id = String(channelId);
    const existing = this.active(orgId).find((c) => c.channelId === id);
    const events = item.events === undefined ? undefined : this.parseEvents(item.events, `${path}.events`);
    if (method !== 'PATCH' && !events) {
      throw new CrmError(400, CrmErrorCode.MandatoryNotFound, 'required field not found', {
        api_name: 'events', json_path: `${path}.events`,
      });
    }
    if (method !== 'POST' && !existing) {
      throw new CrmError(400, CrmErrorCode.InvalidData, 'the given channel_id does not exist or has expired', {
        api_name: 'channel_id', json_path: `${path}.channel_id`,
      });
    }
    const notifyUrl = item.notify_url === undefined ? existing?.notifyUrl : this.parseUrl(item.notify_url, `${path}.notify_url`);
    if (!notifyUrl) {
      throw new CrmError(400, CrmErrorCode.MandatoryNotFound, 'required field not found', {
        api_name: 'notify_url', json_path: `${path}.notify_url`,
      });
    }
    let token = existing?.token;
    if (item.token !== undefined) {
      if (item.token !== null && (typeof item.token !== 'string' || item.token.length > 50)) {
        throw new CrmError(400, CrmErrorCode.InvalidData, 'token must be a string of at most 50 characters', {
          api_name: 'token', json_path: `${path}.token`, maximum_length: 50,
        });
      }
      token = item.token ?? undefined;
    }
    const now = this.ctx.clock.now();
    const limits = this.ctx.limits.crm;
    let expiresAt = existing && method === 'PATCH' ? existing.expiresAt : now + limits.watchDefaultExpiryMs;
    if (item.channel_expiry !== undefined && item.channel_expiry !== null) {
      const at = typeof item.channel_expiry === 'string' ? Date.parse(item.channel_expiry) : Number.NaN;
      if (Number.isNaN(at) || at <= now || at > now + limits.watchMaxExpiryMs) {
        throw new CrmError(400, CrmErrorCode.InvalidData, `channel_expiry must be an ISO date-time in the future, at most ${Math.round(limits.watchMaxExpiryMs / 3600_000)} h ahead`, {
          api_name: 'channel_expiry', json_path: `${path}.channel_expiry`, expected_data_type: 'datetime',
        });
      }
      expiresAt = at;
    }
    let channelEvents = events ?? existing?.events ?? [];
    if (method === 'PATCH' && existing && events) {
      channelEvents = item._delete_events === true
        ? existing.events.filter((e) => !events.some((d) => d.module === e.module && d.operation === e.operation))
        : dedupe([...existing.events, ...events]);
    } else if (method === 'POST' && existing && events) {
      // subscribing an existing channel again replaces the events of the modules named, keeps the others
      const named = new Set(events.map((e) => e.module));
      channelEvents = dedupe([...existing.events.filter((e) => !named.has(e.module)), ...events]);
    }
    const channel: WatchChannel = {
      orgId,
      channelId: id,
      events: channelEvents,
      expiresAt,
      token,
      notifyUrl,
      returnAffectedFieldValues:
        typeof item.return_affected_field_values === 'boolean' ? item.return_affected_field_values : existing?.returnAffectedFieldValues ?? false,
      notifyOnRelatedAction:
        typeof item.notify_on_related_action === 'boolean' ? item.notify_on_related_action : existing?.notifyOnRelatedAction ?? false,
      createdBy: existing?.createdBy ?? crmUserId,
    };
    this.store.channels = this.store.channels.filter((c) => !(c.orgId === orgId && c.channelId === id));
    if (channel.events.length > 0) this.store.channels.push(channel);
    return {
      code: 'SUCCESS',
      status: 'success',
      message: 'Successfully subscribed for actions-watch of the given module',
      details: { events: this.eventsDetail(channel, apiBase) },
    };
  }

  private parseEvents(value: unknown, jsonPath: string): WatchChannel['events'] {
    if (!Array.isArray(value) || value.length === 0) {
      throw new CrmError(400, CrmErrorCode.InvalidData, 'events must be a non-empty array like ["Accounts.all"]', {
        api_name: 'events', json_path: jsonPath, expected_data_type: 'jsonarray',
      });
    }
    const out: WatchChannel['events'] = [];
    value.forEach((event, i) => {
      const [moduleName, op] = typeof event === 'string' ? event.split('.') : [];
      const module = moduleName ? findModule(moduleName) : undefined;
      const opLower = op?.toLowerCase();
      if (!module || !opLower || !(opLower === 'all' || (operations as string[]).includes(opLower))) {
        throw new CrmError(400, CrmErrorCode.InvalidData, `event "${String(event)}" is not Module.create|edit|delete|all`, {
          api_name: 'events', json_path: `${jsonPath}[${i}]`,
        });
      }
      const ops = opLower === 'all' ? operations : [opLower as WatchOperation];
      for (const operation of ops) out.push({ module: module.apiName, operation });
    });
    return dedupe(out);
  }

  private parseUrl(value: unknown, jsonPath: string): string {
    let url: URL | undefined;
    try {
      url = typeof value === 'string' ? new URL(value) : undefined;
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new CrmError(400, CrmErrorCode.InvalidData, 'notify_url must be an http(s) URL', {
        api_name: 'notify_url', json_path: jsonPath, expected_data_type: 'url',
      });
    }
    return String(value);
  }

  /** GET /actions/watch: one entry per (channel, module), events as bare operations. */
  list(orgId: string, apiBase: string, filter: { channelId?: string; module?: string }): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const channel of this.active(orgId)) {
      if (filter.channelId && channel.channelId !== filter.channelId) continue;
      const modules = [...new Set(channel.events.map((e) => e.module))];
      for (const module of modules) {
        if (filter.module && module.toLowerCase() !== filter.module.toLowerCase()) continue;
        out.push({
          channel_id: channel.channelId,
          events: channel.events.filter((e) => e.module === module).map((e) => `${module}.${e.operation}`),
          channel_expiry: this.store.time(orgId, channel.expiresAt),
          resource_uri: this.resourceUri(apiBase, module),
          resource_id: findModule(module)!.moduleId,
          resource_name: module,
          token: channel.token ?? null,
          notify_url: channel.notifyUrl,
          notify_on_related_action: channel.notifyOnRelatedAction,
          return_affected_field_values: channel.returnAffectedFieldValues,
          fields: null,
          notification_condition: null,
        });
      }
    }
    return out;
  }

  /** DELETE /actions/watch?channel_ids=… — one result per (channel, module) unsubscribed. */
  remove(orgId: string, apiBase: string, channelIds: string[]): { httpStatus: number; body: unknown } {
    const results: WatchItemResult[] = [];
    for (const id of channelIds) {
      const channel = this.active(orgId).find((c) => c.channelId === id);
      if (!channel) {
        results.push({ code: 'INVALID_DATA', status: 'error', message: 'the given channel_id does not exist or has expired', details: { channel_id: id } });
        continue;
      }
      this.store.channels = this.store.channels.filter((c) => c !== channel);
      for (const module of [...new Set(channel.events.map((e) => e.module))]) {
        results.push({
          code: 'SUCCESS',
          status: 'success',
          message: 'Successfully un-subscribed from actions-watch',
          details: { resource_uri: this.resourceUri(apiBase, module), resource_id: findModule(module)!.moduleId, channel_id: channel.channelId },
        });
      }
    }
    const ok = results.filter((r) => r.status === 'success').length;
    return { httpStatus: ok === results.length ? 200 : ok === 0 ? 400 : 207, body: { watch: results } };
  }

  /**
   * Fires the callbacks for one API call's changes. `changed` maps record id → the fields the call changed
   * (edits only), sent as affected_fields / affected_values when the channel asked for them.
   */
  notify(
    orgId: string,
    module: CrmModuleName,
    operation: WatchOperation,
    ids: string[],
    apiBase: string,
    changed?: Map<string, Record<string, unknown>>,
  ): void {
    if (ids.length === 0) return;
    for (const channel of this.active(orgId)) {
      if (!channel.events.some((e) => e.module === module && e.operation === operation)) continue;
      let queryParams: Record<string, string> = {};
      try {
        queryParams = Object.fromEntries(new URL(channel.notifyUrl).searchParams);
      } catch {
        queryParams = {};
      }
      const payload: Record<string, unknown> = {
        server_time: this.ctx.clock.now(),
        query_params: queryParams,
        module,
        resource_uri: this.resourceUri(apiBase, module),
        ids,
        operation: callbackOperation[operation],
        channel_id: Number.isSafeInteger(Number(channel.channelId)) ? Number(channel.channelId) : channel.channelId,
        token: channel.token ?? null,
      };
      if (operation === 'edit' && channel.returnAffectedFieldValues && changed) {
        payload.affected_fields = ids.map((id) => ({ [id]: Object.keys(changed.get(id) ?? {}) }));
        payload.affected_values = ids.map((id) => ({ record_id: id, values: changed.get(id) ?? {} }));
      }
      this.ctx.webhooks.deliver({
        service: 'crm',
        event: `crm:${module}.${callbackOperation[operation]}`,
        url: channel.notifyUrl,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
      });
    }
  }
}

function dedupe(events: WatchChannel['events']): WatchChannel['events'] {
  const seen = new Set<string>();
  return events.filter((e) => {
    const key = `${e.module}.${e.operation}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
