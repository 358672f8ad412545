// validateFlow: everything wrong with a (structurally valid) flow definition, against a connector catalog.
// Collects every problem; never stops at the first.
import type { ActionDescriptor, ConnectorDescriptor, JsonSchema, TriggerDescriptor } from './connector.types.js';
import { FIELD_MAPPER_WIDGET, MANDATORY_TARGETS_KEYWORD, WIDGET_KEYWORD } from './connector.types.js';
import { analyzeExpression, findExpressions } from './expression.analyze.js';
import { analyzeGraph, enclosingScopes, scopeKey, upstreamSteps, type FlowGraph, type Scope } from './flow.graph.js';
import { ProblemCode, fieldPath, parsePointer, toPointer, type Problem } from './flow.problems.js';
import { fieldMappingSchema, parseFlowDefinition } from './flow.schema.js';
import { isExpression, stepLabel, type FlowDefinition, type InputValue, type Step, type StepId } from './flow.types.js';
import { compileSchema, describeAjvError, valueAtPointer, type ErrorObject } from './schema.ajv.js';

export interface ValidateFlowOptions {
  /**
   * Connection references that exist (connection ids and/or integration slot names). When given, a
   * `connectionRef` not in the set is reported; when absent, only missing references are.
   */
  connections?: ReadonlySet<string>;
}

type Segments = Array<string | number>;

/** Who owns the values being checked, for messages and for which `$steps` are readable. */
interface Owner {
  /** "Step "Create invoice"" or "The trigger". */
  label: string;
  stepId?: StepId;
  /** Base pointer segments of the owner (`['steps', id]` or `['trigger']`). */
  base: Segments;
  isTrigger: boolean;
}

export function validateFlow(
  flow: FlowDefinition,
  catalog: readonly ConnectorDescriptor[],
  options: ValidateFlowOptions = {},
): Problem[] {
  const problems: Problem[] = [];
  const graph = analyzeGraph(flow);
  const connectors = new Map(catalog.map((c) => [c.key, c]));
  const add = (code: ProblemCode, pointer: Segments | string, message: string, stepId?: StepId) => {
    problems.push({ code, pointer: typeof pointer === 'string' ? pointer : toPointer(pointer), ...(stepId ? { stepId } : {}), message });
  };

  checkIds(flow, add);
  checkGraph(flow, graph, add);
  checkTrigger(flow, connectors, options, add);

  for (const [key, step] of Object.entries(flow.steps)) {
    const owner: Owner = { label: `Step "${stepLabel(step)}"`, stepId: key, base: ['steps', key], isTrigger: false };
    const expressionContext = makeExpressionContext(flow, graph, key);
    switch (step.kind) {
      case 'action':
        checkActionStep(step, owner, connectors, options, add);
        checkExpressionsIn(step.input, [...owner.base, 'input'], (p) => `"${fieldPath(p)}"`, owner, expressionContext, add);
        break;
      case 'branch':
        step.branches.forEach((b, i) => {
          checkExpressionsIn(b.condition, [...owner.base, 'branches', i, 'condition'], () => `the condition of path "${b.label || b.id}"`, owner, expressionContext, add);
        });
        break;
      case 'forEach':
        checkExpressionsIn(step.items, [...owner.base, 'items'], () => 'the list to loop over', owner, expressionContext, add);
        break;
      case 'map':
        checkExpressionsIn(step.output, [...owner.base, 'output'], (p) => (p.length === 0 ? 'the output' : `output field "${fieldPath(p)}"`), owner, expressionContext, add);
        break;
      case 'upsertWithLink':
        checkUpsertWithLinkStep(step, owner, connectors, options, add);
        for (const part of ['source', 'find', 'create', 'update', 'delete', 'read', 'mapping', 'prefetch'] as const) {
          if (step[part] === undefined) continue;
          checkExpressionsIn(step[part], [...owner.base, part], (p) => `"${fieldPath([part, ...p])}"`, owner, expressionContext, add);
        }
        break;
    }
  }
  return problems;
}

export interface CheckedFlow {
  /** The flow, when its structure is valid (it may still have other problems). */
  flow?: FlowDefinition;
  problems: Problem[];
}

/**
 * parseFlowDefinition, then (when the structure is sound) validateFlow: every problem of a flow as received
 * from the editor or the API, in one list.
 */
export function checkFlowDefinition(
  json: unknown,
  catalog: readonly ConnectorDescriptor[],
  options: ValidateFlowOptions = {},
): CheckedFlow {
  const parsed = parseFlowDefinition(json);
  if (!parsed.ok) return { problems: parsed.problems };
  return { flow: parsed.flow, problems: validateFlow(parsed.flow, catalog, options) };
}

type AddProblem = (code: ProblemCode, pointer: Segments | string, message: string, stepId?: StepId) => void;

function labelOf(flow: FlowDefinition, id: StepId): string {
  const step = flow.steps[id];
  return step ? stepLabel({ id, title: step.title }) : id;
}

function checkIds(flow: FlowDefinition, add: AddProblem): void {
  for (const [key, step] of Object.entries(flow.steps)) {
    if (step.id !== key) {
      if (Object.prototype.hasOwnProperty.call(flow.steps, step.id)) {
        add(ProblemCode.DUPLICATE_ID, ['steps', key, 'id'], `Step "${key}" says its id is "${step.id}", which is the id of another step. Each step needs its own id.`, key);
      } else {
        add(ProblemCode.STEP_ID_MISMATCH, ['steps', key, 'id'], `Step "${key}" says its id is "${step.id}": the id must be the same as its key in "steps" ("${key}").`, key);
      }
    }
    if (step.kind === 'branch') {
      const seen = new Map<string, number>();
      step.branches.forEach((b, i) => {
        const first = seen.get(b.id);
        if (first !== undefined) {
          add(ProblemCode.DUPLICATE_ID, ['steps', key, 'branches', i, 'id'], `Step "${stepLabel(step)}": paths ${first + 1} and ${i + 1} both have the id "${b.id}". Each path needs its own id.`, key);
        } else seen.set(b.id, i);
      });
    }
  }
}

function describeEdgeSource(flow: FlowDefinition, edge: FlowGraph['dangling'][number]): string {
  const s = edge.source;
  switch (s.kind) {
    case 'start':
      return 'The flow starts at';
    case 'next':
      return `Step "${labelOf(flow, s.stepId)}" continues with`;
    case 'branch': {
      const step = flow.steps[s.stepId];
      const label = step?.kind === 'branch' ? step.branches[s.index]?.label || s.branchId : s.branchId;
      return `Path "${label}" of step "${labelOf(flow, s.stepId)}" starts with`;
    }
    case 'else':
      return `The "else" path of step "${labelOf(flow, s.stepId)}" starts with`;
    case 'body':
      return `The loop "${labelOf(flow, s.stepId)}" runs`;
  }
}

function edgeOwner(edge: FlowGraph['dangling'][number]): StepId | undefined {
  return edge.source.kind === 'start' ? undefined : edge.source.stepId;
}

function checkGraph(flow: FlowDefinition, graph: FlowGraph, add: AddProblem): void {
  for (const edge of graph.dangling) {
    add(ProblemCode.DANGLING_EDGE, edge.pointer, `${describeEdgeSource(flow, edge)} step "${edge.target}", which does not exist. Pick an existing step or remove the link.`, edgeOwner(edge));
  }
  for (const { edge, firstEdge } of graph.shared) {
    const first =
      firstEdge.source.kind !== 'start'
        ? `step "${labelOf(flow, firstEdge.source.stepId)}"`
        : firstEdge.pointer === '/start'
          ? 'the trigger'
          : 'another place';
    add(ProblemCode.SHARED_STEP, edge.pointer, `${describeEdgeSource(flow, edge)} step "${labelOf(flow, edge.target)}", which already follows ${first}. A step can follow only one place; duplicate it instead.`, edgeOwner(edge));
  }
  for (const cycle of graph.cycles) {
    const names = [...cycle.steps, cycle.steps[0]!].map((id) => `"${labelOf(flow, id)}"`).join(' → ');
    add(ProblemCode.CYCLE, cycle.edge.pointer, `Steps ${names} form a loop: a flow cannot go back to an earlier step. Use a for-each step to repeat work.`, edgeOwner(cycle.edge));
  }
  for (const id of graph.unreachable) {
    add(ProblemCode.UNREACHABLE_STEP, ['steps', id], `Step "${labelOf(flow, id)}" is not connected to the flow, so it never runs. Connect it after another step, or delete it.`, id);
  }
}

function findConnector(
  connectors: Map<string, ConnectorDescriptor>,
  key: string,
  owner: Owner,
  pointer: Segments,
  add: AddProblem,
): ConnectorDescriptor | undefined {
  const connector = connectors.get(key);
  if (!connector) {
    add(ProblemCode.UNKNOWN_CONNECTOR, pointer, `${owner.label}: there is no connector "${key}" in this Braid. Pick another app, or install the connector.`, owner.stepId);
  }
  return connector;
}

function checkConnection(
  requiresConnection: boolean,
  connectionRef: string | undefined,
  connector: ConnectorDescriptor,
  what: string,
  owner: Owner,
  options: ValidateFlowOptions,
  add: AddProblem,
): void {
  const pointer = [...owner.base, 'connectionRef'];
  if (connectionRef === undefined || connectionRef.trim() === '') {
    if (requiresConnection) {
      add(ProblemCode.MISSING_CONNECTION, pointer, `${owner.label}: choose a ${connector.title} connection — ${what} needs one.`, owner.stepId);
    }
    return;
  }
  if (options.connections && !options.connections.has(connectionRef)) {
    add(ProblemCode.MISSING_CONNECTION, pointer, `${owner.label}: the ${connector.title} connection "${connectionRef}" does not exist (any more). Choose another connection.`, owner.stepId);
  }
}

function checkTrigger(
  flow: FlowDefinition,
  connectors: Map<string, ConnectorDescriptor>,
  options: ValidateFlowOptions,
  add: AddProblem,
): void {
  const node = flow.trigger;
  let descriptor: TriggerDescriptor | undefined;
  const connector = connectors.get(node.connector);
  if (connector) descriptor = connector.triggers.find((t) => t.key === node.trigger);
  const owner: Owner = { label: `Trigger "${node.title ?? descriptor?.title ?? node.trigger}"`, base: ['trigger'], isTrigger: true };
  if (!findConnector(connectors, node.connector, owner, ['trigger', 'connector'], add)) {
    // keep going: expressions can still be checked
  } else if (!descriptor) {
    const known = connector!.triggers.map((t) => `"${t.title}"`).join(', ');
    add(ProblemCode.UNKNOWN_TRIGGER, ['trigger', 'trigger'], `The trigger "${node.trigger}" does not exist in ${connector!.title}${known ? ` (it has: ${known})` : ''}.`);
  } else {
    const what = `${connector!.title} › ${descriptor.title}`;
    checkConnection(descriptor.requiresConnection, node.connectionRef, connector!, what, owner, options, add);
    checkInputAgainstSchema(node.config, descriptor.configSchema, [...owner.base, 'config'], what, owner, add);
  }
  checkExpressionsIn(node.config, ['trigger', 'config'], (p) => `setting "${fieldPath(p)}"`, owner, makeTriggerExpressionContext(flow), add);
}

function checkActionStep(
  step: Extract<Step, { kind: 'action' }>,
  owner: Owner,
  connectors: Map<string, ConnectorDescriptor>,
  options: ValidateFlowOptions,
  add: AddProblem,
): void {
  const connector = findConnector(connectors, step.connector, owner, [...owner.base, 'connector'], add);
  if (!connector) return;
  const action: ActionDescriptor | undefined = connector.actions.find((a) => a.key === step.action);
  if (!action) {
    add(ProblemCode.UNKNOWN_ACTION, [...owner.base, 'action'], `${owner.label}: ${connector.title} has no action "${step.action}". Pick one of its actions.`, owner.stepId);
    return;
  }
  const what = `${connector.title} › ${action.title}`;
  checkConnection(action.requiresConnection, step.connectionRef, connector, what, owner, options, add);
  checkInputAgainstSchema(step.input, action.inputSchema, [...owner.base, 'input'], what, owner, add);
}

/** Sets `value`'s fields at a dotted path (`records.0`) of a copy of `input` (arrays/objects created as needed). */
export function mergeAtPath(input: Record<string, unknown>, path: string | undefined, fields: Record<string, unknown>): Record<string, unknown> {
  const out = structuredClone(input);
  if (!path) return { ...out, ...fields };
  const segments = path.split('.');
  let holder: Record<string, unknown> | unknown[] = out;
  for (const [i, segment] of segments.entries()) {
    const key = Array.isArray(holder) ? Number(segment) : segment;
    const nextIsIndex = /^\d+$/.test(segments[i + 1] ?? '');
    let child = (holder as Record<string | number, unknown>)[key];
    if (child === null || typeof child !== 'object' || isExpression(child)) {
      child = i === segments.length - 1 || !nextIsIndex ? {} : [];
      (holder as Record<string | number, unknown>)[key] = child;
    }
    holder = child as Record<string, unknown> | unknown[];
  }
  Object.assign(holder, fields);
  return out;
}

function checkUpsertWithLinkStep(
  step: Extract<Step, { kind: 'upsertWithLink' }>,
  owner: Owner,
  connectors: Map<string, ConnectorDescriptor>,
  options: ValidateFlowOptions,
  add: AddProblem,
): void {
  const connector = findConnector(connectors, step.connector, owner, [...owner.base, 'connector'], add);
  if (!connector) return;
  const mapped: Record<string, unknown> = {};
  for (const pair of step.mapping?.pairs ?? []) if (typeof pair.target === 'string' && pair.target.trim() !== '') mapped[pair.target] = pair.source;
  const calls: Array<{ part: Segments; call: { action: string; input: Record<string, InputValue>; mapInto?: string }; mapped: boolean; role: string }> = [];
  step.find?.forEach((rule, i) => calls.push({ part: ['find', i], call: rule, mapped: false, role: `match key "${rule.key}"` }));
  calls.push({ part: ['create'], call: step.create, mapped: true, role: 'create' });
  if (step.update) calls.push({ part: ['update'], call: step.update, mapped: true, role: 'update' });
  if (step.delete) calls.push({ part: ['delete'], call: step.delete, mapped: false, role: 'delete' });
  if (step.read) calls.push({ part: ['read'], call: step.read, mapped: false, role: 'read' });
  if (step.prefetch) calls.push({ part: ['prefetch'], call: step.prefetch, mapped: false, role: 'prefetch' });
  let needsConnection = false;
  let createAction: ActionDescriptor | undefined;
  for (const { part, call, mapped: withMapping, role } of calls) {
    const action = connector.actions.find((a) => a.key === call.action);
    if (!action) {
      add(ProblemCode.UNKNOWN_ACTION, [...owner.base, ...part, 'action'], `${owner.label}: ${connector.title} has no action "${call.action}" (used to ${role}). Pick one of its actions.`, owner.stepId);
      continue;
    }
    if (role === 'create') createAction = action;
    needsConnection ||= action.requiresConnection;
    // Mapped fields are merged into the write input at run time: validate what will be sent.
    const input = withMapping ? (mergeAtPath(call.input, call.mapInto, mapped) as Record<string, InputValue>) : call.input;
    checkInputAgainstSchema(input, action.inputSchema, [...owner.base, ...part, 'input'], `${connector.title} › ${action.title} (${role})`, owner, add);
  }
  checkConnection(needsConnection, step.connectionRef, connector, `${connector.title} › upsert with link`, owner, options, add);
  if (step.mapping) {
    const schemaTargets = createAction && Array.isArray(createAction.inputSchema[MANDATORY_TARGETS_KEYWORD])
      ? (createAction.inputSchema[MANDATORY_TARGETS_KEYWORD] as unknown[]).filter((t): t is string => typeof t === 'string')
      : [];
    checkFieldMapping({ path: ['mapping'], value: step.mapping, schemaTargets }, step, owner.base, `upserting a ${connector.title} ${step.target.type}`, owner, add);
  }
  if (step.prefetch && step.find) {
    step.find.forEach((rule, i) => {
      if (!Object.prototype.hasOwnProperty.call(step.prefetch!.keys, rule.key)) {
        add(ProblemCode.INPUT_SCHEMA, [...owner.base, 'prefetch', 'keys'], `${owner.label}: the prefetch has no path for match key "${rule.key}" (find rule ${i + 1}); add it to "prefetch.keys" or remove the prefetch.`, owner.stepId);
      }
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Input values against a connector's JSON Schema

// At a place that *contains* an expression deeper down, only these keywords still judge literal facts
// (which keys exist, how many items); the others depend on the values the expressions will produce.
const STRUCTURAL_KEYWORDS = new Set(['required', 'additionalProperties', 'minProperties', 'maxProperties', 'minItems', 'maxItems', 'type', 'dependentRequired', 'propertyNames']);

/** Judges only which keys exist / how many items there are, so expressions below do not change the verdict. */
function isStructural(error: ErrorObject, schema: JsonSchema): boolean {
  if (STRUCTURAL_KEYWORDS.has(error.keyword)) return true;
  return (error.keyword === 'anyOf' || error.keyword === 'oneOf') && requiredAlternatives(schema, error.schemaPath) !== undefined;
}

function isAtOrBelow(path: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => path[i] === s);
}

function checkInputAgainstSchema(
  input: Record<string, InputValue>,
  schema: JsonSchema,
  base: Segments,
  what: string,
  owner: Owner,
  add: AddProblem,
): void {
  let validate;
  try {
    // With defaults, as the runtime validates before it runs: a missing property that has a `default` is
    // filled in, so it is not "required" here either (and the editor need not write defaults into drafts).
    validate = compileSchema(schema, { useDefaults: true });
  } catch (err) {
    add(ProblemCode.INVALID_CONNECTOR_SCHEMA, base, `${owner.label}: the input schema of ${what} is broken (${(err as Error).message}). This is a bug in the connector; report it.`, owner.stepId);
    return;
  }
  // Expression paths come from the input as written (defaults may add keys inside an expression object).
  const expressionPaths = findExpressions(input).map((e) => e.path.map(String));
  const withDefaults = structuredClone(input);
  const valid = validate(withDefaults) as boolean;
  const mappers = findFieldMappers(schema, withDefaults);
  for (const mapper of mappers) checkFieldMapping(mapper, withDefaults, base, what, owner, add);

  if (valid) return;
  const mapperPaths = mappers.map((m) => m.path.map(String));
  let errors = (validate.errors ?? []).filter((e) => {
    if (e.keyword === 'if') return false;
    const path = parsePointer(e.instancePath);
    if (mapperPaths.some((m) => isAtOrBelow(path, m))) return false;
    if (expressionPaths.some((x) => isAtOrBelow(path, x))) return false;
    if (expressionPaths.some((x) => isAtOrBelow(x, path)) && !isStructural(e, schema)) return false;
    return true;
  });
  // An anyOf/oneOf that failed: say so once, instead of listing why each alternative failed.
  const alternatives = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  errors = errors.filter(
    (e) => !alternatives.some((a) => a !== e && e.schemaPath.startsWith(a.schemaPath + '/') && isAtOrBelow(parsePointer(e.instancePath), parsePointer(a.instancePath))),
  );
  for (const error of errors) {
    const choice = error.keyword === 'anyOf' || error.keyword === 'oneOf' ? requiredAlternatives(schema, error.schemaPath) : undefined;
    if (choice) reportFieldChoice(error, choice, base, owner, add);
    else reportSchemaError(error, withDefaults, base, what, owner, add);
  }
}

/** For `oneOf: [{ required: ['ms'] }, { required: ['until'] }]`: the field sets to choose from. */
function requiredAlternatives(schema: JsonSchema, schemaPath: string): string[][] | undefined {
  if (!schemaPath.startsWith('#')) return undefined;
  const node = valueAtPointer(schema, parsePointer(schemaPath.slice(1)));
  if (!Array.isArray(node) || node.length === 0) return undefined;
  const sets: string[][] = [];
  for (const alt of node) {
    if (!alt || typeof alt !== 'object' || Object.keys(alt).some((k) => k !== 'required') || !Array.isArray((alt as { required?: unknown }).required)) return undefined;
    sets.push(((alt as { required: unknown[] }).required).map(String));
  }
  return sets;
}

function reportFieldChoice(error: ErrorObject, sets: string[][], base: Segments, owner: Owner, add: AddProblem): void {
  const path = parsePointer(error.instancePath);
  const where = path.length === 0 ? 'the input' : `field "${fieldPath(path)}"`;
  const options = sets.map((set) => set.map((f) => `"${f}"`).join(' and ')).join(' or ');
  const several = Array.isArray((error.params as { passingSchemas?: unknown }).passingSchemas);
  const message = several ? `${where} must use only one of ${options}` : `${where} needs ${options}`;
  add(ProblemCode.INPUT_SCHEMA, [...base, ...path], `${owner.label}: ${message}.`, owner.stepId);
}

function reportSchemaError(error: ErrorObject, input: unknown, base: Segments, what: string, owner: Owner, add: AddProblem): void {
  const path = parsePointer(error.instancePath);
  const p = error.params as Record<string, unknown>;
  if (error.keyword === 'required') {
    const field = [...path, String(p.missingProperty)];
    add(ProblemCode.INPUT_SCHEMA, [...base, ...field], `${owner.label}: field "${fieldPath(field)}" is required by ${what}.`, owner.stepId);
  } else if (error.keyword === 'additionalProperties') {
    const field = [...path, String(p.additionalProperty)];
    add(ProblemCode.INPUT_SCHEMA, [...base, ...field], `${owner.label}: "${fieldPath(field)}" is not a field of ${what}; remove it.`, owner.stepId);
  } else {
    const where = path.length === 0 ? 'the input' : `field "${fieldPath(path)}"`;
    add(ProblemCode.INPUT_SCHEMA, [...base, ...path], `${owner.label}: ${where} ${describeAjvError(error, valueAtPointer(input, path))}.`, owner.stepId);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Field mappers

interface FieldMapperSite {
  path: string[];
  value: unknown;
  schemaTargets: string[];
}

/** Properties (at any depth of `properties`) marked as field mappers that have a value in the input. */
function findFieldMappers(schema: JsonSchema, value: unknown, path: string[] = []): FieldMapperSite[] {
  const out: FieldMapperSite[] = [];
  const properties = schema.properties;
  if (!properties || typeof properties !== 'object' || value === null || typeof value !== 'object' || Array.isArray(value) || isExpression(value)) return out;
  for (const [name, sub] of Object.entries(properties as Record<string, JsonSchema>)) {
    if (!sub || typeof sub !== 'object' || !Object.prototype.hasOwnProperty.call(value, name)) continue;
    const child = (value as Record<string, unknown>)[name];
    if (sub[WIDGET_KEYWORD] === FIELD_MAPPER_WIDGET) {
      const targets = Array.isArray(sub[MANDATORY_TARGETS_KEYWORD]) ? (sub[MANDATORY_TARGETS_KEYWORD] as unknown[]).filter((t): t is string => typeof t === 'string') : [];
      out.push({ path: [...path, name], value: child, schemaTargets: targets });
    } else {
      out.push(...findFieldMappers(sub, child, [...path, name]));
    }
  }
  return out;
}

function isBlank(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (isExpression(value)) return value.$expr.trim() === '';
  return false;
}

function checkFieldMapping(site: FieldMapperSite, input: unknown, base: Segments, what: string, owner: Owner, add: AddProblem): void {
  if (isExpression(site.value)) return; // computed at run time
  const at = [...base, ...site.path];
  const name = fieldPath(site.path);
  const validate = compileSchema(fieldMappingSchema as unknown as JsonSchema);
  if (!validate(site.value)) {
    const prefix = toPointer(site.path);
    for (const error of validate.errors ?? []) {
      reportSchemaError({ ...error, instancePath: prefix + error.instancePath }, input, base, what, owner, add);
    }
    return;
  }
  const mapping = site.value as { pairs: Array<{ source: unknown; target: string }>; mandatoryTargets?: string[] };
  const mapped = new Map<string, number>();
  mapping.pairs.forEach((pair, i) => {
    const noTarget = isBlank(pair.target);
    const noSource = isBlank(pair.source);
    if (noTarget || noSource) {
      const missing = noTarget && noSource ? 'a source value and a target field' : noTarget ? 'a target field' : `a source value for "${pair.target}"`;
      add(ProblemCode.INCOMPLETE_MAPPING, [...at, 'pairs', i], `${owner.label}: pair ${i + 1} of the field mapping "${name}" is incomplete — choose ${missing}, or remove the pair.`, owner.stepId);
      return;
    }
    const first = mapped.get(pair.target);
    if (first !== undefined) {
      add(ProblemCode.DUPLICATE_MAPPING_TARGET, [...at, 'pairs', i, 'target'], `${owner.label}: the field mapping "${name}" writes "${pair.target}" twice (pairs ${first + 1} and ${i + 1}); keep one.`, owner.stepId);
    } else mapped.set(pair.target, i);
  });
  const mandatory = [...new Set([...site.schemaTargets, ...(mapping.mandatoryTargets ?? [])])];
  for (const target of mandatory) {
    if (!mapped.has(target)) {
      add(ProblemCode.MANDATORY_MAPPING_MISSING, [...at, 'pairs'], `${owner.label}: the field mapping "${name}" must map "${target}" — it is mandatory for ${what}.`, owner.stepId);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Expressions

interface ExpressionContext {
  /** Every step id of the flow. */
  knownSteps: ReadonlySet<StepId>;
  /** Step ids readable through `$steps` (undefined: this step's position is unknown, skip the check). */
  upstream: ReadonlySet<StepId> | undefined;
  inLoop: boolean | undefined;
  /** Explains why a known step is not readable here. */
  explainNotUpstream: (target: StepId) => string;
}

function makeTriggerExpressionContext(flow: FlowDefinition): ExpressionContext {
  return {
    knownSteps: new Set(Object.keys(flow.steps)),
    upstream: new Set(),
    inLoop: false,
    explainNotUpstream: () => "but the trigger's settings are fixed before any step runs — only $vars can be used there",
  };
}

function makeExpressionContext(flow: FlowDefinition, graph: FlowGraph, stepId: StepId): ExpressionContext {
  const knownSteps = new Set(Object.keys(flow.steps));
  const placement = graph.placement.get(stepId);
  if (!placement) return { knownSteps, upstream: undefined, inLoop: undefined, explainNotUpstream: () => '' };
  const upstream = new Set(upstreamSteps(flow, stepId, graph));
  const scopes = enclosingScopes(flow, stepId, graph);
  const order = new Map(graph.order.map((id, i) => [id, i]));
  return {
    knownSteps,
    upstream,
    inLoop: scopes.some((s) => s.kind === 'body'),
    explainNotUpstream: (target) => {
      const later = `which runs later — only the trigger and earlier steps can be used`;
      if (target === stepId) return 'which is this step itself — a step cannot read its own output';
      if (scopes.some((s) => s.kind === 'body' && s.stepId === target)) {
        return 'which is the loop this step runs in — its output exists only after the loop; use $item and $index for the current element';
      }
      const targetPlacement = graph.placement.get(target);
      if (!targetPlacement) return 'which is not connected to the flow and never runs';
      const targetScopes = enclosingScopes(flow, target, graph) as InnerScope[];
      const ownScopes = scopes as InnerScope[];
      const loop = targetScopes.find((t) => t.kind === 'body' && !ownScopes.some((own) => own.kind === 'body' && own.stepId === t.stepId));
      if (loop && (order.get(loop.stepId) ?? 0) < (order.get(stepId) ?? 0)) {
        return `which runs inside the loop "${labelOf(flow, loop.stepId)}" — read the loop's output instead`;
      }
      const sibling = targetScopes.find((t) => t.kind !== 'body' && ownScopes.some((own) => own.kind !== 'body' && own.stepId === t.stepId && scopeKey(own) !== scopeKey(t)));
      if (sibling) return `which is in another path of "${labelOf(flow, sibling.stepId)}" — only one path of it runs`;
      return later;
    },
  };
}

type InnerScope = Exclude<Scope, { kind: 'root' }>;

function checkExpressionsIn(
  value: unknown,
  base: Segments,
  describe: (path: Segments) => string,
  owner: Owner,
  context: ExpressionContext,
  add: AddProblem,
): void {
  for (const found of findExpressions(value)) {
    const pointer = [...base, ...found.path];
    const where = describe(found.path);
    const analysis = analyzeExpression(found.source);
    if (!analysis.ok) {
      const { position, message } = analysis.error;
      add(ProblemCode.EXPRESSION_SYNTAX, pointer, `${owner.label}: the expression in ${where} is not valid JSONata at character ${position}: ${message}`, owner.stepId);
      continue;
    }
    const reported = new Set<string>();
    for (const ref of analysis.stepRefs) {
      if (reported.has(ref.stepId)) continue;
      reported.add(ref.stepId);
      if (!context.knownSteps.has(ref.stepId)) {
        add(ProblemCode.UNKNOWN_STEP_REFERENCE, pointer, `${owner.label}: the expression in ${where} refers to step "${ref.stepId}", which does not exist.`, owner.stepId);
      } else if (context.upstream && !context.upstream.has(ref.stepId)) {
        add(ProblemCode.NOT_UPSTREAM, pointer, `${owner.label}: the expression in ${where} refers to step "${ref.stepId}", ${context.explainNotUpstream(ref.stepId)}.`, owner.stepId);
      }
    }
    if (owner.isTrigger && analysis.uses.trigger) {
      add(ProblemCode.NOT_UPSTREAM, pointer, `${owner.label}: the expression in ${where} uses $trigger, but the trigger's settings are fixed before any event arrives — only $vars can be used there.`);
    }
    if (context.inLoop === false && (analysis.uses.item || analysis.uses.index)) {
      const name = analysis.uses.item ? '$item' : '$index';
      add(ProblemCode.LOOP_VARIABLE_OUTSIDE_LOOP, pointer, `${owner.label}: the expression in ${where} uses ${name}, which only exists inside a for-each loop.`, owner.stepId);
    }
  }
}
