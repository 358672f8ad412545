import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { DynamicOption } from '@braid/connector-sdk';
import type { Request } from 'express';
import { ApiAuth, CurrentUser, CurrentWorkspace, type Principal, RequireRole, type WorkspaceAccess } from '../auth/auth.decorators.js';
import { validBody } from '../common/validation.pipe.js';
import {
  authorizeUrlSchema,
  type CreateConnectionBody,
  createConnectionBodySchema,
  optionsSchema,
  type ReconnectBody,
  reconnectBodySchema,
  type StartOAuthBody,
  startOAuthBodySchema,
  targetsInfoSchema,
  testResultSchema,
  type UpdateConnectionBody,
  updateConnectionBodySchema,
} from './connections.dto.js';
import { ConnectionsError, ConnectionsErrorCode } from './connections.errors.js';
import { ConnectionsService, type TargetsInfo } from './connections.service.js';
import { type ConnectionView, connectionViewSchema } from './connections.view.js';
import { OAuthFlowService } from './oauth.service.js';

/** The origin the caller opened Braid at (redirect URI of the OAuth popup when BRAID_PUBLIC_URL is unset). */
const originOf = (request: Request): string => `${request.protocol}://${request.get('host') ?? ''}`;

/** Query parameters of an options request are the `dependsOn` values (strings; JSON values are parsed). */
function dependsOnValues(query: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(query)) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (typeof value !== 'string') continue;
    try {
      values[key] = /^[[{"]|^(true|false|null|-?\d+(\.\d+)?)$/.test(value) ? JSON.parse(value) : value;
    } catch {
      values[key] = value;
    }
  }
  return values;
}

@ApiTags('connections')
@ApiAuth()
@ApiParam({ name: 'workspaceId', format: 'uuid' })
@Controller('api/v1/workspaces/:workspaceId/connections')
export class ConnectionsController {
  constructor(
    private readonly connections: ConnectionsService,
    private readonly oauth: OAuthFlowService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Connections of the workspace with their status (secrets only as "set")' })
  @ApiOkResponse({ schema: { type: 'object', properties: { connections: { type: 'array', items: connectionViewSchema } } } })
  async list(@CurrentWorkspace() workspace: WorkspaceAccess): Promise<{ connections: ConnectionView[] }> {
    return { connections: await this.connections.list(workspace.id) };
  }

  @Post()
  @HttpCode(201)
  @RequireRole('editor')
  @ApiOperation({ summary: 'Create an API-token or Zoho Self Client connection (the Self Client code is exchanged at once)' })
  @ApiBody({ schema: createConnectionBodySchema })
  @ApiCreatedResponse({ schema: connectionViewSchema })
  create(
    @CurrentWorkspace() workspace: WorkspaceAccess,
    @CurrentUser() principal: Principal,
    @Body(validBody<CreateConnectionBody>(createConnectionBodySchema)) body: CreateConnectionBody,
  ): Promise<ConnectionView> {
    return this.connections.create(workspace.id, principal.userId, { ...body, target: body.target ?? 'sandbox' });
  }

  @Post('oauth/start')
  @HttpCode(200)
  @RequireRole('editor')
  @ApiOperation({ summary: 'Start a Zoho OAuth connection: the consent page URL to open in a popup' })
  @ApiBody({ schema: startOAuthBodySchema })
  @ApiOkResponse({ schema: authorizeUrlSchema })
  startOAuth(
    @CurrentWorkspace() workspace: WorkspaceAccess,
    @CurrentUser() principal: Principal,
    @Body(validBody<StartOAuthBody>(startOAuthBodySchema)) body: StartOAuthBody,
    @Req() request: Request,
  ): Promise<{ authorizeUrl: string; expiresAt: string }> {
    return this.oauth.start(
      workspace.id,
      principal.userId,
      { connectorKey: body.connectorKey, name: body.name, dataCentre: body.dataCentre ?? 'us', target: body.target ?? 'sandbox' },
      { requestOrigin: originOf(request) },
    );
  }

  @Get('targets')
  @ApiOperation({ summary: 'Where connections can point: the sandbox (if running) and production, with the Zoho data centres of each' })
  @ApiOkResponse({ schema: targetsInfoSchema })
  targets(): TargetsInfo {
    return this.connections.targetsInfo();
  }

  @Get(':connectionId')
  @ApiOperation({ summary: 'One connection' })
  @ApiOkResponse({ schema: connectionViewSchema })
  get(@CurrentWorkspace() workspace: WorkspaceAccess, @Param('connectionId') connectionId: string): Promise<ConnectionView> {
    return this.connections.get(workspace.id, connectionId);
  }

  @Patch(':connectionId')
  @RequireRole('editor')
  @ApiOperation({ summary: 'Rename, or change settings (e.g. the Books organizationId)' })
  @ApiBody({ schema: updateConnectionBodySchema })
  @ApiOkResponse({ schema: connectionViewSchema })
  update(
    @CurrentWorkspace() workspace: WorkspaceAccess,
    @Param('connectionId') connectionId: string,
    @Body(validBody<UpdateConnectionBody>(updateConnectionBodySchema)) body: UpdateConnectionBody,
  ): Promise<ConnectionView> {
    return this.connections.update(workspace.id, connectionId, body);
  }

  @Post(':connectionId/test')
  @HttpCode(200)
  @RequireRole('editor')
  @ApiOperation({ summary: 'Check the stored credentials against the service; updates the status' })
  @ApiOkResponse({ schema: testResultSchema })
  test(@CurrentWorkspace() workspace: WorkspaceAccess, @Param('connectionId') connectionId: string) {
    return this.connections.test(workspace.id, connectionId);
  }

  @Post(':connectionId/reconnect')
  @HttpCode(200)
  @RequireRole('editor')
  @ApiOperation({ summary: 'Reconnect in place: OAuth → a new authorizeUrl for this connection; Self Client / API token → new credentials' })
  @ApiBody({ schema: reconnectBodySchema })
  @ApiOkResponse({ schema: { oneOf: [authorizeUrlSchema, connectionViewSchema] } })
  async reconnect(
    @CurrentWorkspace() workspace: WorkspaceAccess,
    @CurrentUser() principal: Principal,
    @Param('connectionId') connectionId: string,
    @Body(validBody<ReconnectBody>(reconnectBodySchema)) body: ReconnectBody,
    @Req() request: Request,
  ): Promise<{ authorizeUrl: string; expiresAt: string } | ConnectionView> {
    const row = await this.connections.find(workspace.id, connectionId);
    if (row.authKind === 'oauth2') {
      return this.oauth.start(
        workspace.id,
        principal.userId,
        { connectorKey: row.connectorKey, name: row.name, dataCentre: body.dataCentre ?? row.dataCentre ?? 'us', target: row.target },
        { connectionId: row.id, requestOrigin: originOf(request) },
      );
    }
    if (!body.credentials) {
      throw new ConnectionsError(ConnectionsErrorCode.WRONG_AUTH_KIND, 'Send the new credentials to reconnect this connection.', { pointer: '/credentials' });
    }
    return this.connections.reconnectWithSecrets(workspace.id, connectionId, body.credentials);
  }

  @Delete(':connectionId')
  @HttpCode(204)
  @RequireRole('editor')
  @ApiOperation({ summary: 'Delete a connection (refused with the list of flows while a published flow uses it)' })
  @ApiNoContentResponse()
  async delete(@CurrentWorkspace() workspace: WorkspaceAccess, @Param('connectionId') connectionId: string): Promise<void> {
    await this.connections.delete(workspace.id, connectionId);
  }

  @Get(':connectionId/options/:optionsKey')
  @ApiOperation({ summary: 'Choices from the connected account (a connector dynamic-options loader); query parameters are its dependsOn values' })
  @ApiOkResponse({ schema: optionsSchema })
  async options(
    @CurrentWorkspace() workspace: WorkspaceAccess,
    @Param('connectionId') connectionId: string,
    @Param('optionsKey') optionsKey: string,
    @Query() query: Record<string, unknown>,
  ): Promise<{ options: DynamicOption[] }> {
    return { options: await this.connections.options(workspace.id, connectionId, optionsKey, dependsOnValues(query)) };
  }

  @Get(':connectionId/organizations')
  @ApiOperation({ summary: 'The organisations of the connected account (the connector\'s "organizations" options), for the organisation picker' })
  @ApiOkResponse({ schema: optionsSchema })
  async organizations(@CurrentWorkspace() workspace: WorkspaceAccess, @Param('connectionId') connectionId: string): Promise<{ options: DynamicOption[] }> {
    return { options: await this.connections.options(workspace.id, connectionId, 'organizations', {}) };
  }
}
