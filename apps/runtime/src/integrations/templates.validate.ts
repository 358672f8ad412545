import { type ConnectorDescriptor, validateFlow } from '@braid/flow-model';
import type { LoadedTemplate } from './templates.loader.js';
import { connectionRefsIn } from './template.render.js';

export interface TemplateProblem {
  templateId: string;
  /** The flow's key, absent for a problem of template.json. */
  flow?: string;
  file: string;
  code: string;
  pointer: string;
  message: string;
}

/**
 * What would stop a template from working: its apps and slots must be connectors of the catalog, every
 * `connectionRef` must name a slot of the same connector, and every flow must pass flow-model's
 * `validateFlow` against the real catalog (slot names count as connections).
 */
export function templateProblems(template: LoadedTemplate, catalog: ConnectorDescriptor[]): TemplateProblem[] {
  const { manifest } = template;
  const problems: TemplateProblem[] = [];
  const known = new Set(catalog.map((c) => c.key));
  const add = (problem: Omit<TemplateProblem, 'templateId'>) => problems.push({ templateId: manifest.id, ...problem });
  manifest.apps.forEach((app, i) => {
    if (!known.has(app)) add({ file: 'template.json', code: 'UNKNOWN_CONNECTOR', pointer: `/apps/${i}`, message: `App "${app}" is not an installed connector.` });
  });
  manifest.connections.forEach((slot, i) => {
    if (!known.has(slot.connector)) add({ file: 'template.json', code: 'UNKNOWN_CONNECTOR', pointer: `/connections/${i}/connector`, message: `Connection slot "${slot.key}" needs connector "${slot.connector}", which is not installed.` });
  });
  const slots = new Map(manifest.connections.map((slot) => [slot.key, slot]));
  for (const flow of template.flows) {
    for (const ref of connectionRefsIn(flow.definition)) {
      const slot = slots.get(ref.ref);
      if (!slot) {
        add({ flow: flow.key, file: flow.file, code: 'UNKNOWN_SLOT', pointer: ref.at, message: `connectionRef "${ref.ref}" is not a connection slot of the template (slots: ${[...slots.keys()].join(', ') || 'none'}).` });
      } else if (slot.connector !== ref.connector) {
        add({ flow: flow.key, file: flow.file, code: 'SLOT_CONNECTOR_MISMATCH', pointer: ref.at, message: `Slot "${slot.key}" is a ${slot.connector} connection, but the step uses connector ${ref.connector}.` });
      }
    }
    for (const problem of validateFlow(flow.definition, catalog, { connections: new Set(slots.keys()) })) {
      add({ flow: flow.key, file: flow.file, code: problem.code, pointer: problem.pointer, message: problem.message });
    }
  }
  return problems;
}
