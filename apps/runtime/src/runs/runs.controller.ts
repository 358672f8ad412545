import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { ApiAuth, CurrentWorkspace, RequireRole, type WorkspaceAccess } from '../auth/auth.decorators.js';
import { validBody } from '../common/validation.pipe.js';
import { linksOfRun, type RecordLinkView } from '../links/links.store.js';
import { RunsError, RunsErrorCode } from './runs.errors.js';
import { runStatuses, type RunStatus } from './runs.queue.js';
import { type RunDetail, RunsService, type RunSummary } from './runs.service.js';

const runSummarySchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    flowId: { type: 'string', format: 'uuid' },
    flowName: { type: 'string' },
    flowVersionId: { type: 'string', nullable: true },
    version: { type: 'integer', nullable: true },
    eventId: { type: 'string', nullable: true },
    source: { type: 'string', example: 'webhook' },
    status: { type: 'string', enum: [...runStatuses] },
    mode: { type: 'string', enum: ['live', 'preview', 'dry-run'] },
    replayOfRunId: { type: 'string', nullable: true },
    error: { type: 'object', nullable: true, description: '{ code, message, stepId }' },
    attempt: { type: 'integer' },
    queuedAt: { type: 'string', format: 'date-time' },
    startedAt: { type: 'string', format: 'date-time', nullable: true },
    finishedAt: { type: 'string', format: 'date-time', nullable: true },
    durationMs: { type: 'integer', nullable: true },
    summary: {
      type: 'string',
      nullable: true,
      description: 'The outcome in one line, e.g. "created contact 4600000123", "skipped: echo of run <id>", "failed at find: <message>"; null while queued or running',
    },
  },
};

const runStepSchema = {
  type: 'object',
  properties: {
    stepId: { type: 'string' },
    path: { type: 'string', description: 'Step id, with loop iterations as loop[3]/step' },
    status: { type: 'string', enum: ['running', 'succeeded', 'failed', 'skipped'] },
    input: {},
    output: {},
    error: { type: 'object', nullable: true },
    attempts: { type: 'integer' },
    dryRun: { type: 'boolean' },
    startedAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: 'string', format: 'date-time', nullable: true },
    durationMs: { type: 'integer', nullable: true },
  },
};

const replayBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { version: { type: 'string', enum: ['current', 'original'], default: 'current', description: 'Run on the flow\'s current published version or on the version the run used' } },
};

const replayFailedBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    version: { type: 'string', enum: ['current', 'original'], default: 'current' },
  },
};

@ApiTags('runs')
@ApiAuth()
@Controller('api/v1/workspaces/:workspaceId')
export class RunsController {
  constructor(
    private readonly runs: RunsService,
    private readonly dataSource: DataSource,
  ) {}

  @Get('runs')
  @ApiOperation({ summary: 'Runs, newest first (filters: flow, status, queued time range; cursor pagination)' })
  @ApiQuery({ name: 'flowId', required: false })
  @ApiQuery({ name: 'status', required: false, enum: [...runStatuses] })
  @ApiQuery({ name: 'from', required: false, description: 'ISO date-time, inclusive' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO date-time, exclusive' })
  @ApiQuery({ name: 'previews', required: false, description: 'true: include preview and dry-run runs' })
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiOkResponse({ schema: { type: 'object', properties: { runs: { type: 'array', items: runSummarySchema }, nextCursor: { type: 'string', nullable: true } } } })
  list(
    @CurrentWorkspace() workspace: WorkspaceAccess,
    @Query('flowId') flowId?: string,
    @Query('status') status?: string,
    @Query('from') from?: string,
    @Query('to') to?: string,
    @Query('previews') previews?: string,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ): Promise<{ runs: RunSummary[]; nextCursor: string | null }> {
    if (status !== undefined && !(runStatuses as readonly string[]).includes(status)) {
      throw new RunsError(RunsErrorCode.INVALID_FILTER, `"status" must be one of ${runStatuses.join(', ')}.`, { pointer: '/status' });
    }
    if (limit !== undefined && !/^\d{1,3}$/.test(limit)) throw new RunsError(RunsErrorCode.INVALID_FILTER, '"limit" must be a number from 1 to 200.', { pointer: '/limit' });
    return this.runs.list(workspace.id, {
      ...(flowId ? { flowId } : {}),
      ...(status ? { status: status as RunStatus } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(cursor ? { cursor } : {}),
      ...(limit ? { limit: Number(limit) } : {}),
      includePreviews: previews === 'true',
    });
  }

  @Get('runs/:runId')
  @ApiOperation({ summary: 'One run with every step (input, output, error, attempts, timing) and the record links it made' })
  @ApiOkResponse({ schema: { ...runSummarySchema, properties: { ...runSummarySchema.properties, triggerOutput: {}, output: {}, steps: { type: 'array', items: runStepSchema }, links: { type: 'array', items: { type: 'object' } } } } })
  async get(@CurrentWorkspace() workspace: WorkspaceAccess, @Param('runId') runId: string): Promise<RunDetail & { links: RecordLinkView[] }> {
    const run = await this.runs.get(workspace.id, runId);
    return { ...run, links: await linksOfRun(this.dataSource, workspace.id, runId) };
  }

  @Post('runs/:runId/cancel')
  @HttpCode(200)
  @RequireRole('editor')
  @ApiOperation({ summary: 'Cancel a queued or running run (a running run stops before its next step)' })
  @ApiOkResponse({ schema: runSummarySchema })
  cancel(@CurrentWorkspace() workspace: WorkspaceAccess, @Param('runId') runId: string): Promise<RunSummary> {
    return this.runs.cancel(workspace.id, runId);
  }

  @Post('runs/:runId/replay')
  @HttpCode(202)
  @RequireRole('editor')
  @ApiOperation({ summary: 'Run the same event again as a new run, on the current or the original version' })
  @ApiBody({ schema: replayBodySchema })
  @ApiOkResponse({ schema: { type: 'object', properties: { runId: { type: 'string' } } } })
  replay(
    @CurrentWorkspace() workspace: WorkspaceAccess,
    @Param('runId') runId: string,
    @Body(validBody<{ version?: 'current' | 'original' }>(replayBodySchema)) body: { version?: 'current' | 'original' },
  ): Promise<{ runId: string }> {
    return this.runs.replay(workspace.id, runId, body?.version ?? 'current');
  }

  @Post('flows/:flowId/replay-failed')
  @HttpCode(202)
  @RequireRole('editor')
  @ApiOperation({ summary: 'Replay every failed run of a flow queued in a time range (e.g. after fixing the flow)' })
  @ApiBody({ schema: replayFailedBodySchema })
  @ApiOkResponse({ schema: { type: 'object', properties: { count: { type: 'integer' }, runIds: { type: 'array', items: { type: 'string' } } } } })
  replayFailed(
    @CurrentWorkspace() workspace: WorkspaceAccess,
    @Param('flowId') flowId: string,
    @Body(validBody<{ from?: string; to?: string; version?: 'current' | 'original' }>(replayFailedBodySchema)) body: { from?: string; to?: string; version?: 'current' | 'original' },
  ): Promise<{ count: number; runIds: string[] }> {
    return this.runs.replayFailed(workspace.id, flowId, { ...(body.from ? { from: body.from } : {}), ...(body.to ? { to: body.to } : {}), version: body.version ?? 'current' });
  }
}
