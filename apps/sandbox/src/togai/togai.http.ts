import type { Response } from 'express';

/** The authenticated Togai organisation of this request (set by the auth middleware). */
export function orgIdOf(res: Response): string {
  return (res.locals as { togaiOrgId: string }).togaiOrgId;
}

/** Express 5 path params are strings; keep the call sites short. */
export function param(value: string | string[] | undefined): string {
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}
