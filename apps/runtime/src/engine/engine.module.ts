import { Global, Module } from '@nestjs/common';
import { ConnectionsBridge } from './connections.bridge.js';
import { EngineSettings } from './engine.settings.js';
import { PreviewService } from './preview.service.js';
import { RunDispatcher } from './run.dispatcher.js';
import { RunExecutor } from './run.executor.js';
import { RunsRetention } from './runs.retention.js';

/** The durable run engine: workers on pg-boss, crash recovery, previews, retention. */
@Global()
@Module({
  providers: [EngineSettings, ConnectionsBridge, RunExecutor, RunDispatcher, RunsRetention, PreviewService],
  exports: [EngineSettings, ConnectionsBridge, RunExecutor, PreviewService, RunsRetention],
})
export class EngineModule {}
