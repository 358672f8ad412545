import { BraidError } from '../common/braid.error.js';

export enum SetupErrorCode {
  ALREADY_SET_UP = 'ALREADY_SET_UP',
}

const setupStatus: Record<SetupErrorCode, number> = { ALREADY_SET_UP: 409 };

export class SetupError extends BraidError<SetupErrorCode> {
  get status(): number {
    return setupStatus[this.code];
  }
}
