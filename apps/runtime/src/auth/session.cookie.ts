import type { Request, Response } from 'express';
import type { BraidConfig } from '../config/config.service.js';
import { SESSION_COOKIE } from './sessions.service.js';

/** httpOnly, SameSite=Lax; Secure when the request came over https (directly or via a trusted proxy). */
export function setSessionCookie(request: Request, response: Response, config: BraidConfig, secret: string, expiresAt: Date): void {
  response.cookie(SESSION_COOKIE, secret, {
    httpOnly: true,
    sameSite: 'lax',
    secure: request.secure || (config.publicUrl?.startsWith('https://') ?? false),
    path: '/',
    expires: expiresAt,
  });
}

export function clearSessionCookie(response: Response): void {
  response.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax' });
}
