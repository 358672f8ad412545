import { defineAction, type JsonSchema } from '@braid/connector-sdk';
import { booksCall, pick, type BooksRecord } from '../books.http.js';
import { type ByIdActionSpec, idSchema } from '../books.schemas.js';

interface GetActionSpec extends ByIdActionSpec {
  /** the response envelope's key holding the record, e.g. "bill" */
  envelope: string;
  output: JsonSchema;
  sampleOutput: BooksRecord;
}

/** A Books GET by id answering the record from its envelope. */
export function defineGetAction(spec: GetActionSpec) {
  return defineAction<Record<string, unknown>, BooksRecord>({
    key: spec.key,
    title: spec.title,
    description: spec.description,
    input: { type: 'object', properties: { [spec.idKey]: idSchema(spec.entity) }, required: [spec.idKey], additionalProperties: false },
    output: spec.output,
    sampleOutput: spec.sampleOutput,
    classification: 'read',
    idempotent: true,
    run: async (ctx, input) => {
      const { body } = await booksCall(ctx, 'GET', `${spec.path}/${encodeURIComponent(String(input[spec.idKey]))}`);
      return pick(body, spec.envelope, spec.envelope);
    },
  });
}
