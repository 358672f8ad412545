import type { ActionDescriptor, ConnectorDescriptor } from '@braid/flow-model';

/** Apps and their actions matching a search (every word must appear in the app, title, key or description). */
export function searchCatalog(catalog: readonly ConnectorDescriptor[], query: string): Array<{ connector: ConnectorDescriptor; actions: ActionDescriptor[] }> {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return [...catalog]
    .sort((a, b) => (a.key === 'core' ? 1 : b.key === 'core' ? -1 : a.title.localeCompare(b.title)))
    .map((connector) => ({
      connector,
      actions: connector.actions.filter((action) => {
        const text = `${connector.title} ${connector.key} ${action.title} ${action.key} ${action.description}`.toLowerCase();
        return words.every((w) => text.includes(w));
      }),
    }))
    .filter((group) => group.actions.length > 0);
}
