import type { Problem } from '@braid/flow-model';
import { BraidError } from '../common/braid.error.js';

export enum FlowsErrorCode {
  FLOW_NOT_FOUND = 'FLOW_NOT_FOUND',
  VERSION_NOT_FOUND = 'VERSION_NOT_FOUND',
  /** The JSON is not a flow definition (structure); details carry every problem with its pointer. */
  FLOW_MALFORMED = 'FLOW_MALFORMED',
  /** The flow cannot be published: details carry every problem with its pointer. */
  FLOW_INVALID = 'FLOW_INVALID',
  EDIT_REJECTED = 'EDIT_REJECTED',
  REVISION_CONFLICT = 'REVISION_CONFLICT',
  NOT_PUBLISHED = 'NOT_PUBLISHED',
  UNKNOWN_TEMPLATE = 'UNKNOWN_TEMPLATE',
  NO_SAMPLE_EVENT = 'NO_SAMPLE_EVENT',
  INVALID_IMPORT = 'INVALID_IMPORT',
}

const flowsStatus: Record<FlowsErrorCode, number> = {
  FLOW_NOT_FOUND: 404,
  VERSION_NOT_FOUND: 404,
  FLOW_MALFORMED: 400,
  FLOW_INVALID: 400,
  EDIT_REJECTED: 400,
  REVISION_CONFLICT: 409,
  NOT_PUBLISHED: 409,
  UNKNOWN_TEMPLATE: 400,
  NO_SAMPLE_EVENT: 400,
  INVALID_IMPORT: 400,
};

export class FlowsError extends BraidError<FlowsErrorCode> {
  get status(): number {
    return flowsStatus[this.code];
  }

  static notFound(): FlowsError {
    return new FlowsError(FlowsErrorCode.FLOW_NOT_FOUND, 'No such flow in this workspace. GET …/flows lists the flows.');
  }

  static withProblems(code: FlowsErrorCode.FLOW_MALFORMED | FlowsErrorCode.FLOW_INVALID | FlowsErrorCode.EDIT_REJECTED, lead: string, problems: Problem[], prefix = ''): FlowsError {
    const first = problems[0];
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''} in details)` : '';
    return new FlowsError(code, `${lead}: ${first ? first.message : 'unknown problem'}${more}`, {
      ...(first ? { pointer: `${prefix}${first.pointer}` } : {}),
      details: { problems: problems.map((p) => ({ ...p, pointer: `${prefix}${p.pointer}` })) },
    });
  }
}
