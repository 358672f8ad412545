import { Body, Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuth, CurrentUser, CurrentWorkspace, type Principal, RequireRole, type WorkspaceAccess } from '../auth/auth.decorators.js';
import { validBody } from '../common/validation.pipe.js';
import {
  addMemberBodySchema,
  type AddMemberBody,
  memberListSchema,
  memberSchema,
  workspaceListSchema,
  workspaceNameBodySchema,
  type WorkspaceNameBody,
  workspaceSchema,
} from './workspaces.dto.js';
import { WorkspacesService, type WorkspaceMemberView } from './workspaces.service.js';

@ApiTags('workspaces')
@ApiAuth()
@Controller('api/v1/workspaces')
export class WorkspacesController {
  constructor(private readonly workspaces: WorkspacesService) {}

  @Get()
  @ApiOperation({ summary: 'The workspaces you are a member of' })
  @ApiOkResponse({ schema: workspaceListSchema })
  async listMine(@CurrentUser() principal: Principal): Promise<{ workspaces: WorkspaceAccess[] }> {
    return { workspaces: await this.workspaces.listForUser(principal.userId) };
  }

  @Post()
  @ApiOperation({ summary: 'Create a workspace; you become its owner' })
  @ApiBody({ schema: workspaceNameBodySchema })
  @ApiCreatedResponse({ schema: workspaceSchema })
  create(@CurrentUser() principal: Principal, @Body(validBody<WorkspaceNameBody>(workspaceNameBodySchema)) body: WorkspaceNameBody): Promise<WorkspaceAccess> {
    return this.workspaces.createWorkspace(principal.userId, body.name);
  }

  @Get(':workspaceId')
  @ApiOperation({ summary: 'One workspace (404 unless you are a member)' })
  @ApiOkResponse({ schema: workspaceSchema })
  get(@CurrentWorkspace() workspace: WorkspaceAccess): WorkspaceAccess {
    return workspace;
  }

  @Patch(':workspaceId')
  @RequireRole('owner')
  @ApiOperation({ summary: 'Rename a workspace (owner)' })
  @ApiBody({ schema: workspaceNameBodySchema })
  @ApiOkResponse({ schema: workspaceSchema })
  async rename(@CurrentWorkspace() workspace: WorkspaceAccess, @Body(validBody<WorkspaceNameBody>(workspaceNameBodySchema)) body: WorkspaceNameBody): Promise<WorkspaceAccess> {
    await this.workspaces.rename(workspace.id, body.name);
    return { ...workspace, name: body.name.trim() };
  }

  @Get(':workspaceId/members')
  @ApiOperation({ summary: 'Members of a workspace' })
  @ApiOkResponse({ schema: memberListSchema })
  async listMembers(@CurrentWorkspace() workspace: WorkspaceAccess): Promise<{ members: WorkspaceMemberView[] }> {
    return { members: await this.workspaces.listMembers(workspace.id) };
  }

  @Post(':workspaceId/members')
  @HttpCode(201)
  @RequireRole('owner')
  @ApiOperation({ summary: 'Add a member by email with a role (owner). Unknown emails need an initial password.' })
  @ApiBody({ schema: addMemberBodySchema })
  @ApiCreatedResponse({ schema: memberSchema })
  addMember(@CurrentWorkspace() workspace: WorkspaceAccess, @Body(validBody<AddMemberBody>(addMemberBodySchema)) body: AddMemberBody): Promise<WorkspaceMemberView> {
    return this.workspaces.addMember(workspace.id, body);
  }
}
