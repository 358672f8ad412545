import { BooksError, BooksErrorCode } from './books.errors.js';
import { type BooksEnv, envOf, resolveUpsert, withCustomField } from './books.env.js';
import {
  type BooksCall, type BooksRouteKit, equalsFilter, lastModifiedFilter, paginate, sortRows, textFilter,
} from './books.http.js';
import {
  emptyAddress, oneOf, optArray, optBool, optNumber, optString, readAddress, readCustomFields, reqString,
} from './books.input.js';
import { contactBalances, contactDetail, contactPersonOut, contactSummary, invoiceStatus, primaryPerson } from './books.serialize.js';
import type { Contact, ContactPerson } from './books.store.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function readPerson(env: BooksEnv, raw: Record<string, unknown>, base?: ContactPerson): ContactPerson {
  const person: ContactPerson = base
    ? { ...base }
    : {
        contact_person_id: env.ids.booksId('record'), salutation: '', first_name: '', last_name: '', email: '',
        phone: '', mobile: '', designation: '', department: '', skype: '', is_primary_contact: false,
        enable_portal: false, created_ms: env.now, modified_ms: env.now,
      };
  const limits = { salutation: 25, first_name: 100, last_name: 100, email: 100, phone: 50, mobile: 50, designation: 100, department: 100, skype: 50 } as const;
  for (const key of Object.keys(limits) as Array<keyof typeof limits>) {
    const v = optString(raw, key, limits[key]);
    if (v !== undefined) person[key] = v;
  }
  if (person.email !== '' && !EMAIL.test(person.email)) throw BooksError.invalid('email', `"${person.email}" is not an email address`);
  const primary = optBool(raw, 'is_primary_contact');
  if (primary !== undefined) person.is_primary_contact = primary;
  const portal = optBool(raw, 'enable_portal');
  if (portal !== undefined) person.enable_portal = portal;
  person.modified_ms = env.now;
  return person;
}

/** Exactly one primary person when there are persons: the flagged one (at most one), else the first. */
function settlePrimary(persons: ContactPerson[], preferId?: string): void {
  const flagged = persons.filter((p) => p.is_primary_contact);
  const keep = preferId ?? (flagged.length > 0 ? flagged[flagged.length - 1]!.contact_person_id : persons[0]?.contact_person_id);
  for (const p of persons) p.is_primary_contact = p.contact_person_id === keep;
}

/** Applies a create/update body to a contact (a copy; the caller stores it). */
export function applyContactBody(env: BooksEnv, body: Record<string, unknown>, existing?: Contact): Contact {
  const books = env.books;
  const contact: Contact = existing
    ? structuredClone(existing)
    : {
        contact_id: env.ids.booksId('record'), contact_name: '', company_name: '', contact_type: 'customer',
        customer_sub_type: 'business', status: 'active', website: '', language_code: 'en',
        currency_id: books.baseCurrency()?.currency_id ?? '', payment_terms: 0, payment_terms_label: 'Due on Receipt',
        notes: '', credit_limit: 0, tax_id: '', billing_address: emptyAddress(), shipping_address: emptyAddress(),
        contact_persons: [], custom: {}, zcrm_account_id: '', zcrm_contact_id: '', zcrm_vendor_id: '',
        created_ms: env.now, modified_ms: env.now,
      };
  const name = existing ? optString(body, 'contact_name', 200) : reqString(body, 'contact_name', 200);
  if (name !== undefined) {
    if (name.trim() === '') throw BooksError.required('contact_name');
    const clash = [...books.contacts.values()].find(
      (c) => c.contact_id !== contact.contact_id && c.contact_name.toLowerCase() === name.trim().toLowerCase(),
    );
    if (clash) throw new BooksError(BooksErrorCode.ContactNameExists, `The contact "${name.trim()}" already exists.`);
    contact.contact_name = name.trim();
  }
  const strings = { company_name: 200, website: 200, language_code: 10, payment_terms_label: 100, notes: 2000, zcrm_account_id: 50, zcrm_contact_id: 50, zcrm_vendor_id: 50 } as const;
  for (const key of Object.keys(strings) as Array<keyof typeof strings>) {
    const v = optString(body, key, strings[key]);
    if (v !== undefined) contact[key] = v;
  }
  const type = oneOf(optString(body, 'contact_type'), 'contact_type', ['customer', 'vendor'] as const);
  if (type) {
    if (existing && type !== existing.contact_type && contactBalances(books, existing.contact_id).hasTransaction) {
      throw BooksError.state('The contact type cannot be changed because the contact has transactions.');
    }
    contact.contact_type = type;
  }
  const subType = oneOf(optString(body, 'customer_sub_type'), 'customer_sub_type', ['business', 'individual'] as const);
  if (subType) contact.customer_sub_type = subType;
  const currencyId = optString(body, 'currency_id');
  if (currencyId !== undefined) {
    if (!books.currencies.has(currencyId)) throw BooksError.invalid('currency_id', 'no such currency in this organization');
    contact.currency_id = currencyId;
  }
  const terms = optNumber(body, 'payment_terms');
  if (terms !== undefined) {
    if (!Number.isInteger(terms) || terms < 0) throw BooksError.invalid('payment_terms');
    contact.payment_terms = terms;
    if (optString(body, 'payment_terms_label') === undefined) contact.payment_terms_label = terms === 0 ? 'Due on Receipt' : `Net ${terms}`;
  }
  const credit = optNumber(body, 'credit_limit');
  if (credit !== undefined) contact.credit_limit = credit;
  const taxId = optString(body, 'tax_id');
  if (taxId !== undefined) {
    if (taxId !== '' && !books.taxes.has(taxId)) throw BooksError.invalid('tax_id', 'no such tax in this organization');
    contact.tax_id = taxId;
  }
  contact.billing_address = readAddress(body, 'billing_address', contact.billing_address);
  contact.shipping_address = readAddress(body, 'shipping_address', contact.shipping_address);

  // contact_persons: the list becomes the contact's persons; entries with a known contact_person_id update it.
  const persons = optArray(body, 'contact_persons');
  if (persons) {
    const next = persons.map((raw) => {
      const id = raw.contact_person_id === undefined ? undefined : String(raw.contact_person_id);
      const current = id ? contact.contact_persons.find((p) => p.contact_person_id === id) : undefined;
      if (id && !current) throw BooksError.invalid('contact_person_id', `${id} is not a person of this contact`);
      return readPerson(env, raw, current);
    });
    if (next.filter((p) => p.is_primary_contact).length > 1) throw BooksError.invalid('is_primary_contact', 'only one primary contact person');
    contact.contact_persons = next;
    settlePrimary(contact.contact_persons);
  }
  const others = [...books.contacts.values()].filter((c) => c.contact_id !== contact.contact_id).map((c) => c.custom);
  contact.custom = readCustomFields(books, 'contacts', body, contact.custom, others);
  contact.modified_ms = env.now;
  return contact;
}

function findContact(call: BooksCall, id = call.param('contact_id')): Contact {
  const contact = call.books.contacts.get(id);
  if (!contact) throw BooksError.notFound('Contact');
  return contact;
}

export function registerContactRoutes(kit: BooksRouteKit): void {
  const env = (call: BooksCall) => envOf(call, kit.ctx.ids);
  const emitContact = (call: BooksCall, contact: Contact, event: 'created' | 'updated' | 'deleted') =>
    kit.emit(call, 'contact', event, contactDetail(call.books, contact, call.fmt));
  const create = (call: BooksCall, body: Record<string, unknown>) => {
    const contact = applyContactBody(env(call), body);
    call.books.contacts.set(contact.contact_id, contact);
    emitContact(call, contact, 'created');
    return { status: 201, message: 'The contact has been added.', data: { contact: contactDetail(call.books, contact, call.fmt) } };
  };
  const update = (call: BooksCall, existing: Contact) => {
    const contact = applyContactBody(env(call), call.body, existing);
    call.books.contacts.set(contact.contact_id, contact);
    emitContact(call, contact, 'updated');
    return { message: 'Contact has been updated successfully', data: { contact: contactDetail(call.books, contact, call.fmt) } };
  };
  const touch = (call: BooksCall, contact: Contact) => {
    contact.modified_ms = call.now;
    emitContact(call, contact, 'updated');
  };

  kit.resource('/contacts', 'contacts', {
    post: (call) => create(call, call.body),
    put: (call) => {
      const target = resolveUpsert(call, 'contacts', call.books.contacts.values(), 'Contact');
      return 'record' in target ? update(call, target.record) : create(call, withCustomField(call.body, target.customField));
    },
    get: (call) => {
      let rows = [...call.books.contacts.values()];
      const filterBy = call.query('filter_by') ?? 'Status.All';
      const filters: Record<string, (c: Contact) => boolean> = {
        'Status.All': () => true,
        'Status.Active': (c) => c.status === 'active',
        'Status.Inactive': (c) => c.status === 'inactive',
        'Status.Crm': (c) => c.zcrm_account_id !== '' || c.zcrm_contact_id !== '' || c.zcrm_vendor_id !== '',
        'Status.PortalEnabled': (c) => c.contact_persons.some((p) => p.enable_portal),
        'Status.PortalDisabled': (c) => !c.contact_persons.some((p) => p.enable_portal),
        'Status.CreditLimitExceed': (c) => c.credit_limit > 0 && contactBalances(call.books, c.contact_id).receivable > c.credit_limit,
        'Invoice.Unpaid': (c) => contactBalances(call.books, c.contact_id).receivable > 0,
        'Invoice.OverDue': (c) => [...call.books.invoices.values()].some((i) => i.customer_id === c.contact_id && invoiceStatus(i, call.fmt) === 'overdue'),
        'Status.Duplicate': (c) => [...call.books.contacts.values()].some(
          (o) => o.contact_id !== c.contact_id && primaryPerson(o)?.email !== undefined && primaryPerson(o)?.email !== '' && primaryPerson(o)?.email === primaryPerson(c)?.email,
        ),
      };
      const predicate = filters[filterBy];
      if (!predicate) throw BooksError.invalid('filter_by', `one of ${Object.keys(filters).join(', ')}`);
      rows = rows.filter(predicate);
      const contactType = oneOf(call.query('contact_type'), 'contact_type', ['customer', 'vendor'] as const);
      if (contactType) rows = rows.filter((c) => c.contact_type === contactType);
      rows = textFilter(call, rows, 'contact_name', (c) => c.contact_name);
      rows = textFilter(call, rows, 'company_name', (c) => c.company_name);
      // first_name, last_name, email and phone search the primary contact person (contacts.yml)
      rows = textFilter(call, rows, 'first_name', (c) => primaryPerson(c)?.first_name ?? '');
      rows = textFilter(call, rows, 'last_name', (c) => primaryPerson(c)?.last_name ?? '');
      rows = textFilter(call, rows, 'email', (c) => primaryPerson(c)?.email ?? '');
      rows = textFilter(call, rows, 'phone', (c) => primaryPerson(c)?.phone ?? '');
      rows = textFilter(call, rows, 'address', (c) =>
        [c.billing_address, c.shipping_address].flatMap((a) => [a.address, a.street2, a.city, a.state, a.zip, a.country]));
      rows = equalsFilter(call, rows, 'zcrm_account_id', (c) => c.zcrm_account_id);
      rows = equalsFilter(call, rows, 'zcrm_contact_id', (c) => c.zcrm_contact_id);
      rows = equalsFilter(call, rows, 'zcrm_vendor_id', (c) => c.zcrm_vendor_id);
      const search = call.query('search_text')?.toLowerCase();
      if (search) {
        // "Search contacts by contact name or notes" (contacts.yml)
        rows = rows.filter((c) => [c.contact_name, c.notes].some((v) => v.toLowerCase().includes(search)));
      }
      rows = lastModifiedFilter(call, rows);
      const sorted = sortRows(call, rows, {
        contact_name: (c) => c.contact_name,
        first_name: (c) => primaryPerson(c)?.first_name ?? '',
        last_name: (c) => primaryPerson(c)?.last_name ?? '',
        email: (c) => primaryPerson(c)?.email ?? '',
        outstanding_receivable_amount: (c) => contactBalances(call.books, c.contact_id).receivable,
        created_time: (c) => c.created_ms,
        last_modified_time: (c) => c.modified_ms,
      }, { column: 'contact_name', order: 'A' });
      const page = paginate(call, sorted.rows, kit.ctx.limits.books.maxPerPage, {
        report_name: 'Contacts', applied_filter: filterBy, sort_column: sorted.sort_column, sort_order: sorted.sort_order,
        search_criteria: search ? [{ column_name: 'search_text', search_text: search, comparator: 'contains' }] : [],
      });
      return { data: { contacts: page.rows.map((c) => contactSummary(call.books, c, call.fmt)), page_context: page.page_context } };
    },
  });

  // Contact persons module (registered before /contacts/:contact_id so "contactpersons" is not taken for an id).
  kit.resource('/contacts/contactpersons', 'contacts', {
    post: (call) => {
      const contact = findContact(call, reqString(call.body, 'contact_id'));
      reqString(call.body, 'first_name', 100);
      const person = readPerson(env(call), call.body);
      contact.contact_persons.push(person);
      settlePrimary(contact.contact_persons, person.is_primary_contact ? person.contact_person_id : undefined);
      touch(call, contact);
      // contact-persons.yml answers create and update with an array under `contact_person`
      return { status: 201, message: 'The contactperson has been Created', data: { contact_person: [contactPersonOut(person, contact.contact_id, call.fmt)] } };
    },
  });
  const findPerson = (call: BooksCall) => {
    const id = call.param('contact_person_id');
    for (const contact of call.books.contacts.values()) {
      const person = contact.contact_persons.find((p) => p.contact_person_id === id);
      if (person) return { contact, person };
    }
    throw BooksError.notFound('Contact person');
  };
  kit.resource('/contacts/contactpersons/:contact_person_id', 'contacts', {
    put: (call) => {
      const { contact, person } = findPerson(call);
      const updated = readPerson(env(call), call.body, person);
      contact.contact_persons = contact.contact_persons.map((p) => (p === person ? updated : p));
      settlePrimary(contact.contact_persons, updated.is_primary_contact ? updated.contact_person_id : primaryPerson(contact)?.contact_person_id);
      touch(call, contact);
      return { message: 'The contactperson details has been updated.', data: { contact_person: [contactPersonOut(updated, contact.contact_id, call.fmt)] } };
    },
    delete: (call) => {
      const { contact, person } = findPerson(call);
      contact.contact_persons = contact.contact_persons.filter((p) => p !== person);
      settlePrimary(contact.contact_persons, person.is_primary_contact ? undefined : primaryPerson(contact)?.contact_person_id);
      touch(call, contact);
      return { message: 'The contact person has been deleted.' };
    },
  });
  kit.resource('/contacts/contactpersons/:contact_person_id/primary', 'contacts', {
    post: (call) => {
      const { contact, person } = findPerson(call);
      settlePrimary(contact.contact_persons, person.contact_person_id);
      touch(call, contact);
      return { message: 'This contact person has been marked as your primary contact person.' };
    },
  });
  kit.resource('/contacts/:contact_id/contactpersons', 'contacts', {
    get: (call) => {
      const contact = findContact(call);
      const page = paginate(call, contact.contact_persons, kit.ctx.limits.books.maxPerPage, {
        report_name: 'Contact Persons', sort_column: 'created_time', sort_order: 'A',
      });
      return { data: { contact_persons: page.rows.map((p) => contactPersonOut(p, contact.contact_id, call.fmt)), page_context: page.page_context } };
    },
  });
  kit.resource('/contacts/:contact_id/contactpersons/:contact_person_id', 'contacts', {
    get: (call) => {
      const contact = findContact(call);
      const person = contact.contact_persons.find((p) => p.contact_person_id === call.param('contact_person_id'));
      if (!person) throw BooksError.notFound('Contact person');
      return { data: { contact_person: contactPersonOut(person, contact.contact_id, call.fmt) } };
    },
  });

  kit.resource('/contacts/:contact_id', 'contacts', {
    get: (call) => ({ data: { contact: contactDetail(call.books, findContact(call), call.fmt) } }),
    put: (call) => update(call, findContact(call)),
    delete: (call) => {
      const contact = findContact(call);
      if (contactBalances(call.books, contact.contact_id).hasTransaction) {
        throw BooksError.state('The contact cannot be deleted because it has transactions (invoices, bills or payments). Mark it inactive instead.');
      }
      const record = contactDetail(call.books, contact, call.fmt);
      call.books.contacts.delete(contact.contact_id);
      kit.emit(call, 'contact', 'deleted', record);
      return { message: 'The contact has been deleted.' };
    },
  });
  for (const status of ['active', 'inactive'] as const) {
    kit.resource(`/contacts/:contact_id/${status}`, 'contacts', {
      post: (call) => {
        const contact = findContact(call);
        contact.status = status;
        touch(call, contact);
        return { message: `The contact has been marked as ${status}.` };
      },
    });
  }
}
