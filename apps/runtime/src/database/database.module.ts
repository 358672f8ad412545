import { BeforeApplicationShutdown, DynamicModule, Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { dataSourceOptions, runMigrations } from './data-source.js';

/** Which PostgreSQL the runtime uses; `stop` is set for the embedded one (the runtime owns its lifetime). */
export interface DatabaseConnection {
  url: string;
  kind: 'external' | 'embedded';
  stop?: () => Promise<void>;
}

export const DATABASE_CONNECTION = Symbol('DATABASE_CONNECTION');

/** Closes the pool, then the embedded PostgreSQL, after the HTTP server has finished its requests. */
class DatabaseLifecycle implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Database');

  constructor(
    @Inject(DATABASE_CONNECTION) private readonly connection: DatabaseConnection,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  beforeApplicationShutdown(signal?: string): void {
    if (signal) this.logger.log(`Received ${signal}: finishing in-flight requests, then stopping.`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    if (this.connection.stop) {
      await this.connection.stop();
      this.logger.log('Embedded PostgreSQL stopped.');
    }
  }
}

@Global()
@Module({})
class DatabaseConnectionModule {
  static forConnection(connection: DatabaseConnection): DynamicModule {
    return {
      module: DatabaseConnectionModule,
      providers: [{ provide: DATABASE_CONNECTION, useValue: connection }],
      exports: [DATABASE_CONNECTION],
    };
  }
}

/**
 * TypeORM on the given PostgreSQL. Migrations (src/database/migrations/index.ts) run before the app
 * serves anything. Feature modules register their entities with `TypeOrmModule.forFeature([...])`.
 */
@Module({})
export class DatabaseModule {
  static forRoot(connection: DatabaseConnection): DynamicModule {
    const logger = new Logger('Database');
    return {
      module: DatabaseModule,
      imports: [
        DatabaseConnectionModule.forConnection(connection),
        TypeOrmModule.forRootAsync({
          // An external database may still be starting (e.g. docker compose): retry for about half a minute.
          useFactory: () => ({
            ...dataSourceOptions(connection.url),
            autoLoadEntities: true,
            retryAttempts: connection.kind === 'external' ? 10 : 0,
            retryDelay: 3000,
          }),
          dataSourceFactory: async (options?: DataSourceOptions) => {
            const dataSource = new DataSource(options as DataSourceOptions);
            await dataSource.initialize();
            const applied = await runMigrations(dataSource);
            if (applied.length > 0) logger.log(`Applied migrations: ${applied.join(', ')}`);
            return dataSource;
          },
        }),
      ],
      providers: [DatabaseLifecycle],
    };
  }
}
