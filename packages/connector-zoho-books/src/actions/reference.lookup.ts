// Books has no idempotency key: a create step that is retried or replayed finds what it created the first time by
// its reference number instead (the "Return the existing one with this reference" input, on by default).
import { collectRows, type ConnectorContext, type JsonSchema, type QueryValue } from '@braid/connector-sdk';
import { listAll, type BooksRecord } from '../books.http.js';

/** The `skip_if_reference_exists` input; `what` completes "look for … with the same reference". */
export const skipIfReferenceExists = (what: string): JsonSchema => ({
  type: 'boolean',
  title: 'Return the existing one with this reference',
  description: `When a reference number is given, look for ${what} with the same reference first and return it instead of creating a second one (a retried or replayed step).`,
  default: true,
});

/**
 * The record of `path` whose reference number is the input's and that `matches` (same account, customer …), when the
 * input asks for it (`skip_if_reference_exists`, default on) and has a reference; else undefined.
 */
export async function findByReference(
  ctx: ConnectorContext,
  input: { reference_number?: unknown; skip_if_reference_exists?: boolean },
  list: { path: string; listKey: string; query: Record<string, QueryValue> },
  matches: (record: BooksRecord) => boolean,
): Promise<BooksRecord | undefined> {
  const reference = typeof input.reference_number === 'string' ? input.reference_number.trim() : '';
  if (input.skip_if_reference_exists === false || !reference) return undefined;
  const { items } = await collectRows(listAll(ctx, list.path, list.listKey, { ...list.query, reference_number: reference }), 20);
  return items.find((record) => record.reference_number === reference && matches(record));
}
