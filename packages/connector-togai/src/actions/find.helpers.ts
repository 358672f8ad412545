// Exact-match lookups by email, then name: the match keys of "upsert with link" (Togai has no search API).
import type { JsonSchema } from '@braid/connector-sdk';
import { invalidInput, matchKey } from './action.helpers.js';

export interface FindInput {
  email?: string;
  name?: string;
  includeArchived: boolean;
  limit: number;
}

/**
 * Exact matches by email, else by name, in one scan. Returns the email matches when there are any (the stronger
 * key), otherwise the name matches.
 */
export async function findByEmailThenName<T extends { name?: unknown; primaryEmail?: unknown; status?: unknown }>(
  rows: AsyncIterable<T>,
  input: FindInput,
): Promise<{ items: T[]; matchedBy: 'email' | 'name' | null; truncated: boolean }> {
  const email = input.email ? matchKey(input.email) : '';
  const name = input.name ? matchKey(input.name) : '';
  const byEmail: T[] = [];
  const byName: T[] = [];
  let emailTruncated = false;
  let nameTruncated = false;
  for await (const row of rows) {
    if (!input.includeArchived && row.status === 'ARCHIVED') continue;
    if (email && matchKey(row.primaryEmail) === email) {
      if (byEmail.length < input.limit) byEmail.push(row);
      else emailTruncated = true;
    } else if (name && matchKey(row.name) === name) {
      if (byName.length < input.limit) byName.push(row);
      else nameTruncated = true;
    }
    // Without a name key, enough email matches end the scan early.
    if (emailTruncated && !name) break;
  }
  if (byEmail.length > 0) return { items: byEmail, matchedBy: 'email', truncated: emailTruncated };
  if (byName.length > 0) return { items: byName, matchedBy: 'name', truncated: nameTruncated };
  return { items: [], matchedBy: null, truncated: false };
}

export const findInputProperties: Record<string, JsonSchema> = {
  email: { type: 'string', title: 'Email', description: 'Exact primary email (case does not matter).', maxLength: 320 },
  name: { type: 'string', title: 'Name', description: 'Exact name (case and extra spaces do not matter); used when no email matches.', maxLength: 255 },
  includeArchived: { type: 'boolean', title: 'Include archived', default: false },
  limit: { type: 'integer', title: 'Maximum matches', minimum: 1, maximum: 100, default: 10 },
};

export function assertFindKeys(input: { email?: string; name?: string }): void {
  if (!input.email?.trim() && !input.name?.trim()) throw invalidInput('/email', 'or /name is required: give an email, a name or both');
}

