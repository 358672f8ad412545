import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuth, CurrentUser, CurrentWorkspace, type Principal, RequireRole, type WorkspaceAccess } from '../auth/auth.decorators.js';
import { validBody } from '../common/validation.pipe.js';
import { createIntegrationBodySchema, initialSyncSchema, integrationSchema, templateCardSchema, updateIntegrationBodySchema } from './integrations.dto.js';
import { type CreateIntegrationInput, type InitialSyncView, type IntegrationView, IntegrationsService, type UpdateIntegrationInput } from './integrations.service.js';
import { type TemplateCard, type TemplateDetail, TemplatesCatalog } from './templates.catalog.js';

const templateListSchema = { type: 'object', properties: { templates: { type: 'array', items: templateCardSchema } } };

@ApiTags('templates')
@ApiAuth()
@Controller('api/v1/templates')
export class TemplatesController {
  constructor(private readonly catalog: TemplatesCatalog) {}

  @Get()
  @ApiOperation({ summary: 'The templates gallery: one card per template (what it does, apps, connections, modules, settings form)' })
  @ApiOkResponse({ schema: templateListSchema })
  list(): { templates: TemplateCard[] } {
    return { templates: this.catalog.all().map((t) => this.catalog.card(t)) };
  }

  @Get(':templateId')
  @ApiOperation({ summary: 'One template, with its README' })
  @ApiOkResponse({ schema: { ...templateCardSchema, properties: { ...templateCardSchema.properties, readme: { type: 'string', nullable: true } } } })
  get(@Param('templateId') templateId: string): TemplateDetail {
    return this.catalog.detail(templateId);
  }
}

@ApiTags('templates')
@ApiAuth()
@Controller('api/v1/workspaces/:workspaceId/templates')
export class WorkspaceTemplatesController {
  constructor(private readonly catalog: TemplatesCatalog) {}

  @Get()
  @ApiOperation({ summary: 'The templates gallery as seen from a workspace (same cards as GET /api/v1/templates)' })
  @ApiOkResponse({ schema: templateListSchema })
  list(@CurrentWorkspace() _workspace: WorkspaceAccess): { templates: TemplateCard[] } {
    return { templates: this.catalog.all().map((t) => this.catalog.card(t)) };
  }
}

@ApiTags('integrations')
@ApiAuth()
@Controller('api/v1/workspaces/:workspaceId/integrations')
export class IntegrationsController {
  constructor(private readonly integrations: IntegrationsService) {}

  @Get()
  @ApiOperation({ summary: 'Integrations of the workspace with their status' })
  @ApiOkResponse({ schema: { type: 'object', properties: { integrations: { type: 'array', items: integrationSchema } } } })
  async list(@CurrentWorkspace() workspace: WorkspaceAccess): Promise<{ integrations: IntegrationView[] }> {
    return { integrations: await this.integrations.list(workspace.id) };
  }

  @Post()
  @HttpCode(201)
  @RequireRole('editor')
  @ApiOperation({ summary: 'Create an integration from a template: checks settings and connections, creates, publishes and enables its flows' })
  @ApiBody({ schema: createIntegrationBodySchema })
  @ApiCreatedResponse({ schema: integrationSchema })
  create(
    @CurrentWorkspace() workspace: WorkspaceAccess,
    @CurrentUser() principal: Principal,
    @Body(validBody<CreateIntegrationInput>(createIntegrationBodySchema)) body: CreateIntegrationInput,
  ): Promise<IntegrationView> {
    return this.integrations.create(workspace.id, principal.userId, body);
  }

  @Get(':integrationId')
  @ApiOperation({ summary: 'One integration: flows, connections, settings, modules, status with reasons, initial sync' })
  @ApiOkResponse({ schema: integrationSchema })
  get(@CurrentWorkspace() workspace: WorkspaceAccess, @Param('integrationId') integrationId: string): Promise<IntegrationView> {
    return this.integrations.get(workspace.id, integrationId);
  }

  @Patch(':integrationId')
  @RequireRole('editor')
  @ApiOperation({ summary: 'Rename, change settings (flows rendered again and republished) or switch modules (their flows enabled/disabled)' })
  @ApiBody({ schema: updateIntegrationBodySchema })
  @ApiOkResponse({ schema: integrationSchema })
  update(
    @CurrentWorkspace() workspace: WorkspaceAccess,
    @CurrentUser() principal: Principal,
    @Param('integrationId') integrationId: string,
    @Body(validBody<UpdateIntegrationInput>(updateIntegrationBodySchema)) body: UpdateIntegrationInput,
  ): Promise<IntegrationView> {
    return this.integrations.update(workspace.id, principal.userId, integrationId, body);
  }

  @Delete(':integrationId')
  @HttpCode(204)
  @RequireRole('editor')
  @ApiOperation({ summary: 'Disable and delete the integration\'s flows, then the integration (record links stay)' })
  @ApiNoContentResponse()
  async delete(@CurrentWorkspace() workspace: WorkspaceAccess, @Param('integrationId') integrationId: string): Promise<void> {
    await this.integrations.delete(workspace.id, integrationId);
  }

  @Post(':integrationId/initial-sync')
  @HttpCode(202)
  @RequireRole('editor')
  @ApiOperation({ summary: 'Start the initial sync: a backfill of every switched-on flow that can list existing records' })
  @ApiOkResponse({ schema: initialSyncSchema })
  startInitialSync(@CurrentWorkspace() workspace: WorkspaceAccess, @Param('integrationId') integrationId: string): Promise<InitialSyncView> {
    return this.integrations.startInitialSync(workspace.id, integrationId);
  }

  @Get(':integrationId/initial-sync')
  @ApiOperation({ summary: 'Progress of the initial sync (done / total / failed per flow)' })
  @ApiOkResponse({ schema: initialSyncSchema })
  initialSync(@CurrentWorkspace() workspace: WorkspaceAccess, @Param('integrationId') integrationId: string): Promise<InitialSyncView> {
    return this.integrations.initialSync(workspace.id, integrationId);
  }
}
