import { randomBytes } from 'node:crypto';
import { Controller, Get, Logger, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/auth.decorators.js';
import { SESSION_COOKIE, SessionsService } from '../auth/sessions.service.js';
import { BraidError } from '../common/braid.error.js';
import { ConnectionTargets } from './connections.targets.js';
import { renderOAuthPage, type OAuthOutcome } from './oauth.page.js';
import { OAuthFlowService } from './oauth.service.js';

/** Zoho sends the browser (the popup) back here after the consent page. */
@Controller('api/v1/oauth')
export class OAuthController {
  private readonly logger = new Logger('OAuth');

  constructor(
    private readonly oauth: OAuthFlowService,
    private readonly sessions: SessionsService,
    private readonly targets: ConnectionTargets,
  ) {}

  @Get('callback')
  @Public()
  @ApiExcludeEndpoint()
  async callback(@Req() request: Request, @Res() response: Response): Promise<void> {
    const secret = (request.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    const session = secret ? await this.sessions.findSession(secret) : undefined;
    let outcome: OAuthOutcome;
    let status = 200;
    try {
      const { connectionId } = await this.oauth.complete(request.query as Record<string, string | string[] | undefined>, session?.userId);
      outcome = { type: 'braid:oauth', status: 'connected', connectionId };
    } catch (error) {
      if (!(error instanceof BraidError)) throw error;
      status = error.status >= 500 ? 502 : error.status;
      this.logger.warn(`OAuth callback refused: ${error.code} ${error.message}`);
      outcome = { type: 'braid:oauth', status: 'error', error: { code: error.code, message: error.message } };
    }
    const nonce = randomBytes(16).toString('base64');
    const origin = this.targets.publicOrigin(`${request.protocol}://${request.get('host') ?? ''}`);
    response
      .status(status)
      .setHeader('Content-Security-Policy', `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`)
      .setHeader('Cache-Control', 'no-store')
      .setHeader('Referrer-Policy', 'no-referrer')
      // Keeps window.opener, so the page can tell the editor the outcome and close itself.
      .setHeader('Cross-Origin-Opener-Policy', 'unsafe-none')
      .type('html')
      .send(renderOAuthPage(outcome, origin, nonce));
  }
}
