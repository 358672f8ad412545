import { DynamicModule, Module, type Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { DestinationStream } from 'pino';
import { AuthModule } from './auth/auth.module.js';
import { ErrorFilter } from './common/error.filter.js';
import { LoggingModule } from './common/logging.module.js';
import { ConfigModule } from './config/config.module.js';
import { ConnectionsModule } from './connections/connections.module.js';
import { ConnectorsModule } from './connectors/connectors.module.js';
import type { BraidConfig } from './config/config.service.js';
import { type DatabaseConnection, DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { IntegrationsModule } from './integrations/integrations.module.js';
import { EngineModule } from './engine/engine.module.js';
import { FlowsModule } from './flows/flows.module.js';
import { LinksModule } from './links/links.module.js';
import { QueueModule } from './queue/queue.module.js';
import { RunsModule } from './runs/runs.module.js';
import { SandboxModule } from './sandbox/sandbox.module.js';
import { SetupModule } from './setup/setup.module.js';
import { SyncModule } from './sync/sync.module.js';
import { TriggersModule } from './triggers/triggers.module.js';
import { UsersModule } from './users/users.module.js';
import { WorkspacesModule } from './workspaces/workspaces.module.js';

/**
 * Feature modules (connections, flows, runs, engine ...) plug in here with one line each. Workspace-owned
 * routes live under `api/v1/workspaces/:workspaceId/...` and use `@CurrentWorkspace()` / `@RequireRole()`;
 * entities go through `TypeOrmModule.forFeature`, migrations into src/database/migrations/index.ts.
 */
export const featureModules: Type[] = [ConnectorsModule, ConnectionsModule, QueueModule, RunsModule, EngineModule, FlowsModule, LinksModule, TriggersModule, IntegrationsModule, SyncModule];

export interface AppModuleOptions {
  config: BraidConfig;
  database: DatabaseConnection;
  /** Where JSON logs go (stdout when unset); tests capture them. */
  logDestination?: DestinationStream;
}

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(options.config),
        LoggingModule.forRoot(options.config, options.logDestination),
        DatabaseModule.forRoot(options.database),
        HealthModule,
        UsersModule,
        WorkspacesModule,
        AuthModule,
        SetupModule,
        SandboxModule,
        ...featureModules,
      ],
      providers: [{ provide: APP_FILTER, useClass: ErrorFilter }],
    };
  }
}
