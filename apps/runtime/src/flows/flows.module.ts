import { Module } from '@nestjs/common';
import { FlowsBridges } from './flows.bridges.js';
import { FlowsController } from './flows.controller.js';
import { FlowsService } from './flows.service.js';

@Module({ controllers: [FlowsController], providers: [FlowsService, FlowsBridges], exports: [FlowsService] })
export class FlowsModule {}
