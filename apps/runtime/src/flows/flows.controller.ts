import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FlowEdit } from '@braid/flow-model';
import { ApiAuth, CurrentUser, CurrentWorkspace, type Principal, RequireRole, type WorkspaceAccess } from '../auth/auth.decorators.js';
import { validBody } from '../common/validation.pipe.js';
import type { PreviewResult } from '../engine/preview.service.js';
import {
  createFlowBodySchema,
  editDraftBodySchema,
  flowDetailSchema,
  flowSummarySchema,
  importBodySchema,
  previewBodySchema,
  previewResultSchema,
  replaceDraftBodySchema,
} from './flows.dto.js';
import { FlowsError, FlowsErrorCode } from './flows.errors.js';
import { type CreateFlowInput, type FlowDetail, type FlowExport, FlowsService, type FlowSummary, type FlowVersionInfo, type PreviewInput } from './flows.service.js';

const versionSchema = { type: 'object', properties: { id: { type: 'string' }, version: { type: 'integer' }, publishedAt: { type: 'string' }, publishedBy: { type: 'string', nullable: true } } };

@ApiTags('flows')
@ApiAuth()
@Controller('api/v1/workspaces/:workspaceId/flows')
export class FlowsController {
  constructor(private readonly flows: FlowsService) {}

  @Get()
  @ApiOperation({ summary: 'Flows with their state, connectors and last run' })
  @ApiOkResponse({ schema: { type: 'object', properties: { flows: { type: 'array', items: flowSummarySchema } } } })
  async list(@CurrentWorkspace() workspace: WorkspaceAccess): Promise<{ flows: FlowSummary[] }> {
    return { flows: await this.flows.list(workspace.id) };
  }

  @Post()
  @HttpCode(201)
  @RequireRole('editor')
  @ApiOperation({ summary: 'Create a flow: blank ({name, direction}), from a definition ({definition}) or from a template ({templateId})' })
  @ApiBody({ schema: createFlowBodySchema as Record<string, unknown> })
  @ApiCreatedResponse({ schema: flowDetailSchema })
  create(@CurrentWorkspace() workspace: WorkspaceAccess, @CurrentUser() principal: Principal, @Body(validBody<CreateFlowInput>(createFlowBodySchema)) body: CreateFlowInput): Promise<FlowDetail> {
    return this.flows.create(workspace.id, principal.userId, body);
  }

  @Post('import')
  @HttpCode(201)
  @RequireRole('editor')
  @ApiOperation({ summary: 'Create a flow from an export (connection references can be mapped to connections of this workspace)' })
  @ApiBody({ schema: importBodySchema })
  @ApiCreatedResponse({ schema: flowDetailSchema })
  import(
    @CurrentWorkspace() workspace: WorkspaceAccess,
    @CurrentUser() principal: Principal,
    @Body(validBody<{ definition: unknown; name?: string; connectionMap?: Record<string, string> }>(importBodySchema)) body: { definition: unknown; name?: string; connectionMap?: Record<string, string> },
  ): Promise<FlowDetail> {
    return this.flows.importFlow(workspace.id, principal.userId, { definition: body.definition, ...(body.name ? { name: body.name } : {}) }, body.connectionMap ?? {});
  }

  @Get(':flowId')
  @ApiOperation({ summary: 'A flow: draft, published version, and the problems that would stop publishing' })
  @ApiOkResponse({ schema: flowDetailSchema })
  get(@CurrentWorkspace() workspace: WorkspaceAccess, @Param('flowId') flowId: string): Promise<FlowDetail> {
    return this.flows.get(workspace.id, flowId);
  }

  @Put(':flowId/draft')
  @RequireRole('editor')
  @ApiOperation({ summary: 'Replace the draft (structure is checked: 400 FLOW_MALFORMED with pointers)' })
  @ApiBody({ schema: replaceDraftBodySchema })
  @ApiOkResponse({ schema: flowDetailSchema })
  replaceDraft(
    @CurrentWorkspace() workspace: WorkspaceAccess,
    @Param('flowId') flowId: string,
    @Body(validBody<{ definition: unknown; baseRevision?: number }>(replaceDraftBodySchema)) body: { definition: unknown; baseRevision?: number },
  ): Promise<FlowDetail> {
    return this.flows.replaceDraft(workspace.id, flowId, body.definition, body.baseRevision);
  }

  @Patch(':flowId/draft')
  @RequireRole('editor')
  @ApiOperation({ summary: 'Apply edit operations to the draft (409 REVISION_CONFLICT when baseRevision is stale)' })
  @ApiBody({ schema: editDraftBodySchema })
  @ApiOkResponse({ schema: flowDetailSchema })
  editDraft(
    @CurrentWorkspace() workspace: WorkspaceAccess,
    @Param('flowId') flowId: string,
    @Body(validBody<{ edits: FlowEdit[]; baseRevision: number }>(editDraftBodySchema)) body: { edits: FlowEdit[]; baseRevision: number },
  ): Promise<FlowDetail> {
    return this.flows.editDraft(workspace.id, flowId, body.edits, body.baseRevision);
  }

  @Post(':flowId/validate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Every problem that would stop the draft from being published, with pointers' })
  @ApiOkResponse({ schema: { type: 'object', properties: { valid: { type: 'boolean' }, problems: { type: 'array', items: { type: 'object' } } } } })
  async validate(@CurrentWorkspace() workspace: WorkspaceAccess, @Param('flowId') flowId: string): Promise<{ valid: boolean; problems: FlowDetail['problems'] }> {
    const flow = await this.flows.get(workspace.id, flowId);
    return { valid: flow.problems.length === 0, problems: flow.problems };
  }

  @Post(':flowId/publish')
  @HttpCode(200)
  @RequireRole('editor')
  @ApiOperation({ summary: 'Validate the draft and freeze it as a new immutable version (400 FLOW_INVALID lists every problem)' })
  @ApiOkResponse({ schema: flowDetailSchema })
  publish(@CurrentWorkspace() workspace: WorkspaceAccess, @CurrentUser() principal: Principal, @Param('flowId') flowId: string): Promise<FlowDetail> {
    return this.flows.publish(workspace.id, flowId, principal.userId);
  }

  @Post(':flowId/enable')
  @HttpCode(200)
  @RequireRole('editor')
  @ApiOperation({ summary: 'Enable the published version (its trigger starts firing)' })
  @ApiOkResponse({ schema: flowDetailSchema })
  enable(@CurrentWorkspace() workspace: WorkspaceAccess, @Param('flowId') flowId: string): Promise<FlowDetail> {
    return this.flows.setEnabled(workspace.id, flowId, true);
  }

  @Post(':flowId/disable')
  @HttpCode(200)
  @RequireRole('editor')
  @ApiOperation({ summary: 'Disable the flow (its trigger stops firing; running runs finish)' })
  @ApiOkResponse({ schema: flowDetailSchema })
  disable(@CurrentWorkspace() workspace: WorkspaceAccess, @Param('flowId') flowId: string): Promise<FlowDetail> {
    return this.flows.setEnabled(workspace.id, flowId, false);
  }

  @Get(':flowId/versions')
  @ApiOperation({ summary: 'Published versions, newest first' })
  @ApiOkResponse({ schema: { type: 'object', properties: { versions: { type: 'array', items: versionSchema } } } })
  async versions(@CurrentWorkspace() workspace: WorkspaceAccess, @Param('flowId') flowId: string): Promise<{ versions: FlowVersionInfo[] }> {
    return { versions: await this.flows.versions(workspace.id, flowId) };
  }

  @Get(':flowId/versions/:version')
  @ApiOperation({ summary: 'One published version with its (immutable) definition' })
  @ApiOkResponse({ schema: { ...versionSchema, properties: { ...versionSchema.properties, definition: { type: 'object' } } } })
  version(@CurrentWorkspace() workspace: WorkspaceAccess, @Param('flowId') flowId: string, @Param('version') version: string) {
    if (!/^\d{1,9}$/.test(version)) throw new FlowsError(FlowsErrorCode.VERSION_NOT_FOUND, `"${version.slice(0, 20)}" is not a version number.`);
    return this.flows.version(workspace.id, flowId, Number(version));
  }

  @Delete(':flowId')
  @HttpCode(204)
  @RequireRole('editor')
  @ApiOperation({ summary: 'Delete a flow (disabled first), its versions and runs' })
  @ApiNoContentResponse()
  async remove(@CurrentWorkspace() workspace: WorkspaceAccess, @Param('flowId') flowId: string): Promise<void> {
    await this.flows.delete(workspace.id, flowId);
  }

  @Get(':flowId/export')
  @ApiOperation({ summary: 'The flow as JSON (connections as references: connector and name, never secrets)' })
  @ApiOkResponse({ schema: { type: 'object', properties: { format: { type: 'string' }, formatVersion: { type: 'integer' }, name: { type: 'string' }, direction: { type: 'string' }, definition: { type: 'object' }, connections: { type: 'array', items: { type: 'object' } } } } })
  export(@CurrentWorkspace() workspace: WorkspaceAccess, @Param('flowId') flowId: string): Promise<FlowExport> {
    return this.flows.exportFlow(workspace.id, flowId);
  }

  @Post(':flowId/preview')
  @HttpCode(200)
  @RequireRole('editor')
  @ApiOperation({ summary: "Run the draft against a sample event (trigger sample, last event or pasted JSON) and return every step's input and output; dry-run changes nothing in the apps" })
  @ApiBody({ schema: previewBodySchema })
  @ApiOkResponse({ schema: previewResultSchema })
  preview(@CurrentWorkspace() workspace: WorkspaceAccess, @Param('flowId') flowId: string, @Body(validBody<PreviewInput>(previewBodySchema)) body: PreviewInput): Promise<PreviewResult> {
    return this.flows.preview(workspace.id, flowId, body);
  }
}
