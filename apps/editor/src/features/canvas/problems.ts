import { validateFlow, type ConnectorDescriptor, type FlowDefinition, type Problem } from '@braid/flow-model';

/**
 * Every problem of the draft: flow-model's validation in the browser (instant) merged with the problems the
 * server reported with the last save (it knows the workspace's connections). If validation cannot run
 * here, the server's list is used alone.
 */
export function collectProblems(flow: FlowDefinition, catalog: readonly ConnectorDescriptor[], serverProblems: readonly Problem[], connectionIds?: readonly string[], validateHere = true): Problem[] {
  if (!validateHere) return serverProblems.filter((p) => !p.stepId || flow.steps[p.stepId] !== undefined);
  let local: Problem[] = [];
  try {
    local = validateFlow(flow, catalog, connectionIds ? { connections: new Set(connectionIds) } : {});
  } catch {
    return [...serverProblems];
  }
  // The server knows the workspace's connections: take its word on connection references.
  const localKeys = new Set(local.map((p) => `${p.code} ${p.pointer}`));
  const fromServer = serverProblems.filter(
    (p) => p.code === 'MISSING_CONNECTION' && !localKeys.has(`${p.code} ${p.pointer}`) && (!p.stepId || flow.steps[p.stepId] !== undefined),
  );
  return [...local, ...fromServer];
}

/** Problems grouped by the step they belong to ('' for the trigger and the flow itself). */
export function problemsByStep(problems: readonly Problem[]): Map<string, Problem[]> {
  const out = new Map<string, Problem[]>();
  for (const problem of problems) {
    const key = problem.stepId ?? '';
    out.set(key, [...(out.get(key) ?? []), problem]);
  }
  return out;
}
