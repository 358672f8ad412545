import { Global, Module } from '@nestjs/common';
import { SandboxService } from './sandbox.service.js';

@Global()
@Module({ providers: [SandboxService], exports: [SandboxService] })
export class SandboxModule {}
