import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { BRAID_CONFIG, type BraidConfig } from '../config/config.service.js';
import { UsersService } from '../users/users.service.js';
import { workspaceNotFound, WorkspacesError, WorkspacesErrorCode } from '../workspaces/workspaces.errors.js';
import { roleAtLeast, WorkspacesService } from '../workspaces/workspaces.service.js';
import { ApiTokensService } from './api-tokens.service.js';
import { csrfTokenFor, safeEqual } from './auth.crypto.js';
import { type BraidRequest, IS_PUBLIC, type Principal, REQUIRED_ROLE, type WorkspaceAccess } from './auth.decorators.js';
import { AuthError, AuthErrorCode } from './auth.errors.js';
import { SESSION_COOKIE, SessionsService } from './sessions.service.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_HEADER = 'x-csrf-token';

/**
 * The one global guard, in this order:
 * 1. Origin check for every state-changing request that names an Origin (public ones included).
 * 2. Authentication (unless @Public): `Authorization: Bearer <API token>`, else the session cookie.
 *    Cookie-authenticated state-changing requests must carry the session's CSRF token in `X-CSRF-Token`.
 * 3. Workspace access for routes with `:workspaceId`: not a member → 404; below @RequireRole → 403.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: ApiTokensService,
    private readonly sessions: SessionsService,
    private readonly users: UsersService,
    private readonly workspaces: WorkspacesService,
    @Inject(BRAID_CONFIG) private readonly config: BraidConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<BraidRequest>();
    const unsafe = !SAFE_METHODS.has(request.method);
    if (unsafe) this.checkOrigin(request);

    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const principal = await this.authenticate(request);
    if (principal.via === 'session' && unsafe) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !safeEqual(sent, csrfTokenFor(principal.sessionSecret as string))) {
        throw new AuthError(
          AuthErrorCode.CSRF_TOKEN_INVALID,
          'Missing or wrong X-CSRF-Token header. Browser clients get the token from POST /api/v1/auth/login or GET /api/v1/me; scripts should use an API token instead of the session cookie.',
        );
      }
    }
    request.braid = { principal };

    const workspaceId = request.params?.workspaceId;
    if (typeof workspaceId === 'string') {
      request.braid.workspace = await this.workspaceAccess(principal, workspaceId, targets);
    }
    return true;
  }

  private async authenticate(request: BraidRequest): Promise<Principal> {
    const authorization = request.headers.authorization;
    if (authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      const token = match ? await this.tokens.authenticate(match[1] as string) : undefined;
      const user = token ? await this.users.findById(token.userId) : null;
      if (!token || !user) {
        throw new AuthError(AuthErrorCode.UNAUTHENTICATED, 'The API token is invalid or revoked. Create a new one in the editor or with POST /api/v1/tokens.');
      }
      return { userId: user.id, email: user.email, via: 'token', apiTokenId: token.id };
    }
    const secret = (request.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    const session = secret ? await this.sessions.findSession(secret) : undefined;
    const user = session ? await this.users.findById(session.userId) : null;
    if (!secret || !session || !user) {
      throw new AuthError(AuthErrorCode.UNAUTHENTICATED, 'Sign in first (POST /api/v1/auth/login) or send an API token as "Authorization: Bearer <token>".');
    }
    return { userId: user.id, email: user.email, via: 'session', sessionSecret: secret };
  }

  private async workspaceAccess(principal: Principal, workspaceId: string, targets: Parameters<Reflector['getAllAndOverride']>[1]): Promise<WorkspaceAccess> {
    const access = await this.workspaces.accessFor(principal.userId, workspaceId);
    if (!access) throw workspaceNotFound();
    const required = this.reflector.getAllAndOverride<WorkspaceAccess['role'] | undefined>(REQUIRED_ROLE, targets) ?? 'viewer';
    if (!roleAtLeast(access.role, required)) {
      throw new WorkspacesError(WorkspacesErrorCode.ROLE_TOO_LOW, `This needs the ${required} role in workspace "${access.name}"; you are ${access.role}. Ask an owner.`);
    }
    return access;
  }

  /** Browsers always send Origin on cross-site state-changing requests; a foreign one is refused. */
  private checkOrigin(request: BraidRequest): void {
    const origin = request.headers.origin;
    if (!origin) return;
    // Express 5's req.host includes the port and honours X-Forwarded-Host when BRAID_TRUST_PROXY is set.
    const own = `${request.protocol}://${request.host ?? ''}`;
    const allowed = new Set([own]);
    if (this.config.publicUrl) allowed.add(new URL(this.config.publicUrl).origin);
    if (!allowed.has(origin)) {
      throw new AuthError(
        AuthErrorCode.ORIGIN_NOT_ALLOWED,
        `Requests from ${origin} are not accepted: open Braid at its own address${this.config.publicUrl ? ` (${this.config.publicUrl})` : ''}. ` +
          'Behind a reverse proxy, set BRAID_PUBLIC_URL to the address users open (or BRAID_TRUST_PROXY=true).',
      );
    }
  }
}
