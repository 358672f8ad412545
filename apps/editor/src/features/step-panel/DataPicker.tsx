import { availableData, type StepId } from '@braid/flow-model';
import { useMemo, useState } from 'react';
import { useEditor, useEditorContext } from '../canvas/editor.context';
import { realOutputs } from './bindings';
import { buildDataTree, filterDataTree, type DataTreeNode } from './data.tree';

/** Browse the trigger's and earlier steps' data (sample or last preview) and insert a reference. */
export function DataPicker({ stepId, onPick, onClose }: { stepId: StepId | null; onPick: (expression: string) => void; onClose: () => void }) {
  const { catalog } = useEditorContext();
  const flow = useEditor((s) => s.flow);
  const preview = useEditor((s) => s.preview);
  const [query, setQuery] = useState('');
  const tree = useMemo(() => {
    const available = stepId ? availableData(flow, catalog, stepId) : availableData(flow, catalog, '__trigger_settings__').filter((d) => d.expression === '$vars');
    return buildDataTree(available, realOutputs(preview));
  }, [flow, catalog, stepId, preview]);
  const shown = useMemo(() => filterDataTree(tree, query), [tree, query]);

  return (
    <div className="data-picker" data-testid="data-picker" role="dialog" aria-label="Insert data" onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), onClose())}>
      <div className="data-picker-head">
        <input type="search" autoFocus placeholder="Find a field" aria-label="Find a field" value={query} onChange={(e) => setQuery(e.target.value)} data-testid="data-picker-search" />
        <button type="button" className="icon-button" aria-label="Close the data picker" onClick={onClose}>
          ×
        </button>
      </div>
      <ul className="tree" role="tree">
        {shown.map((node) => (
          <TreeItem key={node.expression} node={node} depth={0} onPick={onPick} forceOpen={query.trim() !== ''} />
        ))}
      </ul>
      {shown.length === 0 && <p className="muted small">No field matches “{query}”.</p>}
    </div>
  );
}

function TreeItem({ node, depth, onPick, forceOpen }: { node: DataTreeNode; depth: number; onPick: (expression: string) => void; forceOpen: boolean }) {
  const [open, setOpen] = useState(depth === 0 && node.expression === '$trigger');
  const expanded = forceOpen || open;
  return (
    <li role="treeitem" aria-expanded={node.children ? expanded : undefined}>
      <div className="tree-row" style={{ paddingLeft: depth * 14 }}>
        {node.children ? (
          <button type="button" className="tree-toggle" aria-label={`${expanded ? 'Collapse' : 'Expand'} ${node.label}`} onClick={() => setOpen(!expanded)}>
            {expanded ? '▾' : '▸'}
          </button>
        ) : (
          <span className="tree-toggle" aria-hidden="true" />
        )}
        <button type="button" className="tree-pick" onClick={() => onPick(node.expression)} title={`Insert ${node.expression}`} data-testid="data-picker-item" data-expression={node.expression}>
          <span className="tree-label">{node.label}</span>
          {node.optional && <span className="badge badge-muted">may be missing</span>}
          {node.sample && <span className="tree-sample">{node.sample}</span>}
        </button>
      </div>
      {node.children && expanded && (
        <ul role="group">
          {node.children.map((child) => (
            <TreeItem key={child.expression} node={child} depth={depth + 1} onPick={onPick} forceOpen={forceOpen} />
          ))}
        </ul>
      )}
    </li>
  );
}
