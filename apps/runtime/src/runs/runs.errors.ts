import { BraidError } from '../common/braid.error.js';

export enum RunsErrorCode {
  RUN_NOT_FOUND = 'RUN_NOT_FOUND',
  RUN_NOT_CANCELLABLE = 'RUN_NOT_CANCELLABLE',
  RUN_NOT_REPLAYABLE = 'RUN_NOT_REPLAYABLE',
  INVALID_FILTER = 'INVALID_FILTER',
}

const runsStatus: Record<RunsErrorCode, number> = {
  RUN_NOT_FOUND: 404,
  RUN_NOT_CANCELLABLE: 409,
  RUN_NOT_REPLAYABLE: 409,
  INVALID_FILTER: 400,
};

export class RunsError extends BraidError<RunsErrorCode> {
  get status(): number {
    return runsStatus[this.code];
  }

  static notFound(): RunsError {
    return new RunsError(RunsErrorCode.RUN_NOT_FOUND, 'No such run in this workspace (it may have been deleted by the run retention). GET …/runs lists the runs.');
  }
}
