import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { ApiAuth, CurrentWorkspace, type WorkspaceAccess } from '../auth/auth.decorators.js';
import { CommonError, CommonErrorCode } from '../common/braid.error.js';
import { linksOfRecord, type RecordLinkView } from './links.store.js';

const linkSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    appA: { type: 'string', example: 'togai' },
    typeA: { type: 'string', example: 'account' },
    idA: { type: 'string', example: 'A-17' },
    appB: { type: 'string', example: 'zoho-books' },
    typeB: { type: 'string', example: 'contact' },
    idB: { type: 'string', example: '4600000123' },
    flowId: { type: 'string', nullable: true },
    runId: { type: 'string', nullable: true },
    metadata: { type: 'object' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};

@ApiTags('links')
@ApiAuth()
@Controller('api/v1/workspaces/:workspaceId/links')
export class LinksController {
  constructor(private readonly dataSource: DataSource) {}

  @Get()
  @ApiOperation({ summary: 'What is linked to one record ("which Books contact is Togai account A-17?"), from either side' })
  @ApiQuery({ name: 'app', example: 'togai' })
  @ApiQuery({ name: 'type', example: 'account' })
  @ApiQuery({ name: 'id', example: 'A-17' })
  @ApiOkResponse({ schema: { type: 'object', properties: { links: { type: 'array', items: linkSchema } } } })
  async find(
    @CurrentWorkspace() workspace: WorkspaceAccess,
    @Query('app') app?: string,
    @Query('type') type?: string,
    @Query('id') id?: string,
  ): Promise<{ links: RecordLinkView[] }> {
    for (const [name, value] of [['app', app], ['type', type], ['id', id]] as const) {
      if (typeof value !== 'string' || value === '' || value.length > 500) {
        throw new CommonError(CommonErrorCode.VALIDATION_FAILED, `Query parameter "${name}" is required (e.g. ?app=togai&type=account&id=A-17).`, { pointer: `/${name}` });
      }
    }
    return { links: await linksOfRecord(this.dataSource, workspace.id, { app: app!, type: type!, id: id! }) };
  }
}
