import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module.js';
import { WorkspacesModule } from '../workspaces/workspaces.module.js';
import { AccessGuard } from './access.guard.js';
import { ApiTokenEntity } from './api-token.entity.js';
import { ApiTokensController } from './api-tokens.controller.js';
import { ApiTokensService } from './api-tokens.service.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { LoginThrottle } from './login.throttle.js';
import { SessionEntity } from './session.entity.js';
import { SessionsService } from './sessions.service.js';

/** Sessions, API tokens, sign-in, and the global AccessGuard that every route passes through. */
@Module({
  imports: [TypeOrmModule.forFeature([SessionEntity, ApiTokenEntity]), UsersModule, WorkspacesModule],
  controllers: [AuthController, ApiTokensController],
  providers: [SessionsService, ApiTokensService, LoginThrottle, AuthService, { provide: APP_GUARD, useClass: AccessGuard }],
  exports: [SessionsService, AuthService],
})
export class AuthModule {}
