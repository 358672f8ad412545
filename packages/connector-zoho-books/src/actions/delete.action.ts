import { defineAction } from '@braid/connector-sdk';
import { deleteRecord } from '../books.http.js';
import { deletedOutput, idSchema, ignoreMissingInput } from '../books.schemas.js';

interface DeleteActionSpec {
  key: string;
  title: string;
  description: string;
  /** what the id names, e.g. "Bill" (the input's title) */
  entity: string;
  /** input and output property holding the id, e.g. "bill_id" */
  idKey: string;
  /** collection path, e.g. "/bills" */
  path: string;
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
