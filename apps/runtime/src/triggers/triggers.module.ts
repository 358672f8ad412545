import { Global, Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module.js';
import { TriggerContexts } from './trigger.context.js';
import { TriggerSecrets } from './trigger.secrets.js';
import { TriggersController } from './triggers.controller.js';
import { TriggersService } from './triggers.service.js';
import { WebhookEndpoint, WebhookIngress } from './webhook.ingress.js';

/** Triggers (webhook ingress, polling, app webhooks, schedules, manual runs). TriggersService is global. */
@Global()
@Module({
  imports: [MetricsModule],
  controllers: [TriggersController],
  providers: [TriggersService, TriggerContexts, TriggerSecrets, WebhookIngress, WebhookEndpoint],
  exports: [TriggersService],
})
export class TriggersModule {}
