import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { errorResponseSchema } from '../common/braid.error.js';
import { validBody } from '../common/validation.pipe.js';
import { BRAID_CONFIG, type BraidConfig } from '../config/config.service.js';
import { toPublicUser, UsersService } from '../users/users.service.js';
import { ApiAuth, CurrentUser, type Principal, Public } from './auth.decorators.js';
import { type LoginBody, loginBodySchema, sessionInfoSchema } from './auth.dto.js';
import { AuthError, AuthErrorCode } from './auth.errors.js';
import { AuthService, type SessionInfo } from './auth.service.js';
import { LoginThrottle } from './login.throttle.js';
import { clearSessionCookie, setSessionCookie } from './session.cookie.js';
import { SessionsService } from './sessions.service.js';

@ApiTags('auth')
@Controller('api/v1')
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly throttle: LoginThrottle,
    private readonly auth: AuthService,
    @Inject(BRAID_CONFIG) private readonly config: BraidConfig,
  ) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in: sets the session cookie and returns the CSRF token' })
  @ApiBody({ schema: loginBodySchema })
  @ApiOkResponse({ schema: sessionInfoSchema })
  @ApiUnauthorizedResponse({ schema: errorResponseSchema })
  @ApiTooManyRequestsResponse({ schema: errorResponseSchema })
  async login(
    @Body(validBody<LoginBody>(loginBodySchema)) body: LoginBody,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SessionInfo> {
    const ip = request.ip ?? 'unknown';
    const retryAfter = this.throttle.retryAfterSeconds(ip, body.email);
    if (retryAfter > 0) {
      response.setHeader('Retry-After', String(retryAfter));
      throw new AuthError(AuthErrorCode.LOGIN_RATE_LIMITED, `Too many failed sign-ins for this email. Try again in ${retryAfter} seconds.`, {
        details: { retryAfterSeconds: retryAfter },
      });
    }
    const user = await this.users.verifyPassword(body.email, body.password);
    if (!user) {
      this.throttle.recordFailure(ip, body.email);
      throw new AuthError(AuthErrorCode.INVALID_CREDENTIALS, 'Wrong email or password.');
    }
    this.throttle.recordSuccess(ip, body.email);
    const { secret, expiresAt } = await this.sessions.createSession(user.id);
    setSessionCookie(request, response, this.config, secret, expiresAt);
    return this.auth.sessionInfo(toPublicUser(user), secret);
  }

  @Post('auth/logout')
  @ApiAuth()
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign out: ends the session of the cookie' })
  @ApiNoContentResponse()
  async logout(@CurrentUser() principal: Principal, @Res({ passthrough: true }) response: Response): Promise<void> {
    if (principal.sessionSecret) await this.sessions.deleteSession(principal.sessionSecret);
    clearSessionCookie(response);
  }

  @Get('me')
  @ApiAuth()
  @ApiOperation({ summary: 'Who you are, your workspaces, and (for sessions) the CSRF token' })
  @ApiOkResponse({ schema: sessionInfoSchema })
  me(@CurrentUser() principal: Principal): Promise<SessionInfo> {
    return this.auth.sessionInfo({ id: principal.userId, email: principal.email }, principal.sessionSecret);
  }
}
