import { describe, expect, it } from 'vitest';
import { catalog } from '../../test-support/fixtures';
import { searchCatalog } from './catalog.search';

describe('searchCatalog', () => {
  it('lists every app with actions, core last', () => {
    expect(searchCatalog(catalog, '').map((g) => g.connector.key)).toEqual(['zoho-books', 'zoho-crm', 'core']);
  });
  it('matches words against app, action and description', () => {
    expect(searchCatalog(catalog, 'invoice').flatMap((g) => g.actions.map((a) => a.key))).toEqual(['create_invoice']);
    expect(searchCatalog(catalog, 'books email').flatMap((g) => g.actions.map((a) => a.key))).toEqual(['find_contact']);
    expect(searchCatalog(catalog, 'nothing here')).toEqual([]);
  });
});
