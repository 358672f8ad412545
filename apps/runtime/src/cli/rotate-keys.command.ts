import { pino } from 'pino';
import { DataSource } from 'typeorm';
import { connectDatabase } from '../bootstrap.js';
import { type BraidConfig } from '../config/config.service.js';
import { dataSourceOptions } from '../database/data-source.js';
import { loadKeyRing } from '../vault/vault.keys.js';
import { rotateSecrets } from '../vault/vault.rotate.js';
import { VaultService } from '../vault/vault.service.js';
import type { CliCommand } from './braid.cli.js';

/** `pnpm braid rotate-keys [--batch-size N]`: re-encrypts every stored secret with the newest key. */
export const rotateKeysCommand: CliCommand = {
  summary: 'Re-encrypt every stored secret with the newest key of BRAID_ENCRYPTION_KEYS (then older keys can be removed).',
  async run(args: string[], config: BraidConfig, out: (line: string) => void): Promise<number> {
    const sizeAt = args.indexOf('--batch-size');
    const batchSize = sizeAt >= 0 ? Number(args[sizeAt + 1]) : 100;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      out('--batch-size must be a whole number ≥ 1.');
      return 2;
    }
    const database = await connectDatabase(config, pino({ level: 'warn' }));
    const dataSource = new DataSource(dataSourceOptions(database.url));
    try {
      await dataSource.initialize();
      const ring = await loadKeyRing({ key: config.encryption.key, keys: config.encryption.keys, embedded: database.kind === 'embedded', dataDir: config.dataDir });
      const vault = new VaultService(ring);
      out(`Re-encrypting secrets with key "${vault.currentKeyId}" (configured keys: ${vault.keyIds.join(', ')}).`);
      const report = await rotateSecrets(dataSource, vault, { batchSize, progress: out });
      out(`Done: ${report.rotated} re-encrypted, ${report.current} already on "${vault.currentKeyId}", ${report.failed.length} failed.`);
      for (const failure of report.failed) out(`  ${failure.table} ${failure.id}: ${failure.reason}`);
      if (report.failed.length > 0) {
        out('Keep the old keys configured until those rows are fixed (reconnect or delete the connections).');
        return 1;
      }
      if (vault.keyIds.length > 1) {
        out(`Every secret now uses "${vault.currentKeyId}": the older keys (${vault.keyIds.slice(1).join(', ')}) are no longer needed and can be removed.`);
      }
      return 0;
    } finally {
      if (dataSource.isInitialized) await dataSource.destroy();
      await database.stop?.();
    }
  },
};
