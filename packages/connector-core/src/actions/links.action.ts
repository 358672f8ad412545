import { ConnectorError, defineAction, type ConnectorContext, type RecordLink, type RecordLinkStore } from '@braid/connector-sdk';

const keyProperties = {
  appA: { type: 'string', title: 'App of the known record', minLength: 1, examples: ['togai'] },
  typeA: { type: 'string', title: 'Type of the known record', minLength: 1, examples: ['account'] },
  idA: { type: 'string', title: 'Id of the known record', minLength: 1 },
  appB: { type: 'string', title: 'App of the linked record', minLength: 1, examples: ['zoho-books'] },
  typeB: { type: 'string', title: 'Type of the linked record', minLength: 1, examples: ['contact'] },
} as const;
const keyRequired = ['appA', 'typeA', 'idA', 'appB', 'typeB'];

const linkSchema = {
  type: 'object',
  properties: {
    appA: { type: 'string' },
    typeA: { type: 'string' },
    idA: { type: 'string' },
    appB: { type: 'string' },
    typeB: { type: 'string' },
    idB: { type: 'string' },
    metadata: { type: 'object' },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
  required: [...keyRequired, 'idB', 'metadata', 'createdAt', 'updatedAt'],
};

const sampleLink: RecordLink = {
  appA: 'togai',
  typeA: 'account',
  idA: 'A-17',
  appB: 'zoho-books',
  typeB: 'contact',
  idB: '4600000123',
  metadata: {},
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

export interface LinkKeyInput {
  appA: string;
  typeA: string;
  idA: string;
  appB: string;
  typeB: string;
}

function store(ctx: ConnectorContext): RecordLinkStore {
  if (!ctx.links) {
    throw new ConnectorError('VENDOR', 'Record links are not available here: the runtime gave this step no link store.', {
      retryable: false,
    });
  }
  return ctx.links;
}

function keyOf(input: LinkKeyInput): LinkKeyInput {
  return { appA: input.appA, typeA: input.typeA, idA: input.idA, appB: input.appB, typeB: input.typeB };
}

export const findLinkAction = defineAction<LinkKeyInput, { found: boolean; idB: string | null; link: RecordLink | null }>({
  key: 'find_link',
  title: 'Find linked record',
  description: 'Look up the record in another app linked to this one (e.g. the Books contact of a Togai account).',
  input: { type: 'object', properties: keyProperties, required: keyRequired, additionalProperties: false },
  output: {
    type: 'object',
    properties: {
      found: { type: 'boolean' },
      idB: { type: ['string', 'null'] },
      link: { anyOf: [linkSchema, { type: 'null' }] },
    },
    required: ['found', 'idB', 'link'],
  },
  sampleOutput: { found: true, idB: '4600000123', link: sampleLink },
  classification: 'read',
  idempotent: true,
  requiresConnection: false,
  run: async (ctx, input) => {
    const link = await store(ctx).find(keyOf(input));
    return { found: link !== null, idB: link?.idB ?? null, link };
  },
});

export const upsertLinkAction = defineAction<
  LinkKeyInput & { idB: string; metadata?: Record<string, unknown> },
  { created: boolean; link: RecordLink }
>({
  key: 'upsert_link',
  title: 'Link records',
  description: 'Remember that two records in different apps are the same thing (replaces an older link of either record).',
  input: {
    type: 'object',
    properties: {
      ...keyProperties,
      idB: { type: 'string', title: 'Id of the linked record', minLength: 1 },
      metadata: { type: 'object', title: 'Metadata', description: 'Small JSON kept with the link (e.g. a hash of synced values).' },
    },
    required: [...keyRequired, 'idB'],
    additionalProperties: false,
  },
  output: { type: 'object', properties: { created: { type: 'boolean' }, link: linkSchema }, required: ['created', 'link'] },
  sampleOutput: { created: true, link: sampleLink },
  classification: 'write',
  idempotent: true,
  requiresConnection: false,
  run: async (ctx, input) =>
    store(ctx).upsert({ ...keyOf(input), idB: input.idB, ...(input.metadata ? { metadata: input.metadata } : {}) }),
});

export const deleteLinkAction = defineAction<LinkKeyInput, { deleted: number }>({
  key: 'delete_link',
  title: 'Unlink records',
  description: 'Forget the link between this record and its counterpart in another app.',
  input: { type: 'object', properties: keyProperties, required: keyRequired, additionalProperties: false },
  output: { type: 'object', properties: { deleted: { type: 'integer', minimum: 0 } }, required: ['deleted'] },
  sampleOutput: { deleted: 1 },
  classification: 'delete',
  idempotent: true,
  requiresConnection: false,
  run: async (ctx, input) => store(ctx).delete(keyOf(input)),
});
