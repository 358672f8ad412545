import { Logger } from '@nestjs/common';
import { createBraidApp } from './bootstrap.js';
import { ConfigError } from './config/config.errors.js';
import { loadConfig } from './config/config.service.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const { app } = await createBraidApp(config, { enableShutdownHooks: true });
  await app.listen(config.port, config.host);
  const shownHost = config.host === '0.0.0.0' || config.host === '127.0.0.1' ? 'localhost' : config.host;
  new Logger('Braid').log(`Braid is running: http://${shownHost}:${config.port}/ (API docs at /api/docs)`);
}

main().catch((error: unknown) => {
  process.stderr.write(`Braid could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
