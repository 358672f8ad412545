import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { errorResponseSchema } from '../common/braid.error.js';
import { ApiAuth, CurrentUser, CurrentWorkspace, type Principal, RequireRole, type WorkspaceAccess } from '../auth/auth.decorators.js';
import { validBody } from '../common/validation.pipe.js';
import {
  addMemberBodySchema,
  type AddMemberBody,
  changeRoleBodySchema,
  type ChangeRoleBody,
  memberListSchema,
  memberSchema,
  workspaceListSchema,
  workspaceNameBodySchema,
  type WorkspaceNameBody,
  workspaceSchema,
} from './workspaces.dto.js';
import { WorkspacesError, WorkspacesErrorCode } from './workspaces.errors.js';
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

  @Patch(':workspaceId/members/:userId')
  @RequireRole('owner')
  @ApiOperation({ summary: "Change a member's role (owner). The last owner cannot step down." })
  @ApiBody({ schema: changeRoleBodySchema })
  @ApiOkResponse({ schema: memberSchema })
  @ApiConflictResponse({ schema: errorResponseSchema })
  changeRole(
    @CurrentWorkspace() workspace: WorkspaceAccess,
    @Param('userId') userId: string,
    @Body(validBody<ChangeRoleBody>(changeRoleBodySchema)) body: ChangeRoleBody,
  ): Promise<WorkspaceMemberView> {
    return this.workspaces.changeRole(workspace.id, userId, body.role);
  }

  @Delete(':workspaceId/members/:userId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a member (owner), or leave the workspace yourself. The last owner cannot leave.' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ schema: errorResponseSchema })
  async removeMember(@CurrentUser() principal: Principal, @CurrentWorkspace() workspace: WorkspaceAccess, @Param('userId') userId: string): Promise<void> {
    if (workspace.role !== 'owner' && userId !== principal.userId) {
      throw new WorkspacesError(WorkspacesErrorCode.ROLE_TOO_LOW, `Only an owner can remove other members of "${workspace.name}"; you are ${workspace.role}.`);
    }
    await this.workspaces.removeMember(workspace.id, userId);
  }
}
