import { BraidError } from '../common/braid.error.js';

export enum WorkspacesErrorCode {
  /** Also answered for workspaces that exist but the caller is not a member of: existence is not revealed. */
  WORKSPACE_NOT_FOUND = 'WORKSPACE_NOT_FOUND',
  ROLE_TOO_LOW = 'ROLE_TOO_LOW',
  ALREADY_MEMBER = 'ALREADY_MEMBER',
  PASSWORD_REQUIRED_FOR_NEW_USER = 'PASSWORD_REQUIRED_FOR_NEW_USER',
  MEMBER_NOT_FOUND = 'MEMBER_NOT_FOUND',
  LAST_OWNER = 'LAST_OWNER',
}

const workspacesStatus: Record<WorkspacesErrorCode, number> = {
  WORKSPACE_NOT_FOUND: 404,
  ROLE_TOO_LOW: 403,
  ALREADY_MEMBER: 409,
  PASSWORD_REQUIRED_FOR_NEW_USER: 400,
  MEMBER_NOT_FOUND: 404,
  LAST_OWNER: 409,
};

export class WorkspacesError extends BraidError<WorkspacesErrorCode> {
  get status(): number {
    return workspacesStatus[this.code];
  }
}

export function workspaceNotFound(): WorkspacesError {
  return new WorkspacesError(
    WorkspacesErrorCode.WORKSPACE_NOT_FOUND,
    'No such workspace, or you are not a member of it. GET /api/v1/workspaces lists yours.',
  );
}
