import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuth, CurrentWorkspace, RequireRole, type WorkspaceAccess } from '../auth/auth.decorators.js';
import { validBody } from '../common/validation.pipe.js';
import { listEvents, type StoredEvent } from '../events/events.store.js';
import { DataSource } from 'typeorm';
import { TriggersError, TriggersErrorCode } from './triggers.errors.js';
import { TriggersService, type WebhookInfo } from './triggers.service.js';

const webhookInfoSchema = {
  type: 'object',
  required: ['url', 'method', 'headers', 'secretFormat', 'instructions'],
  properties: {
    url: { type: 'string' },
    method: { type: 'string' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    secretHint: { type: 'string', description: '"set" when the flow has a secret (shown only when created or rotated)' },
    secretFormat: {
      type: 'object',
      description: 'The secret this trigger needs, as POST …/webhook/secret makes it (e.g. 32 letters and digits for Zoho Books)',
      required: ['format', 'description'],
      properties: {
        format: { type: 'string', enum: ['opaque', 'alphanumeric'] },
        length: { type: 'integer' },
        description: { type: 'string' },
      },
    },
    instructions: { type: 'array', items: { type: 'string' } },
  },
};

interface ManualRunBody {
  payload?: unknown;
}

const manualRunSchema = {
  type: 'object',
  properties: { payload: { description: 'The trigger output of the run (checked against a manual trigger\'s payload schema)' } },
  additionalProperties: false,
};

const eventSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    flowId: { type: 'string' },
    flowVersionId: { type: 'string', nullable: true },
    source: { type: 'string', enum: ['webhook', 'poll', 'app-webhook', 'schedule', 'manual'] },
    providerEventId: { type: 'string', nullable: true },
    payload: {},
    contentType: { type: 'string', nullable: true },
    headers: { type: 'object', nullable: true, additionalProperties: { type: 'string' } },
    signatureVerified: { type: 'boolean' },
    receivedAt: { type: 'string', format: 'date-time' },
  },
};

/** A flow's trigger seen from the editor and scripts: webhook URL and secret, manual runs, received events. */
@ApiTags('triggers')
@ApiAuth()
@Controller('api/v1/workspaces/:workspaceId/flows/:flowId')
export class TriggersController {
  constructor(
    private readonly triggers: TriggersService,
    private readonly dataSource: DataSource,
  ) {}

  @Get('webhook')
  @ApiOperation({ summary: 'The flow\'s webhook URL and how to set the sending app up (the secret is never shown here)' })
  @ApiOkResponse({ schema: webhookInfoSchema })
  async webhook(@CurrentWorkspace() workspace: WorkspaceAccess, @Param('flowId', ParseUUIDPipe) flowId: string): Promise<WebhookInfo> {
    const info = await this.triggers.webhookInfo(workspace.id, flowId);
    if (!info) {
      throw new TriggersError(TriggersErrorCode.NOT_A_WEBHOOK_TRIGGER, 'This flow does not start from a webhook: choose a webhook trigger to get a URL.');
    }
    return info;
  }

  @Post('webhook/secret')
  @RequireRole('editor')
  @ApiOperation({
    summary: 'Create or replace the webhook secret (signature checks); it is returned this one time only',
    description: 'In the format the trigger declares (see secretFormat of GET …/webhook); the trigger verifies with exactly this secret.',
  })
  @ApiOkResponse({ schema: { type: 'object', required: ['secret'], properties: { secret: { type: 'string' } } } })
  @HttpCode(200)
  rotateSecret(@CurrentWorkspace() workspace: WorkspaceAccess, @Param('flowId', ParseUUIDPipe) flowId: string): Promise<{ secret: string }> {
    return this.triggers.rotateSecret(workspace.id, flowId);
  }

  @Post('webhook/token')
  @RequireRole('editor')
  @ApiOperation({ summary: 'Replace the webhook URL (the old one stops working at once)' })
  @ApiOkResponse({ schema: { type: 'object', required: ['url'], properties: { url: { type: 'string' } } } })
  @HttpCode(200)
  rotateToken(@CurrentWorkspace() workspace: WorkspaceAccess, @Param('flowId', ParseUUIDPipe) flowId: string): Promise<{ url: string }> {
    return this.triggers.rotateToken(workspace.id, flowId);
  }

  @Post('runs')
  @RequireRole('editor')
  @HttpCode(202)
  @ApiOperation({ summary: 'Run the published flow now with a payload, e.g. "run this flow for order X"' })
  @ApiBody({ schema: manualRunSchema })
  @ApiAcceptedResponse({ schema: { type: 'object', required: ['eventId', 'runId'], properties: { eventId: { type: 'string' }, runId: { type: 'string' } } } })
  runManually(
    @CurrentWorkspace() workspace: WorkspaceAccess,
    @Param('flowId', ParseUUIDPipe) flowId: string,
    @Body(validBody<ManualRunBody>(manualRunSchema)) body: ManualRunBody,
  ): Promise<{ eventId: string; runId: string }> {
    return this.triggers.runManually(workspace.id, flowId, body.payload);
  }

  @Post('trigger/poll')
  @RequireRole('editor')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Poll now: one poll of the enabled flow\'s polling trigger at once (same lock and cursor as the scheduled polls; the schedule goes on)',
    description:
      '409 TRIGGER_FLOW_NOT_PUBLISHED / TRIGGER_FLOW_DISABLED / TRIGGER_NOT_POLLING / TRIGGER_POLL_IN_PROGRESS; 502 TRIGGER_POLL_FAILED ' +
      '(runs of the pages read before the failure are kept, the failed page is read again next time).',
  })
  @ApiOkResponse({
    schema: {
      type: 'object',
      required: ['enqueued', 'pages', 'hasMore'],
      properties: {
        enqueued: { type: 'integer', description: 'Runs enqueued for new or changed records' },
        pages: { type: 'integer', description: 'Pages read' },
        hasMore: { type: 'boolean', description: 'More pages are waiting; the next poll follows at once' },
      },
    },
  })
  pollNow(
    @CurrentWorkspace() workspace: WorkspaceAccess,
    @Param('flowId', ParseUUIDPipe) flowId: string,
  ): Promise<{ enqueued: number; pages: number; hasMore: boolean }> {
    return this.triggers.pollNow(workspace.id, flowId);
  }

  @Get('events')
  @ApiOperation({ summary: 'Events received by the flow\'s trigger, newest first (headers without credentials)' })
  @ApiOkResponse({ schema: { type: 'object', properties: { events: { type: 'array', items: eventSchema } } } })
  async events(
    @CurrentWorkspace() workspace: WorkspaceAccess,
    @Param('flowId', ParseUUIDPipe) flowId: string,
    @Query('limit') limit?: string,
  ): Promise<{ events: StoredEvent[] }> {
    const n = Math.min(200, Math.max(1, Number.parseInt(limit ?? '50', 10) || 50));
    return { events: await listEvents(this.dataSource.manager, workspace.id, flowId, n) };
  }
}

