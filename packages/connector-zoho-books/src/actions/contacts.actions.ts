// Contacts (customers and vendors) and their contact persons.
import { ConnectorError, defineAction, type ConnectorContext, type JsonSchema, collectRows, listOutput } from '@braid/connector-sdk';
import { booksCall, listAll, pick, type BooksRecord } from '../books.http.js';
import { MANDATORY_TARGETS, addressInput, contactPersonSchema, contactSchema, customFieldsInput, extraFieldsInput, findOutput, idSchema, limitSchema, S, statusChangeOutput } from '../books.schemas.js';
import { sampleContact, sampleContactPerson, sampleContactSummary } from '../books.samples.js';
import { defineDeleteAction } from './delete.action.js';

const contactFields: Record<string, JsonSchema> = {
  contact_name: S.str('Display name', 'Unique name of the contact in Books.', { minLength: 1, maxLength: 200 }),
  company_name: S.str('Company', undefined, { maxLength: 200 }),
  contact_type: { type: 'string', title: 'Type', enum: ['customer', 'vendor'] },
  customer_sub_type: { type: 'string', title: 'Customer kind', enum: ['business', 'individual'] },
  email: S.str('Primary email', 'Email of the primary contact person (Books matches email searches on it).', { maxLength: 100 }),
  first_name: S.str('Primary person first name', undefined, { maxLength: 100 }),
  last_name: S.str('Primary person last name', undefined, { maxLength: 100 }),
  phone: S.str('Primary person phone'),
  currency_id: idSchema('Currency'),
  payment_terms: { type: 'integer', title: 'Payment terms (days)', minimum: 0 },
  website: S.str('Website'),
  notes: S.str('Notes'),
  tax_id: idSchema('Default tax'),
  billing_address: addressInput('Billing address'),
  shipping_address: addressInput('Shipping address'),
  custom_fields: customFieldsInput,
  extra: extraFieldsInput,
};

const contactDynamicOptions = {
  '/currency_id': { optionsKey: 'currencies' },
  '/tax_id': { optionsKey: 'taxes' },
};

export interface ContactInput {
  contact_name?: string;
  company_name?: string;
  contact_type?: 'customer' | 'vendor';
  customer_sub_type?: string;
  email?: string;
  first_name?: string;
  last_name?: string;
  phone?: string;
  currency_id?: string;
  payment_terms?: number;
  website?: string;
  notes?: string;
  tax_id?: string;
  billing_address?: BooksRecord;
  shipping_address?: BooksRecord;
  custom_fields?: Array<{ api_name: string; value: unknown }>;
  extra?: BooksRecord;
}

const PERSON_KEYS = ['email', 'first_name', 'last_name', 'phone'] as const;

/**
 * Books body of a contact. The primary person's email/name go into `contact_persons`; on update the existing
 * persons are kept (Books replaces the list with what is sent) and the primary one is changed in place.
 */
export function contactBody(input: ContactInput, existing?: BooksRecord): BooksRecord {
  const body: BooksRecord = { ...(input.extra ?? {}) };
  for (const key of [
    'contact_name', 'company_name', 'contact_type', 'customer_sub_type', 'currency_id', 'payment_terms', 'website', 'notes',
    'tax_id', 'billing_address', 'shipping_address', 'custom_fields',
  ] as const) {
    if (input[key] !== undefined) body[key] = input[key];
  }
  const personPatch: BooksRecord = {};
  for (const key of PERSON_KEYS) if (input[key] !== undefined) personPatch[key] = input[key];
  if (Object.keys(personPatch).length > 0) {
    const persons = Array.isArray(existing?.contact_persons) ? (existing.contact_persons as BooksRecord[]) : [];
    const primary = persons.find((p) => p.is_primary_contact === true);
    const keep = (p: BooksRecord): BooksRecord => ({
      contact_person_id: p.contact_person_id,
      first_name: p.first_name,
      last_name: p.last_name,
      email: p.email,
      phone: p.phone,
      is_primary_contact: p.is_primary_contact,
    });
    if (primary) {
      body.contact_persons = persons.map((p) => (p === primary ? { ...keep(p), ...personPatch } : keep(p)));
    } else {
      // Books requires a first name on a person; fall back to the part of the email before the @.
      const firstName = input.first_name ?? (input.email ? input.email.split('@')[0] : undefined) ?? input.contact_name;
      body.contact_persons = [
        ...persons.map(keep),
        { ...personPatch, first_name: firstName, is_primary_contact: true },
      ];
    }
  }
  return body;
}

export async function getContact(ctx: ConnectorContext, contactId: string): Promise<BooksRecord> {
  const { body } = await booksCall(ctx, 'GET', `/contacts/${encodeURIComponent(contactId)}`);
  return pick(body, 'contact', 'contact');
}

const contactIdInput: JsonSchema = {
  type: 'object',
  properties: { contact_id: idSchema('Contact') },
  required: ['contact_id'],
  additionalProperties: false,
};

export const createContact = defineAction<ContactInput, BooksRecord>({
  key: 'create_contact',
  title: 'Create contact',
  description: 'Creates a Books customer or vendor. Not idempotent: use "Upsert contact by external id" for repeatable syncs.',
  input: {
    type: 'object',
    properties: contactFields,
    required: ['contact_name'],
    additionalProperties: false,
    // A field mapper feeding this create must map the display name (Books refuses a contact without one).
    [MANDATORY_TARGETS]: ['contact_name'],
  },
  output: contactSchema,
  sampleOutput: sampleContact,
  classification: 'write',
  idempotent: false,
  dynamicOptions: contactDynamicOptions,
  run: async (ctx, input) => {
    const { body } = await booksCall(ctx, 'POST', '/contacts', { body: contactBody(input) });
    return pick(body, 'contact', 'created contact');
  },
});

export const updateContact = defineAction<ContactInput & { contact_id: string }, BooksRecord>({
  key: 'update_contact',
  title: 'Update contact',
  description: 'Changes the given fields of a contact; other fields and contact persons stay as they are.',
  input: {
    type: 'object',
    properties: { contact_id: idSchema('Contact'), ...contactFields },
    required: ['contact_id'],
    additionalProperties: false,
  },
  output: contactSchema,
  sampleOutput: sampleContact,
  classification: 'write',
  idempotent: true,
  dynamicOptions: { ...contactDynamicOptions, '/contact_id': { optionsKey: 'contacts' } },
  run: async (ctx, input) => {
    const { contact_id: contactId, ...fields } = input;
    const needsPersons = PERSON_KEYS.some((k) => fields[k] !== undefined);
    const existing = needsPersons ? await getContact(ctx, contactId) : undefined;
    const { body } = await booksCall(ctx, 'PUT', `/contacts/${encodeURIComponent(contactId)}`, {
      body: contactBody(fields, existing),
    });
    return pick(body, 'contact', 'updated contact');
  },
});

export const getContactAction = defineAction<{ contact_id: string }, BooksRecord>({
  key: 'get_contact',
  title: 'Get contact',
  description: 'Reads one contact with its addresses, contact persons and custom fields.',
  input: contactIdInput,
  output: contactSchema,
  sampleOutput: sampleContact,
  classification: 'read',
  idempotent: true,
  dynamicOptions: { '/contact_id': { optionsKey: 'contacts' } },
  run: (ctx, input) => getContact(ctx, input.contact_id),
});

export const deleteContact = defineDeleteAction({
  key: 'delete_contact',
  title: 'Delete contact',
  description: 'Deletes a contact. Books refuses contacts with transactions: mark those inactive instead.',
  entity: 'Contact',
  idKey: 'contact_id',
  path: '/contacts',
  sampleOutput: { contact_id: '460000000026049', deleted: true, message: 'The contact has been deleted.' },
});

export const setContactStatus = defineAction<
  { contact_id: string; status: 'active' | 'inactive' },
  { contact_id: string; status: string; changed: boolean; message?: string }
>({
  key: 'set_contact_status',
  title: 'Mark contact active or inactive',
  description: 'Marks a contact active or inactive (inactive contacts cannot be used on new transactions).',
  input: {
    type: 'object',
    properties: {
      contact_id: idSchema('Contact'),
      status: { type: 'string', title: 'Status', enum: ['active', 'inactive'] },
    },
    required: ['contact_id', 'status'],
    additionalProperties: false,
  },
  output: statusChangeOutput('contact_id'),
  sampleOutput: { contact_id: '460000000026049', status: 'inactive', changed: true, message: 'The contact has been marked as inactive.' },
  classification: 'write',
  idempotent: true,
  dynamicOptions: { '/contact_id': { optionsKey: 'contacts' } },
  run: async (ctx, input) => {
    const { body } = await booksCall(ctx, 'POST', `/contacts/${encodeURIComponent(input.contact_id)}/${input.status}`, {
      retrySafe: true,
    });
    return { contact_id: input.contact_id, status: input.status, changed: true, message: body.message };
  },
});

interface FindContactInput {
  email?: string;
  contact_name?: string;
  contact_type?: 'customer' | 'vendor';
}

/**
 * Email first (the primary contact person's), then the display name, both exact and case-insensitive — the
 * "match" step of an upsert with link.
 */
export async function findContact(
  ctx: ConnectorContext,
  input: FindContactInput,
): Promise<{ found: boolean; contact_id: string | null; record: BooksRecord | null; match_count: number; matched_by: string | null }> {
  const attempts: Array<[string, string]> = [];
  if (input.email?.trim()) attempts.push(['email', input.email.trim()]);
  if (input.contact_name?.trim()) attempts.push(['contact_name', input.contact_name.trim()]);
  for (const [field, value] of attempts) {
    const query = { [field]: value, ...(input.contact_type ? { contact_type: input.contact_type } : {}) };
    // A few matches at most; ten is plenty to report "ambiguous".
    const { items } = await collectRows(listAll(ctx, '/contacts', 'contacts', query), 10);
    const exact = items.filter((c) => String(c[field] ?? '').toLowerCase() === value.toLowerCase());
    if (exact.length > 0) {
      const first = exact[0]!;
      return { found: true, contact_id: String(first.contact_id), record: first, match_count: exact.length, matched_by: field };
    }
  }
  return { found: false, contact_id: null, record: null, match_count: 0, matched_by: null };
}

export const findContactAction = defineAction<FindContactInput, Awaited<ReturnType<typeof findContact>>>({
  key: 'find_contact',
  title: 'Find contact by email or name',
  description:
    'Looks a contact up by the primary person\'s email, then by display name (exact, case-insensitive). ' +
    'Returns found=false instead of failing when nothing matches.',
  input: {
    type: 'object',
    properties: {
      email: S.str('Email'),
      contact_name: S.str('Display name'),
      contact_type: { type: 'string', title: 'Type', enum: ['customer', 'vendor'] },
    },
    anyOf: [{ required: ['email'] }, { required: ['contact_name'] }],
    additionalProperties: false,
  },
  output: findOutput('contact_id', contactSchema, {
    matched_by: { type: ['string', 'null'], enum: ['email', 'contact_name', null] },
  }),
  sampleOutput: { found: true, contact_id: '460000000026049', record: sampleContactSummary, match_count: 1, matched_by: 'email' },
  classification: 'read',
  idempotent: true,
  run: (ctx, input) => findContact(ctx, input),
});

export const upsertContact = defineAction<
  ContactInput & { unique_field: string; unique_value: string },
  { contact_id: string; created: boolean; contact: BooksRecord }
>({
  key: 'upsert_contact',
  title: 'Upsert contact by external id',
  description:
    'Creates or updates the contact whose unique custom field (default cf_external_id) has this value, in one ' +
    'idempotent call (Books X-Unique-Identifier-Key/Value with X-Upsert). Safe to repeat: the same value never ' +
    'creates a second contact. The custom field must exist in Books and be marked unique.',
  input: {
    type: 'object',
    properties: {
      unique_field: S.str('Unique custom field', 'API name of a custom field marked unique in Books.', {
        default: 'cf_external_id',
        pattern: '^cf_[A-Za-z0-9_]+$',
      }),
      unique_value: S.str('External id', 'e.g. the billing platform\'s account id.', { minLength: 1, maxLength: 255 }),
      ...contactFields,
    },
    required: ['unique_value', 'contact_name'],
    additionalProperties: false,
    [MANDATORY_TARGETS]: ['contact_name'],
  },
  output: {
    type: 'object',
    properties: { contact_id: { type: 'string' }, created: { type: 'boolean' }, contact: contactSchema },
    required: ['contact_id', 'created', 'contact'],
    additionalProperties: false,
  },
  sampleOutput: { contact_id: '460000000026049', created: true, contact: sampleContact },
  classification: 'write',
  idempotent: true,
  dynamicOptions: contactDynamicOptions,
  run: async (ctx, input) => {
    const { unique_field: field, unique_value: value, ...fields } = input;
    const uniqueField = field || 'cf_external_id';
    const headers = { 'X-Unique-Identifier-Key': uniqueField, 'X-Unique-Identifier-Value': value };
    const personPatch = PERSON_KEYS.some((k) => fields[k] !== undefined);
    const withoutPerson: ContactInput = { ...fields };
    for (const key of PERSON_KEYS) delete withoutPerson[key];
    // Update first, without persons (Books replaces the persons list with what is sent); create only when
    // nothing carries the value. X-Upsert on the create makes a concurrent duplicate an update, not a second contact.
    let updated: BooksRecord | undefined;
    try {
      const { body } = await booksCall(ctx, 'PUT', '/contacts', { body: contactBody(withoutPerson), headers });
      updated = pick(body, 'contact', 'updated contact');
    } catch (error) {
      if (!(error instanceof ConnectorError && error.code === 'NOT_FOUND')) throw error;
    }
    if (!updated) {
      const { status, body } = await booksCall(ctx, 'PUT', '/contacts', {
        body: contactBody(fields),
        headers: { ...headers, 'X-Upsert': 'true' },
      });
      const contact = pick(body, 'contact', 'upserted contact');
      return { contact_id: String(contact.contact_id), created: status === 201, contact };
    }
    let contact: BooksRecord = updated;
    if (personPatch && !primaryMatches(contact, fields)) {
      const { body } = await booksCall(ctx, 'PUT', `/contacts/${encodeURIComponent(String(contact.contact_id))}`, {
        body: { contact_persons: contactBody(fields, contact).contact_persons },
      });
      contact = pick(body, 'contact', 'updated contact');
    }
    return { contact_id: String(contact.contact_id), created: false, contact };
  },
});

function primaryMatches(contact: BooksRecord, input: ContactInput): boolean {
  const persons = Array.isArray(contact.contact_persons) ? (contact.contact_persons as BooksRecord[]) : [];
  const primary = persons.find((p) => p.is_primary_contact === true);
  if (!primary) return false;
  return PERSON_KEYS.every((k) => input[k] === undefined || String(primary[k] ?? '') === input[k]);
}

export const listContacts = defineAction<
  { contact_type?: string; status?: string; search_text?: string; limit: number },
  { contacts: BooksRecord[]; count: number; truncated: boolean }
>({
  key: 'list_contacts',
  title: 'List contacts',
  description: 'Lists contacts (summaries) page by page up to the limit; "truncated" says whether more exist.',
  input: {
    type: 'object',
    properties: {
      contact_type: { type: 'string', title: 'Type', enum: ['customer', 'vendor'] },
      status: { type: 'string', title: 'Status', enum: ['all', 'active', 'inactive'], default: 'all' },
      search_text: S.str('Search', 'Matches the contact name or notes.'),
      limit: limitSchema,
    },
    additionalProperties: false,
  },
  output: listOutput('contacts', contactSchema),
  sampleOutput: { contacts: [sampleContactSummary], count: 1, truncated: false },
  classification: 'read',
  idempotent: true,
  run: async (ctx, input) => {
    const filter = { all: 'Status.All', active: 'Status.Active', inactive: 'Status.Inactive' }[input.status ?? 'all'];
    const rows = listAll(ctx, '/contacts', 'contacts', {
      filter_by: filter,
      contact_type: input.contact_type,
      search_text: input.search_text,
    });
    const { items, truncated } = await collectRows(rows, input.limit);
    return { contacts: items, count: items.length, truncated };
  },
});

// ---------- contact persons ----------

const personFields: Record<string, JsonSchema> = {
  salutation: S.str('Salutation'),
  first_name: S.str('First name', undefined, { maxLength: 100 }),
  last_name: S.str('Last name', undefined, { maxLength: 100 }),
  email: S.str('Email', undefined, { maxLength: 100 }),
  phone: S.str('Phone'),
  mobile: S.str('Mobile'),
  designation: S.str('Designation'),
  department: S.str('Department'),
  is_primary_contact: { type: 'boolean', title: 'Primary contact person' },
};

/** Contact-person create/update answer with an array under `contact_person` (contact-persons.yml). */
function personFrom(body: Record<string, unknown>): BooksRecord {
  const value = body.contact_person;
  const person = Array.isArray(value) ? value[0] : value;
  if (!person || typeof person !== 'object') {
    throw new ConnectorError('VENDOR', 'Zoho Books did not return the contact person in its answer.', { retryable: false });
  }
  return person as BooksRecord;
}

export const createContactPerson = defineAction<BooksRecord & { contact_id: string }, BooksRecord>({
  key: 'create_contact_person',
  title: 'Add contact person',
  description: 'Adds a person (name, email, phone) to a contact.',
  input: {
    type: 'object',
    properties: { contact_id: idSchema('Contact'), ...personFields },
    required: ['contact_id', 'first_name'],
    additionalProperties: false,
  },
  output: contactPersonSchema,
  sampleOutput: sampleContactPerson,
  classification: 'write',
  idempotent: false,
  dynamicOptions: { '/contact_id': { optionsKey: 'contacts' } },
  run: async (ctx, input) => {
    const { body } = await booksCall(ctx, 'POST', '/contacts/contactpersons', { body: input });
    return personFrom(body);
  },
});

export const updateContactPerson = defineAction<BooksRecord & { contact_person_id: string; contact_id: string }, BooksRecord>({
  key: 'update_contact_person',
  title: 'Update contact person',
  description: 'Changes the given fields of a contact person.',
  input: {
    type: 'object',
    properties: { contact_person_id: idSchema('Contact person'), contact_id: idSchema('Contact'), ...personFields },
    required: ['contact_person_id', 'contact_id'],
    additionalProperties: false,
  },
  output: contactPersonSchema,
  sampleOutput: sampleContactPerson,
  classification: 'write',
  idempotent: true,
  run: async (ctx, input) => {
    const { contact_person_id: id, ...fields } = input;
    const { body } = await booksCall(ctx, 'PUT', `/contacts/contactpersons/${encodeURIComponent(id)}`, { body: fields });
    return personFrom(body);
  },
});

export const deleteContactPerson = defineDeleteAction({
  key: 'delete_contact_person',
  title: 'Delete contact person',
  description: 'Removes a person from its contact.',
  entity: 'Contact person',
  idKey: 'contact_person_id',
  path: '/contacts/contactpersons',
  sampleOutput: { contact_person_id: '460000000026051', deleted: true },
});

export const listContactPersons = defineAction<{ contact_id: string }, { contact_persons: BooksRecord[]; count: number; truncated: boolean }>({
  key: 'list_contact_persons',
  title: 'List contact persons',
  description: 'Lists the persons of a contact.',
  input: contactIdInput,
  output: listOutput('contact_persons', contactPersonSchema),
  sampleOutput: { contact_persons: [sampleContactPerson], count: 1, truncated: false },
  classification: 'read',
  idempotent: true,
  dynamicOptions: { '/contact_id': { optionsKey: 'contacts' } },
  run: async (ctx, input) => {
    const rows = listAll(ctx, `/contacts/${encodeURIComponent(input.contact_id)}/contactpersons`, 'contact_persons');
    const { items, truncated } = await collectRows(rows, 10_000);
    return { contact_persons: items, count: items.length, truncated };
  },
});

export const contactActions = [
  createContact,
  updateContact,
  getContactAction,
  deleteContact,
  setContactStatus,
  findContactAction,
  upsertContact,
  listContacts,
  createContactPerson,
  updateContactPerson,
  deleteContactPerson,
  listContactPersons,
];
