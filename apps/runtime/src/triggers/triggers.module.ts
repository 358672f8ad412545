import { Global, Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module.js';
import { TriggerContexts } from './trigger.context.js';
import { TriggerSecrets } from './trigger.secrets.js';
import { TriggersController, WebhookIngressController } from './triggers.controller.js';
import { TriggersService } from './triggers.service.js';
import { WebhookBodyReader, WebhookIngress } from './webhook.ingress.js';

/** Triggers (webhook ingress, polling, app webhooks, schedules, manual runs). TriggersService is global. */
@Global()
@Module({
  imports: [MetricsModule],
  controllers: [WebhookIngressController, TriggersController],
  providers: [TriggersService, TriggerContexts, TriggerSecrets, WebhookIngress, WebhookBodyReader],
  exports: [TriggersService],
})
export class TriggersModule {}
