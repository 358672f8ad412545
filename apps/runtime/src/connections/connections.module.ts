import { Global, Module, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module.js';
import { VaultModule } from '../vault/vault.module.js';
import { WorkspacesModule } from '../workspaces/workspaces.module.js';
import { ConnectionEntity, OAuthStateEntity } from './connection.entity.js';
import { ConnectionsController } from './connections.controller.js';
import { ConnectionsService } from './connections.service.js';
import { ConnectionTargets } from './connections.targets.js';
import { ConnectionTokens } from './connections.tokens.js';
import { OAuthController } from './oauth.controller.js';
import { OAuthFlowService } from './oauth.service.js';

/** Connections (API, OAuth flow, token renewal). ConnectionsService is global for the engine and triggers. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([ConnectionEntity, OAuthStateEntity]), DiscoveryModule, VaultModule, AuthModule, WorkspacesModule],
  controllers: [ConnectionsController, OAuthController],
  providers: [ConnectionsService, ConnectionTargets, ConnectionTokens, OAuthFlowService],
  exports: [ConnectionsService, VaultModule],
})
export class ConnectionsModule implements OnApplicationBootstrap {
  constructor(private readonly oauth: OAuthFlowService) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.oauth.deleteOldStates();
  }
}
