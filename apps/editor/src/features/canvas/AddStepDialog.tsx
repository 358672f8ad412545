import type { ActionDescriptor, ConnectorDescriptor, InsertPosition, Step } from '@braid/flow-model';
import { useMemo, useState } from 'react';
import { Dialog } from '../../components/Dialog';
import { ConnectorIcon } from '../../components/ConnectorIcon';
import { newActionStep } from '../../nodes/action/action.defaults';
import { newBranchStep } from '../../nodes/branch/branch.defaults';
import { newForEachStep } from '../../nodes/forEach/forEach.defaults';
import { newMapStep } from '../../nodes/map/map.defaults';
import { newUpsertWithLinkStep, upsertTargets } from '../../nodes/upsertWithLink/upsertWithLink.defaults';
import { toast } from '../../app/toasts';
import { useEditorContext } from './editor.context';
import { searchCatalog } from './catalog.search';

const logic = [
  { key: 'branch', title: 'Branch (if / else)', description: 'Take a different path depending on a condition', make: newBranchStep },
  { key: 'forEach', title: 'For each', description: 'Run steps once for every element of a list', make: newForEachStep },
  { key: 'map', title: 'Map data', description: 'Shape data into a new object with JSONata', make: newMapStep },
] as const;

/** The searchable catalog of what can be added: logic steps and every app's actions, with descriptions. */
export function AddStepDialog({ insert, onClose, connectionsByConnector }: { insert: InsertPosition; onClose: () => void; connectionsByConnector: Map<string, string[]> }) {
  const { store, catalog } = useEditorContext();
  const [query, setQuery] = useState('');
  const results = useMemo(() => searchCatalog(catalog, query), [catalog, query]);
  const upserts = useMemo(() => {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    return upsertTargets(catalog).filter((c) => words.every((w) => `upsert with link sync ${c.title} ${c.key}`.toLowerCase().includes(w)));
  }, [catalog, query]);
  const logicShown = logic.filter((l) => query.trim() === '' || `${l.title} ${l.description}`.toLowerCase().includes(query.trim().toLowerCase()));

  const add = (step: Step) => {
    const result = store.getState().apply({ type: 'addStep', after: insert, step });
    if (!result.ok) {
      toast.error(result.error.message);
      return;
    }
    store.getState().select({ kind: 'step', stepId: step.id });
    onClose();
  };
  const addAction = (connector: ConnectorDescriptor, action: ActionDescriptor) => {
    const connections = connectionsByConnector.get(connector.key) ?? [];
    add(newActionStep(store.getState().flow, connector, action, connections.length === 1 ? connections[0] : undefined));
  };

  return (
    <Dialog title="Add a step" onClose={onClose} wide testId="add-step-dialog">
      <input type="search" className="catalog-search" autoFocus placeholder="Search apps and actions, e.g. “invoice”" aria-label="Search apps and actions" value={query} onChange={(e) => setQuery(e.target.value)} data-testid="action-search" />
      <div className="catalog" role="list">
        {logicShown.length > 0 && (
          <section className="catalog-group" aria-label="Logic">
            <h3>Logic</h3>
            {logicShown.map((item) => (
              <button key={item.key} type="button" className="catalog-item" onClick={() => add(item.make(store.getState().flow))} data-testid={`action-option-logic-${item.key}`}>
                <span className="catalog-glyph" aria-hidden="true">{item.key === 'branch' ? 'if' : item.key === 'forEach' ? '↻' : '{}'}</span>
                <span>
                  <strong>{item.title}</strong>
                  <span className="muted small">{item.description}</span>
                </span>
              </button>
            ))}
          </section>
        )}
        {upserts.length > 0 && (
          <section className="catalog-group" aria-label="Upsert with link">
            <h3>Upsert with link</h3>
            {upserts.map((connector) => (
              <button
                key={connector.key}
                type="button"
                className="catalog-item"
                onClick={() => {
                  const connections = connectionsByConnector.get(connector.key) ?? [];
                  const step = newUpsertWithLinkStep(store.getState().flow, connector, connections.length === 1 ? connections[0] : undefined);
                  if (step) add(step);
                }}
                data-testid={`action-option-upsert-${connector.key}`}
              >
                <ConnectorIcon connector={connector} size={28} />
                <span>
                  <strong>Upsert into {connector.title}</strong>
                  <span className="muted small">Find the linked record, else a match, else create — and link it (no duplicates on repeats)</span>
                </span>
              </button>
            ))}
          </section>
        )}
        {results.map(({ connector, actions }) => (
          <section key={connector.key} className="catalog-group" aria-label={connector.title}>
            <h3>
              <ConnectorIcon connector={connector} size={18} /> {connector.title}
            </h3>
            {actions.map((action) => (
              <button key={action.key} type="button" className="catalog-item" onClick={() => addAction(connector, action)} data-testid={`action-option-${connector.key}-${action.key}`}>
                <span className={`catalog-class catalog-class-${action.classification}`} aria-hidden="true">{action.classification === 'read' ? 'R' : action.classification === 'write' ? 'W' : 'D'}</span>
                <span>
                  <strong>{action.title}</strong>
                  <span className="muted small">{action.description}</span>
                </span>
              </button>
            ))}
          </section>
        ))}
        {results.length === 0 && logicShown.length === 0 && upserts.length === 0 && <p className="muted">Nothing matches “{query}”. Try the app's name or a word like “contact”.</p>}
      </div>
    </Dialog>
  );
}
