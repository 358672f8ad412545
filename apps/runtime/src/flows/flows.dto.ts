export const createFlowBodySchema = {
  oneOf: [
    {
      type: 'object',
      title: 'Blank flow',
      required: ['name', 'direction'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 200 },
        direction: { type: 'string', enum: ['inbound', 'outbound'] },
        description: { type: 'string', maxLength: 2000 },
      },
    },
    { type: 'object', title: 'From a flow definition (JSON)', required: ['definition'], additionalProperties: false, properties: { definition: { type: 'object' } } },
    { type: 'object', title: 'From a template', required: ['templateId'], additionalProperties: false, properties: { templateId: { type: 'string', minLength: 1 } } },
  ],
};

export const replaceDraftBodySchema = {
  type: 'object',
  required: ['definition'],
  additionalProperties: false,
  properties: {
    definition: { type: 'object', description: 'A whole flow definition (schemaVersion 1)' },
    baseRevision: { type: 'integer', minimum: 1, description: 'draftRevision the change is based on (409 when the draft moved on)' },
  },
};

export const editDraftBodySchema = {
  type: 'object',
  required: ['edits', 'baseRevision'],
  additionalProperties: false,
  properties: {
    edits: { type: 'array', minItems: 1, maxItems: 500, items: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } }, description: 'flow-model FlowEdit operations, applied in order' },
    baseRevision: { type: 'integer', minimum: 1 },
  },
};

export const previewBodySchema = {
  type: 'object',
  required: ['source'],
  additionalProperties: false,
  properties: {
    source: { type: 'string', enum: ['sample', 'last-event', 'payload'], description: "The trigger's sample output, the flow's last real event, or the pasted payload" },
    payload: { description: 'The event (trigger output) when source is payload' },
    mode: { type: 'string', enum: ['normal', 'dry-run'], default: 'normal', description: 'dry-run: write/delete actions answer their sample output; nothing changes in the apps' },
    stepId: { type: 'string', description: '"Test this step": run only this step' },
    stepOutputs: { type: 'object', description: 'With stepId: outputs of earlier steps by step id (default: from the last preview)' },
    loop: {
      type: 'object',
      description: 'With stepId inside a for-each body: the element ($item) and position ($index) to test with',
      required: ['item', 'index'],
      additionalProperties: false,
      properties: { item: {}, index: { type: 'integer', minimum: 0 } },
    },
  },
};

export const importBodySchema = {
  type: 'object',
  required: ['definition'],
  properties: {
    format: { type: 'string', const: 'braid-flow' },
    formatVersion: { type: 'integer' },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    direction: { type: 'string' },
    definition: { type: 'object' },
    connections: { type: 'array' },
    connectionMap: { type: 'object', additionalProperties: { type: 'string' }, description: 'Exported connection ref → connection id in this workspace' },
  },
};

export const flowSummarySchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    direction: { type: 'string', enum: ['inbound', 'outbound'] },
    enabled: { type: 'boolean' },
    draftRevision: { type: 'integer' },
    publishedVersion: { type: 'object', nullable: true, properties: { id: { type: 'string' }, version: { type: 'integer' }, publishedAt: { type: 'string' }, publishedBy: { type: 'string', nullable: true } } },
    triggerConnector: { type: 'string' },
    triggerKey: { type: 'string' },
    actionConnectors: { type: 'array', items: { type: 'string' } },
    lastRun: { type: 'object', nullable: true, properties: { id: { type: 'string' }, status: { type: 'string' }, queuedAt: { type: 'string' }, finishedAt: { type: 'string', nullable: true } } },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};

export const flowDetailSchema = {
  ...flowSummarySchema,
  properties: {
    ...flowSummarySchema.properties,
    draft: { type: 'object', description: 'The flow definition being edited' },
    problems: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, pointer: { type: 'string' }, stepId: { type: 'string' }, message: { type: 'string' } } } },
    hasUnpublishedChanges: { type: 'boolean' },
  },
};

export const previewResultSchema = {
  type: 'object',
  properties: {
    runId: { type: 'string' },
    mode: { type: 'string', enum: ['preview', 'dry-run'] },
    status: { type: 'string', enum: ['succeeded', 'failed'] },
    triggerOutput: {},
    output: {},
    error: { type: 'object', nullable: true },
    steps: { type: 'array', items: { type: 'object' } },
  },
};

