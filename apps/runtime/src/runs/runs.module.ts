import { Global, Module } from '@nestjs/common';
import { RunsService } from './runs.service.js';

@Global()
@Module({ providers: [RunsService], exports: [RunsService] })
export class RunsModule {}
