import { defineAction } from '@braid/connector-sdk';
import { deleteRecord } from '../books.http.js';
import { type ByIdActionSpec, deletedOutput, idSchema, ignoreMissingInput } from '../books.schemas.js';

/** `idKey` also names the id in the output. */
interface DeleteActionSpec extends ByIdActionSpec {
  sampleOutput: Record<string, unknown>;
}

/** A Books DELETE by id; `ignore_missing` lets a retried or replayed delete succeed. */
export function defineDeleteAction(spec: DeleteActionSpec) {
  return defineAction<Record<string, unknown>, Record<string, unknown>>({
    key: spec.key,
    title: spec.title,
    description: spec.description,
    input: {
      type: 'object',
      properties: { [spec.idKey]: idSchema(spec.entity), ignore_missing: ignoreMissingInput },
      required: [spec.idKey],
      additionalProperties: false,
    },
    output: deletedOutput(spec.idKey),
    sampleOutput: spec.sampleOutput,
    classification: 'delete',
    idempotent: true,
    run: async (ctx, input) => {
      const id = String(input[spec.idKey]);
      return {
        [spec.idKey]: id,
        deleted: true,
        ...(await deleteRecord(ctx, `${spec.path}/${encodeURIComponent(id)}`, input.ignore_missing as boolean | undefined)),
      };
    },
  });
}
