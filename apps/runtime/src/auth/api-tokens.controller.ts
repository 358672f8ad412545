import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { errorResponseSchema } from '../common/braid.error.js';
import { validBody } from '../common/validation.pipe.js';
import { ApiTokensService, type ApiTokenView } from './api-tokens.service.js';
import { ApiAuth, CurrentUser, type Principal } from './auth.decorators.js';
import { apiTokenListSchema, type CreateTokenBody, createTokenBodySchema, createdApiTokenSchema } from './auth.dto.js';

@ApiTags('auth')
@ApiAuth()
@Controller('api/v1/tokens')
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Get()
  @ApiOperation({ summary: 'Your personal API tokens (not revoked); never the token values' })
  @ApiOkResponse({ schema: apiTokenListSchema })
  async list(@CurrentUser() principal: Principal): Promise<{ tokens: ApiTokenView[] }> {
    return { tokens: await this.tokens.listTokens(principal.userId) };
  }

  @Post()
  @ApiOperation({ summary: 'Create a personal API token for scripts (Authorization: Bearer). The value is shown once.' })
  @ApiBody({ schema: createTokenBodySchema })
  @ApiCreatedResponse({ schema: createdApiTokenSchema })
  create(@CurrentUser() principal: Principal, @Body(validBody<CreateTokenBody>(createTokenBodySchema)) body: CreateTokenBody): Promise<ApiTokenView & { token: string }> {
    return this.tokens.createToken(principal.userId, body.name);
  }

  @Delete(':tokenId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a token; it stops working at once' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ schema: errorResponseSchema })
  async revoke(@CurrentUser() principal: Principal, @Param('tokenId') tokenId: string): Promise<void> {
    await this.tokens.revokeToken(principal.userId, tokenId);
  }
}
