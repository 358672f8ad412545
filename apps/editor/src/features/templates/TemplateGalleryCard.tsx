import type { TemplateCard } from '../../api/templates';
import { connectorLookup, useConnectors } from '../../app/queries';
import { ConnectorIcon } from '../../components/ConnectorIcon';

const directionLabel: Record<string, string> = { inbound: '↘ inbound', outbound: '↗ outbound', 'two-way': '⇄ two-way' };

/** One gallery card: what the template does, its apps, the connections it needs and its modules. */
export function TemplateGalleryCard({ template, editable, onUse }: { template: TemplateCard; editable: boolean; onUse(): void }) {
  const connectors = useConnectors();
  const connector = connectorLookup(connectors.data);
  return (
    <article className="gallery-card" data-testid={`template-card-${template.id}`} aria-labelledby={`template-title-${template.id}`}>
      <header className="gallery-card-head">
        <span className="gallery-apps">
          {template.apps
            .filter((a) => a.key !== 'core')
            .map((a) => (
              <ConnectorIcon key={a.key} connector={{ key: a.key, title: a.title, icon: a.icon ?? connector(a.key)?.icon ?? '' }} size={24} />
            ))}
        </span>
        {template.direction && <span className={`badge badge-${template.direction === 'inbound' ? 'inbound' : 'outbound'}`}>{directionLabel[template.direction] ?? template.direction}</span>}
      </header>
      <h2 id={`template-title-${template.id}`}>{template.title}</h2>
      <p>{template.summary}</p>
      {template.whatItDoes.length > 0 && (
        <details>
          <summary>What it does</summary>
          <ul className="small">
            {template.whatItDoes.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </details>
      )}
      <div className="small">
        <strong>Needs:</strong>{' '}
        {template.connections.map((c, i) => (
          <span key={c.key} data-testid={`template-connection-${c.key}`}>
            {i > 0 && ', '}
            {c.title} <span className="muted">({connector(c.connector)?.title ?? c.connector})</span>
          </span>
        ))}
      </div>
      {template.modules.length > 0 && (
        <div className="small">
          <strong>Modules:</strong> {template.modules.map((m) => m.title).join(' · ')}
        </div>
      )}
      <div className="small muted">
        {template.flows.length} flow{template.flows.length === 1 ? '' : 's'}
        {template.supportsInitialSync ? ' · initial sync' : ''}
      </div>
      {editable && (
        <button type="button" onClick={onUse} data-testid={`use-template-${template.id}`}>
          Use template
        </button>
      )}
    </article>
  );
}
