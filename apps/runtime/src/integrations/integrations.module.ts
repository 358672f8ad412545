import { Module } from '@nestjs/common';
import { FlowsModule } from '../flows/flows.module.js';
import { IntegrationsController, TemplatesController, WorkspaceTemplatesController } from './integrations.controller.js';
import { IntegrationsService } from './integrations.service.js';
import { TemplatesCatalog } from './templates.catalog.js';

/** Templates gallery (files under templates/) and integrations (template instances). */
@Module({
  imports: [FlowsModule],
  controllers: [TemplatesController, WorkspaceTemplatesController, IntegrationsController],
  providers: [TemplatesCatalog, IntegrationsService],
  exports: [TemplatesCatalog, IntegrationsService],
})
export class IntegrationsModule {}
