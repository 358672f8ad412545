import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ConnectorDescriptor } from '@braid/connector-sdk';
import { ApiAuth } from '../auth/auth.decorators.js';
import { ConnectorsService } from './connectors.service.js';

const descriptorSchema = {
  type: 'object',
  required: ['key', 'title', 'description', 'icon', 'auth', 'actions', 'triggers'],
  properties: {
    key: { type: 'string', example: 'zoho-books' },
    title: { type: 'string' },
    description: { type: 'string' },
    icon: { type: 'string', description: 'SVG markup' },
    auth: { type: 'object', properties: { kind: { type: 'string', enum: ['none', 'oauth2', 'zoho-self-client', 'api-token'] } } },
    actions: { type: 'array', items: { type: 'object' } },
    triggers: { type: 'array', items: { type: 'object' } },
  },
};

@ApiTags('connectors')
@ApiAuth()
@Controller('api/v1/connectors')
export class ConnectorsController {
  constructor(private readonly connectors: ConnectorsService) {}

  @Get()
  @ApiOperation({ summary: 'Every installed connector with its auth kind, triggers and actions (schemas and samples)' })
  @ApiOkResponse({ schema: { type: 'object', properties: { connectors: { type: 'array', items: descriptorSchema } } } })
  list(): { connectors: ConnectorDescriptor[] } {
    return { connectors: this.connectors.describeAll() };
  }

  @Get(':key')
  @ApiOperation({ summary: 'One connector' })
  @ApiOkResponse({ schema: descriptorSchema })
  get(@Param('key') key: string): ConnectorDescriptor {
    return this.connectors.describe(key);
  }
}
