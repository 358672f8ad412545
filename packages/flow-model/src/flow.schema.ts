// The flow definition as a JSON Schema (2020-12) and parseFlowDefinition, the structural check.
import { describeAjvError, getAjv, valueAtPointer, type ErrorObject, type ValidateFunction } from './schema.ajv.js';
import { ProblemCode, fieldPath, parsePointer, toPointer, type Problem } from './flow.problems.js';
import { FLOW_SCHEMA_VERSION, STEP_ID_PATTERN, type FlowDefinition } from './flow.types.js';

const ref = (name: string) => ({ $ref: `#/$defs/${name}` });

/** One call of an upsertWithLink step (find's create/update/delete; read adds where the record is). */
const upsertCallProperties = {
  action: ref('actionKey'),
  input: ref('inputObject'),
  idPath: ref('dottedPath'),
  modifiedAtPath: ref('dottedPath'),
  mapInto: ref('dottedPath'),
};

export const flowDefinitionSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://braid.dev/schemas/flow-definition/v1.json',
  title: 'Braid flow definition',
  type: 'object',
  required: ['schemaVersion', 'name', 'direction', 'trigger', 'start', 'steps'],
  additionalProperties: false,
  properties: {
    schemaVersion: { const: FLOW_SCHEMA_VERSION },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', maxLength: 5000 },
    direction: { enum: ['inbound', 'outbound'] },
    trigger: ref('trigger'),
    start: { type: ['string', 'null'], pattern: STEP_ID_PATTERN },
    steps: {
      type: 'object',
      propertyNames: ref('stepId'),
      additionalProperties: ref('step'),
    },
    settings: ref('settings'),
  },
  $defs: {
    stepId: { type: 'string', pattern: STEP_ID_PATTERN },
    expression: {
      type: 'object',
      required: ['$expr'],
      additionalProperties: false,
      properties: { $expr: { type: 'string' } },
    },
    // Any JSON value. An object whose only key is `$expr` is an expression, so `$expr` must be text there;
    // an object with `$expr` and other keys is a literal (CONTRACTS.md §2).
    inputValue: {
      if: { type: 'object', required: ['$expr'], maxProperties: 1 },
      then: ref('expression'),
      else: {
        items: ref('inputValue'),
        additionalProperties: ref('inputValue'),
      },
    },
    inputObject: { type: 'object', additionalProperties: ref('inputValue') },
    connectorKey: { type: 'string', minLength: 1, maxLength: 100 },
    title: { type: 'string', maxLength: 200 },
    trigger: {
      type: 'object',
      required: ['connector', 'trigger', 'config'],
      additionalProperties: false,
      properties: {
        connector: ref('connectorKey'),
        trigger: { type: 'string', minLength: 1, maxLength: 100 },
        title: ref('title'),
        connectionRef: { type: 'string', minLength: 1, maxLength: 200 },
        config: ref('inputObject'),
      },
    },
    retry: {
      type: 'object',
      required: ['maxAttempts', 'backoff', 'delayMs'],
      additionalProperties: false,
      properties: {
        maxAttempts: { type: 'integer', minimum: 1, maximum: 20 },
        backoff: { enum: ['fixed', 'exponential'] },
        delayMs: { type: 'integer', minimum: 0, maximum: 3_600_000 },
        maxDelayMs: { type: 'integer', minimum: 0, maximum: 86_400_000 },
      },
    },
    step: {
      type: 'object',
      required: ['kind'],
      discriminator: { propertyName: 'kind' },
      oneOf: [ref('actionStep'), ref('branchStep'), ref('forEachStep'), ref('mapStep'), ref('upsertWithLinkStep')],
    },
    actionStep: {
      type: 'object',
      required: ['kind', 'id', 'connector', 'action', 'input'],
      additionalProperties: false,
      properties: {
        kind: { const: 'action' },
        id: ref('stepId'),
        title: ref('title'),
        next: ref('stepId'),
        connector: ref('connectorKey'),
        action: { type: 'string', minLength: 1, maxLength: 100 },
        connectionRef: { type: 'string', minLength: 1, maxLength: 200 },
        input: ref('inputObject'),
        retry: ref('retry'),
        continueOnError: { type: 'boolean' },
      },
    },
    branchStep: {
      type: 'object',
      required: ['kind', 'id', 'branches'],
      additionalProperties: false,
      properties: {
        kind: { const: 'branch' },
        id: ref('stepId'),
        title: ref('title'),
        next: ref('stepId'),
        branches: {
          type: 'array',
          minItems: 1,
          maxItems: 50,
          items: {
            type: 'object',
            required: ['id', 'label', 'condition'],
            additionalProperties: false,
            properties: {
              id: ref('stepId'),
              label: { type: 'string', maxLength: 200 },
              condition: ref('expression'),
              start: ref('stepId'),
            },
          },
        },
        else: {
          type: 'object',
          additionalProperties: false,
          properties: { start: ref('stepId') },
        },
      },
    },
    forEachStep: {
      type: 'object',
      required: ['kind', 'id', 'items'],
      additionalProperties: false,
      properties: {
        kind: { const: 'forEach' },
        id: ref('stepId'),
        title: ref('title'),
        next: ref('stepId'),
        items: ref('expression'),
        bodyStart: ref('stepId'),
        concurrency: { const: 1 },
      },
    },
    mapStep: {
      type: 'object',
      required: ['kind', 'id', 'output'],
      additionalProperties: false,
      properties: {
        kind: { const: 'map' },
        id: ref('stepId'),
        title: ref('title'),
        next: ref('stepId'),
        output: ref('inputValue'),
      },
    },
    actionKey: { type: 'string', minLength: 1, maxLength: 100 },
    dottedPath: { type: 'string', minLength: 1, maxLength: 300 },
    upsertCall: {
      type: 'object',
      required: ['action', 'input'],
      additionalProperties: false,
      properties: upsertCallProperties,
    },
    upsertWithLinkStep: {
      type: 'object',
      required: ['kind', 'id', 'connector', 'source', 'target', 'create'],
      additionalProperties: false,
      properties: {
        kind: { const: 'upsertWithLink' },
        id: ref('stepId'),
        title: ref('title'),
        next: ref('stepId'),
        connector: ref('connectorKey'),
        connectionRef: { type: 'string', minLength: 1, maxLength: 200 },
        source: {
          type: 'object',
          required: ['app', 'type', 'id'],
          additionalProperties: false,
          properties: {
            app: { type: 'string', minLength: 1, maxLength: 100 },
            type: { type: 'string', minLength: 1, maxLength: 100 },
            id: ref('inputValue'),
            modifiedAt: ref('inputValue'),
            record: ref('inputValue'),
            deleted: ref('inputValue'),
          },
        },
        target: {
          type: 'object',
          required: ['type'],
          additionalProperties: false,
          properties: { type: { type: 'string', minLength: 1, maxLength: 100 }, app: { type: 'string', minLength: 1, maxLength: 100 } },
        },
        find: {
          type: 'array',
          maxItems: 10,
          items: {
            type: 'object',
            required: ['key', 'action', 'input', 'idPath'],
            additionalProperties: false,
            properties: {
              key: { type: 'string', minLength: 1, maxLength: 100 },
              action: ref('actionKey'),
              input: ref('inputObject'),
              idPath: ref('dottedPath'),
              modifiedAtPath: ref('dottedPath'),
              mapInto: ref('dottedPath'),
              value: ref('inputValue'),
            },
          },
        },
        create: { allOf: [ref('upsertCall'), { required: ['idPath'] }] },
        update: ref('upsertCall'),
        delete: ref('upsertCall'),
        read: {
          type: 'object',
          required: ['action', 'input'],
          additionalProperties: false,
          properties: { ...upsertCallProperties, recordPath: ref('dottedPath') },
        },
        mapping: {
          type: 'object',
          required: ['pairs'],
          additionalProperties: false,
          properties: {
            pairs: {
              type: 'array',
              maxItems: 500,
              items: {
                type: 'object',
                required: ['source', 'target'],
                additionalProperties: false,
                properties: { source: ref('inputValue'), target: { type: 'string', maxLength: 200 } },
              },
            },
            mandatoryTargets: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 200 } },
          },
        },
        prefetch: {
          type: 'object',
          required: ['action', 'input', 'itemsPath', 'idPath', 'keys'],
          additionalProperties: false,
          properties: {
            action: ref('actionKey'),
            input: ref('inputObject'),
            itemsPath: ref('dottedPath'),
            idPath: ref('dottedPath'),
            keys: { type: 'object', additionalProperties: ref('dottedPath') },
          },
        },
        sync: {
          type: 'object',
          additionalProperties: false,
          properties: {
            conflict: { enum: ['last-writer-wins', 'source-wins', 'target-wins'] },
            skipEchoes: { type: 'boolean' },
          },
        },
        retry: ref('retry'),
      },
    },
    settings: {
      type: 'object',
      additionalProperties: false,
      properties: {
        timezone: { type: 'string', minLength: 1, maxLength: 100 },
        maxConcurrentRuns: { type: 'integer', minimum: 1, maximum: 1000 },
        runTimeoutSeconds: { type: 'integer', minimum: 1, maximum: 86_400 },
      },
    },
  },
} as const;

/** JSON Schema of a field mapping value (see FieldMapping); used by validation of field-mapper inputs. */
export const fieldMappingSchema = {
  type: 'object',
  required: ['pairs'],
  additionalProperties: false,
  properties: {
    pairs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['source', 'target'],
        additionalProperties: false,
        properties: { source: {}, target: { type: 'string' } },
      },
    },
    mandatoryTargets: { type: 'array', items: { type: 'string' } },
  },
} as const;

let flowValidator: ValidateFunction | undefined;
function getFlowValidator(): ValidateFunction {
  if (!flowValidator) {
    const { $schema: _draft, $id: _id, ...schema } = flowDefinitionSchema;
    flowValidator = getAjv().compile(schema);
  }
  return flowValidator;
}

/** Parts of a flow that can be checked on their own (used by the edit operations). */
export type FlowFragment = 'step' | 'trigger' | 'settings' | 'expression';
const fragmentValidators = new Map<FlowFragment, ValidateFunction>();

/**
 * Structural problems of one part of a flow (a step, the trigger, the settings, an expression), with
 * pointers into the flow: `at` is where the part sits (e.g. `['steps', 'find_contact']`).
 */
export function checkFlowFragment(fragment: FlowFragment, value: unknown, at: ReadonlyArray<string | number>): Problem[] {
  let validate = fragmentValidators.get(fragment);
  if (!validate) {
    validate = getAjv().compile({ $ref: `#/$defs/${fragment}`, $defs: flowDefinitionSchema.$defs });
    fragmentValidators.set(fragment, validate);
  }
  if (validate(value)) return [];
  const root: Record<string, unknown> = {};
  let holder: Record<string, unknown> = root;
  at.forEach((segment, i) => {
    const child: Record<string, unknown> = {};
    holder[String(segment)] = i === at.length - 1 ? value : child;
    holder = child;
  });
  const prefix = toPointer(at);
  return structureProblems(root, (validate.errors ?? []).map((e) => ({ ...e, instancePath: prefix + e.instancePath })));
}

export type ParseFlowResult = { ok: true; flow: FlowDefinition } | { ok: false; problems: Problem[] };

/**
 * Checks that `json` (a parsed JSON value, or a JSON string) has the shape of a flow definition.
 * This is structural only; validateFlow checks meaning (graph, connectors, expressions).
 */
export function parseFlowDefinition(json: unknown): ParseFlowResult {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (err) {
      return {
        ok: false,
        problems: [
          { code: ProblemCode.INVALID_STRUCTURE, pointer: '', message: `The flow is not valid JSON: ${(err as Error).message}` },
        ],
      };
    }
  }
  const validate = getFlowValidator();
  if (validate(value)) return { ok: true, flow: value as FlowDefinition };
  return { ok: false, problems: structureProblems(value, validate.errors ?? []) };
}

function structureProblems(root: unknown, errors: ErrorObject[]): Problem[] {
  // oneOf/anyOf/if report their sub-schemas' errors too; where a more precise error exists at or below the
  // same place, the summary is noise.
  const precise = errors.filter((e) => !['oneOf', 'anyOf', 'if'].includes(e.keyword));
  const kept = errors.filter(
    (e) =>
      !['oneOf', 'anyOf', 'if'].includes(e.keyword) ||
      !precise.some((p) => p.instancePath === e.instancePath || p.instancePath.startsWith(e.instancePath + '/')),
  );
  // `start: "bad id"` fails both alternatives (pattern and type null): report once.
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const error of kept) {
    const segments = parsePointer(error.instancePath);
    let pointerSegments = segments;
    let message: string;
    const p = error.params as Record<string, unknown>;
    if (error.keyword === 'required') {
      pointerSegments = [...segments, String(p.missingProperty)];
      message = `"${fieldPath(pointerSegments)}" is required.`;
    } else if (error.keyword === 'additionalProperties') {
      pointerSegments = [...segments, String(p.additionalProperty)];
      message = `"${fieldPath(pointerSegments)}" is not a known field here; remove it.`;
    } else if (error.keyword === 'propertyNames') {
      pointerSegments = [...segments, String(p.propertyName)];
      message = `"${String(p.propertyName)}" is not a valid step id: use lowercase letters, digits and "_", starting with a letter (at most 64 characters).`;
    } else if (error.keyword === 'pattern' && error.params.pattern === STEP_ID_PATTERN) {
      message = `"${fieldPath(segments)}" must be a step id (lowercase letters, digits and "_", starting with a letter), got ${JSON.stringify(valueAtPointer(root, segments))}.`;
    } else if (error.keyword === 'discriminator') {
      pointerSegments = [...segments, 'kind'];
      message = `"${fieldPath(pointerSegments)}" must be one of "action", "branch", "forEach", "map", "upsertWithLink".`;
    } else if (error.keyword === 'const' && segments.length === 1 && segments[0] === 'schemaVersion') {
      message = `"schemaVersion" must be ${FLOW_SCHEMA_VERSION}: this version of Braid reads flow definitions of version ${FLOW_SCHEMA_VERSION}.`;
    } else {
      const where = segments.length === 0 ? 'The flow' : `"${fieldPath(segments)}"`;
      message = `${where} ${describeAjvError(error, valueAtPointer(root, segments))}.`;
    }
    const pointer = toPointer(pointerSegments);
    const key = pointer + '|' + message;
    if (seen.has(key)) continue;
    seen.add(key);
    const stepId = segments[0] === 'steps' && segments[1] !== undefined ? segments[1] : undefined;
    problems.push({ code: ProblemCode.INVALID_STRUCTURE, pointer, ...(stepId ? { stepId } : {}), message });
  }
  return problems;
}
