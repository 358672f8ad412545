import { describe, expect, it } from 'vitest';
import type { FlowSummary } from '../../api/flows';
import { actionApps, emptyFilter, exportFileName, filterFlows } from './flows.filter';

const flow = (over: Partial<FlowSummary>): FlowSummary => ({
  id: over.name ?? 'x',
  name: 'Flow',
  direction: 'outbound',
  enabled: false,
  draftRevision: 1,
  publishedVersion: null,
  triggerConnector: 'togai',
  triggerKey: 'account_updated',
  actionConnectors: [],
  lastRun: null,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  ...over,
});

const published = { id: 'v', version: 1, publishedAt: '2026-01-01T00:00:00Z', publishedBy: null };
const flows = [
  flow({ name: 'Accounts to Books', actionConnectors: ['zoho-books'], enabled: true, publishedVersion: published }),
  flow({ name: 'Books invoices in', direction: 'inbound', triggerConnector: 'zoho-books', actionConnectors: ['togai'], publishedVersion: published, lastRun: { id: 'r', status: 'failed', queuedAt: '', finishedAt: null } }),
  flow({ name: 'CRM sync', actionConnectors: ['core', 'zoho-crm'] }),
];

describe('filterFlows', () => {
  it('keeps everything with the empty filter', () => {
    expect(filterFlows(flows, emptyFilter)).toHaveLength(3);
  });
  it('searches names and app titles, every word must match', () => {
    const titles = (k: string) => ({ 'zoho-crm': 'Zoho CRM', 'zoho-books': 'Zoho Books', togai: 'Togai' })[k] ?? k;
    expect(filterFlows(flows, { ...emptyFilter, search: 'crm' }, titles).map((f) => f.name)).toEqual(['CRM sync']);
    expect(filterFlows(flows, { ...emptyFilter, search: 'books togai' }, titles).map((f) => f.name)).toEqual(['Accounts to Books', 'Books invoices in']);
    expect(filterFlows(flows, { ...emptyFilter, search: 'nothing-like-this' }, titles)).toEqual([]);
  });
  it('filters by direction and state', () => {
    expect(filterFlows(flows, { ...emptyFilter, direction: 'inbound' }).map((f) => f.name)).toEqual(['Books invoices in']);
    expect(filterFlows(flows, { ...emptyFilter, state: 'enabled' }).map((f) => f.name)).toEqual(['Accounts to Books']);
    expect(filterFlows(flows, { ...emptyFilter, state: 'disabled' }).map((f) => f.name)).toEqual(['Books invoices in']);
    expect(filterFlows(flows, { ...emptyFilter, state: 'draft' }).map((f) => f.name)).toEqual(['CRM sync']);
    expect(filterFlows(flows, { ...emptyFilter, state: 'failing' }).map((f) => f.name)).toEqual(['Books invoices in']);
  });
});

describe('actionApps', () => {
  it('drops core and the trigger app and repeats', () => {
    expect(actionApps({ triggerConnector: 'togai', actionConnectors: ['core', 'zoho-books', 'togai', 'zoho-books', 'zoho-crm'] })).toEqual(['zoho-books', 'zoho-crm']);
  });
});

describe('exportFileName', () => {
  it('makes a slug', () => {
    expect(exportFileName('Togai accounts → Zoho Books customers')).toBe('togai-accounts-zoho-books-customers.braid-flow.json');
    expect(exportFileName('→')).toBe('flow.braid-flow.json');
  });
});
