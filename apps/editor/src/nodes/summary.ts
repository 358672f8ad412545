import { isExpression, stepLabel, type ConnectorDescriptor, type InputValue, type Step } from '@braid/flow-model';

export interface StepCardText {
  title: string;
  /** "Zoho Books · Create invoice", "Branch", "For each" … */
  subtitle: string;
  /** One line about what the step does with its inputs. */
  summary: string;
  connectorKey?: string;
}

const clip = (text: string, max = 60) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function describeValue(value: InputValue | undefined): string {
  if (value === undefined) return '—';
  if (isExpression(value)) return value.$expr.trim() || '(empty expression)';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `${value.length} item${value.length === 1 ? '' : 's'}`;
  if (value !== null && typeof value === 'object') return `{ ${Object.keys(value).slice(0, 3).join(', ')}${Object.keys(value).length > 3 ? ', …' : ''} }`;
  return String(value);
}

/** What a step's card on the canvas says. */
export function stepCardText(step: Step, catalog: readonly ConnectorDescriptor[]): StepCardText {
  switch (step.kind) {
    case 'action': {
      const connector = catalog.find((c) => c.key === step.connector);
      const action = connector?.actions.find((a) => a.key === step.action);
      const first = Object.entries(step.input)[0];
      const count = Object.keys(step.input).length;
      const summary = first ? clip(`${first[0]} ← ${describeValue(first[1])}${count > 1 ? ` (+${count - 1} more)` : ''}`) : 'No inputs set yet';
      return {
        title: step.title?.trim() || action?.title || step.id,
        subtitle: `${connector?.title ?? step.connector} · ${action?.title ?? step.action}`,
        summary,
        connectorKey: step.connector,
      };
    }
    case 'branch': {
      const paths = step.branches.map((b) => b.label || b.id);
      return { title: stepLabel(step), subtitle: 'Branch', summary: clip(`If ${paths.join(' / ')}${step.else ? ', else' : ''}`) };
    }
    case 'forEach':
      return { title: stepLabel(step), subtitle: 'For each', summary: clip(`Over ${step.items.$expr.trim() || '(choose a list)'}`) };
    case 'upsertWithLink': {
      const connector = catalog.find((c) => c.key === step.connector);
      const keys = (step.find ?? []).map((f) => f.key);
      return {
        title: stepLabel(step),
        subtitle: `${connector?.title ?? step.connector} · Upsert with link`,
        summary: clip(`${step.source.type} → ${step.target.type}${keys.length ? `, match by ${keys.join(', ')}` : ''}`),
        connectorKey: step.connector,
      };
    }
    case 'map': {
      const keys = step.output !== null && typeof step.output === 'object' && !Array.isArray(step.output) && !isExpression(step.output) ? Object.keys(step.output) : [];
      return { title: stepLabel(step), subtitle: 'Map data', summary: clip(keys.length ? `Makes ${keys.join(', ')}` : isExpression(step.output) ? step.output.$expr : 'Produces a value') };
    }
  }
}
