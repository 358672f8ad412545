import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuth, CurrentWorkspace, RequireRole, type WorkspaceAccess } from '../auth/auth.decorators.js';
import { validBody } from '../common/validation.pipe.js';
import { BackfillService, type BackfillView } from './backfill.service.js';

const backfillSchema = {
  type: 'object',
  required: ['id', 'flowId', 'status', 'phase', 'phases', 'listed', 'total', 'done', 'failed', 'pending', 'startedAt', 'finishedAt'],
  properties: {
    id: { type: 'string' },
    flowId: { type: 'string' },
    status: { type: 'string', enum: ['running', 'succeeded', 'failed', 'cancelled'] },
    phase: { type: 'string', nullable: true, description: 'phase being listed (null: the default listing, or listing finished)' },
    phases: { type: 'array', items: { type: 'string', nullable: true } },
    listed: { type: 'integer', description: 'records listed so far' },
    total: { type: 'integer', nullable: true, description: 'all records, once every phase is listed' },
    done: { type: 'integer', description: 'runs that succeeded (including skipped echoes)' },
    failed: { type: 'integer' },
    pending: { type: 'integer', description: 'runs queued or running' },
    error: { type: 'string', nullable: true },
    startedAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: 'string', format: 'date-time', nullable: true },
  },
};

interface StartBackfillBody {
  phases?: string[];
}
const startBackfillSchema = {
  type: 'object',
  properties: {
    phases: {
      type: 'array',
      maxItems: 20,
      items: { type: 'string', minLength: 1, maxLength: 100 },
      description: 'Phases of the trigger\'s listing in order, e.g. ["recent", "older"] (see the connector\'s trigger); default: one full listing',
    },
  },
  additionalProperties: false,
};

interface ResyncBody {
  from: string;
}
const resyncSchema = {
  type: 'object',
  required: ['from'],
  properties: { from: { type: 'string', format: 'date-time', description: 'Process every record modified since this time again' } },
  additionalProperties: false,
};

/** Initial sync (backfill) of a flow over existing records, its progress, and "resync from date". */
@ApiTags('sync')
@ApiAuth()
@Controller('api/v1/workspaces/:workspaceId')
export class SyncController {
  constructor(private readonly backfills: BackfillService) {}

  @Post('flows/:flowId/backfill')
  @RequireRole('editor')
  @HttpCode(202)
  @ApiOperation({ summary: 'Run the published flow once over every existing record its trigger can list (chunked, resumable)' })
  @ApiBody({ schema: startBackfillSchema })
  @ApiAcceptedResponse({ schema: { type: 'object', required: ['backfillId'], properties: { backfillId: { type: 'string' } } } })
  start(
    @CurrentWorkspace() workspace: WorkspaceAccess,
    @Param('flowId', ParseUUIDPipe) flowId: string,
    @Body(validBody<StartBackfillBody>(startBackfillSchema)) body: StartBackfillBody,
  ): Promise<{ backfillId: string }> {
    return this.backfills.start(workspace.id, flowId, body.phases ? { phases: body.phases } : {});
  }

  @Get('flows/:flowId/backfills')
  @ApiOperation({ summary: 'Initial syncs of a flow, latest first (a running one means the sync is still pending)' })
  @ApiOkResponse({ schema: { type: 'object', properties: { backfills: { type: 'array', items: backfillSchema } } } })
  async listForFlow(@CurrentWorkspace() workspace: WorkspaceAccess, @Param('flowId', ParseUUIDPipe) flowId: string): Promise<{ backfills: BackfillView[] }> {
    return { backfills: await this.backfills.listForFlow(workspace.id, flowId) };
  }

  @Get('backfills/:backfillId')
  @ApiOperation({ summary: 'Progress of an initial sync: done / total / failed, current phase' })
  @ApiOkResponse({ schema: backfillSchema })
  get(@CurrentWorkspace() workspace: WorkspaceAccess, @Param('backfillId', ParseUUIDPipe) backfillId: string): Promise<BackfillView> {
    return this.backfills.get(workspace.id, backfillId);
  }

  @Post('backfills/:backfillId/cancel')
  @RequireRole('editor')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop listing more records (runs already queued still finish)' })
  @ApiOkResponse({ schema: backfillSchema })
  cancel(@CurrentWorkspace() workspace: WorkspaceAccess, @Param('backfillId', ParseUUIDPipe) backfillId: string): Promise<BackfillView> {
    return this.backfills.cancel(workspace.id, backfillId);
  }

  @Post('flows/:flowId/resync')
  @RequireRole('editor')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resync from a date: reset the polling cursor so records modified since then are processed again' })
  @ApiBody({ schema: resyncSchema })
  @ApiOkResponse({ schema: { type: 'object', properties: { flowId: { type: 'string' }, cursor: {} } } })
  resync(
    @CurrentWorkspace() workspace: WorkspaceAccess,
    @Param('flowId', ParseUUIDPipe) flowId: string,
    @Body(validBody<ResyncBody>(resyncSchema)) body: ResyncBody,
  ): Promise<{ flowId: string; cursor: unknown }> {
    return this.backfills.resync(workspace.id, flowId, new Date(body.from));
  }
}
