import { describe, expect, it } from 'vitest';
import { hasScope, parseScope, parseScopeList } from './accounts.scopes.js';

describe('Zoho scopes', () => {
  it('parses the Service.scope.OPERATION grammar and refuses unknown scopes', () => {
    expect(parseScope('ZohoCRM.modules.accounts.READ')).toMatchObject({ service: 'ZohoCRM', path: ['modules', 'accounts'], operation: 'READ' });
    expect(parseScope('ZohoBooks.fullaccess.all')?.operation).toBe('ALL');
    expect(parseScope('ZohoBooks.fullaccess.READ')).toBeUndefined();
    expect(parseScope('ZohoBooks.contacts')).toBeUndefined();
    expect(parseScope('ZohoMail.messages.ALL')).toBeUndefined();
    expect(parseScopeList('ZohoBooks.contacts.READ, ZohoCRM.modules.ALL')).toEqual({ ok: true, scopes: ['ZohoBooks.contacts.READ', 'ZohoCRM.modules.ALL'] });
    expect(parseScopeList('ZohoBooks.contacts.READ,bogus')).toEqual({ ok: false, invalid: 'bogus' });
  });

  it('fullaccess, module.ALL, modules.ALL and single operations', () => {
    const books = (module: string, operation: 'READ' | 'CREATE' | 'DELETE') => ({ service: 'ZohoBooks' as const, module, operation });
    expect(hasScope(['ZohoBooks.fullaccess.all'], books('invoices', 'DELETE'))).toBe(true);
    expect(hasScope(['ZohoBooks.invoices.ALL'], books('invoices', 'CREATE'))).toBe(true);
    expect(hasScope(['ZohoBooks.invoices.READ'], books('invoices', 'CREATE'))).toBe(false);
    expect(hasScope(['ZohoBooks.invoices.READ'], books('contacts', 'READ'))).toBe(false);
    expect(hasScope(['ZohoCRM.modules.ALL'], books('contacts', 'READ'))).toBe(false);
    const crm = (module: string, operation: 'READ' | 'CREATE' | 'UPDATE' | 'DELETE') => ({ service: 'ZohoCRM' as const, module, operation });
    expect(hasScope(['ZohoCRM.modules.ALL'], crm('modules.Accounts', 'UPDATE'))).toBe(true);
    expect(hasScope(['ZohoCRM.modules.accounts.READ'], crm('modules.Accounts', 'READ'))).toBe(true);
    expect(hasScope(['ZohoCRM.modules.accounts.READ'], crm('modules.Contacts', 'READ'))).toBe(false);
    expect(hasScope(['ZohoCRM.modules.accounts.WRITE'], crm('modules.accounts', 'CREATE'))).toBe(true);
    expect(hasScope(['ZohoCRM.modules.accounts.WRITE'], crm('modules.accounts', 'DELETE'))).toBe(false);
    expect(hasScope(['ZohoCRM.modules.ALL'], crm('settings.fields', 'READ'))).toBe(false);
    expect(hasScope(['ZohoCRM.settings.ALL'], crm('settings.fields', 'READ'))).toBe(true);
  });
});
