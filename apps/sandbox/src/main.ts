import path from 'node:path';
import { startSandbox } from './core/sandbox.server.js';

/** `pnpm sandbox`: the sandbox alone, e.g. to point a connector or a person's browser at it. */
const port = Number(process.env.SANDBOX_PORT ?? 4010);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`SANDBOX_PORT must be a port number (0-65535), got "${process.env.SANDBOX_PORT}"`);
  process.exit(1);
}
const snapshotFile = process.env.SANDBOX_SNAPSHOT ? path.resolve(process.env.SANDBOX_SNAPSHOT) : undefined;
const running = await startSandbox({
  port,
  host: process.env.SANDBOX_HOST ?? '127.0.0.1',
  seed: process.env.SANDBOX_SEED ?? 'demo',
  snapshotFile,
});
console.log(`Braid sandbox listening on ${running.url} — console at ${running.url}/`);
const stop = async () => {
  await running.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
