// Field and module metadata (`/settings/fields`, `/settings/modules`) in the shape the field mapper and the
// dynamic options need, cached briefly per connection so polls and lists do not re-read it every call.
import type { ConnectorContext, DynamicOption } from '@braid/connector-sdk';
import { MAX_FIELDS, withCrmErrors } from './crm.http.js';

export interface CrmFieldInfo {
  apiName: string;
  label: string;
  dataType: string;
  mandatory: boolean;
  readOnly: boolean;
  unique: boolean;
  custom: boolean;
  length?: number;
  picklist?: Array<{ value: string; label: string }>;
  lookupModule?: string;
}

export interface CrmModuleInfo {
  apiName: string;
  label: string;
  singularLabel: string;
  custom: boolean;
}

interface RawField {
  api_name?: unknown;
  field_label?: unknown;
  display_label?: unknown;
  data_type?: unknown;
  system_mandatory?: unknown;
  read_only?: unknown;
  field_read_only?: unknown;
  unique?: unknown;
  custom_field?: unknown;
  length?: unknown;
  pick_list_values?: unknown;
  lookup?: unknown;
}

interface RawModule {
  api_name?: unknown;
  plural_label?: unknown;
  module_name?: unknown;
  singular_label?: unknown;
  generated_type?: unknown;
  api_supported?: unknown;
}

export function normaliseField(raw: RawField): CrmFieldInfo | undefined {
  if (typeof raw.api_name !== 'string' || raw.api_name === '') return undefined;
  const label = typeof raw.field_label === 'string' ? raw.field_label : typeof raw.display_label === 'string' ? raw.display_label : raw.api_name;
  const unique =
    raw.unique === true || (!!raw.unique && typeof raw.unique === 'object' && Object.keys(raw.unique as object).length > 0);
  const field: CrmFieldInfo = {
    apiName: raw.api_name,
    label,
    dataType: typeof raw.data_type === 'string' ? raw.data_type : 'text',
    mandatory: raw.system_mandatory === true,
    readOnly: raw.read_only === true || raw.field_read_only === true,
    unique,
    custom: raw.custom_field === true,
  };
  if (typeof raw.length === 'number') field.length = raw.length;
  if (Array.isArray(raw.pick_list_values) && raw.pick_list_values.length > 0) {
    field.picklist = (raw.pick_list_values as Array<Record<string, unknown>>)
      .filter((p) => p && (typeof p.actual_value === 'string' || typeof p.display_value === 'string'))
      .map((p) => ({
        value: String(p.actual_value ?? p.display_value),
        label: String(p.display_value ?? p.actual_value),
      }));
  }
  const lookup = raw.lookup as { module?: { api_name?: unknown } } | undefined;
  if (lookup && typeof lookup.module?.api_name === 'string') field.lookupModule = lookup.module.api_name;
  return field;
}

const CACHE_TTL_MS = 5 * 60_000;
const fieldCache = new Map<string, { at: number; fields: CrmFieldInfo[] }>();

function cacheKey(ctx: ConnectorContext, module: string): string {
  return `${ctx.connection?.id ?? ''}\u0000${ctx.connection?.apiBaseUrl ?? ''}\u0000${module.toLowerCase()}`;
}

/** Every field of a module (cached 5 minutes per connection unless `fresh`). */
export async function moduleFields(ctx: ConnectorContext, module: string, fresh = false): Promise<CrmFieldInfo[]> {
  const key = cacheKey(ctx, module);
  const now = ctx.now().getTime();
  const cached = fieldCache.get(key);
  if (!fresh && cached && now - cached.at < CACHE_TTL_MS) return cached.fields;
  const response = await ctx.http.get<{ fields?: RawField[] }>('/settings/fields', { module });
  const fields = (Array.isArray(response.body?.fields) ? response.body.fields : [])
    .map(normaliseField)
    .filter((f): f is CrmFieldInfo => f !== undefined);
  fieldCache.set(key, { at: now, fields });
  if (fieldCache.size > 500) fieldCache.delete(fieldCache.keys().next().value!);
  return fields;
}

export async function listModules(ctx: ConnectorContext): Promise<CrmModuleInfo[]> {
  const response = await ctx.http.get<{ modules?: RawModule[] }>('/settings/modules');
  return (Array.isArray(response.body?.modules) ? response.body.modules : [])
    .filter((m) => typeof m.api_name === 'string' && m.api_supported !== false)
    .map((m) => ({
      apiName: String(m.api_name),
      label: String(m.plural_label ?? m.module_name ?? m.api_name),
      singularLabel: String(m.singular_label ?? m.api_name),
      custom: m.generated_type === 'custom',
    }));
}

const ALWAYS = ['Modified_Time', 'Created_Time'];

/**
 * The `fields` parameter of a list read (v8 requires it, ≤ 50): the caller's list, else every field of the
 * module. `required` names are put first so they survive the 50-field cut.
 */
export async function resolveFields(
  ctx: ConnectorContext,
  module: string,
  fields: string[] | undefined,
  required: string[] = ALWAYS,
): Promise<string[]> {
  const base = fields && fields.length > 0 ? fields : (await moduleFields(ctx, module)).map((f) => f.apiName);
  return [...new Set([...required, ...base])].filter((f) => f !== 'id').slice(0, MAX_FIELDS);
}

export function describeField(field: CrmFieldInfo): string {
  const flags = [
    field.dataType + (field.lookupModule ? ` → ${field.lookupModule}` : ''),
    field.mandatory ? 'mandatory' : undefined,
    field.unique ? 'unique' : undefined,
    field.readOnly ? 'read-only' : undefined,
    field.custom ? 'custom' : undefined,
  ].filter(Boolean);
  const picks = field.picklist?.length
    ? `; values: ${field.picklist
        .slice(0, 20)
        .map((p) => p.value)
        .join(', ')}${field.picklist.length > 20 ? ', …' : ''}`
    : '';
  return `${flags.join(', ')}${picks}`;
}

export async function moduleOptions(ctx: ConnectorContext): Promise<DynamicOption[]> {
  return withCrmErrors(ctx, async () =>
    (await listModules(ctx)).map((m) => ({
      value: m.apiName,
      label: m.label,
      description: `${m.custom ? 'Custom module' : 'Standard module'} (API name ${m.apiName})`,
    })),
  );
}

export async function fieldOptions(ctx: ConnectorContext, dependsOn: Record<string, unknown>): Promise<DynamicOption[]> {
  const module = typeof dependsOn.module === 'string' && dependsOn.module !== '' ? dependsOn.module : 'Accounts';
  return withCrmErrors(ctx, async () =>
    (await moduleFields(ctx, module)).map((f) => ({
      value: f.apiName,
      label: `${f.label}${f.mandatory ? ' *' : ''}`,
      description: describeField(f),
    })),
  );
}
