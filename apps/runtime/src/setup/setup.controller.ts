import { Body, Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/auth.decorators.js';
import { sessionInfoSchema } from '../auth/auth.dto.js';
import { AuthService, type SessionInfo } from '../auth/auth.service.js';
import { setSessionCookie } from '../auth/session.cookie.js';
import { errorResponseSchema } from '../common/braid.error.js';
import { validBody } from '../common/validation.pipe.js';
import { BRAID_CONFIG, type BraidConfig } from '../config/config.service.js';
import { SetupService } from './setup.service.js';

interface SetupBody {
  email: string;
  password: string;
  workspaceName: string;
}

const setupBodySchema = {
  type: 'object',
  required: ['email', 'password', 'workspaceName'],
  additionalProperties: false,
  properties: {
    email: { type: 'string', format: 'email', maxLength: 254 },
    password: { type: 'string', minLength: 8, maxLength: 256 },
    workspaceName: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' },
  },
};

const setupStatusSchema = {
  type: 'object',
  required: ['setupRequired'],
  properties: { setupRequired: { type: 'boolean', description: 'True while no user exists: the editor shows "create the owner account".' } },
};

@ApiTags('setup')
@Controller('api/v1/setup')
export class SetupController {
  constructor(
    private readonly setup: SetupService,
    private readonly auth: AuthService,
    @Inject(BRAID_CONFIG) private readonly config: BraidConfig,
  ) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Whether the owner account still has to be created' })
  @ApiOkResponse({ schema: setupStatusSchema })
  async status(): Promise<{ setupRequired: boolean }> {
    return { setupRequired: await this.setup.isSetupRequired() };
  }

  @Public()
  @Post()
  @ApiOperation({ summary: 'Create the owner account and the first workspace (only while no user exists); signs in' })
  @ApiBody({ schema: setupBodySchema })
  @ApiCreatedResponse({ schema: sessionInfoSchema })
  @ApiConflictResponse({ schema: errorResponseSchema })
  async createOwner(
    @Body(validBody<SetupBody>(setupBodySchema)) body: SetupBody,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SessionInfo> {
    const { user, session } = await this.setup.createOwner(body);
    setSessionCookie(request, response, this.config, session.secret, session.expiresAt);
    return this.auth.sessionInfo(user, session.secret);
  }
}
