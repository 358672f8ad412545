import { Global, Module } from '@nestjs/common';
import { MetricsEndpoint } from './metrics.endpoint.js';
import { MetricsService } from './metrics.service.js';

/** `MetricsService` is global: the engine records runs/steps, connections record token refresh failures. */
@Global()
@Module({ providers: [MetricsService, MetricsEndpoint], exports: [MetricsService] })
export class MetricsModule {}
