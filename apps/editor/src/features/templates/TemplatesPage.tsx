import { useEffect, useState } from 'react';
import type { TemplateCard } from '../../api/templates';
import { useTemplates } from '../../app/queries';
import { canEdit, useWorkspace } from '../../app/session.store';
import { EmptyState } from '../../components/EmptyState';
import { errorMessage } from '../../components/errors';
import { IntegrationDetail } from '../integrations/IntegrationDetail';
import { IntegrationsList } from '../integrations/IntegrationsList';
import { TemplateGalleryCard } from './TemplateGalleryCard';
import { UseTemplateWizard } from './UseTemplateWizard';
import './templates.css';

type View = { tab: 'gallery' } | { tab: 'integrations' } | { tab: 'integration'; id: string };

/** The view from the address (`/templates?integration=<id>`, `/templates?tab=integrations`), so links and reloads land right. */
function viewFromLocation(): View {
  const params = new URLSearchParams(window.location.search);
  const id = params.get('integration');
  if (id) return { tab: 'integration', id };
  return params.get('tab') === 'integrations' ? { tab: 'integrations' } : { tab: 'gallery' };
}

function locationOf(view: View): string {
  if (view.tab === 'integration') return `/templates?integration=${encodeURIComponent(view.id)}`;
  return view.tab === 'integrations' ? '/templates?tab=integrations' : '/templates';
}

/** Templates gallery (one card per scenario), the "use template" wizard, and the integrations made from them. */
export function TemplatesPage() {
  const workspace = useWorkspace();
  const editable = canEdit(workspace);
  const templates = useTemplates(workspace.id);
  const [view, setView] = useState<View>(viewFromLocation);
  const [using, setUsing] = useState<TemplateCard | null>(null);

  useEffect(() => {
    const onPop = () => setView(viewFromLocation());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const go = (next: View) => {
    setView(next);
    const target = locationOf(next);
    if (target !== window.location.pathname + window.location.search) window.history.pushState(null, '', target);
  };

  return (
    <div className="templates-page" data-testid="templates-page">
      <header className="page-header">
        <h1>{view.tab === 'gallery' ? 'Templates' : 'Integrations'}</h1>
      </header>
      <div className="tabs" role="tablist">
        <button type="button" role="tab" className={`tab${view.tab === 'gallery' ? ' active' : ''}`} aria-selected={view.tab === 'gallery'} onClick={() => go({ tab: 'gallery' })} data-testid="tab-gallery">
          Gallery
        </button>
        <button type="button" role="tab" className={`tab${view.tab !== 'gallery' ? ' active' : ''}`} aria-selected={view.tab !== 'gallery'} onClick={() => go({ tab: 'integrations' })} data-testid="tab-integrations">
          Integrations
        </button>
      </div>

      {view.tab === 'gallery' && (
        <>
          {templates.error && <p role="alert" className="error">{errorMessage(templates.error)}</p>}
          {templates.isLoading && <p className="muted">Loading…</p>}
          {templates.data === null && <EmptyState title="This runtime has no templates API">Start from a blank flow or import one on the Flows page.</EmptyState>}
          {templates.data && templates.data.length === 0 && <EmptyState title="No templates installed">The runtime found no template folders (BRAID_TEMPLATES_DIR).</EmptyState>}
          {templates.data && templates.data.length > 0 && (
            <ul className="template-gallery" data-testid="template-gallery">
              {templates.data.map((t) => (
                <li key={t.id}>
                  <TemplateGalleryCard template={t} editable={editable} onUse={() => setUsing(t)} />
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {view.tab === 'integrations' && <IntegrationsList onOpen={(id) => go({ tab: 'integration', id })} onBrowse={() => go({ tab: 'gallery' })} />}
      {view.tab === 'integration' && <IntegrationDetail key={view.id} integrationId={view.id} onBack={() => go({ tab: 'integrations' })} onDeleted={() => go({ tab: 'integrations' })} />}

      {using && (
        <UseTemplateWizard
          template={using}
          onClose={() => setUsing(null)}
          onCreated={(id) => {
            setUsing(null);
            go({ tab: 'integration', id });
          }}
        />
      )}
    </div>
  );
}
