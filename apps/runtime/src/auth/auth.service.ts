import { Injectable } from '@nestjs/common';
import type { WorkspaceAccess } from './auth.decorators.js';
import { csrfTokenFor } from './auth.crypto.js';
import { type PublicUser } from '../users/users.service.js';
import { WorkspacesService } from '../workspaces/workspaces.service.js';

export interface SessionInfo {
  user: PublicUser;
  workspaces: WorkspaceAccess[];
  csrfToken?: string;
}

@Injectable()
export class AuthService {
  constructor(private readonly workspaces: WorkspacesService) {}

  /** What the editor needs after sign-in: who, which workspaces, and the CSRF token of the session. */
  async sessionInfo(user: PublicUser, sessionSecret?: string): Promise<SessionInfo> {
    return {
      user: { id: user.id, email: user.email },
      workspaces: await this.workspaces.listForUser(user.id),
      ...(sessionSecret ? { csrfToken: csrfTokenFor(sessionSecret) } : {}),
    };
  }
}
