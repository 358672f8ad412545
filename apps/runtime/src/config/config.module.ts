import { DynamicModule, Global, Module } from '@nestjs/common';
import { BRAID_CONFIG, type BraidConfig } from './config.service.js';

/** Makes the validated configuration injectable everywhere: `@Inject(BRAID_CONFIG) config: BraidConfig`. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: BraidConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: BRAID_CONFIG, useValue: config }], exports: [BRAID_CONFIG] };
  }
}
