import type { FlowSummary } from '../../api/flows';

export interface FlowFilter {
  search: string;
  direction: 'all' | 'inbound' | 'outbound';
  state: 'all' | 'enabled' | 'disabled' | 'draft' | 'failing';
}

export const emptyFilter: FlowFilter = { search: '', direction: 'all', state: 'all' };

/**
 * The flows a filter keeps. Search matches the name and the apps (connector keys and titles), every word
 * must match; "failing" = the last run failed; "draft" = never published.
 */
export function filterFlows(flows: readonly FlowSummary[], filter: FlowFilter, connectorTitle: (key: string) => string = (k) => k): FlowSummary[] {
  const words = filter.search.toLowerCase().split(/\s+/).filter(Boolean);
  return flows.filter((flow) => {
    if (filter.direction !== 'all' && flow.direction !== filter.direction) return false;
    if (filter.state === 'enabled' && !flow.enabled) return false;
    if (filter.state === 'disabled' && (flow.enabled || !flow.publishedVersion)) return false;
    if (filter.state === 'draft' && flow.publishedVersion) return false;
    if (filter.state === 'failing' && flow.lastRun?.status !== 'failed') return false;
    if (words.length === 0) return true;
    const apps = [flow.triggerConnector, ...flow.actionConnectors].flatMap((k) => [k, connectorTitle(k)]);
    const haystack = [flow.name, ...apps].join(' ').toLowerCase();
    return words.every((w) => haystack.includes(w));
  });
}

/** The action apps of a flow without the trigger's app and without core steps, in order, once each. */
export function actionApps(flow: Pick<FlowSummary, 'triggerConnector' | 'actionConnectors'>): string[] {
  return [...new Set(flow.actionConnectors)].filter((k) => k !== 'core' && k !== flow.triggerConnector);
}

/** A safe file name for an exported flow. */
export function exportFileName(name: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  return `${slug || 'flow'}.braid-flow.json`;
}
