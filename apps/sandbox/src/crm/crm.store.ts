/**
 * The CRM's records, recycle bin, watch channels, page tokens and credit ledger, per org. Records are keyed by
 * 19-digit ids (unique across modules, as in Zoho). Lookups are stored as ids and rendered `{name, id}` on read,
 * so a renamed account shows its new name on its contacts.
 */
import type { CrmOrganization, TenantRegistry, ZohoUser } from '../core/sandbox.tenants.js';
import { type CrmFieldDef, type CrmModuleDef, type CrmModuleName, crmModules } from './crm.fields.js';

export interface CrmRecord {
  id: string;
  orgId: string;
  module: CrmModuleName;
  /** field values as written (lookups as ids, owner as a user id) */
  values: Record<string, unknown>;
  createdTime: number;
  modifiedTime: number;
  createdBy: string;
  modifiedBy: string;
}

export interface CrmDeletedRecord {
  id: string;
  orgId: string;
  module: CrmModuleName;
  displayName: string;
  createdBy: string;
  deletedBy: string;
  deletedTime: number;
}

export type WatchOperation = 'create' | 'edit' | 'delete';

export interface WatchChannel {
  orgId: string;
  /** channel ids are longs chosen by the caller; kept as the digits */
  channelId: string;
  events: Array<{ module: CrmModuleName; operation: WatchOperation }>;
  expiresAt: number;
  token?: string;
  notifyUrl: string;
  returnAffectedFieldValues: boolean;
  notifyOnRelatedAction: boolean;
  createdBy: string;
}

export interface PageCursor {
  orgId: string;
  userId: string;
  module: CrmModuleName;
  sortBy: 'id' | 'Created_Time' | 'Modified_Time';
  sortOrder: 'asc' | 'desc';
  /** keyset position: the last record served */
  after: { key: number | string; id: string };
  page: number;
  modifiedSince?: number;
  expiresAt: number;
  /** the request parameters the token is bound to (changing them → TOKEN_BOUND_DATA_MISMATCH) */
  binding: string;
  /** records served so far through page and page_token (page_token reaches 100,000) */
  served: number;
}

export interface CrmUserRef {
  id: string;
  name: string;
  email: string;
}

/** Fixed UTC offsets per data centre for CRM timestamps (`+05:30` style, with a colon). */
const offsetMinutesByDc: Record<string, number> = { com: -5 * 60, eu: 60 };

export function formatCrmTime(ms: number, offsetMinutes: number): string {
  const shifted = new Date(ms + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${shifted.toISOString().slice(0, 19)}${offset}`;
}

export class CrmStore {
  readonly records = new Map<string, CrmRecord>();
  deleted: CrmDeletedRecord[] = [];
  channels: WatchChannel[] = [];
  readonly pageTokens = new Map<string, PageCursor>();
  /** credits spent per org: [time, cost] pairs inside the rolling window */
  readonly credits = new Map<string, Array<[number, number]>>();

  constructor(private readonly tenants: TenantRegistry) {}

  reset(): void {
    this.records.clear();
    this.deleted = [];
    this.channels = [];
    this.pageTokens.clear();
    this.credits.clear();
  }

  /** Drops expired page tokens, and the oldest ones beyond a cap, so a long-running sandbox stays small. */
  prunePageTokens(now: number, cap = 10_000): void {
    if (this.pageTokens.size < cap) return;
    for (const [token, cursor] of this.pageTokens) if (cursor.expiresAt <= now) this.pageTokens.delete(token);
    for (const token of this.pageTokens.keys()) {
      if (this.pageTokens.size < cap) break;
      this.pageTokens.delete(token);
    }
  }

  moduleRecords(orgId: string, module: CrmModuleName): CrmRecord[] {
    const out: CrmRecord[] = [];
    for (const r of this.records.values()) if (r.orgId === orgId && r.module === module) out.push(r);
    return out;
  }

  get(orgId: string, module: CrmModuleName, id: string): CrmRecord | undefined {
    const r = this.records.get(id);
    return r && r.orgId === orgId && r.module === module ? r : undefined;
  }

  org(orgId: string): CrmOrganization | undefined {
    return this.tenants.crmOrgs.get(orgId);
  }

  offsetMinutes(orgId: string): number {
    return offsetMinutesByDc[this.org(orgId)?.dc ?? 'com'] ?? 0;
  }

  time(orgId: string, ms: number): string {
    return formatCrmTime(ms, this.offsetMinutes(orgId));
  }

  /** CRM user id for a Zoho user: 19 digits, stable per user (derived from the user's position in the registry). */
  userRef(zohoUserId: string): CrmUserRef {
    const users = [...this.tenants.zohoUsers.values()].sort((a, b) => a.id.localeCompare(b.id));
    const index = users.findIndex((u) => u.id === zohoUserId);
    const user: ZohoUser | undefined = users[index];
    return {
      id: `572576800000000${String(index + 1).padStart(4, '0')}`,
      name: user?.name ?? 'Unknown User',
      email: user?.email ?? '',
    };
  }

  /** CRM user ids of an org's users → refs (for Owner validation). */
  orgUsers(orgId: string): Array<CrmUserRef & { zohoUserId: string }> {
    return (this.org(orgId)?.userIds ?? []).map((u) => ({ ...this.userRef(u), zohoUserId: u }));
  }

  userById(crmUserId: string): CrmUserRef | undefined {
    for (const u of this.tenants.zohoUsers.values()) {
      const ref = this.userRef(u.id);
      if (ref.id === crmUserId) return ref;
    }
    return undefined;
  }

  /** The text shown for a record in lookups and the recycle bin. */
  displayName(record: CrmRecord): string {
    const def = crmModules[record.module];
    if (record.module === 'Contacts') return fullName(record.values);
    return String(record.values[def.nameField] ?? '');
  }

  /** Renders one field of a record as the API returns it. */
  renderField(record: CrmRecord, field: CrmFieldDef): unknown {
    switch (field.apiName) {
      case 'Created_Time': return this.time(record.orgId, record.createdTime);
      case 'Modified_Time': return this.time(record.orgId, record.modifiedTime);
      case 'Last_Activity_Time': return this.time(record.orgId, record.modifiedTime);
      case 'Created_By': return this.userById(record.createdBy) ?? null;
      case 'Modified_By': return this.userById(record.modifiedBy) ?? null;
      case 'Full_Name': return record.module === 'Contacts' ? fullName(record.values) : null;
    }
    const value = record.values[field.apiName];
    if (value === undefined || value === null) return field.dataType === 'boolean' ? false : null;
    if (field.dataType === 'ownerlookup') return this.userById(String(value)) ?? null;
    if (field.dataType === 'lookup' && field.lookupModule) {
      const target = this.get(record.orgId, field.lookupModule, String(value));
      return target ? { name: this.displayName(target), id: target.id } : null;
    }
    return value;
  }

  /** The record as JSON; `fields` limits the keys (id always included). */
  render(record: CrmRecord, fields?: string[]): Record<string, unknown> {
    const def: CrmModuleDef = crmModules[record.module];
    const out: Record<string, unknown> = {};
    for (const field of def.fields) {
      if (fields && !fields.includes(field.apiName)) continue;
      out[field.apiName] = this.renderField(record, field);
    }
    out.id = record.id;
    return out;
  }

  snapshot(): unknown {
    return {
      records: [...this.records.values()],
      deleted: this.deleted,
      channels: this.channels,
      credits: [...this.credits.entries()],
    };
  }

  restore(data: unknown): void {
    const d = data as {
      records?: CrmRecord[];
      deleted?: CrmDeletedRecord[];
      channels?: WatchChannel[];
      credits?: Array<[string, Array<[number, number]>]>;
    };
    this.reset();
    for (const r of d.records ?? []) this.records.set(r.id, r);
    this.deleted = d.deleted ?? [];
    this.channels = d.channels ?? [];
    for (const [org, entries] of d.credits ?? []) this.credits.set(org, entries);
  }
}

export function fullName(values: Record<string, unknown>): string {
  return [values.First_Name, values.Last_Name].filter((v) => typeof v === 'string' && v !== '').join(' ');
}
