import { Global, Logger, Module } from '@nestjs/common';
import { BRAID_CONFIG, type BraidConfig } from '../config/config.service.js';
import { DATABASE_CONNECTION, type DatabaseConnection } from '../database/database.module.js';
import { loadKeyRing } from './vault.keys.js';
import { VaultService } from './vault.service.js';

/** The vault (connection secrets); keys are loaded at start-up, a missing key stops the start. */
@Global()
@Module({
  providers: [
    {
      provide: VaultService,
      inject: [BRAID_CONFIG, DATABASE_CONNECTION],
      useFactory: async (config: BraidConfig, database: DatabaseConnection) => {
        const logger = new Logger('Vault');
        const ring = await loadKeyRing({
          key: config.encryption.key,
          keys: config.encryption.keys,
          embedded: database.kind === 'embedded',
          dataDir: config.dataDir,
        });
        if (ring.source === 'generated') {
          logger.warn(`Generated a new encryption key for connection secrets in ${ring.file} (mode 0600). Back it up: without it the stored secrets cannot be read. In production set BRAID_ENCRYPTION_KEY instead.`);
        } else if (ring.source === 'file') {
          logger.log(`Connection secrets are encrypted with the key in ${ring.file}.`);
        } else {
          logger.log(`Connection secrets are encrypted with key "${ring.keys[0]?.id}" from ${ring.source} (${ring.keys.length} key(s) configured).`);
        }
        return new VaultService(ring);
      },
    },
  ],
  exports: [VaultService],
})
export class VaultModule {}
