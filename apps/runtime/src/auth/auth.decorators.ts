import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse, ApiNotFoundResponse, ApiParam, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { errorResponseSchema } from '../common/braid.error.js';
import type { Request } from 'express';

/** Who is calling: set by the global AccessGuard on every non-public /api/v1 request. */
export interface Principal {
  userId: string;
  email: string;
  via: 'session' | 'token';
  /** Session secret (from the cookie) when `via === 'session'`. */
  sessionSecret?: string;
  apiTokenId?: string;
}

export type BraidRequest = Request & { braid?: { principal?: Principal; workspace?: WorkspaceAccess } };

/** The workspace selected by the `:workspaceId` route parameter, with the caller's role in it. */
export interface WorkspaceAccess {
  id: string;
  name: string;
  role: 'owner' | 'editor' | 'viewer';
}

export const IS_PUBLIC = 'braid:public';
export const REQUIRED_ROLE = 'braid:required-role';

/** The route needs no session or token (sign-in, set-up). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * OpenAPI only: the route accepts an API token or a session (put on every non-public controller or route;
 * access itself is enforced by the global AccessGuard, with or without this decorator).
 */
export const ApiAuth = () =>
  applyDecorators(
    ApiSecurity('token'),
    ApiSecurity('session'),
    ApiUnauthorizedResponse({ description: 'No valid session or API token', schema: errorResponseSchema }),
    ApiForbiddenResponse({ description: 'CSRF token missing, foreign Origin, or role too low', schema: errorResponseSchema }),
  );

/** The minimum role in the route's workspace (default viewer). Only on routes with `:workspaceId`. */
export const RequireRole = (role: WorkspaceAccess['role']) => SetMetadata(REQUIRED_ROLE, role);

export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<BraidRequest>().braid?.principal;
  if (!principal) throw new Error('@CurrentUser() used on a public route');
  return principal;
});

/**
 * The workspace of a `/api/v1/workspaces/:workspaceId/...` route, membership and role already checked by
 * the AccessGuard (not a member → 404). Use `workspace.id` to scope every query.
 */
export const CurrentWorkspace = createParamDecorator(
  (_data: unknown, context: ExecutionContext): WorkspaceAccess => {
    const workspace = context.switchToHttp().getRequest<BraidRequest>().braid?.workspace;
    if (!workspace) throw new Error('@CurrentWorkspace() used on a route without a :workspaceId parameter');
    return workspace;
  },
  // OpenAPI: the route's `workspaceId` path parameter and its 404.
  [
    (target: object, key: string | symbol | undefined) => {
      const descriptor = key === undefined ? undefined : Object.getOwnPropertyDescriptor(target, key);
      if (!descriptor || key === undefined) return;
      ApiParam({ name: 'workspaceId', description: 'A workspace you are a member of', schema: { type: 'string', format: 'uuid' } })(target, key, descriptor);
      ApiNotFoundResponse({ description: 'No such workspace, or you are not a member (WORKSPACE_NOT_FOUND)', schema: errorResponseSchema })(target, key, descriptor);
    },
  ],
);
