import type { ActionDescriptor, ConnectorDescriptor, UpsertFindRule } from '@braid/flow-model';
import { describe, expect, it } from 'vitest';
import { actionsForRole, idPathSuggestions, mapperSchema, mapperTargets, modifiedAtPaths, moveRule, newFindRule, targetIdInput, withoutMappedFields } from './upsertWithLink.form';

const contactOutput = {
  type: 'object',
  properties: { contact: { type: 'object', properties: { contact_id: { type: 'string' }, contact_name: { type: 'string' }, last_modified_time: { type: 'string' } } } },
};
const action = (key: string, classification: ActionDescriptor['classification'], inputSchema: Record<string, unknown> = { type: 'object', properties: {} }, outputSchema: Record<string, unknown> = contactOutput): ActionDescriptor => ({
  key, title: key, description: '', inputSchema, outputSchema, sampleOutput: null, classification, idempotent: false, requiresConnection: true,
});

const books: ConnectorDescriptor = {
  key: 'zoho-books', title: 'Zoho Books', description: '', icon: '', auth: { kind: 'none' }, triggers: [],
  actions: [
    action('list_contacts', 'read', { type: 'object', properties: {} }, { type: 'object', properties: { contacts: { type: 'array', items: contactOutput.properties.contact } } }),
    action('find_contact', 'read', { type: 'object', properties: { email: { type: 'string' } } }, { type: 'object', properties: { found: { type: 'boolean' }, contact: contactOutput.properties.contact } }),
    action('create_contact', 'write', {
      type: 'object',
      properties: { contact_name: { type: 'string' }, email: { type: 'string' }, currency_id: { type: 'string' } },
      required: ['contact_name', 'currency_id'],
      'x-braid-mandatory-targets': ['contact_name'],
    }),
    action('update_contact', 'write', { type: 'object', properties: { contact_id: { type: 'string' }, contact_name: { type: 'string' }, phone: { type: 'string' } }, required: ['contact_id'] }),
    action('delete_contact', 'delete'),
  ],
};
const byKey = (key: string) => books.actions.find((a) => a.key === key)!;

describe('upsert-with-link panel logic', () => {
  it('offers reads for match keys and writes for create/update, the likely ones first', () => {
    const find = actionsForRole(books, 'find');
    expect(find.suggested.map((a) => a.key)).toEqual(['list_contacts', 'find_contact']);
    expect(find.others.map((a) => a.key)).toEqual(['create_contact', 'update_contact', 'delete_contact']);
    expect(actionsForRole(books, 'update').suggested.map((a) => a.key)).toEqual(['update_contact', 'create_contact']);
    expect(actionsForRole(books, 'create').suggested[0]!.key).toBe('create_contact');
    expect(actionsForRole(books, 'delete').suggested.map((a) => a.key)).toEqual(['delete_contact']);
    expect(actionsForRole(undefined, 'find')).toEqual({ suggested: [], others: [] });
  });

  it('gives the field mapper the target\'s fields and the create action\'s mandatory pairs', () => {
    expect(mapperTargets(byKey('create_contact'), byKey('update_contact'))).toEqual(['contact_name', 'email', 'currency_id', 'contact_id', 'phone']);
    expect(mapperSchema(byKey('create_contact'), undefined)).toEqual({ 'x-braid-targets': ['contact_name', 'email', 'currency_id'], 'x-braid-mandatory-targets': ['contact_name'] });
    expect(mapperSchema(byKey('update_contact'), undefined)).toEqual({ 'x-braid-targets': ['contact_id', 'contact_name', 'phone'] });
  });

  it('leaves the mapped fields out of the create/update form (unless the mapping lands deeper)', () => {
    const schema = byKey('create_contact').inputSchema;
    expect(withoutMappedFields(schema, ['contact_name', 'email'], undefined)).toMatchObject({ properties: { currency_id: { type: 'string' } }, required: ['currency_id'] });
    expect(Object.keys((withoutMappedFields(schema, ['contact_name'], undefined).properties as object))).toEqual(['email', 'currency_id']);
    expect(withoutMappedFields(schema, ['contact_name'], 'records.0')).toBe(schema);
    expect(withoutMappedFields(schema, [], undefined)).toBe(schema);
  });

  it('reorders, and adds match keys with the next usual name and a likely id path', () => {
    const rules: UpsertFindRule[] = [
      { key: 'email', action: 'find_contact', input: {}, idPath: 'contact.contact_id' },
      { key: 'name', action: 'find_contact', input: {}, idPath: 'contact.contact_id' },
    ];
    expect(moveRule(rules, 1, -1).map((r) => r.key)).toEqual(['name', 'email']);
    expect(moveRule(rules, 0, -1).map((r) => r.key)).toEqual(['email', 'name']);
    expect(moveRule(rules, 1, 1).map((r) => r.key)).toEqual(['email', 'name']);
    expect(newFindRule(books, rules)).toEqual({ key: 'external_id', action: 'list_contacts', input: {}, idPath: 'contacts.0.contact_id' });
    expect(newFindRule(books, [])!.key).toBe('email');
    expect(newFindRule(undefined, [])).toBeNull();
  });

  it('suggests where the record id and the modified time are in an output', () => {
    expect(idPathSuggestions(contactOutput)).toEqual(['contact.contact_id']);
    expect(idPathSuggestions({ type: 'object', properties: { id: { type: 'integer' }, data: { type: 'object', properties: { account_id: { type: 'string' } } } } })).toEqual(['id', 'data.account_id']);
    expect(idPathSuggestions(undefined)).toEqual([]);
    expect(modifiedAtPaths(contactOutput)).toEqual(['contact.last_modified_time']);
  });

  it('starts an action on the found record with its id field set to $target.id', () => {
    expect(targetIdInput(byKey('update_contact'), 'contact.contact_id')).toEqual({ contact_id: { $expr: '$target.id' } });
    expect(targetIdInput(byKey('update_contact'))).toEqual({ contact_id: { $expr: '$target.id' } });
    const twoIds = action('update_line', 'write', { type: 'object', properties: {}, required: ['invoice_id', 'line_id'] });
    expect(targetIdInput(twoIds, 'line_id')).toEqual({ line_id: { $expr: '$target.id' } });
    expect(targetIdInput(twoIds)).toEqual({});
    expect(targetIdInput(undefined)).toEqual({});
  });
});
