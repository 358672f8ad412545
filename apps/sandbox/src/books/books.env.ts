import type { IdSequences } from '../core/sandbox.ids.js';
import { BooksError, BooksErrorCode } from './books.errors.js';
import type { BooksCall } from './books.http.js';
import type { CustomFieldModule, OrgBooks } from './books.store.js';

/** What record-changing functions need; built from an API call or by the seed. */
export interface BooksEnv {
  books: OrgBooks;
  ids: IdSequences;
  now: number;
  /** organisation-local date today */
  today: string;
}

export function envOf(call: BooksCall, ids: IdSequences): BooksEnv {
  return { books: call.books, ids, now: call.now, today: call.fmt.today };
}

/**
 * Custom-field upsert (apis.md B5): `PUT /<module>` with `X-Unique-Identifier-Key` (a unique custom field's
 * api_name, e.g. cf_external_id), `X-Unique-Identifier-Value` and optional `X-Upsert: true` (create when nothing
 * matches). Returns the matching record, or `create` when it should be created, or throws 404 / 400.
 */
export function resolveUpsert<T extends { custom: Record<string, string> }>(
  call: BooksCall,
  module: CustomFieldModule,
  records: Iterable<T>,
  entityName: string,
): { record: T } | { create: true; customField: { api_name: string; value: string } } {
  const key = call.req.get('X-Unique-Identifier-Key');
  const value = call.req.get('X-Unique-Identifier-Value');
  if (!key) throw BooksError.required('X-Unique-Identifier-Key');
  if (value === undefined || value === '') throw BooksError.required('X-Unique-Identifier-Value');
  const def = call.books.customFieldsOf(module).find((d) => d.api_name === key);
  if (!def || !def.is_unique) {
    throw BooksError.invalid('X-Unique-Identifier-Key', `"${key}" is not a unique custom field of ${module}`);
  }
  for (const record of records) if (record.custom[key] === value) return { record };
  if ((call.req.get('X-Upsert') ?? '').toLowerCase() === 'true') return { create: true, customField: { api_name: key, value } };
  throw new BooksError(BooksErrorCode.NotFound, `${entityName} does not exist.`);
}

/** Ensures the upsert's identifying custom field is in the body used to create the record. */
export function withCustomField(body: Record<string, unknown>, field: { api_name: string; value: string }): Record<string, unknown> {
  const list = Array.isArray(body.custom_fields) ? [...(body.custom_fields as Array<Record<string, unknown>>)] : [];
  if (!list.some((f) => f && f.api_name === field.api_name)) list.push({ api_name: field.api_name, value: field.value });
  return { ...body, custom_fields: list };
}
