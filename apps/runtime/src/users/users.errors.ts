import { BraidError } from '../common/braid.error.js';

export enum UsersErrorCode {
  EMAIL_TAKEN = 'EMAIL_TAKEN',
}

const usersStatus: Record<UsersErrorCode, number> = { EMAIL_TAKEN: 409 };

export class UsersError extends BraidError<UsersErrorCode> {
  get status(): number {
    return usersStatus[this.code];
  }
}
