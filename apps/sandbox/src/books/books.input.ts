import { BooksError, BooksErrorCode } from './books.errors.js';
import type { BooksAddress, CustomFieldDef, CustomFieldModule, OrgBooks } from './books.store.js';
import { isBooksDate } from './books.time.js';

/** Typed reads of request-body fields with Books-style errors ("Invalid value passed for <field>"). */

export function optString(body: Record<string, unknown>, field: string, max = 5000): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') throw BooksError.invalid(field);
  if (v.length > max) throw BooksError.invalid(field, `at most ${max} characters`);
  return v;
}

export function reqString(body: Record<string, unknown>, field: string, max = 5000): string {
  const v = optString(body, field, max);
  if (v === undefined || v.trim() === '') throw BooksError.required(field);
  return v;
}

export function optNumber(body: Record<string, unknown>, field: string): number | undefined {
  const v = body[field];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw BooksError.invalid(field);
  return n;
}

export function reqNumber(body: Record<string, unknown>, field: string): number {
  const n = optNumber(body, field);
  if (n === undefined) throw BooksError.required(field);
  return n;
}

export function optBool(body: Record<string, unknown>, field: string): boolean | undefined {
  const v = body[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw BooksError.invalid(field);
}

export function optDate(body: Record<string, unknown>, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (!isBooksDate(v)) throw BooksError.invalid(field, 'expected yyyy-mm-dd');
  return v;
}

export function optArray(body: Record<string, unknown>, field: string): Array<Record<string, unknown>> | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => !x || typeof x !== 'object' || Array.isArray(x))) throw BooksError.invalid(field);
  return v as Array<Record<string, unknown>>;
}

export function optObject(body: Record<string, unknown>, field: string): Record<string, unknown> | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw BooksError.invalid(field);
  return v as Record<string, unknown>;
}

export function oneOf<T extends string>(value: string | undefined, field: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw BooksError.invalid(field, `one of ${allowed.join(', ')}`);
  return value as T;
}

export const emptyAddress = (): BooksAddress => ({
  attention: '', address: '', street2: '', city: '', state: '', state_code: '', zip: '', country: '', phone: '', fax: '',
});

const addressLimits: Record<keyof BooksAddress, number> = {
  attention: 100, address: 500, street2: 255, city: 100, state: 100, state_code: 50, zip: 50, country: 100, phone: 50, fax: 50,
};

/** Merges an address object from the body into `base` (fields absent from the body stay). */
export function readAddress(body: Record<string, unknown>, field: string, base: BooksAddress): BooksAddress {
  const raw = optObject(body, field);
  if (!raw) return base;
  const out = { ...base };
  for (const key of Object.keys(addressLimits) as Array<keyof BooksAddress>) {
    const v = optString(raw, key, addressLimits[key]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/**
 * `custom_fields: [{customfield_id | api_name | label | index, value}]` merged into `current`. Values of unique
 * fields must not be used by another record of the module (`others` lists their custom maps).
 */
export function readCustomFields(
  books: OrgBooks,
  module: CustomFieldModule,
  body: Record<string, unknown>,
  current: Record<string, string>,
  others: Iterable<Record<string, string>>,
): Record<string, string> {
  const list = optArray(body, 'custom_fields');
  if (!list) return current;
  const defs = books.customFieldsOf(module);
  const out = { ...current };
  for (const entry of list) {
    const def = findCustomField(defs, entry);
    if (!def) throw BooksError.invalid('custom_fields', `unknown custom field ${JSON.stringify(entry.api_name ?? entry.customfield_id ?? entry.label ?? entry.index)}`);
    const value = entry.value;
    if (value === null || value === undefined || value === '') {
      delete out[def.api_name];
      continue;
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw BooksError.invalid(def.api_name);
    out[def.api_name] = String(value);
  }
  for (const def of defs.filter((d) => d.is_unique)) {
    const value = out[def.api_name];
    if (value === undefined || value === current[def.api_name]) continue;
    for (const other of others) {
      if (other[def.api_name] === value) {
        throw new BooksError(
          BooksErrorCode.AlreadyExists,
          `The value "${value}" of the unique custom field "${def.label}" is already used by another record.`,
        );
      }
    }
  }
  return out;
}

export function findCustomField(defs: CustomFieldDef[], entry: Record<string, unknown>): CustomFieldDef | undefined {
  return defs.find(
    (d) =>
      (entry.customfield_id !== undefined && String(entry.customfield_id) === d.customfield_id) ||
      (typeof entry.api_name === 'string' && entry.api_name === d.api_name) ||
      (typeof entry.label === 'string' && entry.label === d.label) ||
      (entry.index !== undefined && Number(entry.index) === d.index),
  );
}
